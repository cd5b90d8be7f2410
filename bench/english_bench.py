"""English pages with the default config (issue #10): nasti (`languages = "Devanagari"`) against bare `tesseract -l eng`
and bare `-l Devanagari` on the same files, page by page, in the quarter turns asked for; Hindi pages as a
no-regression check. Writes a markdown table (appended to `--table`) and one JSON line per page read.

    OMP_THREAD_LIMIT=1 nice -n 10 .venv/bin/python bench/english_bench.py receipts --seeds 0-49 [--turns 0,90,180,270]
    ... english_bench.py letters --seeds 0-11       English office letters/notices: DejaVu, Liberation, Noto, URW
                                                    fonts; 150-300 dpi; grain, JPEG, bitonal; saved with or without DPI
    ... english_bench.py mixed --seeds 0-7          Hindi letters with English words
    ... english_bench.py hindi --seeds 0-7          Hindi office letters (bare baseline: Devanagari)
    ... english_bench.py real --half odd            real Devanagari crops of realscans-dev (bare baseline: Devanagari)

The criterion: every page, in every turn, within bare eng (on the upright file) + 2 CER points; Hindi pages no
worse than before. A page turned 90/180/270 is compared with bare eng on the upright file (bare tesseract does not
turn pages). "Wrong turns": reads whose rotation is not the one the page was turned by. "Twin gap": the largest
CER difference between a page's turns. Receipt seeds 0-149 were looked at while tuning; 300-359 (and `--varied`
receipts, named vNNN) and letters 40-51 are held out.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import unicodedata
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

os.environ["OMP_THREAD_LIMIT"] = "1"
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(1, str(HERE))

from PIL import Image  # noqa: E402

import ocr.page  # noqa: E402
from ocr.metrics import cer  # noqa: E402

REAL = Path("/work/shared/realscans-dev")
TURN = {90: Image.Transpose.ROTATE_90, 180: Image.Transpose.ROTATE_180, 270: Image.Transpose.ROTATE_270}
LATIN_FONTS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/noto/NotoSerif-Regular.ttf", "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSerif-Regular.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationMono-Regular.ttf",
    "/usr/share/fonts/opentype/urw-base35/NimbusRoman-Regular.otf",
    "/usr/share/fonts/opentype/urw-base35/NimbusSans-Regular.otf",
    "/usr/share/fonts/opentype/urw-base35/C059-Roman.otf",
)


def bare(path: Path, lang: str) -> str:
    r = subprocess.run(["tesseract", str(path), "stdout", "-l", lang], capture_output=True,
                       env=os.environ | {"OMP_THREAD_LIMIT": "1"})
    return unicodedata.normalize("NFC", r.stdout.decode("utf-8", "replace"))


def nasti(path: Path) -> ocr.page.PageResult:
    with tempfile.TemporaryDirectory() as tmp:
        kind = {".png": "png", ".jpg": "jpeg", ".tif": "tiff"}[path.suffix]
        return ocr.page.process_page(ocr.page.PageTask(
            source=path, kind=kind, index=0, languages="Devanagari", dpi=300, timeout=180,
            max_pixels=10**9, layer=Path(tmp) / "l.pdf"))


def save(img: Image.Image, path: Path, dpi: int | None, jpeg: int | None) -> Path:
    kw: dict = {"dpi": (dpi, dpi)} if dpi else {}
    if jpeg:
        path = path.with_suffix(".jpg")
        img.convert("L").save(path, quality=jpeg, **kw)
    else:
        path = path.with_suffix(".png")
        img.save(path, **kw)
    return path


def letter(seed: int, lang: str, out: Path) -> tuple[Image.Image, str, dict, dict]:
    """A generated office letter (`lang` en | hi | mixed): the image, its truth, how it was made, how to save it."""
    from nasti.samples import fonts, scanlike
    rng = random.Random(f"english-bench-{lang}-{seed}")
    latin = [f for f in LATIN_FONTS if Path(f).is_file()]
    font = Path(latin[seed % len(latin)])
    spec = scanlike.random_spec(seed, rng.choice(["clean", "office", "office", "hard"]),
                                dpi=rng.choice([150, 200, 300, 300]))
    with fonts.using(en=font, latin=font):
        page = scanlike.scan_letter(7000 + seed, lang, spec)
    img = page.image
    bitonal = rng.random() < 0.2
    if bitonal:
        img = img.point(lambda v: 255 if v > 150 else 0).convert("1")
    save_as = rng.choice(["dpi", "dpi", "nodpi", "72"])
    meta = {"font": font.name, "dpi": spec.dpi, "bitonal": bitonal, "save": save_as, "jpeg": spec.jpeg}
    how = {"dpi": spec.dpi if save_as == "dpi" else 72 if save_as == "72" else None,
           "jpeg": None if bitonal else spec.jpeg}
    return img, page.truth, meta, how


def pages(corpus: str, lo: int, hi: int, out: Path, half: str,
          varied: bool = False) -> list[tuple[str, Image.Image, str, dict, dict]]:
    """(name, upright image, truth, meta, save arguments) of each page."""
    if corpus == "receipts":
        from receipts_pages import receipt
        got = []
        for seed in range(lo, hi + 1):
            img, truth, meta = receipt(seed, varied)
            s = meta["save"]
            how = {"dpi": meta["dpi"] if s.endswith("_dpi") else 72 if s.endswith("_72") else None,
                   "jpeg": meta["quality"] if s.startswith("jpg") else None}
            got.append((f"{'v' if varied else 'r'}{seed:03d}", img, truth,
                        meta | {"kind": f"{meta['style']} {meta['capture']}"}, how))
        return got
    if corpus == "real":
        crops = [p for p in sorted(REAL.glob("*.png")) if (int(p.stem.rsplit("-", 1)[-1]) % 2 == 1) == (half == "odd")]
        return [(p.stem, Image.open(p).convert("L"), p.with_suffix(".gt.txt").read_text(encoding="utf-8"),
                 {"kind": "real crop"}, {"dpi": 300, "jpeg": None}) for p in crops]
    lang = {"letters": "en", "mixed": "mixed", "hindi": "hi"}[corpus]
    got = []
    for seed in range(lo, hi + 1):
        img, truth, meta, how = letter(seed, lang, out)
        kind = f"{'bitonal' if meta['bitonal'] else 'grey'} {'no dpi' if how['dpi'] in (None, 72) else 'dpi'}"
        got.append((f"{lang}{seed:03d}", img, truth, meta | {"kind": kind}, how))
    return got


def row(job: tuple[str, str, str, str, int, str]) -> dict:
    name, path_s, upright_s, truth, turn, base = job
    path, upright = Path(path_s), Path(upright_s)
    got = nasti(path)
    r = {"page": name, "turn": turn, "nasti": cer(truth, got.text), "rotation": got.rotation,
         "model": got.language, "turned_by": got.turned_by, "conf": got.confidence}
    if turn == 0:
        r["bare"] = cer(truth, bare(upright, base))
        r["bare_deva"] = r["bare"] if base == "Devanagari" else cer(truth, bare(upright, "Devanagari"))
    return r


def table(rows: list[dict], metas: dict[str, dict], title: str, base: str, turns: list[int]) -> str:
    bare = {r["page"]: r for r in rows if r["turn"] == 0}
    for r in rows:
        r["bare"], r["bare_deva"] = bare[r["page"]]["bare"], bare[r["page"]]["bare_deva"]
        r["kind"] = metas[r["page"]]["kind"]
    out = [f"### {title}", "", f"Turns {', '.join(map(str, turns))}; bare on the upright file.", "",
           f"| set | pages | reads | nasti | bare {base} | bare Devanagari | reads worse than bare {base} + 2 | "
           "wrong turns | largest twin gap |", "|---|---|---|---|---|---|---|---|---|"]
    groups = sorted({r["kind"] for r in rows})
    for name, rs in [(g, [r for r in rows if r["kind"] == g]) for g in groups] + [("**all**", rows)]:
        names = {r["page"] for r in rs}
        gap = max((max(x["nasti"] for x in rs if x["page"] == p) - min(x["nasti"] for x in rs if x["page"] == p))
                  for p in names)
        out.append(
            f"| {name} | {len(names)} | {len(rs)} | {statistics.mean(r['nasti'] for r in rs):.2f} | "
            f"{statistics.mean(r['bare'] for r in rs):.2f} | {statistics.mean(r['bare_deva'] for r in rs):.2f} | "
            f"{sum(r['nasti'] > r['bare'] + 2 for r in rs)} | {sum(r['rotation'] != r['turn'] for r in rs)} | "
            f"{gap:.1f} |")
    worse = sorted({f"{r['page']}@{r['turn']} ({r['nasti']:.1f} vs {r['bare']:.1f})" for r in rows
                    if r["nasti"] > r["bare"] + 2})
    out += ["", f"Reads worse than bare {base} + 2: {', '.join(worse) if worse else 'none'}."]
    return "\n".join(out) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus", choices=["receipts", "letters", "mixed", "hindi", "real"])
    ap.add_argument("--seeds", default="0-49")
    ap.add_argument("--half", choices=["odd", "even"], default="odd")
    ap.add_argument("--turns", default="0")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--varied", action="store_true", help="receipts: other fonts, any DPI 150-300, harsher light")
    ap.add_argument("--table", type=Path)
    args = ap.parse_args()
    turns = [int(t) for t in args.turns.split(",")]
    lo, _, hi = args.seeds.partition("-")
    work = Path(tempfile.mkdtemp(prefix="nasti-english-"))
    base = "Devanagari" if args.corpus in ("hindi", "real") else "eng"
    jobs, metas = [], {}
    for name, img, truth, meta, how in pages(args.corpus, int(lo), int(hi or lo), work, args.half,
                                                args.varied):
        metas[name] = meta
        upright = save(img, work / name, how["dpi"], how["jpeg"])
        for turn in turns:
            path = upright if turn == 0 else save(img.transpose(TURN[turn]), work / f"{name}-{turn}", how["dpi"],
                                                  how["jpeg"])
            jobs.append((name, str(path), str(upright), truth, turn, base))
    started = dt.datetime.now(dt.UTC)
    with ProcessPoolExecutor(args.workers) as pool:
        rows = list(pool.map(row, jobs))
    for r in rows:
        print(json.dumps(r | {"meta": metas[r["page"]]}, ensure_ascii=False), flush=True)
    which = args.seeds if args.corpus != "real" else args.half + " half"
    title = f"{args.corpus}{' varied' if args.varied else ''} {which} " \
            f"({started:%Y-%m-%d %H:%M} UTC, {(dt.datetime.now(dt.UTC) - started).seconds} s)"
    text = table(rows, metas, title, base, turns)
    print(text)
    if args.table:
        with args.table.open("a", encoding="utf-8") as f:
            f.write(text + "\n")


if __name__ == "__main__":
    main()
