"""The dashboard in a real browser (Playwright driving Debian's Chromium): each role logs in, reads its page,
searches in Hindi, assigns a review item, switches language; screenshots go to test-output/browser/."""
from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.test_web import (
    PASSWORD,
    fast_hashes,  # noqa: F401  (light argon2 parameters in this module)
    seed_web,
)

CHROMIUM = Path("/usr/bin/chromium")
playwright_api = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed (scripts/setup.sh)")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def serving(app: object) -> Iterator[str]:
    """The dashboard on a free loopback port in a thread (uvicorn), for a real browser; its base URL."""
    import uvicorn

    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))  # type: ignore[arg-type]
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert srv.started, "uvicorn did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        thread.join(10)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, int]]]:
    import os

    from report.web.app import create_app

    os.environ.setdefault("NASTI_SECRET", "browser-test-secret")
    cfg, store, ids = seed_web(tmp_path_factory.mktemp("browser"))
    with serving(create_app(cfg, store)) as url:
        yield url, ids


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


@pytest.fixture
def shots(output_dir: Path) -> Path:
    d = output_dir / "browser"
    d.mkdir(exist_ok=True)
    return d


def _login(browser: object, base: str, name: str) -> object:
    page = browser.new_page(viewport={"width": 1400, "height": 900}, locale="hi-IN")  # type: ignore[attr-defined]
    page.goto(f"{base}/login")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("form.login button[type=submit]")
    page.wait_for_load_state("networkidle")
    return page


def test_collector_readiness_hi_en_and_print(server: tuple, browser: object, shots: Path) -> None:
    base, _ = server
    page = _login(browser, base, "collector")
    assert page.url.endswith("/readiness")
    assert page.locator("h1").inner_text().startswith("तैयारी रिपोर्ट")
    assert page.locator("table.readiness tbody tr").count() == 4  # 3 branches + total
    assert page.locator("svg.burndown polyline.remaining").count() == 1
    assert page.evaluate("document.fonts.check('16px NastiDeva')")
    page.screenshot(path=str(shots / "collector-readiness-hi.png"), full_page=True)
    page.click("a.lang")
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text().startswith("Readiness report")
    page.screenshot(path=str(shots / "collector-readiness-en.png"), full_page=True)
    page.emulate_media(media="print")
    assert not page.locator("form.cutover").is_visible()  # the print stylesheet hides the forms
    page.screenshot(path=str(shots / "collector-readiness-print.png"), full_page=True)
    page.close()


def test_branch_head_assigns_and_is_kept_out(server: tuple, browser: object, shots: Path) -> None:
    base, _ = server
    page = _login(browser, base, "head")
    assert page.url.endswith("/branch/revenue")
    assert page.locator("table.review tbody tr").count() == 1
    page.screenshot(path=str(shots / "branch-head-hi.png"), full_page=True)
    page.fill("table.review input[name=file_number]", "revenue/0/2019")
    page.click("table.review button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "नस्ती क्रमांक नहीं मिला" not in page.content()
    response = page.goto(f"{base}/branch/establishment")
    assert response.status == 403
    page.screenshot(path=str(shots / "branch-head-403.png"))
    page.close()


def test_search_in_hindi(server: tuple, browser: object, shots: Path) -> None:
    base, _ = server
    page = _login(browser, base, "head")
    page.goto(f"{base}/search")
    page.fill("input[name=q]", "भू-अर्जन")
    page.press("input[name=q]", "Enter")
    page.wait_for_load_state("networkidle")
    assert page.locator("ol.hits li").count() == 1
    page.screenshot(path=str(shots / "search-hi.png"), full_page=True)
    page.click("ol.hits li a")
    page.wait_for_load_state("networkidle")
    assert "भू-अर्जन प्रकरण" in page.locator("section.page pre").inner_text()
    page.screenshot(path=str(shots / "document-hi.png"), full_page=True)
    page.close()


def test_clerk_outcomes(server: tuple, browser: object, shots: Path) -> None:
    base, _ = server
    page = _login(browser, base, "clerk")
    assert page.url.endswith("/outcomes")
    assert "यह PDF या चित्र नहीं है" in page.content()
    page.screenshot(path=str(shots / "clerk-outcomes-hi.png"), full_page=True)
    assert page.goto(f"{base}/readiness").status == 403
    page.close()
