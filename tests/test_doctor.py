"""`nasti doctor`: names each problem with its own exit code, creates nothing, estimates the disk still needed."""
from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

from common import config as configmod
from nasti import doctor
from nasti.schema import head_revision
from tests.conftest import NASTI, Office


def _doctor(office: Office, *args: str, env: dict[str, str] | None = None) -> tuple[int, dict]:
    r = subprocess.run([NASTI, "--config", str(office.config), "doctor", "--json", *args], capture_output=True,
                       text=True, cwd=office.root, env=env, timeout=300)
    return r.returncode, json.loads(r.stdout)


def _messages(report: dict, status: str) -> str:
    return "\n".join(c["message"] for c in report["checks"] if c["status"] == status)


def test_a_fresh_office_is_healthy_and_the_doctor_creates_nothing(office: Office) -> None:
    code, report = _doctor(office)
    assert code == 0 and report["ok"], report
    areas = {c["area"] for c in report["checks"]}
    assert areas == {"config", "share", "ocr", "database", "storage", "queue"}
    ok = _messages(report, "ok")
    for needle in ("tesseract 5", "model Devanagari installed", "model hin installed", "model eng installed",
                   "model osd installed", "pdftoppm", "pdfinfo", "read a Hindi test line with every digit"):
        assert needle in ok, needle
    assert "no database yet" in _messages(report, "warn")
    assert not (office.root / "var").exists()
    text = office.run("doctor", "--quick").stdout
    assert "✓ ocr" in text and "test line" not in text and "doctor: 0 problems" in text


def test_each_problem_has_its_own_exit_code(office: Office) -> None:
    base = office.config.read_text()
    office.config.write_text(base + '[ocr]\nworkers = "four"\n')
    code, report = _doctor(office)
    assert code == 2 and "ocr.workers" in report["checks"][0]["message"]

    office.config.write_text(base.replace('path = "share"', 'path = "nowhere"'))
    code, report = _doctor(office, "--quick")
    assert code == 3 and "is the network share mounted" in _messages(report, "fail")
    assert not (office.root / "nowhere").exists()
    office.config.write_text(base.replace('path = "share"', 'path = "share"\nrequire_mount = true'))
    code, report = _doctor(office, "--quick")
    assert code == 3 and "not a mount point" in _messages(report, "fail")

    office.config.write_text(base)
    code, report = _doctor(office, "--quick", env={**os.environ, "PATH": "/nonexistent"})
    fails = _messages(report, "fail")
    assert code == 4 and "tesseract is not installed" in fails and "poppler-utils" in fails

    office.run("migrate")
    with sqlite3.connect(office.root / "var" / "nasti.db") as c:
        c.execute("UPDATE alembic_version SET version_num = '0003'")
    code, report = _doctor(office, "--quick")
    assert code == 5 and "nasti migrate" in _messages(report, "fail")
    with sqlite3.connect(office.root / "var" / "nasti.db") as c:
        c.execute("UPDATE alembic_version SET version_num = ?", (head_revision(),))

    (office.root / "blocked").write_text("a file where a folder should be")
    office.config.write_text(base.replace('path = "var/archive"', 'path = "blocked/archive"'))
    code, report = _doctor(office, "--quick")
    assert code == 6 and "not writable" in _messages(report, "fail")

    office.config.write_text(base.replace('path = "share"', 'path = "nowhere"')
                             .replace('path = "var/archive"', 'path = "blocked/archive"'))
    assert _doctor(office, "--quick")[0] == 3  # several problems: the first area in the documented order


def test_free_disk_against_the_pages_still_expected(office: Office, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    rows = "\n".join(f"{i},क्रमांक/{i}/राज./2017,नामांतरण प्रकरण {i},2017" for i in range(1, 41))
    (tmp_path / "r.csv").write_text(f"क्र.,नस्ती क्रमांक,विषय,वर्ष\n{rows}\n", encoding="utf-8")
    office.config.write_text(office.config.read_text() + '[branches.revenue]\ncode = "REV"\n', encoding="utf-8")
    bad = office.run("register", "import", str(tmp_path / "r.csv"), "--branch", "revnue", check=False)
    assert bad.returncode == 2 and "add [branches.revnue] to the config" in bad.stderr  # not eaten as markup
    office.run("register", "import", str(tmp_path / "r.csv"), "--branch", "revenue")
    code, report = _doctor(office)
    disk = next(c for c in report["checks"] if c["check"] == "disk")
    assert code == 0 and disk["status"] == "ok", disk
    assert disk["data"]["files_left"] == 40 and disk["data"]["pages_expected"] == 40 * 75
    assert "40 register files not yet digitised × ~75 pages × ~0.3 MB = ~0.9 GB needed" in disk["message"]

    # a nearly full disk cannot be made for real in a test: shrink what disk_usage reports
    cfg = configmod.load(str(office.config))
    real = shutil.disk_usage
    monkeypatch.setattr(shutil, "disk_usage", lambda p: real(p)._replace(free=int(0.5 * 2**30)))
    findings = doctor.run(cfg)
    assert doctor.exit_code(findings) == 6
    assert any(f.check == "disk" and f.status == "fail" and "add disk space" in f.message for f in findings)
    assert any(f.check == "archive" and f.status == "fail" and "only 0.5 GB free" in f.message for f in findings)


def test_checks_are_a_list_other_work_can_extend(office: Office) -> None:
    cfg = configmod.load(str(office.config))

    @doctor.check("database", name="queue")
    def check_queue(ctx: doctor.Context):  # type: ignore[no-untyped-def]
        yield doctor.Finding("queue", "database", "fail", "redis unreachable")

    try:
        findings = doctor.run(cfg, quick=True)
        assert any(f.check == "queue" for f in findings) and doctor.exit_code(findings) == 5
    finally:
        doctor.CHECKS[:] = [c for c in doctor.CHECKS if c.name != "queue"]
    with pytest.raises(ValueError, match="AREAS"):
        doctor.check("nowhere")


def test_an_empty_database_beside_a_full_archive_is_named(office: Office) -> None:
    (office.archive / "revenue").mkdir(parents=True)
    (office.archive / "revenue" / "1-letter.png").write_bytes(b"scan")
    (office.archive / "revenue" / "1-letter.ocr.pdf").write_bytes(b"%PDF")
    office.run("migrate")
    code, report = _doctor(office)
    assert code == 5 and "the database knows no archived document but the archive" in _messages(report, "fail")
    assert "holds 2 files" in _messages(report, "fail")
    assert (office.archive / "revenue" / "1-letter.png").read_bytes() == b"scan"  # nothing touched


def test_tesseract_looking_in_the_wrong_models_folder_is_named(office: Office, tmp_path: Path) -> None:
    """TESSDATA_PREFIX left pointing at an empty folder (a unit's Environment= line): the missing models are
    explained by it, and the read check does not paste tesseract's 'Error opening data file …' for a model the
    check above already found missing."""
    empty = tmp_path / "tessdata"
    empty.mkdir()
    r = subprocess.run([NASTI, "--config", str(office.config), "doctor"], capture_output=True, text=True,
                       env={**os.environ, "TESSDATA_PREFIX": str(empty)}, timeout=300)
    assert r.returncode == 4, r.stdout
    assert f"TESSDATA_PREFIX={empty}" in r.stdout, r.stdout
    assert "Error opening data file" not in r.stdout, r.stdout
