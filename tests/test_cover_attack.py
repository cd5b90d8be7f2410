"""Cover sheets attacked, as a clerk, a branch head or an attacker would: a letter that only mentions a cover page,
covers with nothing behind them, a cover printed by another nasti (its register ids mean other files here), a
forged code with control characters or an enormous number, a crash at every step of a split, and the archive
rebuilt from its PDFs."""
from __future__ import annotations

import io
import sqlite3
import zlib
from pathlib import Path

import pytest
import segno
from pdf2image import convert_from_path
from PIL import Image

from common.cover import MAGIC, BadPayload, parse
from common.text import file_number_key
from ingest.recover import recover
from ingest.split import plan
from ingest.steps import HOOK_NAMES, HOOKS
from nasti.samples import save_document
from nasti.vault.fsck import fsck
from nasti.vault.rebuild import rebuild
from ocr import qr
from ocr.page import PageResult
from report.coversheet import BranchInfo, CoverFile, Fonts, cover_page
from store.db import Store
from tests import hostile
from tests.coverkit import BRANCH, NUMBERS, branch_info, cover, import_demo_register
from tests.coverscan import Scan, scan
from tests.ingest_rig import check_invariants, rig


def _signed(body: str) -> str:
    return f"{body}|{zlib.crc32(body.encode('utf-8')):08X}"


def _read(n: int, text: str) -> PageResult:
    return PageResult(number=n, text=text, confidence=90.0, blank=False, language="hin", rotation=0, seconds=0.0,
                      layer=None)


def test_a_letter_that_mentions_a_cover_page_is_no_cover_sheet() -> None:
    letter = [_read(1, "विषय: वार्षिक प्रतिवेदन\nप्रतिवेदन का आवरण पृष्ठ एवं सूची संलग्न है।"),
              _read(2, "कृपया पुस्तक के आवरण पृष्ठ पर नाम लिखें।"), _read(3, "भवदीय")]
    assert plan(letter) is None     # an ordinary letter: not split, no page hidden as a "cover"


@pytest.mark.parametrize("field", ["a\x00b", "a\nb", "a\u202eb", "x" * 400])
def test_a_forged_code_with_control_characters_or_an_enormous_field_is_refused(field: str) -> None:
    with pytest.raises(BadPayload):
        parse(_signed(f"{MAGIC}|default|revenue|7|{field}"))
    with pytest.raises(BadPayload):
        parse(_signed(f"{MAGIC}|{field}|revenue|7|51/2019"))


def test_a_forged_code_with_a_register_id_beyond_sqlite_is_refused() -> None:
    """A 20-digit register id raised OverflowError in the register lookup: the batch failed at every retry."""
    with pytest.raises(BadPayload):
        parse(_signed(f"{MAGIC}|default|revenue|{10**20}|51/2019"))
    assert parse(_signed(f"{MAGIC}|default|revenue|{2**62}|51/2019")).register_file_id == 2**62


def test_a_cover_turned_any_way_or_copied_at_half_size_still_reads() -> None:
    info = BranchInfo("default", "कार्यालय", "Office", "revenue", "राजस्व", "Revenue")
    img = scan(cover_page(Fonts(), info, CoverFile(7, NUMBERS[0], "विषय", 2019, "B")), Scan(200))
    for turn in (90, 180, 270):
        assert qr.nasti_code(img.rotate(turn, expand=True)) is not None, turn
    half = Image.new("L", img.size, 255)
    half.paste(img.resize((img.width // 2, img.height // 2)), (0, 0))
    assert qr.nasti_code(half) is not None


def test_covers_with_nothing_behind_them_and_a_cover_from_another_nasti_go_to_review(tmp_path: Path) -> None:
    with rig(tmp_path, BRANCH) as r:
        ids = import_demo_register(r.store, tmp_path)
        info = branch_info(r.store)
        a, b, c, d = NUMBERS
        # another office's nasti also keys its office "default" and has a branch "revenue": its register file ids
        # are other files here. Its cover names file 999/अन्य/2001 with this database's id of file d.
        pages = [cover(info, ids[a], a, Scan(200, tilt=180)), hostile.small_page("पत्र एक"),
                 cover(info, ids[b], b),                           # two covers back to back
                 cover(info, ids[c], c), hostile.small_page("प्रतिवेदन का आवरण पृष्ठ संलग्न है"),
                 cover(info, ids[d], "999/अन्य/2001"), hostile.small_page("पत्र"),
                 ]
        data = save_document(pages, tmp_path / "b.pdf", "pdf").read_bytes()
        out = r.handle(r.drop("revenue/बैच.pdf", data))
        assert out is not None and out.status == "done"
        docs = r.rows("select * from document order by batch_seq")
        got = [(d["file_number"], d["register_file_id"], d["pages"], d["reason_code"]) for d in docs]
        assert got == [(a, ids[a], 1, None),
                       (None, None, 0, "cover_empty"),
                       (c, ids[c], 1, None),
                       ("999/अन्य/2001", None, 1, "cover_number_differs")], [d["reason"] for d in docs]
        assert b in docs[1]["reason"] and b in docs[1]["reason_hi"]
        assert d in docs[3]["reason"] and "999/अन्य/2001" in docs[3]["reason_hi"]
        hits = r.rows("select count(*) n from page where text like '%आवरण%' and document_id = ?", docs[2]["id"])
        assert hits[0]["n"] == 1        # the letter's page is a page of file c, searchable
        assert check_invariants(r.share, r.archive, tmp_path / "var" / "nasti.db") == {"done": 4}
        assert [f.as_dict() for f in fsck(r.store, r.archive)] == []


def test_a_crash_at_every_step_of_a_split_in_turn_loses_nothing(tmp_path: Path) -> None:
    class Crash(BaseException):
        pass

    with rig(tmp_path, BRANCH) as r:
        ids = import_demo_register(r.store, tmp_path)
        info = branch_info(r.store)
        pages = [cover(info, ids[NUMBERS[0]], NUMBERS[0]), hostile.small_page("पत्र"),
                 cover(info, ids[NUMBERS[1]], NUMBERS[1]), hostile.small_page("पत्र दो")]
        data = save_document(pages, tmp_path / "b.pdf", "pdf").read_bytes()
        path = r.drop("revenue/बैच 5.pdf", data)
        for at in HOOK_NAMES[:-2]:    # the settle hooks run after `done`
            def crash(**kw: object) -> None:
                raise Crash

            HOOKS[at] = crash
            with pytest.raises(Crash):
                r.handle(path)
            HOOKS.clear()
            recover(r.store, r.share, r.archive)
            statuses = [d["status"] for d in r.docs()]
            assert "done" not in statuses or set(statuses) == {"done"}, (at, statuses)
            if set(statuses) == {"done"}:
                break
        assert at == "after_record"    # every hook up to `done` crashed once
        out = r.handle(path)
        assert out is not None and out.status == "done" and not path.exists()
        docs = r.rows("select * from document order by id")
        assert [(d["status"], d["file_number"]) for d in docs] == [("done", NUMBERS[0]), ("done", NUMBERS[1])]
        assert check_invariants(r.share, r.archive, tmp_path / "var" / "nasti.db") == {"done": 2}
        assert [f.as_dict() for f in fsck(r.store, r.archive)] == []
        assert (r.archive / docs[0]["archive_path"]).read_bytes() == data
        # the same batch dropped again, under another name: one duplicate record, no second split
        again = r.handle(r.drop("revenue/बैच 5 फिर.pdf", data))
        assert again is not None and again.status == "duplicate"
        assert len(r.docs()) == 3
        # the archive rebuilt into an empty database gives the same documents, batch links included
        cols = ("id", "batch_id", "batch_seq", "file_number", "pages", "part", "archive_path", "pdf_path", "status")
        want = [tuple(d[c] for c in cols) for d in docs]
        fresh = Store(f"sqlite:///{tmp_path / 'fresh.db'}")
        rebuild(fresh, r.cfg, r.archive)
        with sqlite3.connect(tmp_path / "fresh.db") as con:
            con.row_factory = sqlite3.Row
            got = [tuple(d[c] for c in cols) for d in con.execute("select * from document order by id")]
        assert got == want


def test_two_covers_copied_onto_one_sheet_are_no_single_file() -> None:
    """Two covers photocopied 2-up on one sheet to save paper: which file follows? Not the first code read."""
    info = BranchInfo("default", "कार्यालय", "Office", "revenue", "राजस्व", "Revenue")
    a, b = (scan(cover_page(Fonts(), info, CoverFile(i, n, "विषय", 2019, "B")), Scan(300)) for i, n in
            ((1, NUMBERS[0]), (2, NUMBERS[1])))
    sheet = Image.new("L", a.size, 255)
    sheet.paste(a.resize((a.width // 2, a.height // 2)), (0, 0))
    sheet.paste(b.resize((b.width // 2, b.height // 2)), (a.width // 2, a.height // 2))
    assert qr.nasti_code(sheet) is None
    # a UPI code on a letter is no cover; beside a cover's code it changes nothing
    buf = io.BytesIO()
    segno.make("upi://pay?pa=collector@sbi&pn=Collector&am=100", error="m").save(buf, kind="png", scale=12)
    upi = Image.open(buf).convert("L")
    letter = Image.new("L", a.size, 255)
    letter.paste(upi, (200, 200))
    assert qr.nasti_code(letter) is None
    a.paste(upi, (200, a.height // 2))
    assert qr.nasti_code(a) is not None


def test_a_2up_copy_of_two_covers_in_a_batch_goes_to_review_not_to_the_first_file(tmp_path: Path) -> None:
    with rig(tmp_path, BRANCH) as r:
        ids = import_demo_register(r.store, tmp_path)
        info = branch_info(r.store)
        a, b = (cover(info, ids[n], n, Scan(300)) for n in NUMBERS[:2])
        sheet = Image.new("L", a.size, 255)
        sheet.paste(a.resize((a.width // 2, a.height // 2)), (0, 0))
        sheet.paste(b.resize((b.width // 2, b.height // 2)), (a.width // 2, a.height // 2))
        sheet.info["dpi"] = (300, 300)
        pages = [cover(info, ids[NUMBERS[2]], NUMBERS[2]), hostile.small_page("पत्र"), sheet,
                 hostile.small_page("पत्र दो")]
        out = r.handle(r.drop("revenue/बैच 6.pdf", save_document(pages, tmp_path / "b.pdf", "pdf").read_bytes()))
        assert out is not None and out.status == "done"
        docs = r.rows("select * from document order by batch_seq")
        assert [(d["register_file_id"], d["needs_review"]) for d in docs][-1] == (None, 1), \
            [(d["file_number"], d["reason"]) for d in docs]


@pytest.mark.parametrize("how", ["overwritten", "renamed"])
def test_a_batch_overwritten_or_renamed_in_the_middle_of_the_split_loses_nothing(tmp_path: Path, how: str) -> None:
    with rig(tmp_path, BRANCH) as r:
        ids = import_demo_register(r.store, tmp_path)
        info = branch_info(r.store)
        pages = [cover(info, ids[NUMBERS[0]], NUMBERS[0]), hostile.small_page("पत्र"),
                 cover(info, ids[NUMBERS[1]], NUMBERS[1]), hostile.small_page("पत्र दो")]
        data = save_document(pages, tmp_path / "b.pdf", "pdf").read_bytes()
        other = save_document([hostile.small_page("दूसरा पत्र")], tmp_path / "o.pdf", "pdf").read_bytes()
        path = r.drop("revenue/बैच 7.pdf", data)
        moved = path.with_name("बैच 7 नया.pdf")

        def clerk(**kw: object) -> None:
            HOOKS.clear()
            if how == "renamed":
                path.rename(moved)
            else:
                path.write_bytes(other)

        HOOKS["after_segment"] = clerk
        out = r.handle(path)
        HOOKS.clear()
        assert out is not None
        for p in (path, moved):    # whatever the share holds now is a drop of its own
            if p.exists():
                r.handle(p)
        docs = r.docs()
        assert {d["status"] for d in docs} <= {"done", "duplicate", "rejected"}, [d["status"] for d in docs]
        split = [d for d in docs if d["batch_id"] is not None]
        assert [(d["status"], d["file_number"]) for d in split] == [("done", NUMBERS[0]), ("done", NUMBERS[1])]
        assert (r.archive / split[0]["archive_path"]).read_bytes() == data       # the batch kept, byte-identical
        if how == "overwritten":   # the clerk's new bytes are a document of their own, kept too
            assert any(d["status"] == "done" and d["batch_id"] is None for d in docs)
            assert any((r.archive / d["archive_path"]).read_bytes() == other for d in docs if d["archive_path"])
        assert not path.exists() and not moved.exists()
        assert [f.as_dict() for f in fsck(r.store, r.archive)] == []


def test_a_file_named_like_a_split_document_does_not_close_it(tmp_path: Path) -> None:
    """A split document's source is the batch's name with "#2": a clerk's file of that very name, dropped while the
    batch waits to be resumed, is a drop of its own — it must not close (and unlink the files of) the batch's part."""
    class Crash(BaseException):
        pass

    with rig(tmp_path, BRANCH) as r:
        ids = import_demo_register(r.store, tmp_path)
        info = branch_info(r.store)
        pages = [cover(info, ids[NUMBERS[0]], NUMBERS[0]), hostile.small_page("पत्र"),
                 cover(info, ids[NUMBERS[1]], NUMBERS[1]), hostile.small_page("पत्र दो")]
        data = save_document(pages, tmp_path / "b.pdf", "pdf").read_bytes()
        path = r.drop("revenue/बैच 8.pdf", data)

        def crash(**kw: object) -> None:
            raise Crash

        HOOKS["after_segment"] = crash
        with pytest.raises(Crash):
            r.handle(path)
        HOOKS.clear()
        odd = r.handle(r.drop("revenue/बैच 8.pdf#2", save_document([hostile.small_page("अलग पत्र")],
                                                                   tmp_path / "o.pdf", "pdf").read_bytes()))
        assert odd is not None and odd.status == "done"
        assert r.handle(path) is not None
        split = r.rows("select * from document where batch_id is not null order by batch_seq")
        assert [(d["status"], d["file_number"]) for d in split] == [("done", NUMBERS[0]), ("done", NUMBERS[1])]
        assert all((r.archive / d["pdf_path"]).is_file() for d in split)
        assert (r.archive / split[0]["archive_path"]).read_bytes() == data
        assert [f.as_dict() for f in fsck(r.store, r.archive)] == []


def test_a_register_number_with_a_pipe_or_a_line_break_does_not_stop_the_printout(tmp_path: Path) -> None:
    """A register exported from Excel: a cell with a line break (Alt+Enter) or a '|' in its number. Its cover prints
    (the code carries the number without them) and is read back as that very file."""
    from report.coversheet import coversheets_pdf
    from store.models import Branch, RegisterFile
    from store.register import import_register

    with rig(tmp_path, BRANCH) as r:
        csv = tmp_path / "reg.csv"
        csv.write_text('नस्ती क्रमांक,विषय,वर्ष,श्रेणी\n12|राज./2019,विषय,2019,क\n"13/राज.\n/2019",विषय,2019,क\n'
                       "14/राज./2019,विषय,2019,क\n", encoding="utf-8")
        with r.store.session() as s:
            import_register(s, s.query(Branch).filter_by(key="revenue").one(), csv)
            files = list(s.query(RegisterFile).order_by(RegisterFile.id))
            written = coversheets_pdf(s, tmp_path / "covers.pdf", branch="revenue", dividers=False)
        assert written["covers"] == 3
        pages = convert_from_path(tmp_path / "covers.pdf", dpi=150, grayscale=True)
        for f, page in zip(files, pages, strict=True):
            sheet = parse(qr.nasti_code(page) or "")
            # what ingest checks before the cover may take its file (split._cover_tags)
            assert sheet.register_file_id == f.id and file_number_key(sheet.file_number or "") == f.key


def test_the_cover_sheet_printout_dropped_into_the_share_is_returned_not_a_file_scanned(tmp_path: Path) -> None:
    """The clerk drops the printout itself (every page a nasti sheet, no page of any file): it goes back to
    _rejected/ with a reason, instead of one document per cover that marks each file scanned or waits for review."""
    from report.coversheet import coversheets_pdf

    with rig(tmp_path, BRANCH) as r:
        import_demo_register(r.store, tmp_path)
        with r.store.session() as s:
            coversheets_pdf(s, tmp_path / "covers.pdf", branch="revenue")
        data = (tmp_path / "covers.pdf").read_bytes()
        out = r.handle(r.drop("revenue/आवरण पृष्ठ.pdf", data))
        assert out is not None and out.status == "rejected"
        docs = r.docs()
        assert [(d["status"], d["reason_code"]) for d in docs] == [("rejected", "only_cover_sheets")]
        assert "आवरण" in docs[0]["reason_hi"] and "cover or divider sheets" in docs[0]["reason"]
        returned = list((r.share / "_rejected").rglob("*.pdf"))
        assert [p.read_bytes() == data for p in returned] == [True]
        assert check_invariants(r.share, r.archive, tmp_path / "var" / "nasti.db") == {"rejected": 1}


def test_covers_scanned_after_their_files_do_not_give_the_next_files_pages_to_them(tmp_path: Path) -> None:
    """The stack went through the feeder reversed (or each cover was put under its file): every cover is followed
    by the next file's pages. The batch starts with a page and ends with a cover: nothing of it may be taken as sure."""
    with rig(tmp_path, BRANCH) as r:
        ids = import_demo_register(r.store, tmp_path)
        info = branch_info(r.store)
        a, b = NUMBERS[:2]
        pages = [hostile.small_page("क का पत्र"), cover(info, ids[a], a), hostile.small_page("ख का पत्र"),
                 cover(info, ids[b], b)]
        out = r.handle(r.drop("revenue/उलटा बैच.pdf", save_document(pages, tmp_path / "b.pdf", "pdf").read_bytes()))
        assert out is not None and out.status == "done"
        docs = r.rows("select * from document order by batch_seq")
        assert [d["reason_code"] for d in docs] == ["before_cover", "cover_order", "cover_empty"], \
            [d["reason"] for d in docs]
        assert [d["register_file_id"] for d in docs] == [None, None, None]   # no file counted as scanned


def test_a_letter_with_a_foreign_qr_code_costs_only_the_quick_look(monkeypatch: pytest.MonkeyPatch) -> None:
    """Letters often carry a QR code (UPI, eOffice verification). It reads fine and is not ours: that is no reason
    to search the page again at two more sizes (it made such a page cost 32 ms instead of 5)."""
    buf = io.BytesIO()
    segno.make("https://eoffice.gov.in/verify?id=12345", error="m").save(buf, kind="png", scale=10)
    page = Image.new("L", (2480, 3508), 255)
    page.paste(Image.open(buf).convert("L"), (1900, 200))
    looks: list[bool] = []
    real = qr.codes

    def counted(image: Image.Image, binarizer: int = 0, harder: bool = False) -> tuple[list[str], bool]:
        looks.append(harder)
        return real(image, binarizer, harder)

    monkeypatch.setattr(qr, "codes", counted)
    assert qr.nasti_code(page) is None
    assert looks == [False, False, False]


@pytest.mark.filterwarnings("error::DeprecationWarning")    # pikepdf's Page.images: once gone, no cover reads
def test_a_cover_saved_as_a_100_dpi_jpeg_reads_from_the_file(tmp_path: Path) -> None:
    """A JPEG is decoded at a quarter of its size to save time: at 100 dpi that left the code 2 pixels a module."""
    info = BranchInfo("default", "कार्यालय", "Office", "revenue", "राजस्व", "Revenue")
    img = scan(cover_page(Fonts(), info, CoverFile(7, NUMBERS[0], "विषय", 2019, "B")), Scan(100))
    path = tmp_path / "cover.jpg"
    img.save(path, "JPEG", quality=90, dpi=(100, 100))
    assert qr.check_page(qr.QrTask(path, "jpeg", 0, 30.0, 200_000_000)).payload is not None
    save_document([img.convert("L")], tmp_path / "cover.pdf", "pdf", dpi=100)
    assert qr.check_page(qr.QrTask(tmp_path / "cover.pdf", "pdf", 0, 30.0, 200_000_000)).payload is not None
