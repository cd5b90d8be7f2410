"""deploy/: the systemd units verify, the install script lays out a server, and its config passes the doctor."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

from common.config import load
from tests.conftest import NASTI

ROOT = Path(__file__).resolve().parent.parent


def test_install_script_stages_a_server_layout_whose_units_verify(tmp_path: Path) -> None:
    stage, share = tmp_path / "root", tmp_path / "mnt" / "share"
    r = subprocess.run([str(ROOT / "deploy" / "install-service.sh"), "--share", str(share), "--prefix", str(ROOT)],
                       capture_output=True, text=True, env={**os.environ, "DESTDIR": str(stage),
                                                            "NASTI_USER": "root"})
    assert r.returncode == 0, r.stderr
    for d in ("var/lib/nasti/db", "var/lib/nasti/archive", "var/log/nasti", "etc/nasti"):
        assert (stage / d).is_dir(), d
    watch = (stage / "etc/systemd/system/nasti-watch.service").read_text()
    serve = (stage / "etc/systemd/system/nasti-serve.service").read_text()
    assert f"RequiresMountsFor={share}\n" in watch and f"ReadWritePaths=/var/lib/nasti /var/log/nasti {share}" in watch
    assert f"ExecStartPre={ROOT}/.venv/bin/nasti doctor --quick\n" in watch
    assert f"ExecStart={ROOT}/.venv/bin/nasti watch\n" in watch
    for unit in (watch, serve):
        assert "Restart=on-failure" in unit and "User=root" in unit and "NASTI_CONFIG=/etc/nasti/config.toml" in unit
        assert "RestartPreventExitStatus=2" in unit
    assert "NASTI_LOG_FILE=/var/log/nasti/serve.log" in serve
    verify = subprocess.run(["systemd-analyze", "verify", *(str(p) for p in (stage / "etc/systemd/system").iterdir())],
                            capture_output=True, text=True)
    assert verify.returncode == 0 and verify.stdout + verify.stderr == "", verify.stderr

    # the server config: the share must be a mount; the doctor says so, then is happy on a plain folder
    cfg = stage / "etc/nasti/config.toml"
    text = cfg.read_text().replace("/var/lib/nasti", str(stage / "var/lib/nasti")).replace(
        "/var/log/nasti", str(stage / "var/log/nasti"))
    cfg.write_text(text)
    c = load(str(cfg))
    assert c.share == share and c.share_require_mount and not c.share_create and c.office.timezone == "Asia/Kolkata"
    share.mkdir(parents=True)
    r = subprocess.run([NASTI, "--config", str(cfg), "doctor", "--quick"], capture_output=True, text=True)
    assert r.returncode == 3 and "not a mount point" in r.stdout, r.stdout
    cfg.write_text(text.replace("require_mount = true", "require_mount = false"))
    r = subprocess.run([NASTI, "--config", str(cfg), "migrate"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    r = subprocess.run([NASTI, "--config", str(cfg), "doctor", "--quick"], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout
    assert (stage / "var/log/nasti/nasti.log").exists()


def test_a_bad_unit_line_fails_the_install(tmp_path: Path) -> None:
    src = tmp_path / "repo"
    src.mkdir()
    subprocess.run(["cp", "-r", str(ROOT / "deploy"), str(src / "deploy")], check=True)
    unit = src / "deploy/systemd/nasti-watch.service"
    unit.write_text(unit.read_text().replace("Restart=on-failure", "Restart=sometimes"))
    r = subprocess.run([str(src / "deploy" / "install-service.sh"), "--prefix", str(ROOT)], capture_output=True,
                       text=True, env={**os.environ, "DESTDIR": str(tmp_path / "root"), "NASTI_USER": "root"})
    assert r.returncode == 1 and "do not verify" in r.stderr and "sometimes" in r.stderr


def test_nasti_log_file_gives_a_second_service_its_own_file(tmp_path: Path) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text('[log]\nfile = "watch.log"\n')
    assert load(str(cfg)).log.file == tmp_path / "watch.log"
    os.environ["NASTI_LOG_FILE"] = str(tmp_path / "serve.log")
    try:
        assert load(str(cfg)).log.file == tmp_path / "serve.log"
    finally:
        del os.environ["NASTI_LOG_FILE"]
