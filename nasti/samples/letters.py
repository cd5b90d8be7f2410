"""Synthetic MP collectorate letters with ground truth: header, file number, date, addressee, subject, body,
signature and sometimes an endorsement (पृ.क्र.) block."""
from __future__ import annotations

import datetime
import random
import unicodedata
from dataclasses import dataclass, field

import regex

from nasti.samples import bank
from nasti.samples import numbers as nums
from nasti.samples.fonts import LineFont, wrap

LANGS = ("hi", "en", "mixed")
# wrap to the text width of an A4 page with 25 mm margins at 12 pt, less a safety margin for rounding at other dpi
_WRAP_DPI = 300
_WRAP_WIDTH = (210 - 2 * 25) / 25.4 * _WRAP_DPI * 0.96
_WRAP_SIZE_PX = round(12 * _WRAP_DPI / 72)


@dataclass(frozen=True)
class Letter:
    """One synthetic letter and its ground truth.

    lines: the text lines exactly as drawn, NFC (digits as printed). file_number: without its label, digits folded to
    ASCII. subject: the subject text without its label, as printed, wrapped lines joined by a space.
    align: per line "l", "c" or "r" (empty means all left) — used by render_letter.
    """

    lang: str
    lines: list[str]
    file_number: str | None
    subject: str | None
    date: datetime.date | None
    devanagari_digits: bool
    align: tuple[str, ...] = field(default=())


@dataclass
class _Block:
    lines: list[str]
    align: str = "l"


def _slots(rng: random.Random, district: tuple, tehsil: tuple[str, str], date2: str, year: int) -> list[dict]:
    """Slot values for the templates, [Hindi, English], from the same random picks."""
    first = rng.sample(range(len(bank.FIRST_NAMES)), 3)
    sur = [rng.randrange(len(bank.SURNAMES)) for _ in range(3)]
    village = rng.choice(bank.VILLAGES)
    month = rng.randrange(12)
    khasra = nums.num(rng, 2, 3) + (f"/{nums.num(rng, 1, 1)}" if rng.random() < 0.6 else "")
    _, eoffice = nums.file_number(rng, nums.EOFFICE_TEMPLATES, year, "", rng.choice(["Rev", "Estt", "LR"]))
    common = {
        "khasra": khasra, "area": f"{rng.uniform(0.1, 4.0):.3f}", "section": rng.choice(["110", "129", "178", "115"]),
        "halka": nums.num(rng, 1, 2), "days": str(rng.choice([3, 7, 10, 15, 11, 21])), "shop": nums.digits(rng, 4),
        "date2": date2, "eoffice": eoffice,
    }
    out = []
    for i in (0, 1):
        names = [f"{bank.FIRST_NAMES[f][i]} {bank.SURNAMES[s][i]}" for f, s in zip(first, sur, strict=True)]
        months = bank.MONTHS_EN if i else bank.MONTHS_HI
        out.append(common | {
            "name": names[0], "father": names[1], "name2": names[2], "village": village[i], "tehsil": tehsil[i],
            "district": district[i], "month": months[month],
        })
    return out


def _sentence_pool(rng: random.Random, lang: str, topic: str, hi: dict, en: dict) -> list[str]:
    if lang == "en":
        pool = [s.format_map(en) for s in bank.BODY_EN[topic]]
    else:
        pool = [s.format_map(hi) for s in bank.BODY_HI[topic]]
    rng.shuffle(pool)
    if lang == "mixed":
        extra = [s.format_map(hi) for s in rng.sample(bank.MIXED, 4)]
        extra += [s.format_map(en) for s in rng.sample(bank.BODY_EN[topic], 2)]
        rng.shuffle(extra)
        pool = [x for pair in zip(pool, extra, strict=False) for x in pair] + pool[len(extra):] + extra[len(pool):]
    return pool


def _body(rng: random.Random, n: int, lang: str, topic: str, slots: list[dict], lf: LineFont) -> list[str]:
    """Exactly n lines of body text: paragraphs of 1–3 sentences, closers to fill the end."""
    hi, en = slots
    pool = _sentence_pool(rng, lang, topic, hi, en)
    closers = list(bank.CLOSERS_EN if lang == "en" else bank.CLOSERS_HI)
    rng.shuffle(closers)
    opener = rng.choice(bank.OPENERS_EN if lang == "en" else bank.OPENERS_HI)
    first = pool.pop(0)
    if lang == "en" and not first.startswith("Shri"):
        first = first[0].lower() + first[1:]
    paragraphs = [f"{opener} {first}"]
    out: list[str] = []
    while len(out) < n:
        if not paragraphs:
            if not pool:
                pool = _sentence_pool(rng, lang, topic, hi, en)
            k = min(len(pool), rng.randint(1, 3))
            paragraphs.append(" ".join(pool[:k]))
            del pool[:k]
        wrapped = wrap(paragraphs.pop(0), _WRAP_WIDTH, lf)
        room = n - len(out)
        if len(wrapped) > room:  # fill the end with whole sentences when they fit
            for s in sorted(closers + pool, key=len):
                w = wrap(s, _WRAP_WIDTH, lf)
                if len(w) <= room:
                    wrapped = w
                    (closers if s in closers else pool).remove(s)
                    break
        out.extend(wrapped)
    return out[:n]


def make_letter(
    seed: int,
    lang: str = "hi",
    *,
    devanagari_digits: bool = False,
    lines: int = 12,
    branch: str | None = None,
    file_number: str | None = None,
) -> Letter:
    """A letter of about `lines` lines (at least 12) from seed. `branch` is a key of bank.BRANCHES (random if None);
    `file_number` forces the printed number (ASCII digits, without label)."""
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}, not {lang!r}")
    rng = random.Random(seed * len(LANGS) + LANGS.index(lang))  # a seed gives a different letter per language
    branch = branch or rng.choice(sorted(bank.BRANCHES))
    if branch not in bank.BRANCHES:
        raise ValueError(f"unknown branch {branch!r}; known: {sorted(bank.BRANCHES)}")
    br_hi, br_en, abbr, code, topic = bank.BRANCHES[branch]
    district = rng.choices(bank.DISTRICTS, weights=[d[2] for d in bank.DISTRICTS])[0]
    tehsil = rng.choice(district[3])
    year = rng.randint(2008, 2025)
    if file_number is not None:  # date the letter in the year its forced number carries, if any
        years = [int(y) for y in regex.findall(r"(?<!\d)(?:19|20)\d\d(?!\d)", nums.to_ascii_digits(file_number))]
        year = next((y for y in reversed(years) if 1990 <= y <= 2026), year)
    date = nums.random_date(rng, year)
    sep = nums.date_separator(rng)
    date_s = nums.format_date(date, sep)
    date2_s = nums.format_date(date + datetime.timedelta(days=rng.randint(7, 60)), sep)
    slots = _slots(rng, district, tehsil, date2_s, year)
    en = lang == "en"
    lf = LineFont(lang, _WRAP_SIZE_PX)
    dist = district[1] if en else district[0]

    if en:
        templates = nums.EN_TEMPLATES
    else:
        templates = nums.HI_TEMPLATES + ([nums.REVENUE_CASE] if topic == "revenue" else [])
        if lang == "mixed":
            templates = templates + nums.EOFFICE_TEMPLATES
    label, number = nums.file_number(rng, templates, year, abbr, code)
    if file_number is not None:
        number = nums.to_ascii_digits(unicodedata.normalize("NFC", file_number))
        label = "File No." if en else "क्रमांक"

    # required blocks
    header = _Block([f"OFFICE OF THE COLLECTOR, DISTRICT {dist.upper()} (M.P.)" if en
                     else f"कार्यालय कलेक्टर, जिला {dist} (म.प्र.)"], "c")
    fileno = _Block([nums.join_label(label, number)])
    date_line = _Block([rng.choice([f"Dated {date_s}", f"{dist}, dated {date_s}", f"Date: {date_s}"]) if en
                        else rng.choice([f"दिनांक {date_s}", f"{dist}, दिनांक {date_s}", f"दिनांक: {date_s}"])], "r")
    addressee = rng.choice(_ADDRESSEES[topic])
    to = _Block(["To," if en else "प्रति,", addressee[1 if en else 0].format_map(slots[1 if en else 0])])
    if lang == "mixed" and rng.random() < 0.5:
        subj_label, subject = "Subject:", rng.choice(bank.SUBJECTS_EN[topic]).format_map(slots[1])
    else:
        subj_label = "Subject:" if en else rng.choice(["विषय:-", "विषय:"])
        subject = rng.choice((bank.SUBJECTS_EN if en else bank.SUBJECTS_HI)[topic]).format_map(slots[1 if en else 0])
    subj = _Block(wrap(f"{subj_label} {subject}", _WRAP_WIDTH, lf))
    officer = rng.choice([("कलेक्टर", "Collector"), ("कलेक्टर", "Collector"), ("अपर कलेक्टर", "Additional Collector")])
    sign = _Block([officer[1 if en else 0], f"District {dist} (M.P.)" if en else f"जिला {dist} (म.प्र.)"], "r")

    # optional blocks, all drawn from rng whether or not they fit, so a seed gives the same letter head at any length
    opt: list[tuple[str, _Block]] = []
    if lang == "mixed" and rng.random() < 0.6:
        opt.append(("header_en", _Block([f"OFFICE OF THE COLLECTOR, DISTRICT {district[1].upper()} (M.P.)"], "c")))
    if rng.random() < 0.5:
        opt.append(("branch", _Block([br_en if en else f"({br_hi})"], "c")))
    if topic == "establishment" and rng.random() < 0.3:
        opt.append(("title", _Block(["ORDER" if en else "।। आदेश ।।"], "c")))
    if rng.random() < 0.6:
        opt.append(("addr2", _Block([f"District {dist} (M.P.)" if en else f"जिला {dist} (म.प्र.)"])))
    ref_no, ref_date = nums.num(rng, 2, 4), nums.format_date(nums.random_date(rng, year), sep)
    if rng.random() < 0.3:
        ref = f"Ref: Your letter No. {ref_no} dated {ref_date}." if en else \
            f"संदर्भ:- आपका पत्र क्रमांक {ref_no} दिनांक {ref_date}"
        opt.append(("ref", _Block(wrap(ref, _WRAP_WIDTH, lf))))
    sig_name = rng.choice(bank.SIGNATORY_NAMES)
    if rng.random() < 0.5:
        opt.append(("signame", _Block([f"({sig_name[1 if en else 0]})"], "r")))
    endt_no = f"{nums.num(rng, 2, 4)}/{code if en else abbr}/{year}"
    copy_to = rng.choice(_COPY_TO)[1 if en else 0].format_map(slots[1 if en else 0])
    if rng.random() < 0.45:
        opt.append(("endt", _Block([
            f"Endt. No. {endt_no} Dated {date_s}" if en else f"पृ.क्र./{endt_no} दिनांक {date_s}",
            "Copy to:" if en else "प्रतिलिपि:-",
            *wrap(f"1. {copy_to}", _WRAP_WIDTH, lf),
        ])))

    fixed = 1 + 1 + 1 + 2 + len(subj.lines) + 2
    room = lines - fixed - 4
    chosen: dict[str, _Block] = {}
    for name, block in opt:
        if len(block.lines) <= room:
            chosen[name] = block
            room -= len(block.lines)
    body = _Block(_body(rng, max(4, 4 + room), lang, topic, slots, lf))

    order = [header, chosen.get("header_en"), chosen.get("branch"), chosen.get("title"), fileno, date_line, to,
             chosen.get("addr2"), subj, chosen.get("ref"), body, chosen.get("signame"), sign, chosen.get("endt")]
    out_lines: list[str] = []
    align: list[str] = []
    for block in order:
        if block is None:
            continue
        out_lines.extend(block.lines)
        align.extend(block.align * len(block.lines))
    if devanagari_digits:
        out_lines = [nums.to_devanagari_digits(s) for s in out_lines]
        subject = nums.to_devanagari_digits(subject)
    out_lines = [unicodedata.normalize("NFC", s) for s in out_lines]
    return Letter(
        lang=lang,
        lines=out_lines,
        file_number=unicodedata.normalize("NFC", number),
        subject=unicodedata.normalize("NFC", subject),
        date=date,
        devanagari_digits=devanagari_digits,
        align=tuple(align),
    )


# topic -> [(Hindi, English)] addressee line after "प्रति," / "To,"
_ADDRESSEES: dict[str, list[tuple[str, str]]] = {
    "revenue": [("तहसीलदार, तहसील {tehsil}", "The Tahsildar, Tahsil {tehsil}"),
                ("अनुविभागीय अधिकारी (राजस्व), {tehsil}", "The Sub Divisional Officer (Revenue), {tehsil}"),
                ("श्री {name}, निवासी ग्राम {village}", "Shri {name}, resident of village {village}")],
    "establishment": [("समस्त शाखा प्रभारी, कलेक्टर कार्यालय", "All Branch Officers, Collectorate"),
                      ("श्री {name}, सहायक ग्रेड-3", "Shri {name}, Assistant Grade-3"),
                      ("जिला ई-गवर्नेंस प्रबंधक", "The District e-Governance Manager")],
    "food": [("जिला आपूर्ति अधिकारी", "The District Supply Officer"),
             ("समस्त कनिष्ठ आपूर्ति अधिकारी", "All Junior Supply Officers")],
}
_COPY_TO: list[tuple[str, str]] = [
    ("अनुविभागीय अधिकारी (राजस्व) {tehsil} की ओर सूचनार्थ।",
     "The Sub Divisional Officer (Revenue), {tehsil} for information."),
    ("तहसीलदार {tehsil} की ओर आवश्यक कार्यवाही हेतु।", "The Tahsildar, {tehsil} for necessary action."),
    ("प्रभारी अधिकारी, अभिलेखागार की ओर सूचनार्थ।", "The Officer-in-charge, Record Room for information."),
]
