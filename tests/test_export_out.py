"""Attacks on `nasti export eoffice`'s output folder as an operator or an attacker would make them: OUT inside the
archive or the share, a file, read-only, on a full disk, symlinks planted in it, folders it did not make, a damaged
state file, kill -9 mid-export (tests/export_rig.py builds the office)."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.export_rig import Mini, _mini, _page_pdf, _rows, empty_db_fixture, mini_fixture  # noqa: F401


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


def test_out_on_a_full_disk_stops_with_a_reason_and_a_rerun_finishes(mini: Mini) -> None:
    """OUT on a real small disk (tmpfs) that fills mid-export: a clear reason, not a traceback; no partial folder
    and no work files left eating the space; the operator frees space and runs again: every folder whole, each
    document recorded once."""
    import subprocess

    from export.run import WORK, ExportRefused
    from tests.ingest_rig import mounted

    ids = [mini.add(f"revenue/x{i}/a.pdf", f"{i}/2017") for i in range(1, 9)]
    out = mini.root / "out"
    with mounted("tmpfs", out, size_kb=160) as ok:
        assert ok, "this test mounts a small tmpfs (root)"
        (out / "filler").write_bytes(b"x" * 132_000)
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
