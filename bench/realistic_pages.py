"""The pages bench/realistic_bench.py measures: the seeded booklike corpus (generated once, cached as PNG files with a
manifest under bench/out/realistic/) and, when a folder is given, real scans (NAME.png + NAME.gt.txt pairs)."""
from __future__ import annotations

import json
import unicodedata
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

from PIL import Image

from nasti.samples.booklike import VERSION, sheet
from ocr import raster

OUT = Path(__file__).resolve().parent / "out" / "realistic"


@dataclass
class BenchPage:
    id: str
    category: str           # a booklike category, or "real"
    lang: str
    layout: str
    font: str
    dpi: int
    truth: str
    path: str               # the upright page as scanned (PNG, DPI embedded)
    artefacts: list[str]

    def image(self) -> Image.Image:
        """Grayscale, as the pipeline reads it."""
        return raster.image_page(Path(self.path), 0, max_pixels=10**9, default_dpi=self.dpi)[0]

    def turned(self, turn: int, folder: Path) -> Path:
        """The page put on the scanner `turn` degrees counter-clockwise, as a PNG file (written once; `folder`
        belongs to the corpus version the page came from, so that a cached turn is always of this very page)."""
        if turn == 0:
            return Path(self.path)
        out = folder / f"{self.id}-r{turn}.png"
        if not out.exists():
            folder.mkdir(parents=True, exist_ok=True)
            moves = {90: Image.Transpose.ROTATE_90, 180: Image.Transpose.ROTATE_180, 270: Image.Transpose.ROTATE_270}
            with Image.open(self.path) as img:
                img.transpose(moves[turn]).save(out, dpi=(self.dpi, self.dpi))
        return out


def _make(args: tuple[int, int, str]) -> dict:
    index, seed, folder = args
    s = sheet(index, seed)
    path = Path(folder) / f"{s.id}.png"
    s.image.save(path, dpi=(s.dpi, s.dpi))
    return asdict(BenchPage(s.id, s.category, s.lang, s.layout, s.font, s.dpi, s.truth, str(path),
                            s.wear.artefacts()))


def synthetic(n: int, seed: int, workers: int) -> list[BenchPage]:
    """The first `n` pages of the corpus for `seed`, generated `workers` at a time, or read back from the cache."""
    folder = OUT / f"seed{seed}-v{VERSION}"
    manifest = folder / "manifest.json"
    have: dict[str, dict] = {}
    if manifest.exists():
        have = {p["id"]: p for p in json.loads(manifest.read_text(encoding="utf-8"))}
    wanted = [i for i in range(n) if f"{i:04d}" not in have or not Path(have[f"{i:04d}"]["path"]).exists()]
    if wanted:
        folder.mkdir(parents=True, exist_ok=True)
        with ProcessPoolExecutor(workers) as ex:
            for made in ex.map(_make, [(i, seed, str(folder)) for i in wanted], chunksize=4):
                have[made["id"]] = made
        manifest.write_text(json.dumps(sorted(have.values(), key=lambda p: p["id"]), ensure_ascii=False, indent=0),
                            encoding="utf-8")
    return [BenchPage(**have[f"{i:04d}"]) for i in range(n)]


def real(folder: Path, count: int) -> list[BenchPage]:
    """The last `count` NAME.png pages of `folder` that have a NAME.gt.txt (the first ones are left for tuning)."""
    pairs = sorted(p for p in folder.glob("*.png") if p.with_suffix(".gt.txt").exists())
    pages = []
    for p in pairs[-count:] if count else pairs:
        with Image.open(p) as img:   # the DPI the file carries (what a user's bare tesseract is told), else a guess
            dpi = raster.sane_dpi(img.info, 0) or raster.image_dpi(img, 300)
        truth = unicodedata.normalize("NFC", p.with_suffix(".gt.txt").read_text(encoding="utf-8"))
        pages.append(BenchPage(f"real-{p.stem}", "real", "hi", "scan", "", dpi, truth, str(p), []))
    return pages
