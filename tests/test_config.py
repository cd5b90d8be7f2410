"""Configuration: strict keys, relative paths, NASTI_CONFIG, exit codes."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from common.config import ConfigError, load
from tests.conftest import NASTI


def test_relative_paths_resolve_against_the_config_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = tmp_path / "office" / "nasti.toml"
    cfg.parent.mkdir()
    cfg.write_text('[share]\npath = "drop"\n[store]\nurl = "sqlite:///db/n.db"\n[archive]\npath = "arc"\n')
    monkeypatch.chdir(tmp_path)
    c = load(str(cfg))
    assert c.share == cfg.parent / "drop"
    assert c.archive == cfg.parent / "arc"
    assert c.store_url == f"sqlite:///{cfg.parent / 'db' / 'n.db'}"
    assert c.ocr.languages == "Devanagari"


def test_unknown_key_is_an_error_naming_the_key(tmp_path: Path) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text('[ocr]\nlanguage = "hin"\n')
    with pytest.raises(ConfigError, match=r"ocr\.language"):
        load(str(cfg))
    r = subprocess.run([NASTI, "--config", str(cfg), "status"], capture_output=True, text=True)
    assert r.returncode == 2
    assert "ocr.language" in r.stderr


def test_nasti_config_env_selects_the_file(tmp_path: Path) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text('[store]\nurl = "sqlite:///env.db"\n')
    r = subprocess.run([NASTI, "status", "--json"], capture_output=True, text=True, cwd="/",
                       env={**os.environ, "NASTI_CONFIG": str(cfg)})
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "env.db").exists()


def test_bad_choice_and_bad_date_are_explained(tmp_path: Path) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text('[watch]\nmode = "fast"\n')
    with pytest.raises(ConfigError, match="auto, native, polling"):
        load(str(cfg))
    cfg.write_text('[office]\ncutover = "01/04/2027"\n')
    with pytest.raises(ConfigError, match="YYYY-MM-DD"):
        load(str(cfg))


def test_unknown_command_exits_2(office) -> None:
    assert office.run("no-such-command", check=False).returncode == 2
