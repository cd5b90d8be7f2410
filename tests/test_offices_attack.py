"""Attacks on the many-offices work: a collector who makes themself 'state', a commissioner with no division, a
replayed or future snapshot, a huge snapshot body, a snapshot for an office that is not remote."""
from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from common import config as configmod
from nasti.samples.offices import seed_local_office
from report.rollup import office_summary
from report.web.app import create_app
from store import offices as store_offices
from store.db import Store
from store.models import Branch, Office, Snapshot, User, utcnow
from store.users import create

PASSWORD = "पासवर्ड-1234"
TODAY = dt.date(2026, 11, 25)


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> tuple[configmod.Config, Store, str]:
    from tests.conftest import write_config

    root = tmp_path_factory.mktemp("offices_attack")
    (root / "share").mkdir()
    cfg = configmod.load(str(write_config(root)))
    store = Store(cfg.store_url)
    with store.session() as s:
        store_offices.add_division(s, "gwalior-div", "ग्वालियर संभाग", "Gwalior Division")
        store_offices.add_division(s, "chambal-div", "चंबल संभाग", "Chambal Division")
        cut = TODAY + dt.timedelta(days=90)
        for key, div in (("default", "gwalior-div"), ("morena", "chambal-div")):
            seed_local_office(s, key, division=div, cutover=cut, today=TODAY, branches=["revenue"],
                              register_files=6, digitised=3, done_this_week=2)
        bhind = store_offices.add_office(s, "bhind", "भिंड", "Bhind", division="chambal-div", cutover=cut,
                                         remote=True)
        key = store_offices.new_key(s, bhind)
        o = s.scalar(select(Office).where(Office.key == "default"))
        b = s.scalar(select(Branch).where(Branch.office_id == o.id, Branch.key == "revenue"))
        create(s, "coll-raj", "collector", PASSWORD, None, o)
        create(s, "head-raj", "branch_head", PASSWORD, b)
        d = s.scalar(select(store_offices.Division).where(store_offices.Division.key == "gwalior-div"))
        create(s, "com-lost", "commissioner", PASSWORD, None, None, d)
        s.flush()
        s.scalar(select(User).where(User.name == "com-lost")).division_id = None   # its division went away
    return cfg, store, key


def _client(web: tuple, who: str) -> TestClient:
    cfg, store, _ = web
    c = TestClient(create_app(cfg, store), follow_redirects=False)
    token = re.search(r'name="csrf" value="([^"]+)"', c.get("/login").text).group(1)  # type: ignore[union-attr]
    r = c.post("/login", data={"name": who, "password": PASSWORD, "csrf": token})
    assert r.status_code == 303, r.text
    return c


def _token(c: TestClient, page: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', c.get(page).text).group(1)  # type: ignore[union-attr]


def test_a_collector_cannot_make_a_state_or_commissioner_user(monkeypatch: pytest.MonkeyPatch, web: tuple) -> None:
    monkeypatch.setenv("NASTI_SECRET", "test-secret")
    c = _client(web, "coll-raj")
    token = _token(c, "/admin")
    for role in ("state", "commissioner"):
        r = c.post("/admin/users", data={"name": f"evil-{role}", "role": role, "password": PASSWORD,
                                         "csrf": token})
        assert r.status_code == 400, (role, r.status_code)
    with web[1].session() as s:
        assert s.scalar(select(User).where(User.name.like("evil-%"))) is None
    # a clerk of this office is still fine
    r = c.post("/admin/users", data={"name": "clerk-ok", "role": "clerk", "password": PASSWORD,
                                     "branch": "revenue", "csrf": token})
    assert r.status_code == 200


def test_the_admin_page_lists_only_this_offices_users_and_branches(monkeypatch: pytest.MonkeyPatch,
                                                                   web: tuple) -> None:
    monkeypatch.setenv("NASTI_SECRET", "test-secret")
    with web[1].session() as s:
        o = s.scalar(select(Office).where(Office.key == "morena"))
        b = s.scalar(select(Branch).where(Branch.office_id == o.id, Branch.key == "revenue"))
        if s.scalar(select(User).where(User.name == "head-mor-secret")) is None:
            create(s, "head-mor-secret", "branch_head", PASSWORD, b)
            create(s, "com-cha-secret", "commissioner", PASSWORD, None, None, o.division)
    page = _client(web, "coll-raj").get("/admin").text
    assert "head-raj" in page
    assert "head-mor-secret" not in page and "com-cha-secret" not in page


def test_a_commissioner_without_a_division_sees_no_ranking(monkeypatch: pytest.MonkeyPatch, web: tuple) -> None:
    monkeypatch.setenv("NASTI_SECRET", "test-secret")
    c = _client(web, "com-lost")
    for route in ("/ranking", "/state", "/division/gwalior-div", "/office/morena", "/office/default"):
        assert c.get(route).status_code == 403, route


def _post(c: TestClient, key: str, body: object, **headers: str) -> object:
    raw = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
    return c.post("/api/snapshot", content=raw, headers={"Authorization": f"Bearer {key}", **headers})


def _body(day: dt.date, taken: dt.datetime, digitised: int, office: str = "bhind") -> dict:
    return {"office": office, "day": day.isoformat(), "taken_at": taken.isoformat(),
            "branches": [{"branch": "राजस्व", "register_files": 50, "digitised_files": digitised, "files_week": 7}]}


def test_a_replayed_older_snapshot_of_the_same_day_does_not_go_back_in_time(web: tuple) -> None:
    cfg, store, key = web
    c = TestClient(create_app(cfg, store))
    evening = utcnow() - dt.timedelta(minutes=1)   # in the past at any hour (00:30 today was the future before 00:30)
    today = evening.date()
    morning = evening - dt.timedelta(minutes=20)
    assert _post(c, key, _body(today, evening, 30)).status_code == 200
    r = _post(c, key, _body(today, morning, 10))   # captured earlier, replayed now
    assert r.status_code == 200
    with store.session() as s:
        row = s.scalar(select(Snapshot).where(Snapshot.day == today, Snapshot.branch == "राजस्व"))
        assert row.digitised_files == 30


def test_a_future_snapshot_is_refused_and_a_future_time_never_hides_staleness(web: tuple) -> None:
    cfg, store, key = web
    c = TestClient(create_app(cfg, store))
    now = utcnow()
    r = _post(c, key, _body(now.date() + dt.timedelta(days=30), now, 49))
    assert r.status_code == 400
    # taken "next year": received now, so it is stale 48 h after now, not next year
    assert _post(c, key, _body(now.date(), now + dt.timedelta(days=365), 31)).status_code == 200
    with store.session() as s:
        bhind = s.scalar(select(Office).where(Office.key == "bhind"))
        later = office_summary(s, cfg, bhind, now.date(), now + dt.timedelta(hours=49))
        row = s.scalar(select(Snapshot).where(Snapshot.day == now.date(), Snapshot.office_id == bhind.id))
        assert row.taken_at <= utcnow()
    assert later["stale"]


def test_old_figures_sent_again_today_are_stale(web: tuple) -> None:
    cfg, store, key = web
    c = TestClient(create_app(cfg, store))
    now = utcnow()
    with store.session() as s:
        s.add(Office(key="sheopur", name_hi="श्योपुर", name_en="Sheopur", remote=True))
        sheopur = s.scalar(select(Office).where(Office.key == "sheopur"))
        new = store_offices.new_key(s, sheopur)
    old_day = now.date() - dt.timedelta(days=20)
    assert _post(c, new, _body(old_day, now, 5, office="sheopur")).status_code == 200  # taken "now"
    with store.session() as s:
        sheopur = s.scalar(select(Office).where(Office.key == "sheopur"))
        assert office_summary(s, cfg, sheopur, now.date(), now)["stale"]
    del key


def test_a_huge_snapshot_body_is_refused_before_it_is_read(web: tuple) -> None:
    cfg, store, key = web
    c = TestClient(create_app(cfg, store))
    r = c.post("/api/snapshot", content=b"x", headers={"Authorization": "Bearer nope",
                                                       "Content-Length": str(50 * 2**30)})
    assert r.status_code == 413

    def chunks():  # no Content-Length: streamed, cut at the limit
        for _ in range(3 * 1024):
            yield b" " * 1024

    r = c.post("/api/snapshot", content=chunks(), headers={"Authorization": f"Bearer {key}"})
    assert r.status_code == 413


def test_a_snapshot_for_an_office_that_is_not_remote_is_refused(web: tuple) -> None:
    cfg, store, _ = web
    with store.session() as s:
        morena = s.scalar(select(Office).where(Office.key == "morena"))
        key = store_offices.new_key(s, morena)
    c = TestClient(create_app(cfg, store))
    r = _post(c, key, _body(utcnow().date(), utcnow(), 5, office="morena"))
    assert r.status_code == 409
    assert "remote" in r.json()["error"]


def test_another_offices_key_and_html_branch_names(web: tuple) -> None:
    cfg, store, key = web
    with store.session() as s:
        store_offices.add_office(s, "datia", "दतिया", "Datia", division="chambal-div", remote=True)
    c = TestClient(create_app(cfg, store))
    assert _post(c, key, _body(utcnow().date(), utcnow(), 5, office="datia")).status_code == 401
    body = _body(utcnow().date(), utcnow(), 5)
    body["branches"][0]["branch"] = "<script>alert(1)</script>"
    assert _post(c, key, body).status_code == 200


def test_a_collector_finds_their_document_when_another_office_has_more_hits(monkeypatch: pytest.MonkeyPatch,
                                                                           web: tuple) -> None:
    from store.models import Document, Page
    from store.search.index import index_document

    monkeypatch.setenv("NASTI_SECRET", "test-secret")
    word = "खसरा"
    with web[1].session() as s:
        for key, n in (("morena", 60), ("default", 1)):
            o = s.scalar(select(Office).where(Office.key == key))
            docs = list(s.scalars(select(Document).where(Document.office_id == o.id).order_by(Document.id)))
            for i in range(n):   # morena's pages say it more often: they rank first
                doc = docs[i % len(docs)] if key == "default" else Document(
                    office_id=o.id, branch_id=docs[0].branch_id, source=f"revenue/k{i}.pdf",
                    share_path=f"revenue/k{i}.pdf", sha256=f"k{i}".ljust(64, "1"), size=1, kind="pdf",
                    status="done", needs_review=False, pages=1, settled=True, attempts=0)
                s.add(doc)
                s.flush()
                text = f"{word} " * (5 if key == "morena" else 1) + key
                s.add(Page(document_id=doc.id, number=1, text=text, blank=False))
                s.flush()
                index_document(s, doc, [(1, text)])
            if key == "default":
                mine = doc.id
    for who in ("coll-raj", "head-raj"):
        page = _client(web, who).get("/search", params={"q": word}).text
        assert f'href="/document/{mine}"' in page, who


@pytest.mark.parametrize("row", [{"cutover": "31/03/2027"}, {"cutover": 20270331}, {"name_hi": ["x"]},
                                 {"branch": "र" * 500}, {"branch": "a\x00b"}, {"pages": 2**40}])
def test_a_malformed_snapshot_row_is_400_not_a_server_error(web: tuple, row: dict) -> None:
    cfg, store, key = web
    c = TestClient(create_app(cfg, store), raise_server_exceptions=False)
    body = _body(utcnow().date(), utcnow(), 5)
    body["branches"][0].update(row)
    r = _post(c, key, body)
    assert r.status_code == 400, r.text


def test_outcomes_and_pdfs_stay_in_the_office(monkeypatch: pytest.MonkeyPatch, web: tuple) -> None:
    from store.models import Document

    monkeypatch.setenv("NASTI_SECRET", "test-secret")
    with web[1].session() as s:
        mor = s.scalar(select(Document).join(Office, Office.id == Document.office_id)
                       .where(Office.key == "morena", Document.status == "done").order_by(Document.id).limit(1))
        mor_id, mor_source = mor.id, mor.source
    for who in ("coll-raj", "head-raj"):
        c = _client(web, who)
        assert c.get(f"/document/{mor_id}/pdf").status_code == 403
        page = c.get("/outcomes", params={"branch": "revenue"}).text
        assert mor_source.rsplit("/", 1)[-1] not in page, who


def test_moving_a_document_to_a_branch_keeps_it_in_its_office(web: tuple) -> None:
    """`nasti assign ID NUMBER --branch KEY` on another office's document: the branch KEY of that document's own
    office, never this deployment's (a document whose branch is another office's is seen by neither office's
    branch head and counted in both)."""
    from store import cases
    from store.models import Document

    cfg, store, _ = web
    with store.session() as s:
        o = s.scalar(select(Office).where(Office.key == "morena"))
        doc = s.scalar(select(Document).where(Document.office_id == o.id, Document.status == "done")
                       .order_by(Document.id.desc()).limit(1))
        cases.assign_number(s, cfg, doc.id, "77/2019", by="admin", branch_key="revenue")
        s.flush()
        assert s.get(Branch, doc.branch_id).office_id == o.id
        with pytest.raises(cases.Invalid):
            cases.assign_number(s, cfg, doc.id, "77/2019", by="admin", branch_key="nowhere")
        s.rollback()


def test_an_unknown_branch_error_names_only_this_offices_branches(web: tuple) -> None:
    from store import cases

    cfg, store, _ = web
    with store.session() as s:
        o = s.scalar(select(Office).where(Office.key == "morena"))
        s.add(Branch(office_id=o.id, key="khanij-morena", code="KH", name_hi="खनिज", name_en="Mining",
                     configured=False))
        s.flush()
        with pytest.raises(cases.Invalid) as e:
            cases.branch(s, cfg, "nowhere")
        s.rollback()
    assert "revenue" in str(e.value) and "khanij-morena" not in str(e.value)


def test_a_demoted_user_loses_the_role_at_once(monkeypatch: pytest.MonkeyPatch, web: tuple) -> None:
    """The role is the database's, not the one remembered in the session at login (as the offices already are)."""
    monkeypatch.setenv("NASTI_SECRET", "test-secret")
    with web[1].session() as s:
        o = s.scalar(select(Office).where(Office.key == "default"))
        create(s, "was-state", "state", PASSWORD)
    c = _client(web, "was-state")
    assert c.get("/state").status_code == 200
    with web[1].session() as s:
        u = s.scalar(select(User).where(User.name == "was-state"))
        u.role, u.office_id = "collector", o.id
    assert c.get("/state").status_code == 403
    assert c.get("/readiness").status_code == 200
