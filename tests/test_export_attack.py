"""Attacks on `nasti export eoffice` as a branch head, an operator, a clerk or an attacker would make them, on a
small office built directly in the store (image PDFs made here; the OCR'd path is tests/test_export.py)."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import img2pdf
import pytest
from PIL import Image, ImageDraw
from sqlalchemy import select

from common.config import Config, load
from export.run import export_eoffice
from nasti.schema import open_checked
from store.models import Document, Event, RegisterFile
from store.repo import ensure_branch, ensure_office, new_document, transition
from tests.conftest import write_config


def _page_pdf(seed: int, dpi: int = 300) -> bytes:
    w, h = round(4.13 * dpi), round(5.83 * dpi)
    img = Image.new("L", (w, h), 255)
    draw = ImageDraw.Draw(img)
    for row in range(12):
        draw.rectangle((40 + seed % 7 * 5, 60 + row * h // 14, w - 60, 60 + row * h // 14 + h // 100), fill=0)
    buf = io.BytesIO()
    img.save(buf, "PNG", dpi=(dpi, dpi))
    return img2pdf.convert(buf.getvalue(), nodate=True)


@dataclass
class Mini:
    root: Path
    cfg: Config
    store: Any
    seed: int = 0

    def add(self, source: str, number: str | None = None, *, register: int | None = None, dpi: int = 300) -> int:
        """A done document of one page at ``source`` (share-relative), with file number ``number``."""
        from common.text import file_number_key

        self.seed += 1
        data = _page_pdf(self.seed, dpi)
        pdf = Path("revenue") / f"doc{self.seed}.pdf"
        (self.cfg.archive / pdf).parent.mkdir(parents=True, exist_ok=True)
        (self.cfg.archive / pdf).write_bytes(data)
        with self.store.session() as s:
            office = ensure_office(s, key="o", name_hi="o", name_en="o", cutover=None)
            branch = ensure_branch(s, office.id, key=source.split("/")[0], code="REV", name_hi="r", name_en="r",
                                   cutover=None, configured=True)
            doc = new_document(s, office_id=office.id, branch_id=branch.id, source=source, share_path=source,
                               sha256="0" * 64, size=len(data))
            doc.pdf_path, doc.archive_path, doc.pages = pdf.as_posix(), pdf.as_posix(), 1
            if number is not None:
                doc.file_number, doc.file_number_key = number, file_number_key(number)
            doc.register_file_id = register
            for to in ("processing", "done"):
                transition(s, doc, to)
            return doc.id

    def export(self, out: Path | None = None, **kw: Any) -> Any:
        return export_eoffice(self.store, self.cfg, out or self.root / "out", **kw)

    def events(self) -> list[Event]:
        with self.store.session() as s:
            rows = list(s.scalars(select(Event).where(Event.detail.like("exported: %")).order_by(Event.id)))
            s.expunge_all()
        return rows


@pytest.fixture(scope="module")
def empty_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated, empty database, copied by each test (migrating costs about a second each time)."""
    root = tmp_path_factory.mktemp("template")
    cfg = load(str(write_config(root)))
    open_checked(cfg.store_url)
    return root / "var" / "nasti.db"


def _mini(root: Path, empty_db: Path) -> Mini:
    import shutil

    (root / "share").mkdir()
    cfg = load(str(write_config(root, "[export]\nvolume_mb = 1\ndpi = 150\n")))
    cfg.archive.mkdir(parents=True)
    shutil.copyfile(empty_db, root / "var" / "nasti.db")
    return Mini(root, cfg, open_checked(cfg.store_url))


@pytest.fixture
def mini(tmp_path: Path, empty_db: Path) -> Mini:
    return _mini(tmp_path, empty_db)


def _rows(out: Path) -> list[dict[str, str]]:
    return list(csv.DictReader((out / "metadata.csv").open(encoding="utf-8-sig", newline="")))


@pytest.mark.parametrize("where", ["archive", "share", "archive itself"])
def test_out_inside_the_archive_or_the_share_is_refused(mini: Mini, where: str) -> None:
    from export.run import ExportRefused

    mini.add("revenue/x/a.pdf", "12/2017")
    out = {"archive": mini.cfg.archive / "exp", "share": mini.cfg.share / "revenue" / "exp",
           "archive itself": mini.cfg.archive}[where]
    with pytest.raises(ExportRefused, match="OUT"):
        mini.export(out)
    assert not list(out.glob("fl-*")) and not (out / "metadata.csv").exists()
    # also through a symlink that leads there
    link = mini.root / f"link-{where}"
    link.symlink_to(out if out.exists() else out.parent)
    with pytest.raises(ExportRefused):
        mini.export(link)


def test_out_that_is_a_file_or_unwritable_is_a_clear_refusal(mini: Mini) -> None:
    from export.run import ExportRefused

    mini.add("revenue/x/a.pdf", "12/2017")
    f = mini.root / "afile"
    f.write_text("x")
    with pytest.raises(ExportRefused, match="not a folder"):
        mini.export(f)
    assert f.read_text() == "x"


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


def test_a_damaged_folder_in_out_is_rebuilt_not_called_unchanged(mini: Mini) -> None:
    """An operator deletes or edits a volume in OUT, drops a stray file in a folder or removes a part folder: the
    re-run must not say 'unchanged' and leave a folder eOffice would get wrong (SHA256SUMS failing)."""
    import shutil
    import subprocess

    a = mini.add("revenue/x/a.pdf", "12/2017")
    out = mini.root / "out"
    mini.export(out)
    vol = next(out.glob("fl-12_2017/Receipts/*.pdf"))
    good = vol.read_bytes()
    for damage in ("deleted", "changed", "stray", "part folder gone"):
        if damage == "deleted":
            vol.unlink()
        elif damage == "changed":
            vol.write_bytes(good[:-20] + b"%" * 20)
        elif damage == "stray":
            (vol.parent / "Thumbs.db").write_bytes(b"x")
        else:
            shutil.rmtree(out / "fl-12_2017" / "Notes")
        r = mini.export(out)
        assert r.written == ["fl-12_2017"] and vol.read_bytes() == good, damage
        assert sorted(p.name for p in (out / "fl-12_2017").iterdir()) == ["Issues", "Notes", "Receipts",
                                                                           "References"]
        assert [p.name for p in vol.parent.iterdir()] == [vol.name]
        assert subprocess.run(["sha256sum", "-c", "--quiet", "SHA256SUMS"], cwd=out).returncode == 0
    assert [e.document_id for e in mini.events()] == [a] * 5     # each repair is an export of the document


def test_symlinks_planted_in_out_are_never_written_through(mini: Mini) -> None:
    """Someone with access to OUT plants links named as the export's own entries, pointing at files that must not
    change: nothing is written, renamed or deleted through them."""
    mini.add("revenue/x/a.pdf", "12/2017")
    out = mini.root / "out"
    out.mkdir()
    victim = mini.root / "victim"
    victim.mkdir()
    (victim / "keep.txt").write_text("keep")
    (victim / "Receipts").mkdir()
    (victim / "Receipts" / "receipts_v01_p1-1.pdf").write_text("keep")
    for name in ("fl-12_2017", ".nasti-work"):
        (out / name).symlink_to(victim, target_is_directory=True)
    for name in ("metadata.csv", "SHA256SUMS", ".nasti-export.json", ".nasti-export.lock"):
        (out / name).symlink_to(victim / f"{name}.target")
    (victim / "metadata.csv.target").write_text("keep")
    r = mini.export(out)
    assert r.written == ["fl-12_2017"]
    assert sorted(p.name for p in victim.rglob("*")) == ["Receipts", "keep.txt", "metadata.csv.target",
                                                        "receipts_v01_p1-1.pdf"]
    assert (victim / "keep.txt").read_text() == "keep" == (victim / "metadata.csv.target").read_text()
    assert (victim / "Receipts" / "receipts_v01_p1-1.pdf").read_text() == "keep"
    assert not (out / "fl-12_2017").is_symlink() and (out / "fl-12_2017" / "Receipts").is_dir()
    assert not (out / "metadata.csv").is_symlink()


KILL = """
import os, signal, sys
from pathlib import Path
from common.config import load
from export import run
from nasti.schema import open_checked
cfg = load(sys.argv[1])
run.HOOKS[sys.argv[3]] = lambda path: os.kill(os.getpid(), signal.SIGKILL)
run.export_eoffice(open_checked(cfg.store_url), cfg, Path(sys.argv[2]))
"""


@pytest.mark.parametrize("point", ["moved_aside", "folder_placed", "recorded"])
def test_a_killed_re_export_records_its_change_exactly_once(mini: Mini, point: str) -> None:
    """A file already exported changes (a branch head moves a document to Notes); the export that places the new
    folder is killed before (or just after) it records the events. The re-run must record the change: once."""
    import os
    import subprocess
    import sys

    from store.parts import set_part

    a = mini.add("revenue/x/a.pdf", "12/2017")
    b = mini.add("revenue/x/b.pdf", "12/2017")
    out = mini.root / "out"
    mini.export(out)
    with mini.store.session() as s:
        set_part(s, a, "notes", actor="test")
    r = subprocess.run([sys.executable, "-c", KILL, str(mini.cfg.path), str(out), point], capture_output=True,
                       cwd=Path(__file__).resolve().parent.parent, env={**os.environ, "OMP_THREAD_LIMIT": "1"})
    assert r.returncode == -9, r.stderr
    if point == "moved_aside":                               # the old folder is out of place, the new not in
        assert not (out / "fl-12_2017").exists()
    else:
        assert next(out.glob("fl-12_2017/Notes/*.pdf"))     # the new folder is in place
    mini.export(out)
    assert mini.export(out).written == []
    assert sorted(e.document_id for e in mini.events()) == [a, a, b, b]
    assert [e.detail for e in mini.events() if e.document_id == a][-1] == \
        "exported: fl-12_2017/Notes/notes_v01_p1-1.pdf"


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


def test_out_on_a_full_disk_stops_with_a_reason_and_a_rerun_finishes(mini: Mini) -> None:
    """OUT on a real small disk (tmpfs) that fills mid-export: a clear reason, not a traceback; no partial folder
    and no work files left eating the space; the operator frees space and runs again: every folder whole, each
    document recorded once."""
    import subprocess

    from export.run import WORK, ExportRefused
    from tests.ingest_rig import mounted

    ids = [mini.add(f"revenue/x{i}/a.pdf", f"{i}/2017") for i in range(1, 9)]
    out = mini.root / "out"
    with mounted("tmpfs", out, size_kb=128) as ok:
        assert ok, "this test mounts a small tmpfs (root)"
        (out / "filler").write_bytes(b"x" * 100_000)
        with pytest.raises(ExportRefused, match="space") as e:
            mini.export(out)
        assert str(mini.root) not in str(e.value) and "जगह" in str(e.value)
        placed = sorted(p.name for p in out.glob("fl-*"))
        assert len(placed) < len(ids)
        assert not (out / WORK).exists()
        for name in placed:                   # whole
            assert len(list((out / name).glob("Receipts/*.pdf"))) == 1
        (out / "filler").unlink()
        r = mini.export(out)
        assert sorted(r.written + r.unchanged) == sorted(f"fl-{i}_2017" for i in range(1, 9))
        assert subprocess.run(["sha256sum", "-c", "--quiet", "SHA256SUMS"], cwd=out).returncode == 0
        assert len(_rows(out)) == len(ids)
        assert sorted(e.document_id for e in mini.events()) == ids


def test_a_read_only_out_is_a_clear_refusal(mini: Mini) -> None:
    from export.run import ExportRefused
    from tests.ingest_rig import mounted

    mini.add("revenue/x/a.pdf", "12/2017")
    out = mini.root / "out"
    with mounted("ro", out) as ok:
        assert ok, "this test bind-mounts read-only (root)"
        with pytest.raises(ExportRefused, match="cannot be written"):
            mini.export(out)


def test_an_export_against_another_database_removes_nothing(mini: Mini, empty_db: Path,
                                                             tmp_path_factory: pytest.TempPathFactory) -> None:
    """An operator points a second nasti (a fresh or wrong database) at an OUT another one filled: no file of the
    state is known there, but that must not delete the folders already exported."""
    mini.add("revenue/x/a.pdf", "12/2017")
    out = mini.root / "out"
    mini.export(out)
    other = _mini(tmp_path_factory.mktemp("other"), empty_db)
    other.add("revenue/q/a.pdf", "99/2020")
    r = other.export(out)
    assert r.removed == [] and r.written == ["fl-99_2020"]
    assert sorted(p.name for p in out.glob("fl-*")) == ["fl-12_2017", "fl-99_2020"]
    assert sorted(row["folder"] for row in _rows(out)) == ["fl-12_2017", "fl-99_2020"]


def test_a_folder_in_out_not_made_by_the_export_is_never_replaced(mini: Mini) -> None:
    """OUT already holds a hand-made fl-12_2017 (an earlier manual migration): the export refuses that file rather
    than deleting the operator's folder."""
    mini.add("revenue/x/a.pdf", "12/2017")
    mini.add("revenue/y/a.pdf", "13/2017")
    out = mini.root / "out"
    (out / "fl-12_2017").mkdir(parents=True)
    (out / "fl-12_2017" / "noting scan.docx").write_bytes(b"operator's")
    r = mini.export(out)
    assert r.written == ["fl-13_2017"] and "fl-12_2017" in r.refused
    assert "fl-12_2017" in r.refused["fl-12_2017"] and "नहीं" in r.refused["fl-12_2017"]
    assert (out / "fl-12_2017" / "noting scan.docx").read_bytes() == b"operator's"


STATES = ['{"names": ["x"], "folders": {"fl-12_2017": 5}, "pending": 3}',
          '{"names": {"fn:1:122017": 7}, "folders": {"fl-12_2017": {"row": []}}}',
          '[1, 2]', '{"folders": {"fl-12_2017": {"fingerprint": 1, "row": {"_volumes": 2}}}}', "\u0000garbage"]


def test_a_damaged_state_file_is_rebuilt_not_a_crash(mini: Mini) -> None:
    """.nasti-export.json edited by hand or cut short by a full disk: the export recovers what it can from OUT."""
    from export.run import STATE

    a = mini.add("revenue/x/a.pdf", "12/2017")
    out = mini.root / "out"
    mini.export(out)
    for state in STATES:
        (out / STATE).write_text(state, encoding="utf-8")
        r = mini.export(out)
        assert r.written + r.unchanged == ["fl-12_2017"], state
        assert [row["folder"] for row in _rows(out)] == ["fl-12_2017"]
        assert mini.export(out).unchanged == ["fl-12_2017"]
    assert [e.document_id for e in mini.events()] == [a]


def test_a_done_document_in_no_physical_file_is_reported_not_silently_left_out(mini: Mini) -> None:
    """A clerk drops a scan straight into the branch folder, or into a part folder with no file folder above it,
    and no number is read: it belongs to no physical file. The export must say so, not leave it out unseen."""
    a = mini.add("revenue/a.pdf")
    b = mini.add("revenue/Notes/b.pdf")
    mini.add("revenue/x/c.pdf", "12/2017")
    r = mini.export()
    assert r.written == ["fl-12_2017"]
    assert r.unfiled == [f"#{a} revenue/a.pdf", f"#{b} revenue/Notes/b.pdf"]


def test_two_exports_into_one_out_and_a_coarse_page_kept_as_scanned(mini: Mini) -> None:
    import fcntl
    import subprocess

    from export.run import LOCK, ExportBusy

    mini.add("revenue/x/a.pdf", "12/2017", dpi=96)
    out = mini.root / "out"
    out.mkdir()
    with open(out / LOCK, "a+b") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        with pytest.raises(ExportBusy):
            mini.export(out)
    assert not list(out.glob("fl-*"))
    mini.export(out)
    listing = subprocess.run(["pdfimages", "-list", str(next(out.glob("fl-*/Receipts/*.pdf")))],
                             capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    assert [(line.split()[12], line.split()[13]) for line in listing] == [("96", "96")]   # never upsampled


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
