"""Attacks on `nasti export eoffice` as a branch head, an operator, a clerk or an attacker would make them, on a
small office built directly in the store (image PDFs made here; the OCR'd path is tests/test_export.py)."""
from __future__ import annotations

import pytest

from store.models import Document, RegisterFile
from tests.export_rig import Mini, _mini, _page_pdf, _rows, empty_db_fixture, mini_fixture  # noqa: F401


def test_a_file_later_matched_to_the_register_keeps_its_folder(mini: Mini) -> None:
    """A clerk's file exported by its printed number; the branch imports its register afterwards: the same physical
    file must not appear twice in OUT (the old folder stale, the document in both)."""
    a = mini.add("revenue/x/a.pdf", "12/2017")
    out = mini.root / "out"
    assert mini.export(out).written == ["fl-12_2017"]
    with mini.store.session() as s:
        doc = s.get_one(Document, a)
        rf = RegisterFile(office_id=doc.office_id, branch_id=doc.branch_id, file_number="12/2017",
                          key=doc.file_number_key or "", subject="भूमि आवंटन")
        s.add(rf)
        s.flush()
        doc.register_file_id = rf.id
    r = mini.export(out)
    assert r.written + r.unchanged == ["fl-12_2017"]          # the same pages: the same bytes
    assert sorted(p.name for p in out.glob("fl-*")) == ["fl-12_2017"]
    assert [(row["folder"], row["subject"]) for row in _rows(out)] == [("fl-12_2017", "भूमि आवंटन")]


def test_a_document_moved_to_another_file_leaves_no_stale_folder(mini: Mini) -> None:
    a = mini.add("revenue/x/a.pdf", "12/2017")
    mini.add("revenue/y/b.pdf", "13/2017")
    out = mini.root / "out"
    assert sorted(mini.export(out).written) == ["fl-12_2017", "fl-13_2017"]
    from common.text import file_number_key

    with mini.store.session() as s:          # a branch head corrects the number: a belongs to 13/2017
        doc = s.get_one(Document, a)
        doc.file_number, doc.file_number_key = "13/2017", file_number_key("13/2017")
    r = mini.export(out)
    assert r.written == ["fl-13_2017"]
    assert sorted(p.name for p in out.glob("fl-*")) == ["fl-13_2017"]
    assert [row["folder"] for row in _rows(out)] == ["fl-13_2017"]
    assert r.removed == ["fl-12_2017"]


SUBJECTS = ['=HYPERLINK("http://x","y")', "+91 9999", "-2+3", "@SUM(A1)", "\t=1", "=भूमि+1", "भूमि, \"बाबत\"\nदो"]


def test_metadata_cells_are_not_formulas_in_excel(mini: Mini) -> None:
    """Subjects and numbers that Excel would run as formulas (CSV injection) are written as text; commas, quotes
    and newlines in Hindi cells round-trip; the BOM is there once."""
    ids = {mini.add(f"revenue/x{i}/a.pdf", f"=1+{i}/2017"): subject for i, subject in enumerate(SUBJECTS)}
    with mini.store.session() as s:
        for doc_id, subject in ids.items():
            s.get_one(Document, doc_id).subject = subject
    out = mini.root / "out"
    mini.export(out)
    raw = (out / "metadata.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and not raw[3:].startswith(b"\xef\xbb\xbf")
    rows = _rows(out)
    assert len(rows) == len(SUBJECTS)
    for row in rows:
        for cell in row.values():
            assert not cell or cell[0] not in "=+-@\t\r", row
        i = int(row["file_number"].split("+")[1].split("/")[0])
        want = SUBJECTS[i]
        assert row["subject"] == ("'" + want if want[0] in "=+-@\t" else want)
        assert row["file_number"] == f"'=1+{i}/2017"


@pytest.mark.parametrize("number", ["1\u200b2/2017", "12/20\u00ad17", "\u202b12/2017\u202c", "12/\ufeff2017",
                                    "12\u200e/2017", "١٢/٢٠١٧", "１２/２０１７"])
def test_invisible_characters_and_other_digits_name_the_same_folder(number: str) -> None:
    """An OCR'd or typed number with a zero-width space, a soft hyphen, a bidi mark or a BOM (invisible in every
    list a clerk sees), or written in other digits, names the folder its digits say: not fl-1_2_2017."""
    from export.names import base_name

    assert base_name(number, "file-7") == "fl-12_2017"


def _review(mini: Mini, doc_id: int, flag: bool) -> None:
    with mini.store.session() as s:
        s.get_one(Document, doc_id).needs_review = flag


def test_a_waiting_file_does_not_reserve_a_name(mini: Mini) -> None:
    """A file read but still in review when an export runs, then matched to the register: it is exported under its
    own name, not -2 (nothing was ever exported under the first)."""
    a = mini.add("revenue/x/a.pdf", "12/2017")
    _review(mini, a, True)
    out = mini.root / "out"
    assert mini.export(out).waiting == ["fl-12_2017"]
    with mini.store.session() as s:
        doc = s.get_one(Document, a)
        rf = RegisterFile(office_id=doc.office_id, branch_id=doc.branch_id, file_number="12/2017",
                          key=doc.file_number_key or "", subject="x")
        s.add(rf)
        s.flush()
        doc.register_file_id, doc.needs_review = rf.id, False
    assert mini.export(out).written == ["fl-12_2017"]


def test_a_share_folder_without_a_number_is_named_by_its_document_once_ready(mini: Mini) -> None:
    a = mini.add("revenue/क्रमांक/a.pdf")
    _review(mini, a, True)
    out = mini.root / "out"
    mini.export(out)
    _review(mini, a, False)
    assert mini.export(out).written == [f"fl-file-{a}"]


def test_a_file_of_only_blank_pages_or_a_lost_archive_pdf_is_refused_and_the_others_go(mini: Mini) -> None:
    """A file whose every page is blank would go to eOffice as an empty folder; a searchable PDF missing from the
    archive or damaged there crashed the whole export. Each is refused with its reason; the other files go."""
    from store.models import Page

    good = mini.add("revenue/g/a.pdf", "11/2017")
    blank = mini.add("revenue/x/a.pdf", "12/2017")
    lost = mini.add("revenue/y/a.pdf", "13/2017")
    broken = mini.add("revenue/z/a.pdf", "14/2017")
    with mini.store.session() as s:
        s.add(Page(document_id=blank, number=1, text="", blank=True))
        (mini.cfg.archive / (s.get_one(Document, lost).pdf_path or "")).unlink()
        (mini.cfg.archive / (s.get_one(Document, broken).pdf_path or "")).write_bytes(b"%PDF-1.4 not really")
    out = mini.root / "out"
    r = mini.export(out)
    assert r.written == ["fl-11_2017"]
    assert sorted(r.refused) == ["fl-12_2017", "fl-13_2017", "fl-14_2017"]
    assert "blank" in r.refused["fl-12_2017"] and "खाली" in r.refused["fl-12_2017"]
    for name in ("fl-13_2017", "fl-14_2017"):
        assert "archive" in r.refused[name] and str(mini.root) not in r.refused[name]
    assert sorted(p.name for p in out.glob("fl-*")) == ["fl-11_2017"]
    assert [e.document_id for e in mini.events()] == [good]
    assert [row["folder"] for row in _rows(out)] == ["fl-11_2017"]


def test_a_done_document_in_no_physical_file_is_reported_not_silently_left_out(mini: Mini) -> None:
    """A clerk drops a scan straight into the branch folder, or into a part folder with no file folder above it,
    and no number is read: it belongs to no physical file. The export must say so, not leave it out unseen."""
    a = mini.add("revenue/a.pdf")
    b = mini.add("revenue/Notes/b.pdf")
    mini.add("revenue/x/c.pdf", "12/2017")
    r = mini.export()
    assert r.written == ["fl-12_2017"]
    assert r.unfiled == [f"#{a} revenue/a.pdf", f"#{b} revenue/Notes/b.pdf"]


def test_a_file_that_changes_after_export_is_rewritten_and_recorded(mini: Mini) -> None:
    """Re-OCR replaces a searchable PDF, a new document joins the file, a document goes back to review: each is
    seen by the next export, the folder replaced whole and the change recorded once per document."""
    a = mini.add("revenue/x/a.pdf", "12/2017")
    out = mini.root / "out"
    mini.export(out)
    vol = out / "fl-12_2017" / "Receipts" / "receipts_v01_p1-1.pdf"
    first = vol.read_bytes()
    with mini.store.session() as s:                      # re-OCR: new bytes in the archive
        (mini.cfg.archive / (s.get_one(Document, a).pdf_path or "")).write_bytes(_page_pdf(5))
    assert mini.export(out).written == ["fl-12_2017"] and vol.read_bytes() != first
    b = mini.add("revenue/x/b.pdf", "12/2017")           # a new document in the file
    assert mini.export(out).written == ["fl-12_2017"]
    assert (out / "fl-12_2017" / "Receipts" / "receipts_v01_p1-2.pdf").is_file() and not vol.exists()
    assert [e.document_id for e in mini.events()] == [a, a, a, b]
    _review(mini, b, True)                                # back to review: the exported folder stays, as it was
    r = mini.export(out)
    assert r.written == [] and r.waiting == ["fl-12_2017"] and len(mini.events()) == 4
    assert [row["pages"] for row in _rows(out)] == ["2"]


def test_a_later_file_whose_name_differs_only_in_case_never_takes_the_first_ones_folder(mini: Mini) -> None:
    """fl-A-1_2017 is exported; later a file a-1/2017 of a branch that sorts first appears. On Windows (eOffice
    users) the two names are one folder: the newcomer is told apart and the first folder is left as it was."""
    mini.add("revenue/x/a.pdf", "A-1/2017")
    out = mini.root / "out"
    mini.export(out)
    first = {p: p.read_bytes() for p in (out / "fl-A-1_2017").rglob("*.pdf")}
    mini.add("accounts/y/b.pdf", "a-1/२०१७")
    r = mini.export(out)
    assert r.written == ["fl-a-1_2017-2"] and r.unchanged == ["fl-A-1_2017"]
    assert {p: p.read_bytes() for p in (out / "fl-A-1_2017").rglob("*.pdf")} == first
    assert len({p.name.casefold() for p in out.glob("fl-*")}) == 2
