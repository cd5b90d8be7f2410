"""Setting aside (`_quarantine/<time>/`) never deletes: a name taken in the same second or after the clock stepped
back gets a free one, a file that vanished mid-round is skipped, and no permission is a message a clerk can act on."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from ingest.recover import QUARANTINE, move_aside, quarantine_stamp
from nasti.vault.scan import set_aside
from tests.conftest import Office


def _kept(archive: Path) -> dict[str, bytes]:
    return {p.relative_to(archive / QUARANTINE).as_posix(): p.read_bytes()
            for p in (archive / QUARANTINE).rglob("*") if p.is_file()}


def test_the_same_name_set_aside_twice_in_one_second_keeps_both_copies(tmp_path: Path) -> None:
    (tmp_path / "revenue").mkdir()
    f = tmp_path / "revenue" / "12-आदेश.pdf"
    stamp = quarantine_stamp()
    for copy in (b"first copy", b"second copy", b"third copy"):
        f.write_bytes(copy)
        move_aside(tmp_path, "revenue/12-आदेश.pdf", stamp)
    assert _kept(tmp_path) == {f"{stamp}/revenue/12-आदेश.pdf": b"first copy",
                               f"{stamp}/revenue/12-आदेश-2.pdf": b"second copy",
                               f"{stamp}/revenue/12-आदेश-3.pdf": b"third copy"}


def test_a_file_in_the_way_of_a_quarantine_folder_is_kept(tmp_path: Path) -> None:
    stamp = "20990101T000000Z"                 # a clock that stepped back: an earlier round's folder
    (tmp_path / QUARANTINE / stamp).mkdir(parents=True)
    (tmp_path / QUARANTINE / stamp / "x").write_bytes(b"an earlier round's file named x")
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "y").write_bytes(b"y")
    dest = move_aside(tmp_path, "x/y", stamp)
    assert dest is not None and dest.read_bytes() == b"y"
    assert _kept(tmp_path) == {f"{stamp}/x": b"an earlier round's file named x", f"{stamp}-2/x/y": b"y"}


def test_a_file_that_vanished_mid_round_is_skipped_and_the_round_goes_on(tmp_path: Path) -> None:
    for rel in ("revenue/a.pdf", "establishment/b.pdf", "revenue/c.pdf"):
        (tmp_path / rel).parent.mkdir(exist_ok=True)
        (tmp_path / rel).write_bytes(rel.encode())
    (tmp_path / "establishment" / "b.pdf").unlink()         # deleted by hand between the walk and the move
    aside = set_aside(tmp_path, ["revenue/a.pdf", "establishment/b.pdf", "revenue/c.pdf"])
    [where] = aside.folders
    stamp = where.name
    assert _kept(tmp_path) == {f"{stamp}/revenue/a.pdf": b"revenue/a.pdf", f"{stamp}/revenue/c.pdf": b"revenue/c.pdf"}
    assert list(aside.moved) == ["revenue/a.pdf", "revenue/c.pdf"] and aside.vanished == ["establishment/b.pdf"]
    assert not (where / "establishment").exists()            # no empty folder left for it
    gone = set_aside(tmp_path, ["revenue/gone.pdf"])
    assert gone.folders == [] and gone.moved == {} and gone.vanished == ["revenue/gone.pdf"]


def test_an_immutable_archive_folder_gives_a_bilingual_message_not_an_errno(office: Office) -> None:
    folder = office.archive / "revenue"
    folder.mkdir(parents=True)
    (folder / "96-तीसरा.png").write_bytes(b"\x89PNG no record")
    if subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode != 0:
        pytest.skip("chattr +i is not available here")
    try:
        r = office.run("watch", "--once", "--accept-archive-mismatch", check=False)
    finally:
        subprocess.run(["chattr", "-i", str(folder)], check=True)
    assert r.returncode == 1
    line = next(x for x in r.stderr.splitlines() if x.startswith("nasti:"))
    assert "[Errno" not in r.stderr and "96-तीसरा.png" in line
    hi, en = line.index("अनुमति दें"), line.index("give the nasti user write access")
    assert hi < en and "nothing was deleted" in line
    assert (folder / "96-तीसरा.png").read_bytes() == b"\x89PNG no record"
    assert not (office.archive / QUARANTINE).exists()        # no empty folders left by the failed move
