"""File numbers from a dropped file's path and from OCR page text.

Formats (DESIGN §5): eOffice/CSMOP ``A-11011/2/2019-Admn``; MP departments ``क्रमांक एफ 5-8/2026/1/4``,
``एफ-15-01/2014/1-10``; collectorate letters ``क्रमांक/378/राज./2017``, ``क्र./खाद्य/2026/1420``,
``फा.क्र. 17(ई) 93/04/21-ब(दो)``; revenue cases ``0255/अ-6/2021-22``; English ``F.No. 12/3/2021-Rev``,
``No. 102/PDS``. Values are returned as printed, Devanagari digits folded, label stripped.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import PurePosixPath

import regex
from rapidfuzz import fuzz

from common.text import LABELS, file_number_key, fold_digits, nfc, strip_invisible, strip_label

__all__ = ["FileNumber", "best", "conflicts", "find_conflict", "from_path", "from_text"]


@dataclass(frozen=True)
class FileNumber:
    value: str  # as printed, digits folded to ASCII, label stripped
    key: str  # file_number_key(value): what matching uses
    source: str  # "path" or "page N"
    confidence: float  # 0..1
    label: str | None = None


_D = "[0-9]"  # patterns run on digit-folded text
_LABEL_RE = regex.compile(
    r"(?<![\p{L}\p{M}\p{N}.])(?:"
    + "|".join(f"(?P<l{i}>{pattern})" for i, (pattern, _, _) in enumerate(LABELS))
    + r")(?:(?<=[.०॰])|(?![\p{L}\p{M}]))"
)
_AFTER_LABEL = regex.compile(r"[ \t]*[:ः]?[ \t]*[-–—/]?[ \t]*")
_RUN = regex.compile(r"[\p{L}\p{M}\p{N}/\-–_.()]{1,60}")
_GAP = regex.compile(r"[ \t]{1,3}")
_DATE = regex.compile(rf"^{_D}{{1,2}}[./-]{_D}{{1,2}}[./-](?:{_D}{{2}}|{_D}{{4}})$")
_PREFIX_WORDS = frozenset({"एफ", "एफ.", "f", "f.", "फ"})
_DATE_WORD = regex.compile(r"(?i)(?:दिनांक|दिनाँक|dated)")
_SKIP_BEFORE = frozenset(
    "mobile mob phone ph tel fax roll khasra survey vehicle account ac a/c ward house plot room page sr s sl serial"
    " item pin मोबाइल मो फोन दूरभाष खसरा सर्वे रोल वार्ड मकान प्लॉट कक्ष पृष्ठ".split()
)
_SUBJECT_LINE = regex.compile(r"(?im)^[ \t]*(?:विषय|subject(?![\p{L}])|sub[.:])")
_REFERENCE_LINE = regex.compile(r"(?i)^\W*(?:संदर्भ|सन्दर्भ|ref|reference|प्रतिलिपि|copy)")
_UNLABELLED: tuple[tuple[regex.Pattern[str], float], ...] = (
    # eOffice / CSMOP: A-11011/2/2019-Admn, REV-03/2027/2019-COLL, T-18015/3/70/2015-IDSP(Part)
    (regex.compile(rf"(?<![\p{{L}}\p{{M}}\p{{N}}/\-])(?i:[a-z]{{1,8}}(?:-[a-z]{{1,8}})?)-{_D}+(?:/{_D}+){{1,4}}"
                   r"-(?i:[a-z][a-z0-9.]*(?:-[a-z][a-z0-9.]*)*)(?:\((?i:[a-z .]{1,12})\))?"), 0.6),
    # revenue case: 0255/अ-6/2021-22
    (regex.compile(rf"(?<![\p{{L}}\p{{M}}\p{{N}}/])[0-9]{{1,6}}/[अ-ह]\p{{M}}*[-\s]?[0-9]{{1,4}}"
                   rf"(?:\([^()\s]{{1,10}}\))?/(?:19|20){_D}{{2}}(?:-{_D}{{2,4}})?"), 0.6),
    # English department style without label: 12/3/2021-Rev
    (regex.compile(rf"(?<![\p{{L}}\p{{M}}\p{{N}}/\-.]){_D}+(?:/{_D}+)*/(?:19|20){_D}{{2}}-(?i:[a-z]{{2,10}})"
                   r"(?:\((?i:[a-z .]{1,12})\))?"), 0.55),
    # MP departments: एफ-15-01/2014/1-10, एफ 5-8/2026/1/4
    (regex.compile(rf"(?<![\p{{L}}\p{{M}}])एफ\s?-?\s?{_D}+(?:[-/]{_D}+){{2,}}"), 0.55),
    # collectorate letter without label: 378/राज./2017
    (regex.compile(rf"(?<![\p{{L}}\p{{M}}\p{{N}}/]){_D}{{1,6}}/[\p{{L}}\p{{M}}]{{1,8}}\.?/(?:19|20){_D}{{2}}"
                   rf"(?![\p{{L}}\p{{M}}\p{{N}}])"), 0.5),
)


def _clean_value(value: str) -> str:
    value = _DATE_WORD.split(value, maxsplit=1)[0]
    value = value.strip(" \t.-–/_(")
    while value.endswith(")") and value.count(")") > value.count("("):
        value = value[:-1].rstrip(" \t.-–/_(")
    return regex.sub(r"\s*/\s*", "/", regex.sub(r"\s+", " ", value))


def _has_digit(s: str) -> bool:
    return any(c.isdigit() for c in s)


def _number_after(folded: str, pos: int) -> tuple[str, int] | None:
    """The number starting at ``pos`` (after a label): runs of number characters, joined across short gaps only
    when the next run carries a digit and a ``/`` (``17(ई) 93/04/21-ब(दो)``) or follows a prefix word (``एफ 5-8``)."""
    pos = _AFTER_LABEL.match(folded, pos).end()
    first = _RUN.match(folded, pos)
    if first is None:
        return None
    runs = [first.group()]
    end = first.end()
    while len(runs) < 4:
        gap = _GAP.match(folded, end)
        nxt = _RUN.match(folded, gap.end()) if gap else None
        if nxt is None:
            break
        run = nxt.group()
        after_prefix = len(runs) == 1 and runs[0].casefold() in _PREFIX_WORDS
        if runs[-1].endswith("/") or run.startswith("/"):  # OCR split at a slash: "378/राज./ 2017", "102/ PDS"
            if _DATE.match(run.strip(".")) or _DATE_WORD.match(run) or not (_has_digit(run) or len(run) <= 8):
                break
        elif not _has_digit(run) or _DATE.match(run.strip(".")) or not ("/" in run or after_prefix):
            break
        runs.append(run)
        end = nxt.end()
    head = runs[0]
    if not (_has_digit(head) or "/" in head or head.casefold() in _PREFIX_WORDS):
        return None
    value = _clean_value(folded[first.start() : end])
    if not _has_digit(value) or _DATE.match(value) or regex.fullmatch(r"[0-9]{10,}", value):
        return None
    return value, end


def _context_penalty(text: str, start: int, kind: str) -> float | None:
    """None to skip the candidate (Khasra No., Mobile No.); else a confidence penalty."""
    before = text[:start]
    word = regex.search(r"([\p{L}\p{M}./]+)[\s:]*$", before)
    prev = word.group(1).strip(".").casefold() if word else ""
    if kind in ("number", "letter") and prev in _SKIP_BEFORE:
        return None
    line = before[before.rfind("\n") + 1 :]
    penalty = 0.25 if _REFERENCE_LINE.match(line) else 0.0
    if _SUBJECT_LINE.search(before):  # below the subject: the body cites other files; the letter's own is above
        penalty += 0.35
    if prev in ("आवक", "inward"):
        penalty += 0.2
    return penalty


def from_text(text: str, page: int) -> list[FileNumber]:
    """File-number candidates in one page's text, best first (one per key)."""
    text = strip_invisible(text)
    folded = fold_digits(text)  # same length as text: spans are shared
    source = f"page {page}"
    found: list[tuple[float, int, FileNumber]] = []
    taken: list[tuple[int, int]] = []
    for m in _LABEL_RE.finditer(text):
        i = next(i for i in range(len(LABELS)) if m.group(f"l{i}") is not None)
        _, kind, confidence = LABELS[i]
        penalty = _context_penalty(text, m.start(), kind)
        number = _number_after(folded, m.end())
        if penalty is None or number is None:
            continue
        value, end = number
        if regex.fullmatch(r"[0-9]{1,3}", value):
            penalty += 0.2  # "क्रमांक 1": a list item more often than a file
        label = regex.sub(r"\s+", " ", m.group()).strip()
        candidate = FileNumber(value, file_number_key(value), source, round(max(confidence - penalty, 0.05), 3), label)
        found.append((candidate.confidence, m.start(), candidate))
        taken.append((m.start(), end))
    for pattern, confidence in _UNLABELLED:
        for m in pattern.finditer(folded):
            if any(m.start() < b and a < m.end() for a, b in taken):
                continue
            value = _clean_value(m.group())
            penalty = _context_penalty(text, m.start(), "unlabelled") or 0.0
            candidate = FileNumber(value, file_number_key(value), source, round(confidence - penalty, 3), None)
            found.append((candidate.confidence, m.start(), candidate))
            taken.append((m.start(), m.end()))
    found.sort(key=lambda t: (-t[0], t[1]))
    out: list[FileNumber] = []
    seen: set[str] = set()
    for _, _, candidate in found:
        if candidate.key and candidate.key not in seen:
            seen.add(candidate.key)
            out.append(candidate)
    return out


_CAMERA = regex.compile(
    r"(?i)^(?:img|dsc|dscn|dcim|pxl|vid|mvimg|scan|scanned|doc|document|camscanner|whatsapp|screenshot|image|photo"
    r"|page|pg|p|pic|untitled|new|copy|नोटशीट|पत्र|आदेश|स्कैन|फोटो|चित्र|पेज|पृष्ठ|दस्तावेज)(?![\p{L}\p{M}])"
)
# "No. 102/PDS" written 102-PDS: one number (not a year) then one capitalised Latin office code (not a common word)
_NUMBER_THEN_CODE = regex.compile(
    r"(?!(?:19|20)[0-9]{2}[-_])[0-9]{1,6}[-_](?!(?i:notes?|scan|page|copy|final|draft|part|file|doc|docs|letter"
    r"|order|img|pic|new|old|issue|issues|recpt|memo|annex|encl)$)[A-Z][A-Za-z]{1,4}"
)
_NAME_GROUPS = regex.compile(r"[\s\-_./(),]+")
_EOFFICE_FOLDER = regex.compile(r"(?i)^fl[-_]")
_COPY_SUFFIX = regex.compile(r"(?i)(?:\s*\(\d{1,3}\)|[\s_-]*-?\s*copy)$")
_NAME_LABEL = regex.compile(r"(?i)^(?:फा[-_ ]?क्र(?:मांक)?|प्रकरण[-_ ]?क्रमांक|क्रमांक|क्रं?|f[-_ ]?no|file[-_ ]?no|no)[-_ ]+")


def _name_number(name: str, eoffice: bool) -> str | None:
    """``name`` (a folder name or a file stem) if it looks like a file number with ``/`` written as ``-``/``_``."""
    name = fold_digits(strip_invisible(name)).strip()
    name = _COPY_SUFFIX.sub("", name).strip()
    _, name = strip_label(name)
    name = _NAME_LABEL.sub("", name).strip(" -_.")
    if not name or _CAMERA.match(name) or not regex.search(r"[-_(]", name):
        return None
    groups = [g for g in _NAME_GROUPS.split(name) if g]
    numbers = [g for g in groups if g.isdigit()]
    letters = [g for g in groups if not g.isdigit()]
    if not letters or any(len(g) >= 8 for g in numbers):  # 20240101: a camera/scanner date stamp
        return None
    for g in letters:
        latin = regex.fullmatch(r"[A-Za-z]+", g) is not None
        if _has_digit(g) and not latin and not regex.fullmatch(r"[A-Za-z]+[0-9]+|[0-9]+[A-Za-z]+", g):
            return None
        if (latin and len(g) > 5) or (not latin and len(g) > 6):
            return None
    if len(numbers) < (1 if eoffice else 2) and not _NUMBER_THEN_CODE.fullmatch(name):
        return None
    if len(letters) > len(numbers) + 1:
        return None
    return name


def from_path(relpath: str) -> FileNumber | None:
    """File number from the per-file folder (eOffice ``fl-<number with / → _>``) or the file name, as written."""
    parts = [p for p in nfc(relpath).replace("\\", "/").split("/") if p]
    if not parts:
        return None
    stem = PurePosixPath(parts[-1]).stem
    folders = parts[:-1][::-1]  # deepest first
    ordered: list[tuple[str, bool]] = [(f, True) for f in folders if _EOFFICE_FOLDER.match(f)]
    ordered += [(stem, False)] + [(f, False) for f in folders if not _EOFFICE_FOLDER.match(f)]
    for name, eoffice in ordered:
        value = _name_number(_EOFFICE_FOLDER.sub("", name) if eoffice else name, eoffice)
        if value is not None:
            return FileNumber(value, file_number_key(value), "path", 0.8 if eoffice else 0.7, None)
    return None


def conflicts(a: FileNumber | None, b: FileNumber | None, threshold: float = 90.0) -> bool:
    """True when both are known and their keys differ beyond OCR noise (rapidfuzz ratio < ``threshold``)."""
    if a is None or b is None or not a.key or not b.key or a.key == b.key:
        return False
    return fuzz.ratio(a.key, b.key) < threshold


def best(path_candidate: FileNumber | None, text_candidates: Iterable[FileNumber]) -> FileNumber | None:
    """The document's file number.

    With a path number: the text candidate agreeing with it (printed form, confidence raised), else the path number
    itself (the clerk named the physical file; page text may quote another letter — see :func:`find_conflict`).
    Text only: the key with the highest confidence, plus 0.05 per further mention (e.g. on several pages); on a
    tie, more mentions, then the most confident single candidate.
    """
    texts = sorted(text_candidates, key=lambda c: -c.confidence)
    if path_candidate is not None:
        agreeing = [t for t in texts if not conflicts(path_candidate, t)]
        if not agreeing:
            return path_candidate
        top = agreeing[0]
        return replace(top, confidence=round(min(1.0, max(top.confidence, path_candidate.confidence) + 0.1), 3))
    groups: dict[str, list[FileNumber]] = {}
    for t in texts:
        groups.setdefault(t.key, []).append(t)
    if not groups:
        return None

    def score(members: list[FileNumber]) -> float:
        return min(0.99, members[0].confidence + 0.05 * (len(members) - 1))

    winner = max(groups.values(), key=lambda members: (score(members), len(members)))
    return replace(winner[0], confidence=round(max(winner[0].confidence, score(winner)), 3))


def find_conflict(
    path_candidate: FileNumber | None, text_candidates: Iterable[FileNumber], min_confidence: float = 0.8
) -> FileNumber | None:
    """The strongest text candidate (≥ ``min_confidence``) that disagrees with the path number, when no text
    candidate agrees with it; None otherwise. A non-None result should flag the document for review."""
    if path_candidate is None:
        return None
    texts = sorted(text_candidates, key=lambda c: -c.confidence)
    if any(not conflicts(path_candidate, t) for t in texts):
        return None
    strong = [t for t in texts if t.confidence >= min_confidence]
    return strong[0] if strong else None
