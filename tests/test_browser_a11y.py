"""The dashboard in Chromium at 1366 px and on a 390 px phone: layout, print (one A4 page for 15 branches),
the CSP-safe print button, and an axe-core accessibility check with no serious or critical violation.
Screenshots go to test-output/browser/. axe-core comes from scripts/setup.sh (npm, into git-ignored vendor/)."""
from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.test_browser import ARGS, CHROMIUM, serving
from tests.test_web import (
    PASSWORD,
    fast_hashes,  # noqa: F401  (light argon2 parameters in this module)
    seed_web,
)

playwright_api = pytest.importorskip("playwright.sync_api")
AXE = Path(__file__).resolve().parent.parent / "vendor" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, int]]]:
    from sqlalchemy import select

    from report.web.app import create_app
    from store.models import Branch

    cfg, store, ids = seed_web(tmp_path_factory.mktemp("browser-a11y"))
    with store.session() as s:  # 15 branches in all: what one printed A4 page must hold
        office_id = s.scalar(select(Branch.office_id))
        for i in range(12):
            s.add(Branch(office_id=office_id, key=f"b{i:02d}", code=f"B{i:02d}", name_hi=f"शाखा क्रमांक {i + 1}",
                         name_en=f"Section {i + 1}", configured=True))
    with serving(create_app(cfg, store)) as url:
        yield url, ids


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    assert CHROMIUM.exists(), "Debian chromium not installed (scripts/setup.sh)"
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


@pytest.fixture
def shots(output_dir: Path) -> Path:
    d = output_dir / "browser"
    d.mkdir(exist_ok=True)
    return d


def _login(browser: Any, base: str, name: str, width: int) -> Any:
    # bypass_csp: only so that axe-core can be injected; the CSP itself is checked in tests/test_web_errors.py
    page = browser.new_context(viewport={"width": width, "height": 860 if width > 500 else 844}, locale="hi-IN",
                               bypass_csp=True).new_page()
    page.goto(f"{base}/login")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("form.login button[type=submit]")
    page.wait_for_load_state("networkidle")
    return page


def _axe(page: Any) -> list[str]:
    assert AXE.exists(), f"{AXE} missing: run scripts/setup.sh (npm install axe-core)"
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    result = page.evaluate("""async () => (await axe.run(document, {resultTypes: ['violations']})).violations
        .filter(v => v.impact === 'serious' || v.impact === 'critical')
        .map(v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '))""")
    return list(result)


def test_readiness_at_1366_and_390_prints_on_one_a4_page(server: tuple, browser: Any, shots: Path) -> None:
    import pikepdf

    base, _ = server
    wide = _login(browser, base, "collector", 1366)
    assert wide.locator("table.readiness tbody tr").count() == 16  # 15 branches + total
    wide.screenshot(path=str(shots / "readiness-1366.png"), full_page=True)
    assert _axe(wide) == []
    wide.emulate_media(media="print")
    pdf = wide.pdf(format="A4", landscape=True, print_background=True)
    (shots / "readiness-print.pdf").write_bytes(pdf)
    assert len(pikepdf.open(io.BytesIO(pdf)).pages) == 1
    wide.close()
    phone = _login(browser, base, "collector", 390)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling of the page
    for i in (1, 2, 3):  # branch, status, projection stay on screen
        box = phone.locator(f"table.readiness thead th:nth-child({i})").bounding_box()
        assert box and box["x"] + box["width"] <= 390, (i, box)
    assert phone.locator("table.readiness thead th.opt").first.is_hidden()
    phone.screenshot(path=str(shots / "readiness-390.png"), full_page=True)
    assert _axe(phone) == []
    phone.close()


def test_phone_pages_and_accessibility(server: tuple, browser: Any, shots: Path) -> None:
    base, ids = server
    page = _login(browser, base, "collector", 390)
    for path, name in (("/admin", "admin"), ("/audit", "audit"), (f"/document/{ids['review']}", "document"),
                       ("/search?q=भू-अर्जन", "search")):
        page.goto(base + path)
        page.wait_for_load_state("networkidle")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
        page.screenshot(path=str(shots / f"{name}-390.png"), full_page=True)
        assert _axe(page) == [], path
    assert page.locator("ol.hits mark").count() >= 1
    page.close()
    head = _login(browser, base, "head", 1366)
    head.screenshot(path=str(shots / "branch-head-1366.png"), full_page=True)
    assert _axe(head) == []
    head.goto(f"{base}/document/²")
    assert "दस्तावेज़ क्रमांक मान्य नहीं" in head.content()
    head.screenshot(path=str(shots / "error-400-1366.png"))
    head.close()
    anon = browser.new_context(viewport={"width": 390, "height": 844}, bypass_csp=True).new_page()
    anon.goto(f"{base}/login")
    assert _axe(anon) == []
    anon.screenshot(path=str(shots / "login-390.png"))
    anon.close()
