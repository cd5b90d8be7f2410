"""Cover sheets printed for a demo register (`nasti register coversheets`) and scanned back in simulation: the PDF
rasterised by poppler at 150, 200 and 300 dpi, grey and bitonal, tilted, JPEG-compressed, photocopied, a coffee
stain over a code — every file number comes back from its cover. A garbled code is refused; a cover whose codes
cannot be read gives its number through OCR of the print."""
from __future__ import annotations

import json
import subprocess
from dataclasses import replace
from pathlib import Path

import pikepdf
import pytest
from PIL import Image, ImageDraw

from common import config as configmod
from common.cover import BadPayload, cover_payload, parse
from nasti.samples import save_document
from ocr import qr
from report.coversheet import A4, MARGIN, QR_SIDE
from store import repo
from store.db import Store
from store.models import Document
from tests import hostile
from tests.conftest import NASTI, write_config
from tests.coverkit import BRANCH, NUMBERS, branch_info, import_demo_register
from tests.coverscan import Scan, scan
from tests.ingest_rig import rig

SCANS = [Scan(150), Scan(200), Scan(300), Scan(150, bitonal=True), Scan(300, bitonal=True),
         Scan(200, tilt=2.5), Scan(150, tilt=-3, bitonal=True), Scan(200, jpeg=25), Scan(150, noise=0.03),
         Scan(200, stain=0.4), Scan(150, stain=0.45, noise=0.02, jpeg=50, tilt=1.5)]


def printed(tmp_path: Path, *args: str) -> tuple[Path, dict[str, int], subprocess.CompletedProcess[str]]:
    cfg_path = write_config(tmp_path, BRANCH)
    cfg = configmod.load(str(cfg_path))
    (tmp_path / "share").mkdir(exist_ok=True)
    store = Store(cfg.store_url)
    try:
        with store.session() as s:   # the configured branches, as the watcher registers them
            office = repo.ensure_office(s, key="default", name_hi=cfg.office.name_hi, name_en=cfg.office.name_en,
                                        cutover=None)
            for b in cfg.branches.values():
                repo.ensure_branch(s, office.id, key=b.key, code=b.code, name_hi=b.name_hi, name_en=b.name_en,
                                   cutover=None, configured=True)
        ids = import_demo_register(store, tmp_path)
    finally:
        store.close()
    out = tmp_path / "covers.pdf"
    run = subprocess.run([NASTI, "--config", str(cfg_path), "register", "coversheets", str(out), *args],
                         capture_output=True, text=True, cwd=tmp_path, timeout=120)
    return out, ids, run


def test_printed_covers_scanned_back_give_every_file_number(tmp_path: Path) -> None:
    out, ids, run = printed(tmp_path, "--branch", "revenue")
    assert run.returncode == 0, run.stderr
    with pikepdf.open(out) as pdf:
        assert len(pdf.pages) == len(NUMBERS) + 4                 # a cover per register file, four dividers
    read = 0
    for dpi in (150, 200, 300):   # printed, then rasterised by poppler at the scanner's resolution
        subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-l", str(len(NUMBERS)), str(out),
                        str(tmp_path / f"p{dpi}")], check=True)
        for k, number in enumerate(NUMBERS):
            page = Image.open(next(tmp_path.glob(f"p{dpi}-*{k + 1}.pgm")))
            for n, how in enumerate(SCANS):
                if how.dpi != dpi or (n + k) % 2:   # each degradation on half the covers, each cover plain too
                    if n:
                        continue
                img = scan(page, replace(how, dpi=dpi, seed=k), at_dpi=dpi)
                sheet = parse(qr.nasti_code(img) or "")
                assert (sheet.file_number, sheet.register_file_id) == (number, ids[number]), (dpi, how)
                read += 1
    assert read >= 3 * len(NUMBERS) + len(SCANS) * 2 - 3
    subprocess.run(["pdftoppm", "-r", "150", "-gray", "-f", "5", str(out), str(tmp_path / "div")], check=True)
    parts = [parse(qr.nasti_code(Image.open(p)) or "").part for p in sorted(tmp_path.glob("div*.pgm"))]
    assert parts == ["notes", "receipts", "issues", "references"]
    # a file already digitised gets no cover with --only-unscanned
    with Store(configmod.load(str(tmp_path / "config.toml")).store_url).session() as s:
        s.add(Document(office_id=1, branch_id=1, source="revenue/x.pdf", share_path="revenue/x.pdf", sha256="0" * 64,
                       status="done", register_file_id=ids[NUMBERS[0]], needs_review=False))
    again = subprocess.run([NASTI, "--config", str(tmp_path / "config.toml"), "register", "coversheets",
                            str(tmp_path / "rest.pdf"), "--only-unscanned", "--no-dividers", "--json"],
                           capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["covers"] == len(NUMBERS) - 1


def test_one_files_cover_and_its_hindi_reads_back(tmp_path: Path) -> None:
    out, _, run = printed(tmp_path, "--file-number", NUMBERS[1], "--json")
    assert run.returncode == 0, run.stderr
    with pikepdf.open(out) as pdf:
        assert len(pdf.pages) == 1
    page = subprocess.run(["pdftoppm", "-r", "150", "-gray", str(out), str(tmp_path / "one")], check=True)
    assert page.returncode == 0
    sheet = parse(qr.nasti_code(Image.open(next(tmp_path.glob("one*.pgm")))) or "")
    assert sheet.file_number == NUMBERS[1] and sheet.branch == "revenue" and sheet.office == "default"
    # the Hindi on the sheet is shaped (conjuncts and matras in place): tesseract reads it back
    text = subprocess.run(["tesseract", next(tmp_path.glob("one*.pgm")), "-", "-l", "hin"], capture_output=True,
                          text=True, check=True, env={"OMP_THREAD_LIMIT": "1", "PATH": "/usr/bin:/bin"}).stdout
    for word in ("नस्ती", "आवरण", "राजस्व", "शाखा", "स्कैन", "नामांतरण"):
        assert word in text, (word, text)
    none = subprocess.run([NASTI, "--config", str(tmp_path / "config.toml"), "register", "coversheets",
                           str(tmp_path / "x.pdf"), "--file-number", "999/नहीं/2001"], capture_output=True, text=True)
    assert none.returncode == 1 and "no register file" in none.stderr and not (tmp_path / "x.pdf").exists()


def test_a_garbled_code_is_refused() -> None:
    good = cover_payload("default", "revenue", 12, "51/ई-गव./2019")
    assert parse(good).register_file_id == 12
    flipped = good[:-1] + ("1" if good[-1] != "1" else "2")
    for bad in (good.replace("|12|", "|13|"), good.replace("51/", "57/"), flipped, "NASTI1|x", "hello"):
        with pytest.raises(BadPayload):
            parse(bad)


def test_pages_that_are_not_covers_have_no_code() -> None:
    from nasti.samples.letters import make_letter
    from nasti.samples.render import render_letter

    pages = [hostile.small_page("नस्ती 2317"), Image.new("L", (1654, 2339), 255)]
    pages += [render_letter(make_letter(seed, lang), dpi=200)[0] for seed, lang in ((1, "hi"), (2, "en"), (3, "hi"))]
    assert all(qr.nasti_code(p) is None for p in pages)


def test_a_cover_whose_codes_cannot_be_read_gives_its_printed_number(tmp_path: Path) -> None:
    with rig(tmp_path, BRANCH) as r:
        ids = import_demo_register(r.store, tmp_path)
        from tests.coverkit import cover

        sheet = cover(branch_info(r.store), ids[NUMBERS[0]], NUMBERS[0], Scan(200, bitonal=True)).convert("L")
        d = ImageDraw.Draw(sheet)
        scale = 200 / 200
        for x, y in ((A4[0] - MARGIN - QR_SIDE, MARGIN - 40), (MARGIN, A4[1] - MARGIN - QR_SIDE + 40)):
            d.rectangle([round(v * scale) for v in (x, y, x + QR_SIDE, y + QR_SIDE)], fill=90)   # ink over both
        assert qr.nasti_code(sheet) is None
        pages = [sheet, hostile.small_page("पत्र दिनांक")]
        out = r.handle(r.drop("revenue/फटा आवरण.pdf", save_document(pages, tmp_path / "f.pdf", "pdf").read_bytes()))
        assert out is not None and out.status == "done"
        doc = r.docs()[0]
        assert (doc["file_number"], doc["file_number_source"], doc["register_file_id"]) == \
            (NUMBERS[0], "cover sheet ocr", ids[NUMBERS[0]]), doc["reason"]
        assert doc["pages"] == 1 and not doc["needs_review"], doc["reason"]


def test_a_branch_head_prints_the_cover_sheets_from_the_dashboard(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.test_web import client, seed_web

    monkeypatch.setenv("NASTI_SECRET", "test-secret")
    web = seed_web(tmp_path)
    head = client(web, "esthead")
    assert "/branch/establishment/coversheets.pdf" in head.get("/branch/establishment").text
    r = head.get("/branch/establishment/coversheets.pdf")
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    (tmp_path / "web.pdf").write_bytes(r.content)
    with pikepdf.open(tmp_path / "web.pdf") as pdf:
        assert len(pdf.pages) == 8 + 4          # the 8 files not yet digitised, then the dividers
    assert client(web, "clerk").get("/branch/establishment/coversheets.pdf").status_code == 403
    assert client(web, "head").get("/branch/establishment/coversheets.pdf").status_code == 403


def test_the_cli_prints_only_this_offices_branch_of_that_key(tmp_path: Path) -> None:
    """Another office in the same database with its own `revenue` register: its files get no cover here."""
    import datetime as dt

    from nasti.samples.offices import seed_local_office

    _, _, run = printed(tmp_path, "--branch", "revenue", "--no-dividers", "--json")
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["covers"] == len(NUMBERS)
    with Store(configmod.load(str(tmp_path / "config.toml")).store_url).session() as s:
        seed_local_office(s, "morena", division=None, cutover=dt.date(2027, 3, 31), today=dt.date(2026, 12, 1),
                          branches=["revenue"], register_files=3, digitised=0, done_this_week=0)
    again = subprocess.run([NASTI, "--config", str(tmp_path / "config.toml"), "register", "coversheets",
                            str(tmp_path / "again.pdf"), "--branch", "revenue", "--no-dividers", "--json"],
                           capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["covers"] == len(NUMBERS)
    there = subprocess.run([NASTI, "--config", str(tmp_path / "config.toml"), "register", "coversheets",
                            str(tmp_path / "there.pdf"), "--office", "morena", "--no-dividers", "--json"],
                           capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert there.returncode == 0, there.stderr
    assert json.loads(there.stdout)["covers"] == 3
