"""CLI tables in a real terminal: Devanagari measured as tmux (and glibc's wcwidth: xterm, VTE) draws it, borders that
line up in an 80-column window in Hindi and English, numbers never squeezed away; bad filters are errors."""
from __future__ import annotations

import subprocess
import time
import unicodedata
from pathlib import Path

import pytest
from rich.cells import cell_len

from nasti.tables import Col, build
from nasti.textwidth import display_width, install
from store.db import Store
from store.models import Branch, Document, Office
from tests import conftest
from tests.conftest import NASTI
from tests.terminal import window
from tests.test_readiness import seed

WORDS = ["क", "का", "कि", "की", "कु", "क्", "कं", "कँ", "कः", "क़", "कॉ", "कार्यालय", "प्रशासन", "स्थापना शाखा",
         "दस्तावेज़", "राजस्व शाखा", "क्ष", "श्र", "ज्ञ", "हिन्दी", "ॐ", "।", "०१२", "क्‌ष", "रिक्त पृष्ठ",
         "प्रक्रिया में", "भू-अभिलेख", "नस्तियाँ", "अनुमानित पूर्णता", "क्रमांक/३७८/राज./२०१७"]
BOX = "┏┃┡│├└┗"


def _tmux(cmd: str, width: int, height: int = 100, done: str = "__END__", timeout: float = 60) -> list[str]:
    """Run ``cmd`` in a detached tmux window of ``width`` columns; the screen once ``done`` is printed."""
    with window("nasti-t", f"{cmd}; echo {done}; sleep 60", width, height) as win:
        deadline = time.monotonic() + timeout
        while True:
            screen = win.screen(height)
            if done in screen or time.monotonic() > deadline:
                return screen.splitlines()
            time.sleep(0.2)


def _tmux_widths(lines: list[str], tmp: Path) -> list[int]:
    """How many cells tmux advances the cursor for each line (printed alone in a 300-column window)."""
    src, out = tmp / "lines.txt", tmp / "widths.txt"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out.unlink(missing_ok=True)
    script = (f"while IFS= read -r l; do printf '\\r\\033[2K%s' \"$l\"; sleep 0.08; "
              f"tmux -L {{name}} display -p -t {{name}} '#{{cursor_x}}' >> {out}; done < {src}; echo; "
              "echo __END__; sleep 60")
    with window("nasti-w", f"LANG=C.UTF-8 bash -c {_quote(script)}", 300, 5):
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if out.exists() and len(out.read_text().split()) >= len(lines):
                break
            time.sleep(0.2)
        return [int(x) for x in out.read_text().split()]


def _quote(s: str) -> str:
    return "'" + s.replace("'", "'\\''") + "'"


def test_the_width_rule_is_how_tmux_draws_devanagari(tmp_path: Path) -> None:
    assert _tmux_widths(WORDS, tmp_path) == [display_width(w) for w in WORDS]
    assert display_width("कार्यालय") == 7 and display_width("स्थापना शाखा") == 11


def test_rich_measures_with_the_same_rule() -> None:
    install()
    for cp in range(0x0900, 0x0980):
        ch = chr(cp)
        if unicodedata.category(ch) != "Cn":
            assert cell_len("क" + ch) == display_width("क" + ch), hex(cp)
    for w in WORDS:
        assert cell_len(w) == display_width(w), w


def test_numbers_keep_their_width_and_columns_drop_least_useful_first() -> None:
    cols = [Col("name", "शाखा"), Col("a", "पंजी में नस्तियाँ", numeric=True, keep=8),
            Col("b", "रिक्त पृष्ठ", numeric=True, keep=1), Col("c", "आज", numeric=True, keep=2)]
    rows = [{"name": "अभिलेखागार / रिकॉर्ड रूम", "a": "123456", "b": "7", "c": "8"}]
    _, dropped = build(cols, rows, 30)
    assert [c.key for c in dropped] == ["b"]
    _, dropped = build(cols, rows, 200)
    assert dropped == []


@pytest.fixture(scope="module")
def hindi_office(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hindi")
    cfg = seed(root)
    store = Store(cfg.store_url)
    with store.session() as s:
        office = s.query(Office).one()
        extra = [("landrecords", "भू-अभिलेख शाखा", "Land Records"), ("recordroom", "अभिलेखागार / रिकॉर्ड रूम",
                 "Record Room"), ("egov", "ई-गवर्नेंस", "e-Governance"), ("food", "खाद्य शाखा", "Food")]
        for i, (key, hi, en) in enumerate(extra):
            b = Branch(office_id=office.id, key=key, code=key[:3].upper(), name_hi=hi, name_en=en, configured=False)
            s.add(b)
            s.flush()
            for j in range(3):
                s.add(Document(office_id=office.id, branch_id=b.id, source=f"{key}/नामांतरण प्रकरण क्रमांक {j}.pdf",
                               share_path=f"{key}/{j}.pdf", sha256=f"{i}{j}".ljust(64, "b"), status="done",
                               pages=123456, blank_pages=1234, file_number=f"क्रमांक/३७{j}/राज./२०१७",
                               confidence=87.5))
    store.close()
    return root


@pytest.mark.parametrize("args", [("status", "--lang", "hi"), ("status", "--lang", "en"),
                                  ("readiness", "--as-of", "2026-11-25", "--lang", "hi"),
                                  ("readiness", "--as-of", "2026-11-25", "--lang", "en"),
                                  ("documents", "--lang", "hi", "--branch", "recordroom"),
                                  ("rejected", "--lang", "hi"), ("review", "--lang", "hi")])
def test_tables_line_up_in_an_80_column_terminal(hindi_office: Path, tmp_path: Path, args: tuple[str, ...]) -> None:
    screen = _tmux(f"cd {hindi_office} && {NASTI} --config config.toml {' '.join(args)}", 80)
    top = next(i for i, x in enumerate(screen) if x.startswith("┏"))
    bottom = next(i for i, x in enumerate(screen) if x.startswith("└"))
    table = screen[top:bottom + 1]
    assert all(x[:1] in BOX for x in table), "\n".join(table)  # no row wrapped onto a second screen line
    widths = _tmux_widths(table, tmp_path)
    assert len(set(widths)) == 1 and widths[0] <= 80, list(zip(widths, table, strict=True))
    if args[0] == "status":
        assert any("123456" in x or "370368" in x for x in table)  # numbers whole, never squeezed to nothing
    if args[0] == "readiness":
        assert any("20/01/2027" in x for x in table) and any(" 40 " in x for x in table)


def test_unknown_branch_or_status_is_an_error_listing_the_valid_ones(hindi_office: Path) -> None:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([NASTI, "--config", str(hindi_office / "config.toml"), *args], capture_output=True,
                              text=True)

    for args in (("documents", "--branch", "revnue"), ("rejected", "--branch", "revnue"),
                 ("search", "x", "--branch", "revnue"), ("review", "--branch", "revnue"),
                 ("register", "list", "--branch", "revnue")):
        r = run(*args)
        assert r.returncode == 2, (args, r.stderr)
        assert "unknown branch 'revnue'" in r.stderr and "revenue" in r.stderr and "recordroom" in r.stderr
    r = run("documents", "--status", "finished")
    assert r.returncode == 2 and "received, processing, done, rejected, duplicate, failed" in r.stderr
    r = run("status", "--lang", "fr")
    assert r.returncode == 2 and "hi" in r.stderr


def test_version_and_help_a_branch_head_can_follow() -> None:
    from importlib.metadata import version

    r = subprocess.run([NASTI, "--version"], capture_output=True, text=True)
    assert r.returncode == 0 and r.stdout.strip() == f"nasti {version('nasti')}"
    for args in ((), ("documents",), ("readiness",), ("status",), ("doctor",), ("rejected",)):
        h = subprocess.run([NASTI, *args, "--help"], capture_output=True, text=True, env={"COLUMNS": "100",
                                                                                        "PATH": "/usr/bin:/bin"})
        assert h.returncode == 0 and "DESIGN" not in h.stdout, args
    top = subprocess.run([NASTI, "--help"], capture_output=True, text=True).stdout
    assert "Exit codes" in top and "doctor" in top and "migrate" in top


def test_log_flags_combined_after_the_command_and_a_limit_below_one(office: conftest.Office) -> None:
    """`nasti status -vv` / `-qv` said 'No such option: -v'; `documents --limit 0` and `--limit -1` listed every
    document."""
    for args in (("status", "-vvvv"), ("status", "-qv"), ("documents", "-vq", "--json")):
        r = office.run(*args, check=False)
        assert r.returncode == 0, (args, r.stderr)
    for limit in ("0", "-1"):
        r = office.run("documents", "--limit", limit, check=False)
        assert r.returncode == 2 and "limit" in r.stderr, r.stderr
