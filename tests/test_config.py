"""Configuration: strict keys, relative paths, NASTI_CONFIG, exit codes."""
from __future__ import annotations

import json
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


@pytest.mark.parametrize(("body", "key", "expected"), [
    ('[ocr]\nworkers = "four"\n', "ocr.workers", "whole number"),
    ('[ocr]\npage_timeout = "3 minutes"\n', "ocr.page_timeout", "number > 0"),
    ('[ocr]\nworkers = -1\n', "ocr.workers", "≥ 0"),
    ('[ocr]\ndpi = true\n', "ocr.dpi", "whole number"),
    ('[tags]\nmin_confidence = 150\n', "tags.min_confidence", "≤ 100"),
    ('[share]\ncreate = "yes"\n', "share.create", "true or false"),
    ('[store]\nurl = "nasti.db"\n', "store.url", "database URL"),
    ('[office]\ntimezone = "India"\n', "office.timezone", "time zone"),
    ('[log]\nlevel = "loud"\n', "log.level", "debug, error, info, warning"),
    ('[branches.revenue]\ncode = 7\n', "branches.revenue.code", "text"),
])
def test_every_value_is_type_checked_at_load_naming_the_key(tmp_path: Path, body: str, key: str,
                                                            expected: str) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text(body, encoding="utf-8")
    with pytest.raises(ConfigError, match=expected) as e:
        load(str(cfg))
    assert f"'{key}'" in str(e.value)


def test_a_bad_value_exits_2_with_one_line_naming_the_key(tmp_path: Path) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text('[ocr]\nworkers = "four"\n')
    r = subprocess.run([NASTI, "--config", str(cfg), "watch", "--once"], capture_output=True, text=True)
    assert r.returncode == 2
    assert "ocr.workers" in r.stderr and "'four'" in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "var").exists()  # nothing was created


def test_integers_for_float_keys_and_good_values_load(tmp_path: Path) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text('[ocr]\npage_timeout = 60\nworkers = 2\n[office]\ntimezone = "Asia/Kolkata"\n'
                   '[log]\nfile = "log/nasti.log"\nlevel = "debug"\nmax_mb = 5\nbackups = 3\n'
                   '[share]\ncreate = true\nrequire_mount = false\n')
    c = load(str(cfg))
    assert c.ocr.page_timeout == 60.0 and isinstance(c.ocr.page_timeout, float)
    assert c.log.file == tmp_path / "log" / "nasti.log" and c.log.backups == 3
    assert c.share_create and not c.share_require_mount


def test_no_config_found_is_an_error_saying_where_it_looked(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "NASTI_CONFIG"}
    r = subprocess.run([NASTI, "status"], capture_output=True, text=True, cwd=tmp_path, env=env)
    assert r.returncode == 2
    assert "कॉन्फ़िगरेशन फ़ाइल नहीं मिली" in r.stderr and "no config file found" in r.stderr
    assert str(tmp_path / "config.toml") in r.stderr and "--config" in r.stderr and "NASTI_CONFIG" in r.stderr
    assert list(tmp_path.iterdir()) == []  # no database, no share created
    (tmp_path / "config.toml").write_text('[store]\nurl = "sqlite:///here.db"\n')
    r = subprocess.run([NASTI, "status", "--json"], capture_output=True, text=True, cwd=tmp_path, env=env)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "here.db").exists()


def test_all_problems_are_reported_at_once(tmp_path: Path) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text('[ocr]\nworkers = "four"\npage_timeout = "3 minutes"\n[watch]\nspeed = 1\n')
    with pytest.raises(ConfigError) as e:
        load(str(cfg))
    assert len(e.value.problems) == 3 and str(e.value).startswith("3 config problems: ")
    assert "\n" not in str(e.value)
    for key in ("'ocr.workers'", "'ocr.page_timeout'", "'watch.speed'"):
        assert key in str(e.value)
    r = subprocess.run([NASTI, "--config", str(cfg), "doctor", "--json"], capture_output=True, text=True)
    assert r.returncode == 2
    assert [c["status"] for c in json.loads(r.stdout)["checks"]] == ["fail"] * 3


@pytest.mark.parametrize(("body", "key"), [
    ("[ocr]\npage_timeout = nan\n", "ocr.page_timeout"),
    ("[tags]\nfuzzy_threshold = nan\n", "tags.fuzzy_threshold"),
    ("[log]\nmax_mb = nan\n", "log.max_mb"),
    ("[watch]\nquiet_seconds = -nan\n", "watch.quiet_seconds"),
])
def test_nan_is_not_a_number_of_seconds_or_a_score(tmp_path: Path, body: str, key: str) -> None:
    """TOML's nan compares false with every bound, so a range check alone lets it through."""
    cfg = tmp_path / "c.toml"
    cfg.write_text(body, encoding="utf-8")
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
        load(str(cfg))


@pytest.mark.parametrize("url", ["sqlite://nasti.db", "sqlite:/var/nasti.db", "sqlite:nasti.db"])
def test_a_sqlite_url_without_three_slashes_is_a_config_error(tmp_path: Path, url: str) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text(f'[store]\nurl = "{url}"\n', encoding="utf-8")
    r = subprocess.run([NASTI, "--config", str(cfg), "status"], capture_output=True, text=True)
    assert r.returncode == 2 and "store.url" in r.stderr and "sqlite:///" in r.stderr, r.stderr


BAADH_TYPED = "बा\u095d"          # बाढ़ as some keyboards type it: the precomposed ढ़ (U+095D)
BAADH = "बा\u0922\u093c"          # NFC: ढ + nukta, as nasti names a share folder


def test_a_branch_key_typed_with_a_precomposed_nukta_is_the_share_folders_branch(tmp_path: Path) -> None:
    """[branches."बाढ़"] written with U+095D is the branch of share/बाढ़/ (NFC); --branch either way finds it, and
    an unknown one is never reported as 'unknown branch बाढ़; branches: बाढ़'."""
    cfg = tmp_path / "c.toml"
    cfg.write_text(f'[share]\npath = "share"\ncreate = true\n[store]\nurl = "sqlite:///n.db"\n[archive]\npath = "a"\n'
                   f'[branches."{BAADH_TYPED}"]\ncode = "BAD"\nname_hi = "बाढ़ राहत शाखा"\nname_en = "Flood relief"\n',
                   encoding="utf-8")
    assert list(load(str(cfg)).branches) == [BAADH]
    register = tmp_path / "r.csv"
    register.write_text("File No.,Subject\n1/2/2020-BAD,x\n", encoding="utf-8")
    for typed in (BAADH_TYPED, BAADH):
        r = subprocess.run([NASTI, "--config", str(cfg), "register", "import", str(register), "--branch", typed],
                           capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        r = subprocess.run([NASTI, "--config", str(cfg), "register", "list", "--branch", typed, "--json"],
                           capture_output=True, text=True)
        assert r.returncode == 0 and [x["branch"] for x in json.loads(r.stdout)] == [BAADH], r.stderr
        r = subprocess.run([NASTI, "--config", str(cfg), "documents", "--branch", typed, "--json"],
                           capture_output=True, text=True)
        assert r.returncode == 0 and json.loads(r.stdout) == [], r.stderr


def test_an_unquoted_hindi_branch_key_says_to_quote_it(tmp_path: Path) -> None:
    """TOML allows only A-Z a-z 0-9 _ - in a bare key: [branches.भू-अभिलेख] must be written [branches."भू-अभिलेख"]."""
    cfg = tmp_path / "c.toml"
    cfg.write_text('[branches.भू-अभिलेख]\nname_hi = "भू-अभिलेख शाखा"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r'\[branches\."भू-अभिलेख"\]'):
        load(str(cfg))


@pytest.mark.parametrize(("extra", "key"), [
    ('[archive]\npath = "share/archive"\n', "archive.path"),
    ('[store]\nurl = "sqlite:///share/nasti.db"\n', "store.url"),
    ('[log]\nfile = "share/revenue/nasti.log"\n', "log.file"),
    ('[archive]\npath = "."\n', "archive.path"),
])
def test_nothing_nasti_writes_may_live_inside_the_share(tmp_path: Path, extra: str, key: str) -> None:
    """An archive inside the share was watched as new drops: its originals were 'duplicates' moved to _rejected/
    (out of the archive) and its searchable PDFs digitised again, for ever. The same for the database and the log.
    A share inside the archive (archive '.') is as bad."""
    cfg = tmp_path / "c.toml"
    base = {"archive": '[archive]\npath = "var/archive"\n', "store": '[store]\nurl = "sqlite:///var/n.db"\n'}
    section = extra.split("]")[0].lstrip("[")
    base[section] = extra
    cfg.write_text('[share]\npath = "share"\n' + "".join(base.values()), encoding="utf-8")
    with pytest.raises(ConfigError, match=key.replace(".", r"\.") + ".*share"):
        load(str(cfg))
    r = subprocess.run([NASTI, "--config", str(cfg), "status"], capture_output=True, text=True)
    assert r.returncode == 2 and key in r.stderr, r.stderr


def test_a_config_saved_by_windows_notepad_loads_or_is_explained(tmp_path: Path) -> None:
    """Notepad's 'UTF-8 with BOM' was 'Invalid statement (at line 1, column 1)'; its 'Unicode' (UTF-16) and a
    folder given for the file are explained, not a codec or errno message."""
    body = '[office]\nname_hi = "कलेक्टर कार्यालय"\n'
    bom = tmp_path / "bom.toml"
    bom.write_bytes(b"\xef\xbb\xbf" + body.replace("\n", "\r\n").encode())
    assert load(str(bom)).office.name_hi == "कलेक्टर कार्यालय"
    utf16 = tmp_path / "utf16.toml"
    utf16.write_text(body, encoding="utf-16")
    with pytest.raises(ConfigError, match="UTF-8") as e:
        load(str(utf16))
    assert "codec" not in str(e.value)
    with pytest.raises(ConfigError, match="is a folder") as e:
        load(str(tmp_path))
    assert "Errno" not in str(e.value)
