"""`nasti export eoffice` on a golden register (Hindi and English file numbers whose folder names collide), with
documents digitised by the real pipeline: names, parts, volumes under the cap at 150-200 dpi, text layers intact,
page counts, metadata with Hindi, a re-run that writes nothing, and kill -9 mid-export."""
from __future__ import annotations

import csv
import hashlib
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pikepdf
import pytest
import regex
from sqlalchemy import select

from common.config import load
from export.names import PATTERN
from nasti.samples import make_letter, render_page, save_document
from nasti.samples.render import blank_page
from nasti.schema import open_checked
from store.cases import assign_number
from store.models import Document, Event
from tests.conftest import Office, write_config

CAP_MB = 0.015
HINDI_NUMBER = "क्रमांक/378/राज./2017"
ENGLISH_NUMBER = "378/RAJA/2017"
REGISTERS = {
    "revenue": f"नस्ती क्रमांक,विषय,वर्ष,श्रेणी\n{HINDI_NUMBER},ग्राम कालीपीठ की भूमि के नामांतरण बाबत,2017,A\n",
    "establishment": f"file number,subject,year,category\n{ENGLISH_NUMBER},Leave sanction of staff,2017,B\n",
}
# share path → (letter seed, language, blank back, file number to assign)
DROPS = {
    "revenue/क्रमांक-378/Notes/01 नोटशीट.png": (1, "hi", False, HINDI_NUMBER),
    "revenue/क्रमांक-378/पत्र/02 पत्र.tif": (2, "hi", True, HINDI_NUMBER),
    "revenue/क्रमांक-378/पत्र/03 reply.png": (3, "en", False, HINDI_NUMBER),
    "establishment/378-RAJA/letter.png": (4, "en", False, ENGLISH_NUMBER),
}
WORD = regex.compile(r"[\p{L}\p{M}\p{N}]+")


def _tree(root: Path) -> dict[str, tuple[bytes, int]]:
    """What the export wrote (not its hash cache: file system facts of this machine, export.hashes)."""
    from export.hashes import FILE

    return {p.relative_to(root).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(root.rglob("*")) if p.is_file() and p.name != FILE}


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Office:
    root = tmp_path_factory.mktemp("export")
    (root / "share").mkdir()
    extra = (f'[export]\nvolume_mb = {CAP_MB}\ndpi = 200\n[branches.revenue]\ncode = "REV"\n'
             '[branches.establishment]\ncode = "EST"\n')
    office = Office(root, write_config(root, extra))
    for branch, text in REGISTERS.items():
        (root / f"{branch}.csv").write_text(text, encoding="utf-8")
        office.run("register", "import", str(root / f"{branch}.csv"), "--branch", branch)
    for source, (seed, lang, blank, _) in DROPS.items():
        letter = make_letter(seed, lang)
        pages = [render_page(letter.lines[:9], lang=lang)] + ([blank_page(seed=seed)] if blank else [])
        save_document(pages, office.share / source, "tiff" if source.endswith(".tif") else "png")
    office.run("watch", "--once")
    cfg = load(str(office.config))
    with open_checked(cfg.store_url).session() as s:
        for doc in s.scalars(select(Document)):
            assign_number(s, cfg, doc.id, DROPS[doc.source][3], by="test")
    eng = next(d for d in office.documents() if d["source"].startswith("establishment/"))
    office.run("document", "part", str(eng["id"]), "संदर्भ", "--sequence", "1", "--by", "शाखा प्रमुख")
    return office


@pytest.fixture(scope="module")
def exported(office: Office) -> Path:
    out = office.root / "out"
    office.run("export", "eoffice", str(out))
    return out


def _docs(office: Office) -> dict[int, Document]:
    cfg = load(str(office.config))
    with open_checked(cfg.store_url).session() as s:
        docs = {d.id: d for d in s.scalars(select(Document))}
        for d in docs.values():
            _ = d.page_rows, d.register_file
        s.expunge_all()
    return docs


def _export(office: Office, out: Path, **filters: Any) -> Any:
    """The export in this process (the CLI's start-up is measured once, by the `exported` fixture)."""
    from export.run import export_eoffice

    cfg = load(str(office.config))
    return export_eoffice(open_checked(cfg.store_url), cfg, out, **filters)


def _volumes(out: Path) -> list[Path]:
    return sorted(out.glob("fl-*/*/*.pdf"))


def test_parts_come_from_the_share_and_from_a_person(office: Office) -> None:
    docs = {d.source: d for d in _docs(office).values()}
    assert docs["revenue/क्रमांक-378/Notes/01 नोटशीट.png"].part == "notes"
    assert docs["revenue/क्रमांक-378/Notes/01 नोटशीट.png"].sequence == 1
    assert docs["revenue/क्रमांक-378/पत्र/02 पत्र.tif"].part == "receipts"
    eng = docs["establishment/378-RAJA/letter.png"]
    assert (eng.part, eng.sequence) == ("references", 1)
    cfg = load(str(office.config))
    with open_checked(cfg.store_url).session() as s:
        details = list(s.scalars(select(Event.detail).where(Event.document_id == eng.id, Event.actor == "शाखा प्रमुख")))
    assert details == ["part: receipts → references #1"]


def test_folders_names_and_parts(office: Office, exported: Path) -> None:
    folders = sorted(p.name for p in exported.iterdir() if p.is_dir() and not p.name.startswith("."))
    assert all(PATTERN.match(f) for f in folders)
    # the two numbers differ only in script and case: one keeps the name, the other is told apart
    assert sorted(f.casefold() for f in folders) == ["fl-378_raja_2017", "fl-378_raja_2017-2"]
    for f in folders:
        assert sorted(p.name for p in (exported / f).iterdir()) == ["Issues", "Notes", "Receipts", "References"]
    rows = {r["file_number"]: r for r in csv.DictReader((exported / "metadata.csv").open(encoding="utf-8-sig"))}
    hindi, english = rows[HINDI_NUMBER.replace("क्रमांक/", "क्रमांक/")], rows[ENGLISH_NUMBER]
    assert hindi["subject"] == "ग्राम कालीपीठ की भूमि के नामांतरण बाबत" and hindi["branch"] == "revenue"
    assert (hindi["year"], hindi["category"], english["category"]) == ("2017", "A", "B")
    assert {hindi["folder"], english["folder"]} == set(folders)
    assert (hindi["notes_pages"], hindi["receipts_pages"]) == ("1", "2")          # the blank back is left out
    assert (english["references_pages"], english["receipts_pages"]) == ("1", "0")
    assert "नोटशीट.png" in hindi["source_documents"]
    assert (exported / "metadata.csv").read_bytes().startswith(b"\xef\xbb\xbf")


def test_volumes_under_the_cap_at_upload_resolution_with_continuous_pages(exported: Path) -> None:
    volumes = _volumes(exported)
    assert len(volumes) >= 4          # the small cap cuts the Hindi file's receipts in two
    for vol in volumes:
        assert vol.stat().st_size <= CAP_MB * 1_000_000, vol
        listing = subprocess.run(["pdfimages", "-list", str(vol)], capture_output=True, text=True,
                                 check=True).stdout.splitlines()[2:]
        assert listing
        for line in listing:
            cols = line.split()
            assert 150 <= int(cols[12]) <= 200 and 150 <= int(cols[13]) <= 200, line
    receipts = sorted((exported / "fl-378_raja_2017").glob("Receipts/*.pdf")) or \
        sorted((exported / "fl-378_raja_2017-2").glob("Receipts/*.pdf"))
    assert [p.name for p in receipts] == ["receipts_v01_p1-1.pdf", "receipts_v02_p2-2.pdf"]
    with pikepdf.open(receipts[1]) as pdf:
        assert int(pdf.Root.PageLabels.Nums[1].St) == 2


def test_text_layer_intact_and_page_counts(office: Office, exported: Path) -> None:
    docs = _docs(office)
    rows = {r["folder"]: r for r in csv.DictReader((exported / "metadata.csv").open(encoding="utf-8-sig"))}
    import json

    state = json.loads((exported / ".nasti-export.json").read_text(encoding="utf-8"))
    total = 0
    for folder, row in rows.items():
        pages = 0
        for rel, ids in state["folders"][folder]["row"]["_documents"].items():
            vol = exported / folder / rel
            with pikepdf.open(vol) as pdf:
                pages += len(pdf.pages)
            found = set(WORD.findall(subprocess.run(["pdftotext", "-enc", "UTF-8", str(vol), "-"],
                                                    capture_output=True, check=True).stdout.decode("utf-8")))
            want = Counter(w for i in ids for p in docs[i].page_rows if not p.blank for w in WORD.findall(p.text))
            assert sum(want.values()) > 15
            hit = sum(n for w, n in want.items() if w in found)
            assert hit / sum(want.values()) >= 0.99, (vol, [w for w in want if w not in found][:10])
        assert pages == int(row["pages"])
        total += pages
    assert total == sum(d.pages - d.blank_pages for d in docs.values()) == 4


def test_manifest_events_and_archive_untouched(office: Office, exported: Path) -> None:
    r = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=exported, capture_output=True, text=True)
    assert r.returncode == 0 and r.stdout.count(": OK") == len(_volumes(exported))
    docs = _docs(office)
    for d in docs.values():
        assert d.exported_as and d.exported_as.startswith("fl-378_")
        assert hashlib.sha256((office.archive / d.archive_path).read_bytes()).hexdigest() == d.sha256
    cfg = load(str(office.config))
    with open_checked(cfg.store_url).session() as s:
        events = list(s.scalars(select(Event).where(Event.detail.like("exported: %"))))
    assert sorted(e.document_id for e in events) == sorted(docs)
    report = office.json("readiness")
    assert {b["branch"]: b["exported_files"] for b in report["branches"]} == {"establishment": 1, "revenue": 1}
    assert report["total"]["exported_files"] == 2
    from report.export import COLUMNS, rows
    from report.readiness import readiness

    with open_checked(cfg.store_url).session() as s:      # and in the progress spreadsheet
        sheet = rows(readiness(s, cfg))
    assert [r[COLUMNS.index("exported_files")] for r in sheet] == [1, 1, 2]


def test_a_rerun_writes_nothing_and_a_fresh_export_is_byte_identical(office: Office, exported: Path) -> None:
    before = _tree(exported)
    r = office.json("export", "eoffice", str(exported))
    assert r["written"] == [] and len(r["unchanged"]) == 2
    assert _tree(exported) == before                     # same bytes, same modification times
    again = office.root / "again"
    _export(office, again)
    assert {k: v[0] for k, v in _tree(again).items()} == {k: v[0] for k, v in before.items()}


def test_a_rerun_with_nothing_changed_reads_no_pdf_and_an_archive_pdf_put_back_with_its_old_time_is_seen(
        office: Office, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """At 200 k pages a re-run must not read the whole archive again (export.hashes); a file edited in place with
    its modification time set back (`touch -d`) is still hashed again (its change time moved)."""
    import os
    import shutil

    from export import hashes

    out = tmp_path / "out"
    assert len(_export(office, out).written) == 2
    read: list[Path] = []
    real = hashes.sha256_file
    monkeypatch.setattr(hashes, "sha256_file", lambda p: read.append(p) or real(p))
    r = _export(office, out)
    assert (r.written, len(r.unchanged), read) == ([], 2, [])
    cfg = load(str(office.config))
    pdf = next(cfg.archive / d.pdf_path for d in _docs(office).values() if d.pdf_path and d.exported_as)
    st = pdf.stat()
    shutil.copyfile(pdf, tmp_path / "keep.pdf")
    try:
        data = bytearray(pdf.read_bytes())
        data[-40:-39] = b"%" if data[-40:-39] != b"%" else b" "   # the same size, other bytes
        pdf.write_bytes(bytes(data))
        os.utime(pdf, ns=(st.st_atime_ns, st.st_mtime_ns))
        _export(office, out)
        assert pdf in read
    finally:
        shutil.copyfile(tmp_path / "keep.pdf", pdf)
        os.utime(pdf, ns=(st.st_atime_ns, st.st_mtime_ns))


def test_filters(office: Office) -> None:
    import datetime as dt

    out = office.root / "one"
    r = _export(office, out, file_number="क्र. ३७८/राज./२०१७")   # either digit set, any label
    assert len(r.written) == 1
    assert [p.name for p in out.glob("fl-*")] == r.written
    r = _export(office, out, branch="establishment", since=dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
    assert len(r.written) == 1 and _export(office, out, since=dt.datetime.now(dt.UTC)).written == []
    assert len(list(csv.DictReader((out / "metadata.csv").open(encoding="utf-8-sig")))) == 2
    bad = office.run("export", "eoffice", str(out), "--since", "31/12/2020", check=False)
    assert bad.returncode == 2 and "YYYY-MM-DD" in bad.stderr


KILL = """
import os, signal, sys
from pathlib import Path
from typing import Any
from common.config import load
from export import run
from nasti.schema import open_checked
cfg = load(sys.argv[1])
run.HOOKS[sys.argv[3]] = lambda path: os.kill(os.getpid(), signal.SIGKILL)
run.export_eoffice(open_checked(cfg.store_url), cfg, Path(sys.argv[2]))
"""


@pytest.mark.parametrize("point", ["volume_written", "folder_placed"])
def test_kill_mid_export_leaves_no_partial_folder(office: Office, exported: Path, point: str) -> None:
    out = office.root / f"killed-{point}"
    cfg = load(str(office.config))
    with open_checked(cfg.store_url).session() as s:   # as in a first export: nothing recorded yet
        for doc in s.scalars(select(Document)):
            doc.exported_as = None
    r = subprocess.run([sys.executable, "-c", KILL, str(office.config), str(out), point], capture_output=True,
                       cwd=Path(__file__).resolve().parent.parent, env={**os.environ, "OMP_THREAD_LIMIT": "1"})
    assert r.returncode == -9, r.stderr
    complete = [p for p in out.glob("fl-*")]
    assert len(complete) == (1 if point == "folder_placed" else 0)
    for folder in complete:               # a folder that is there is whole
        assert {k: v[0] for k, v in _tree(folder).items()} == \
            {k: v[0] for k, v in _tree(exported / folder.name).items()}
    _export(office, out)
    assert {k: v[0] for k, v in _tree(out).items()} == {k: v[0] for k, v in _tree(exported).items()}
    # a folder placed by the killed run, though identical now, still gets its documents' export recorded
    assert all(d.exported_as and d.exported_as.startswith("fl-378_") for d in _docs(office).values())


def test_waiting_files_stay_out_and_a_changed_file_is_rewritten_alone(office: Office, exported: Path) -> None:
    """Runs last: it changes the office."""
    cfg = load(str(office.config))
    docs = {d.source: d for d in _docs(office).values()}
    eng = docs["establishment/378-RAJA/letter.png"]
    with open_checked(cfg.store_url).session() as s:    # a document back in review holds its whole file back
        s.get_one(Document, eng.id).needs_review = True
    fresh = _export(office, office.root / "waiting")
    assert len(fresh.written) == 1 and fresh.waiting == [eng.exported_as]
    with open_checked(cfg.store_url).session() as s:
        s.get_one(Document, eng.id).needs_review = False
    before = _tree(exported)
    office.run("document", "part", str(eng.id), "Receipts", "--by", "test")
    r = office.json("export", "eoffice", str(exported))
    assert r["written"] == [eng.exported_as] and len(r["unchanged"]) == 1
    after = _tree(exported)
    changed = {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
    assert {k.split("/")[0] for k in changed} == {eng.exported_as, "metadata.csv", "SHA256SUMS",
                                                 ".nasti-export.json"}
    assert sorted(p.name for p in (exported / eng.exported_as / "Receipts").iterdir()) == ["receipts_v01_p1-1.pdf"]
    assert list((exported / eng.exported_as / "References").iterdir()) == []
