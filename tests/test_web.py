"""The dashboard over HTTP (Starlette TestClient): login, cookies, CSRF, and every permission boundary."""
from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select
from starlette.testclient import TestClient

from common import config as configmod
from report.web.app import create_app
from store.db import Store
from store.models import Branch, Document, Page
from store.search.index import index_document
from store.users import create
from tests.test_readiness import seed

PASSWORD = "पासवर्ड-1234"
# Real argon2id with light parameters: on a loaded 2-core CI machine the default costs 0.5 s a hash, and these tests
# log in dozens of times. Production keeps argon2's defaults (store/users.py).
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1)


@pytest.fixture(autouse=True, scope="module")
def fast_hashes() -> Iterator[None]:
    """Import this fixture into a test module to use FAST_HASHER there."""
    from store import users

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(users, "_hasher", FAST_HASHER)
        yield
USERS = {"clerk": ("clerk", "revenue"), "head": ("branch_head", "revenue"), "esthead": ("branch_head",
         "establishment"), "collector": ("collector", None)}


def seed_web(tmp_path: Path) -> tuple[configmod.Config, Store, dict[str, int]]:
    """The readiness seed plus one user per role, a review item with page text (indexed), reasons in both
    languages; returns (config, store, {review, rejected, est} document ids)."""
    cfg = seed(tmp_path)
    store = Store(cfg.store_url)
    ids: dict[str, int] = {}
    with store.session() as s:
        branches = {b.key: b for b in s.scalars(select(Branch))}
        for name, (role, key) in USERS.items():
            create(s, name, role, PASSWORD, branches[key] if key else None)
        review = s.scalar(select(Document).where(Document.needs_review.is_(True)))
        review.reason, review.reason_hi, review.file_number = "no file number", "नस्ती क्रमांक नहीं मिला", None
        s.add(Page(document_id=review.id, number=1, text="भू-अर्जन प्रकरण कार्यालय कलेक्टर राजगढ़", blank=False))
        s.flush()
        index_document(s, review, [(1, "भू-अर्जन प्रकरण कार्यालय कलेक्टर राजगढ़")])
        rejected = s.scalar(select(Document).where(Document.status == "rejected"))
        rejected.reason, rejected.reason_hi = "not a PDF or image", "यह PDF या चित्र नहीं है"
        est = s.scalar(select(Document).join(Branch).where(Branch.key == "establishment"))
        ids = {"review": review.id, "rejected": rejected.id, "est": est.id}
    return cfg, store, ids


@pytest.fixture
def web(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[configmod.Config, Store, dict[str, int]]:
    monkeypatch.setenv("NASTI_SECRET", "test-secret")
    return seed_web(tmp_path)


def client(web: tuple, who: str | None = None) -> TestClient:
    cfg, store, _ = web
    c = TestClient(create_app(cfg, store), follow_redirects=False)
    if who:
        r = c.post("/login", data={"name": who, "password": PASSWORD, "csrf": csrf(c, "/login")})
        assert r.status_code == 303, r.text
    return c


def csrf(c: TestClient, path: str) -> str:
    m = re.search(r'name="csrf" value="([^"]+)"', c.get(path).text)
    assert m, path
    return m.group(1)


def test_login_cookie_and_bad_password(web: tuple) -> None:
    c = client(web)
    assert c.get("/readiness").headers["location"] == "/login"
    token = csrf(c, "/login")
    assert c.post("/login", data={"name": "head", "password": "wrong", "csrf": token}).status_code == 401
    assert c.post("/login", data={"name": "nobody", "password": PASSWORD, "csrf": token}).status_code == 401
    assert c.post("/login", data={"name": "head", "password": PASSWORD}).status_code == 403  # no CSRF token
    r = c.post("/login", data={"name": "head", "password": PASSWORD, "csrf": token})
    assert r.status_code == 303
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    assert c.get("/").headers["location"] == "/branch/revenue"
    assert c.post("/logout", data={}).status_code == 403  # logout needs the token too
    assert c.post("/logout", data={"csrf": csrf(c, "/search")}).status_code == 303
    assert c.get("/branch/revenue").status_code == 303


def test_collector_sees_everything(web: tuple) -> None:
    c = client(web, "collector")
    r = c.get("/readiness")
    assert r.status_code == 200
    for text in ("राजस्व शाखा", "स्थापना शाखा", "<svg", "31/01/2027", "/static/nasti.css"):
        assert text in r.text
    assert c.get("/branch/establishment").status_code == 200 and c.get("/branch/revenue").status_code == 200
    assert c.get("/branch/nowhere").status_code == 404
    _, _, ids = web
    assert c.get(f"/document/{ids['est']}").status_code == 200
    token = csrf(c, "/readiness")
    assert c.post("/cutover", data={"branch": "revenue", "cutover": "2027-03-31"}).status_code == 403
    assert c.post("/cutover", data={"branch": "revenue", "cutover": "2027-03-31", "csrf": token}).status_code == 303
    assert "31/03/2027" in c.get("/branch/revenue").text


def test_branch_head_only_their_branch(web: tuple) -> None:
    _, _, ids = web
    c = client(web, "head")
    page = c.get("/branch/revenue")
    assert page.status_code == 200
    assert "नस्ती क्रमांक नहीं मिला" in page.text and "यह PDF या चित्र नहीं है" in page.text  # review + rejected
    assert "revenue/0/2019" in page.text  # the register
    for path in ("/branch/establishment", "/readiness", f"/document/{ids['est']}", f"/document/{ids['est']}/pdf"):
        assert c.get(path).status_code == 403, path
    token = csrf(c, "/branch/revenue")
    assert c.post("/cutover", data={"branch": "revenue", "cutover": "2027-03-31", "csrf": token}).status_code == 403
    assert c.post("/branch/establishment/assign", data={"doc_id": ids["est"], "file_number": "1/2",
                                                        "csrf": token}).status_code == 403
    assert c.post("/branch/revenue/assign", data={"doc_id": ids["est"], "file_number": "1/2",
                                                  "csrf": token}).status_code == 403  # another branch's document
    assert c.post("/branch/revenue/assign", data={"doc_id": ids["review"], "file_number": "revenue/0/2019"}
                  ).status_code == 403  # no CSRF token
    r = c.post("/branch/revenue/assign", data={"doc_id": ids["review"], "file_number": "revenue/०/2019",
                                               "csrf": token})
    assert r.status_code == 303
    doc = c.get(f"/document/{ids['review']}").text
    assert "revenue/0/2019" in doc and "समीक्षा:" in doc and "head" in doc  # the audited event names the head
    assert "नस्ती क्रमांक नहीं मिला" not in c.get("/branch/revenue").text


def test_clerk_sees_outcomes_only(web: tuple) -> None:
    _, _, ids = web
    c = client(web, "clerk")
    assert c.get("/").headers["location"] == "/outcomes"
    r = c.get("/outcomes")
    assert r.status_code == 200 and "यह PDF या चित्र नहीं है" in r.text and "not a PDF or image" in r.text
    for path in ("/branch/revenue", "/branch/establishment", "/readiness", f"/document/{ids['est']}"):
        assert c.get(path).status_code == 403, path
    assert c.get(f"/document/{ids['rejected']}").status_code == 200
    token = csrf(c, "/outcomes")
    assert c.post("/branch/revenue/assign", data={"doc_id": ids["review"], "file_number": "1/2",
                                                  "csrf": token}).status_code == 403


def test_search_hindi_and_branch_scope(web: tuple) -> None:
    _, _, ids = web
    for who, found in (("collector", True), ("head", True), ("esthead", False)):
        r = client(web, who).get("/search", params={"q": "भू-अर्जन"})
        assert r.status_code == 200
        assert (f'href="/document/{ids["review"]}"' in r.text) is found, who


def test_language_toggle_font_and_print(web: tuple) -> None:
    c = client(web, "collector")
    assert "तैयारी रिपोर्ट" in c.get("/readiness").text  # default language from config: hi
    c.get("/lang/en")
    en = c.get("/readiness").text
    assert "Readiness report" in en and "Revenue" in en
    font = c.get("/font/devanagari.ttf")
    assert font.status_code == 200 and font.headers["content-type"] == "font/ttf" and len(font.content) > 10_000
    css = c.get("/static/nasti.css").text
    assert "@media print" in css and "/font/devanagari.ttf" in css and "http" not in css
    assert "http://" not in en.replace("http://www.w3.org/2000/svg", "")  # no CDN


def test_collector_manages_users_and_imports_a_register(web: tuple, tmp_path: Path) -> None:
    c = client(web, "collector")
    token = csrf(c, "/admin")
    assert "head" in c.get("/admin").text
    assert c.post("/admin/users", data={"name": "नई", "role": "clerk", "branch": "nazul", "password": PASSWORD}
                  ).status_code == 403  # no CSRF token
    r = c.post("/admin/users", data={"name": "नई", "role": "clerk", "branch": "nazul", "password": PASSWORD,
                                     "csrf": token})
    assert r.status_code == 200 and "नई" in r.text
    assert client(web, "नई").get("/").headers["location"] == "/outcomes"
    bad = c.post("/admin/users", data={"name": "x", "role": "clerk", "password": PASSWORD, "csrf": token})
    assert bad.status_code == 400  # a clerk needs a branch
    csv_bytes = "नस्ती क्रमांक,विषय,वर्ष\nक्र./नजूल/2020/11,पट्टा नवीनीकरण,2020\nNZL-12/2021,भूमि आवंटन,2021\n".encode()
    r = c.post("/admin/register", data={"branch": "nazul", "csrf": token},
               files={"file": ("register.csv", csv_bytes, "text/csv")})
    assert r.status_code == 200 and "2 नई" in r.text, r.text
    assert "पट्टा नवीनीकरण" in c.get("/branch/nazul").text
    assert c.post("/admin/register", data={"branch": "nazul"},
                  files={"file": ("register.csv", csv_bytes, "text/csv")}).status_code == 403
    head = client(web, "head")
    assert head.get("/admin").status_code == 403
    token = csrf(head, "/search")
    assert head.post("/admin/users", data={"name": "y", "role": "collector", "password": PASSWORD,
                                           "csrf": token}).status_code == 403
    assert head.post("/admin/register", data={"branch": "revenue", "csrf": token},
                     files={"file": ("register.csv", csv_bytes, "text/csv")}).status_code == 403


def test_dashboard_cutover_survives_config_sync(web: tuple) -> None:
    from store import repo

    cfg, store, _ = web
    c = client(web, "collector")
    token = csrf(c, "/readiness")
    assert c.post("/cutover", data={"branch": "nazul", "cutover": "2027-02-28", "csrf": token}).status_code == 303
    assert c.post("/cutover", data={"branch": "", "cutover": "2027-06-30", "csrf": token}).status_code == 303
    with store.session() as s:  # what the watcher does at start: the config has no date for nazul
        office = repo.ensure_office(s, key="default", name_hi="क", name_en="O", cutover=None)
        b = cfg.branches["nazul"]
        repo.ensure_branch(s, office.id, key="nazul", code=b.code, name_hi=b.name_hi, name_en=b.name_en,
                           cutover=None, configured=True)
    page = c.get("/readiness").text
    assert "28/02/2027" in page and "30/06/2027" in page
