"""`nasti doctor` and `nasti watch` give one verdict on the archive (nasti.vault.guard): files set aside in
`_quarantine/` are not unknown, an older database fails with 5 in both; the unit does not restart on 5."""
from __future__ import annotations

import json
from pathlib import Path

from nasti.vault.guard import EXIT_ARCHIVE_MISMATCH
from tests.conftest import Office

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
