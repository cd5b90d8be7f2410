"""One page through the OCR worker with real tesseract: blank pages, turned and tilted scans, low resolution,
digits in file numbers, per-page model choice, and the per-page time-out."""
from __future__ import annotations

import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from PIL import Image

from nasti.samples import blank_page, degrade, make_letter, render_page, save_document, stamp_page
from ocr import raster, tesseract
from ocr.errors import OcrError
from ocr.metrics import cer, normalise
from ocr.page import PageResult, PageTask, process_page
from ocr.probe import probe

LETTER = make_letter(4242, "hi", lines=22)
TRUTH = "\n".join(LETTER.lines)


def task(path: Path, tmp: Path, *, kind: str | None = None, languages: str = "auto", timeout: float = 120,
         mode: str = "skip") -> PageTask:
    kind = kind or {".png": "png", ".jpg": "jpeg", ".tif": "tiff", ".pdf": "pdf"}[path.suffix]
    return PageTask(source=path, kind=kind, index=0, languages=languages, dpi=300, timeout=timeout,
                    max_pixels=200_000_000, layer=tmp / f"{path.stem}.layer.pdf", mode=mode)


def run_all(tasks: list[PageTask]) -> list[PageResult]:
    """Two at a time: tesseract is single-threaded and the machine has two cores."""
    with ThreadPoolExecutor(2) as ex:
        return list(ex.map(process_page, tasks))


@pytest.fixture(scope="module")
def turned(tmp_path_factory: pytest.TempPathFactory) -> dict[str, PageResult]:
    """The same Hindi letter upright, turned 90/180/270, tilted 3° with speckle — read with languages=auto."""
    tmp = tmp_path_factory.mktemp("turned")
    page = render_page(LETTER.lines, lang="hi")
    variants = {"upright": page, "r90": degrade(page, rotate=90), "r180": degrade(page, rotate=180),
                "r270": degrade(page, rotate=270), "skew3": degrade(page, skew=3.0, noise=0.004, seed=3)}
    paths = [save_document([img], tmp / f"{name}.png", "png") for name, img in variants.items()]
    return dict(zip(variants, run_all([task(p, tmp) for p in paths]), strict=True))


def test_blank_backs_are_blank_and_skip_tesseract(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for seed, noise in enumerate([0.0, 0.001, 0.004]):
        assert probe(blank_page(noise=noise, seed=seed), 300).blank, f"noise {noise}"
    path = save_document([blank_page(noise=0.002, seed=9)], tmp_path / "back.png", "png")
    calls: list[str] = []   # a spy, not a fake: every read still goes to tesseract (a wall-clock limit was flaky)
    for name in ("recognise", "tsv_text"):
        real = getattr(tesseract, name)
        monkeypatch.setattr(tesseract, name,
                            lambda *a, _real=real, _name=name, **k: calls.append(_name) or _real(*a, **k))
    r = process_page(task(path, tmp_path))
    assert (r.blank, r.text, r.layer, r.language) == (True, "", None, None)
    assert calls == [], "a blank page must not go to tesseract"


def test_a_stamp_or_one_short_line_is_not_blank() -> None:
    for seed in range(3):
        assert not probe(stamp_page(seed=seed), 300).blank
    assert not probe(render_page(["प्रतिलिपि"], lang="hi"), 300).blank
    assert not probe(render_page(["Copy to:"], lang="en"), 300).blank


@pytest.mark.parametrize("name,rotation", [("r90", 90), ("r180", 180), ("r270", 270)])
def test_turned_pages_read_like_their_upright_twin(turned: dict[str, PageResult], name: str, rotation: int) -> None:
    upright, r = turned["upright"], turned[name]
    assert upright.rotation == 0 and upright.language == "Devanagari"
    assert r.rotation == rotation, "rotation is the clockwise turn that made the page upright"
    assert cer(TRUTH, upright.text) < 1.0
    assert cer(TRUTH, r.text) <= cer(TRUTH, upright.text) + 1.0


def test_tilted_page_is_levelled_before_reading(turned: dict[str, PageResult]) -> None:
    r = turned["skew3"]
    assert r.skew == pytest.approx(-3.0, abs=0.4)
    assert cer(TRUTH, r.text) <= cer(TRUTH, turned["upright"].text) + 1.0


def test_200_dpi_jpeg_is_read_as_it_is(tmp_path: Path) -> None:
    """eOffice asks for 150-200 dpi scans: read at their own resolution (enlarging them measured worse)."""
    letter = make_letter(77, "en", lines=16)
    path = save_document([render_page(letter.lines, lang="en", dpi=200)], tmp_path / "scan200.jpg", "jpeg", dpi=200)
    with Image.open(path) as img:
        assert raster.image_dpi(img, 300) == 200
        assert raster.upscale(img.convert("L"), 200)[1] == 200
    r = process_page(task(path, tmp_path))
    assert r.language == "eng"
    assert cer("\n".join(letter.lines), r.text) < 1.5


def test_100_dpi_scan_is_upscaled_and_read(tmp_path: Path) -> None:
    letter = make_letter(78, "hi", lines=16)
    path = save_document([render_page(letter.lines, lang="hi", dpi=100)], tmp_path / "fax.png", "png", dpi=100)
    with Image.open(path) as img:
        assert raster.upscale(img.convert("L"), 100)[1] == raster.TARGET_DPI
    r = process_page(task(path, tmp_path, languages="Devanagari"))
    assert cer("\n".join(letter.lines), r.text) < 5.0


def test_missing_or_absurd_dpi_is_not_trusted(tmp_path: Path) -> None:
    page = render_page(["x"], lang="en", dpi=200)          # A4 at 200 dpi: 1654 x 2339
    page.save(tmp_path / "nodpi.png")                        # no pHYs chunk
    page.save(tmp_path / "dpi72.png", dpi=(72, 72))          # a 23 x 32 inch page: not a scan
    for name in ("nodpi.png", "dpi72.png"):
        with Image.open(tmp_path / name) as img:
            assert raster.image_dpi(img, 300) == 200, name
    with Image.open(save_document([page], tmp_path / "ok.png", "png", dpi=200)) as img:
        assert raster.image_dpi(img, 300) == 200


def test_file_numbers_and_dates_keep_every_digit(tmp_path: Path) -> None:
    hindi = ["कार्यालय कलेक्टर, जिला राजगढ़ (म.प्र.)", "क्रमांक/2317/राज./2016", "राजगढ़, दिनांक 11.01.2016",
             "क्रमांक/१२३१/खाद्य/२०११ दिनांक १५.०१.२०१९", "प्रति, तहसीलदार, तहसील ब्यावरा",
             "विषय:- नामांतरण प्रकरण क्रमांक 0115/अ-6/2011-12 बाबत।"]
    english = ["OFFICE OF THE COLLECTOR, DISTRICT RAJGARH (M.P.)", "File No. REV-03/2027/2019-COLL, Dated 15.08.2019",
               "No. A-11011/2/2019-Admn", "F.No. 12/3/2021-Rev dated 01.11.2021", "To, The Tahsildar, Tahsil Biaora"]
    paths = [save_document([render_page(hindi, lang="hi")], tmp_path / "hi.png", "png"),
             save_document([render_page(english, lang="en")], tmp_path / "en.png", "png")]
    hi, en = run_all([task(p, tmp_path) for p in paths])
    read = normalise(hi.text) + "\n" + normalise(en.text)
    for needle in ["क्रमांक/2317/राज./2016", "11.01.2016", "1231/खाद्य/2011", "15.01.2019", "0115/अ-6/2011-12",
                   "REV-03/2027/2019-COLL", "15.08.2019", "A-11011/2/2019-Admn", "12/3/2021-Rev", "01.11.2021"]:
        assert needle in read, f"{needle!r} not read exactly:\n{read}"


def test_languages_auto_picks_a_model_per_page(turned: dict[str, PageResult], tmp_path: Path) -> None:
    mixed = make_letter(31, "mixed", lines=24)
    path = save_document([render_page(mixed.lines, lang="mixed")], tmp_path / "mixed.png", "png")
    r = process_page(task(path, tmp_path))
    assert r.language == "Devanagari+eng"
    assert cer("\n".join(mixed.lines), r.text) < 2.0
    fixed = process_page(task(path, tmp_path, languages="Devanagari"))
    assert fixed.language == "Devanagari", "a fixed model in the config is used as it is"


def test_a_page_over_its_time_limit_fails_with_page_timeout(tmp_path: Path) -> None:
    png = save_document([render_page(LETTER.lines, lang="hi")], tmp_path / "slow.png", "png")
    pdf = save_document([render_page(LETTER.lines, lang="hi")], tmp_path / "slow.pdf", "pdf")
    for path in (png, pdf):
        with pytest.raises(OcrError) as err:
            process_page(task(path, tmp_path, timeout=0.05, mode="force"))
        assert err.value.code == "page_timeout", err.value.detail
    leftovers = subprocess.run(["pgrep", "-f", f"{tmp_path}"], capture_output=True, text=True).stdout.split()
    assert leftovers == [], "the timed-out tesseract / pdftoppm must be killed"
