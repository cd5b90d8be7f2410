"""`nasti doctor` and `nasti watch` give one verdict on the archive (nasti.vault.guard): files set aside in
`_quarantine/` are not unknown, an older database fails with 5 in both — on SQLite and on PostgreSQL alike; the unit
does not restart on 5."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from nasti.samples import make_letter, render_page, save_document
from nasti.vault.guard import EXIT_ARCHIVE_MISMATCH
from tests.conftest import Office, write_config
from tests.pgcluster import new_database

ROOT = Path(__file__).resolve().parent.parent


def _archive_check(office: Office) -> tuple[int, list[dict]]:
    r = office.run("doctor", "--json", check=False)
    return r.returncode, [c for c in json.loads(r.stdout)["checks"] if c["check"] == "archive vs database"]


def test_quarantined_files_are_not_unknown_to_doctor_or_watch(office: Office) -> None:
    kept = office.archive / "_quarantine" / "20261201T101010Z" / "revenue" / "96-तीसरा.png"
    kept.parent.mkdir(parents=True)
    kept.write_bytes(b"\x89PNG set aside earlier")
    office.run("migrate")
    code, found = _archive_check(office)
    assert code == 0 and [c["status"] for c in found] == ["ok"], found
    assert office.run("watch", "--once", check=False).returncode == 0
    assert kept.read_bytes() == b"\x89PNG set aside earlier"


def test_an_unknown_file_beside_an_empty_database_fails_both_with_5(office: Office) -> None:
    (office.archive / "revenue").mkdir(parents=True)
    (office.archive / "revenue" / "99-x.png").write_bytes(b"\x89PNG")
    office.run("migrate")
    code, found = _archive_check(office)
    assert code == EXIT_ARCHIVE_MISMATCH and found[0]["status"] == "fail" and "exit 5" in found[0]["message"]
    assert office.run("watch", "--once", check=False).returncode == EXIT_ARCHIVE_MISMATCH


def test_watch_help_and_the_unit_know_exit_5(office: Office) -> None:
    assert f"exit {EXIT_ARCHIVE_MISMATCH} otherwise" in " ".join(office.run("watch", "--help").stdout.split())
    unit = (ROOT / "deploy" / "systemd" / "nasti-watch.service").read_text()
    codes = next(x for x in unit.splitlines() if x.startswith("RestartPreventExitStatus=")).split("=")[1].split()
    assert {"2", str(EXIT_ARCHIVE_MISMATCH)} <= set(codes)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_an_empty_database_beside_a_full_archive_stops_watch_and_doctor_on_both_backends(
        backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    """Last night's archive, a new (empty) database: on PostgreSQL `watch` used to skip the check `doctor` makes,
    take the scan waiting in the share as document 1 and archive it as revenue/1-आदेश.png — over the old file."""
    (tmp_path / "share" / "revenue").mkdir(parents=True)
    cfg = write_config(tmp_path)
    if backend == "postgresql":
        url = new_database(request.getfixturevalue("pg_server"), "guard")
        cfg.write_text(cfg.read_text().replace('"sqlite:///var/nasti.db"', f'"{url}"'), encoding="utf-8")
    office = Office(tmp_path, cfg)
    office.run("migrate")
    old = {"revenue/1-आदेश.png": b"\x89PNG archived under the old database",
           "revenue/1-आदेश.ocr.pdf": b"%PDF-1.7 its searchable copy"}
    for rel, data in old.items():
        (office.archive / rel).parent.mkdir(parents=True, exist_ok=True)
        (office.archive / rel).write_bytes(data)
    letter = make_letter(3, "hi", file_number="0255/अ-6/2021-22")
    save_document([render_page(letter.lines, lang="hi")], office.share / "revenue" / "आदेश.png", "png")
    dropped = hashlib.sha256((office.share / "revenue" / "आदेश.png").read_bytes()).hexdigest()
    code, found = _archive_check(office)
    assert code == EXIT_ARCHIVE_MISMATCH and found[0]["status"] == "fail", found
    quick = office.run("doctor", "--quick", check=False)      # the service's start-up says it too
    assert quick.returncode == EXIT_ARCHIVE_MISMATCH and "holds at least 2 files" in quick.stdout, quick.stdout
    r = office.run("watch", "--once", check=False)
    assert r.returncode == EXIT_ARCHIVE_MISMATCH, r.stdout + r.stderr
    assert "डेटाबेस खाली है" in r.stderr and "the database is empty" in r.stderr
    assert {rel: (office.archive / rel).read_bytes() for rel in old} == old      # nothing replaced or moved
    assert not (office.archive / "_quarantine").exists()
    assert hashlib.sha256((office.share / "revenue" / "आदेश.png").read_bytes()).hexdigest() == dropped


def test_doctor_quick_checks_the_archived_files_cheaply_and_says_what_it_left_out(office: Office) -> None:
    """The service's start-up (`doctor --quick`): every archived file there with its recorded size (no hashing); an
    archive that is not mounted fails (6) before the watcher archives into an empty mount point; a file the
    database does not know is left to the full doctor and to `watch` — and the output says so."""
    letter = make_letter(5, "hi", file_number="378/राज./2017")
    (office.share / "revenue").mkdir()
    save_document([render_page(letter.lines, lang="hi")], office.share / "revenue" / "पत्र.png", "png")
    office.run("watch", "--once")
    [doc] = office.documents()
    original = office.archive / "revenue" / f"{doc['id']}-पत्र.png"
    r = office.run("doctor", "--quick")
    assert "all 2 archive files of the 1 done documents are in" in r.stdout and "not hashed" in r.stdout, r.stdout
    left_out = next(x for x in r.stdout.splitlines() if "not looked for (--quick)" in x)
    assert left_out.startswith("–") and "`nasti watch` before it starts" in left_out

    (office.archive / "revenue" / "99-बाद में.png").write_bytes(b"\x89PNG archived after the backup")
    assert office.run("doctor", "--quick", check=False).returncode == 0
    assert office.run("doctor", check=False).returncode == EXIT_ARCHIVE_MISMATCH      # the full walk finds it
    (office.archive / "revenue" / "99-बाद में.png").unlink()

    original.write_bytes(original.read_bytes()[:100])                              # a truncated copy
    code = office.run("doctor", "--quick", "--json", check=False)
    [files] = [c for c in json.loads(code.stdout)["checks"] if c["check"] == "archived files"]
    assert code.returncode == 0 and files["status"] == "warn" and files["data"]["resized"] == 1, files
    assert original.name in files["message"] and "nasti fsck" in files["message"]

    office.archive.rename(office.root / "archive-elsewhere")                      # the mount is gone
    office.archive.mkdir()
    r = office.run("doctor", "--quick", check=False)
    assert r.returncode == 6 and "none of the 2 archive files" in r.stdout and "is the archive mounted" in r.stdout
