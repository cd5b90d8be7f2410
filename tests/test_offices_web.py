"""Who sees what with many offices: a route × role × office matrix over two offices (and divisions) that both
have a branch 'revenue'; search and documents filtered the same way; the snapshot API over real HTTP."""
from __future__ import annotations

import datetime as dt
import re
import socket
import threading
import time
from pathlib import Path

import pytest
import uvicorn
from sqlalchemy import select
from starlette.testclient import TestClient

from common import config as configmod
from nasti.samples.offices import seed_local_office
from report.snapshot import PushError, push
from report.web.app import create_app
from store import offices as store_offices
from store.db import Store
from store.models import Branch, Document, Office, Page, Snapshot
from store.search.index import index_document
from store.users import create

PASSWORD = "पासवर्ड-1234"
TODAY = dt.date(2026, 11, 25)
WORD = "नामांतरण"
# user: (role, office, branch key, division)
USERS = {
    "head-raj": ("branch_head", "default", "revenue", None), "head-mor": ("branch_head", "morena", "revenue", None),
    "coll-raj": ("collector", "default", None, None), "coll-mor": ("collector", "morena", None, None),
    "com-gwa": ("commissioner", None, None, "gwalior-div"), "com-cha": ("commissioner", None, None, "chambal-div"),
    "state": ("state", None, None, None),
}


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> tuple[configmod.Config, Store, dict[str, int]]:
    from tests.conftest import write_config

    root = tmp_path_factory.mktemp("offices_web")
    (root / "share").mkdir()
    cfg = configmod.load(str(write_config(root, '[office]\nname_en = "Collectorate Rajgarh"\n')))
    store = Store(cfg.store_url)
    ids: dict[str, int] = {}
    with store.session() as s:
        store_offices.add_division(s, "gwalior-div", "ग्वालियर संभाग", "Gwalior Division")
        store_offices.add_division(s, "chambal-div", "चंबल संभाग", "Chambal Division")
        cut = TODAY + dt.timedelta(days=90)
        for key, div in (("default", "gwalior-div"), ("gwalior", "gwalior-div"), ("morena", "chambal-div")):
            seed_local_office(s, key, division=div, cutover=cut, today=TODAY, branches=["revenue"],
                              register_files=8 if key == "morena" else 6, digitised=3, done_this_week=2)
        for key in ("default", "morena"):
            doc = s.scalar(select(Document).join(Office, Office.id == Document.office_id).where(Office.key == key)
                           .order_by(Document.id).limit(1))
            text = f"{WORD} प्रकरण कार्यालय {key}"
            s.add(Page(document_id=doc.id, number=1, text=text, blank=False))
            s.flush()
            index_document(s, doc, [(1, text)])
            ids[key] = doc.id
        for name, (role, office, branch, div) in USERS.items():
            o = s.scalar(select(Office).where(Office.key == office)) if office else None
            b = s.scalar(select(Branch).where(Branch.office_id == o.id, Branch.key == branch)) if branch else None
            d = next((x for x in store_offices.divisions(s) if x.key == div), None)
            create(s, name, role, PASSWORD, b, o, d)
    return cfg, store, ids


def _client(web: tuple, who: str) -> TestClient:
    cfg, store, _ = web
    c = TestClient(create_app(cfg, store), follow_redirects=False)
    token = re.search(r'name="csrf" value="([^"]+)"', c.get("/login").text).group(1)  # type: ignore[union-attr]
    r = c.post("/login", data={"name": who, "password": PASSWORD, "csrf": token})
    assert r.status_code == 303, r.text
    return c


# route → the users who get 200 (everyone else: 403)
MATRIX = {
    "/state": {"state"},
    "/division/gwalior-div": {"com-gwa", "state"},
    "/division/chambal-div": {"com-cha", "state"},
    "/office/default": {"coll-raj", "com-gwa", "state"},
    "/office/morena": {"coll-mor", "com-cha", "state"},
    "/ranking": {"com-gwa", "com-cha", "state"},
    "/ranking?division=chambal-div": {"com-cha", "state"},
    "/document/{default}": {"head-raj", "coll-raj", "com-gwa", "state"},
    "/document/{morena}": {"head-mor", "coll-mor", "com-cha", "state"},
    "/branch/revenue": {"head-raj", "head-mor", "coll-raj", "coll-mor"},   # each their own office's revenue
    "/readiness": {"coll-raj", "coll-mor"},
    "/admin": {"coll-raj"},   # users and registers: this deployment's own office
}


def _cell(n: int, page: str) -> bool:
    """A number cell of the readiness table (the dashboard folds optional columns away on a phone: class "n opt")."""
    return re.search(rf'<td class="n(?: opt)?">{n}</td>', page) is not None


def test_route_role_office_matrix_and_search(monkeypatch: pytest.MonkeyPatch, web: tuple) -> None:
    monkeypatch.setenv("NASTI_SECRET", "test-secret")
    _, _, ids = web
    found = {}
    for who in USERS:
        c = _client(web, who)
        for route, allowed in MATRIX.items():
            r = c.get(route.format(**ids))
            assert r.status_code == (200 if who in allowed else 403), (who, route, r.status_code)
        hits = set(re.findall(r'href="/document/(\d+)"', c.get("/search", params={"q": WORD}).text))
        found[who] = {k for k, i in ids.items() if str(i) in hits}
        if who == "head-mor":   # their revenue is Morena's, not Rajgarh's
            page = c.get("/branch/revenue").text
            assert _cell(8, page) and not _cell(6, page)
        if who in ("coll-mor", "coll-raj"):
            page = c.get("/readiness").text
            assert ("कार्यालय morena" in page) == (who == "coll-mor")
            assert _cell(8, page) == (who == "coll-mor")
        if who == "com-gwa":
            div = c.get("/division/gwalior-div").text
            assert "/office/default" in div and "/office/gwalior" in div and "/office/morena" not in div
            assert c.get("/").headers["location"] == "/division/gwalior-div"
    assert found == {"head-raj": {"default"}, "head-mor": {"morena"}, "coll-raj": {"default"},
                     "coll-mor": {"morena"}, "com-gwa": {"default"}, "com-cha": {"morena"},
                     "state": {"default", "morena"}}


def test_writes_stay_in_the_writers_office(monkeypatch: pytest.MonkeyPatch, web: tuple) -> None:
    monkeypatch.setenv("NASTI_SECRET", "test-secret")
    _, _, ids = web
    c = _client(web, "head-mor")
    token = re.search(r'name="csrf" value="([^"]+)"', c.get("/branch/revenue").text).group(1)  # type: ignore[union-attr]
    r = c.post("/branch/revenue/assign", data={"doc_id": str(ids["default"]), "file_number": "1/2020",
                                               "csrf": token})
    assert r.status_code == 403
    store = web[1]
    c = _client(web, "coll-mor")
    token = re.search(r'name="csrf" value="([^"]+)"', c.get("/readiness").text).group(1)  # type: ignore[union-attr]
    with store.session() as s:
        before = {o.key: o.cutover for o in s.scalars(select(Office))}
    assert c.post("/cutover", data={"cutover": "2027-05-05", "csrf": token}).status_code == 303
    with store.session() as s:
        after = {o.key: o.cutover for o in s.scalars(select(Office))}
        s.scalar(select(Office).where(Office.key == "morena")).cutover = before["morena"]  # as seeded
    assert after == {**before, "morena": dt.date(2027, 5, 5)}   # Morena's own, not this deployment's


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_snapshot_pushed_over_http_with_the_office_key_is_upserted(monkeypatch: pytest.MonkeyPatch,
                                                                     tmp_path: Path) -> None:
    from tests.conftest import write_config

    monkeypatch.setenv("NASTI_SECRET", "test-secret")
    (tmp_path / "share").mkdir()
    cfg = configmod.load(str(write_config(tmp_path)))
    store = Store(cfg.store_url)
    with store.session() as s:
        o = store_offices.add_office(s, "bhind", "भिंड", "Bhind", remote=True)
        key = store_offices.new_key(s, o)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(cfg, store), host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        body = {"office": "bhind", "day": "2026-11-25", "taken_at": "2026-11-25T10:00:00+00:00",
                "branches": [{"branch": "राजस्व", "register_files": 50, "digitised_files": 20, "files_week": 7}]}
        url = f"http://127.0.0.1:{port}"
        with pytest.raises(PushError, match="401"):
            push(url, "wrong-key", body)
        assert push(url, key, body) == {"office": "bhind", "day": "2026-11-25", "created": 1, "updated": 0}
        body["branches"][0]["digitised_files"] = 25
        assert push(url, key, body)["updated"] == 1
        with pytest.raises(PushError, match="400"):
            push(url, key, {**body, "branches": [{"branch": "x", "pages": -1}]})
        with pytest.raises(PushError, match="https"):
            push("http://example.org", key, body)
    finally:
        server.should_exit = True
        thread.join(10)
    with store.session() as s:
        rows = list(s.scalars(select(Snapshot)))
    assert [(r.branch, r.digitised_files, r.day) for r in rows] == [("राजस्व", 25, TODAY)]
