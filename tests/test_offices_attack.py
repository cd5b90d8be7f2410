"""Attacks on the many-offices work: a collector who makes themself 'state', a commissioner with no division, a
replayed or future snapshot, a huge snapshot body, a snapshot for an office that is not remote."""
from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

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
    today = utcnow().date()
    evening = dt.datetime.combine(today, dt.time(0, 30), tzinfo=dt.UTC)
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


def test_snapshot_push_refuses_http_and_names_an_unreachable_server(tmp_path: Path) -> None:
    from report.snapshot import PushError, push

    with pytest.raises(PushError, match="https"):
        push("http://state.example.org", "k", {})
    with pytest.raises(PushError, match="https"):
        push("ftp://127.0.0.1", "k", {})
    with pytest.raises(PushError) as e:
        push("http://127.0.0.1:9", "k", {}, timeout=5)
    assert "127.0.0.1" in str(e.value)


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


def test_days_are_counted_in_the_offices_zone_in_every_roll_up(tmp_path: Path) -> None:
    from report.readiness import readiness, readiness_many
    from store.models import Document
    from tests.conftest import write_config

    (tmp_path / "share").mkdir()
    cfg = configmod.load(str(write_config(tmp_path, '[office]\ntimezone = "Asia/Kolkata"\n')))
    store = Store(cfg.store_url)
    ist = cfg.office.zone
    with store.session() as s:
        o = seed_local_office(s, "guna", division=None, cutover=TODAY + dt.timedelta(days=30), today=TODAY,
                              branches=["revenue"], register_files=4, digitised=0, done_this_week=0)
        b = s.scalar(select(Branch).where(Branch.office_id == o.id))
        for n, local in enumerate((dt.datetime.combine(TODAY, dt.time(23, 30)),              # today, late
                                   dt.datetime.combine(TODAY, dt.time(0, 30)),               # today, early
                                   dt.datetime.combine(TODAY - dt.timedelta(days=1), dt.time(23, 59)))):
            at = local.replace(tzinfo=ist).astimezone(dt.UTC)
            s.add(Document(office_id=o.id, branch_id=b.id, source=f"revenue/z{n}.pdf", share_path=f"revenue/z{n}.pdf",
                           sha256=f"z{n}".ljust(64, "2"), size=1, kind="pdf", status="done", needs_review=False,
                           pages=2, settled=True, attempts=0, received_at=at, done_at=at, updated_at=at))
        s.flush()
        one = readiness(s, cfg, as_of=TODAY, oldest=0, office="guna")["total"]
        many = readiness_many(s, cfg, [o], TODAY)["guna"]["total"]
    assert one["files_today"] == many["files_today"] == 2
    assert one["files_week"] == many["files_week"] == 3


def test_ranking_ties_are_ordered_the_same_whatever_the_input_order() -> None:
    from report.ranking import rank

    def office(key: str) -> dict:
        return {"office": key, "register_files": 100, "digitised_files": 50, "remaining": 50, "days_left": 10,
                "files_per_day": 5.0, "stale": False, "projected_completion": "2026-12-10"}

    a = [r["office"] for r in rank([office("datia"), office("bhind")])["ranked"]]
    b = [r["office"] for r in rank([office("bhind"), office("datia")])["ranked"]]
    assert a == b
    done = {**office("guna"), "digitised_files": 100, "remaining": 0, "days_left": -3}   # cutover passed, all done
    late = {**office("katni"), "days_left": -30, "files_per_day": 0.0}                 # cutover passed, nothing moves
    r = rank([late, done])["ranked"]
    assert [x["office"] for x in r] == ["guna", "katni"] and r[1]["pace"] == 0.0 and r[0]["pace"] is None


def test_a_file_directly_in_an_office_folder_is_that_offices_rejection(tmp_path: Path) -> None:
    """[share] per_office: share/morena/c.pdf is returned (no branch) — to Morena, whose collector sees it, not
    counted in this deployment's own office; Hindi office folders come NFC whatever the disk holds."""
    import unicodedata

    from ingest.pipeline import Ingestor
    from tests.conftest import write_config

    (tmp_path / "share").mkdir()
    path = write_config(tmp_path)
    path.write_text(path.read_text(encoding="utf-8").replace('[share]\npath = "share"\n',
                                                             '[share]\npath = "share"\nper_office = true\n'),
                    encoding="utf-8")
    cfg = configmod.load(str(path))
    assert cfg.share_per_office
    store = Store(cfg.store_url)
    ing = Ingestor(cfg, store, None)  # type: ignore[arg-type]   # placing a file needs no OCR
    with store.session() as s:
        morena = store_offices.add_office(s, "morena", "मुरैना", "Morena").id
    assert ing._place("morena/c.pdf") == (morena, None)
    assert ing._place("c.pdf") == (ing.office_id, None)
    hindi = unicodedata.normalize("NFD", "दतिया")
    from ingest import share as sharefs

    (tmp_path / "share" / hindi / "राजस्व").mkdir(parents=True)
    source = sharefs.source_of(cfg.share, tmp_path / "share" / hindi / "राजस्व" / "a.pdf")
    office_id, _ = ing._place(source)
    with store.session() as s:
        assert s.get(Office, office_id).key == unicodedata.normalize("NFC", "दतिया")


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


def test_snapshot_push_cli_fails_with_a_message_never_a_traceback(tmp_path: Path) -> None:
    """The state server is down: exit 1, its address named, no traceback (http:// elsewhere and a future day are
    refused by report.snapshot, tested above)."""
    from tests.conftest import Office as Rig
    from tests.conftest import write_config

    (tmp_path / "share").mkdir()
    rig = Rig(tmp_path, write_config(tmp_path))
    key = tmp_path / "key"
    key.write_text("not-the-key\n", encoding="utf-8")
    r = rig.run("snapshot", "push", "--office", "morena", "--url", "http://127.0.0.1:9", "--key-file", str(key),
                check=False)
    assert r.returncode == 1 and "127.0.0.1:9" in r.stderr and "Traceback" not in r.stderr, r.stderr


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


def test_roll_up_sums_hold_for_offices_in_every_state(tmp_path: Path) -> None:
    """No register, no documents, cutover passed, cutover today, everything done, a remote office with local
    documents too (counted once: from its snapshot) — division and state figures stay the sums, ranking runs."""
    from report.ranking import rank
    from report.rollup import SUMMED, rollup
    from tests.conftest import write_config

    (tmp_path / "share").mkdir()
    cfg = configmod.load(str(write_config(tmp_path)))
    now = dt.datetime.combine(TODAY, dt.time(12), tzinfo=dt.UTC)
    with Store(cfg.store_url).session() as s:
        store_offices.add_division(s, "d", "संभाग", "D")
        for key, cut, reg, dig in (("passed", TODAY - dt.timedelta(days=10), 10, 4),
                                   ("today", TODAY, 10, 4), ("done", TODAY + dt.timedelta(days=5), 5, 5),
                                   ("noreg", TODAY + dt.timedelta(days=5), 0, 0)):
            seed_local_office(s, key, division="d", cutover=cut, today=TODAY, branches=["revenue"],
                              register_files=reg, digitised=dig, done_this_week=dig)
        store_offices.add_office(s, "empty", "खाली", "Empty", division="d")
        seed_local_office(s, "both", division="d", cutover=TODAY + dt.timedelta(days=20), today=TODAY,
                          branches=["revenue"], register_files=7, digitised=2, done_this_week=2)
        both = store_offices.add_office(s, "both", "दोनों", "Both", division="d", remote=True,
                                        cutover=TODAY + dt.timedelta(days=20))
        store_offices.upsert_snapshot(s, both, TODAY, [{"branch": "revenue", "register_files": 100,
                                                        "digitised_files": 10, "files_week": 7}], now)
        state = rollup(s, cfg, as_of=TODAY, now=now)
    rows = {o["office"]: o for d in state["divisions"] for o in d["offices"]}
    for k in SUMMED:
        assert state["total"][k] == sum(o[k] for o in rows.values()), k
    assert rows["both"]["register_files"] == 100          # the snapshot, not its 7 local files as well
    assert rows["empty"]["judged"] == rows["noreg"]["judged"] == "no_register"
    assert rows["passed"]["days_left"] < 0 and rows["today"]["days_left"] == 0
    ranked = rank(list(rows.values()))
    assert {r["office"] for r in ranked["apart"]} == {"empty", "noreg"}
    assert ranked["ranked"][0]["office"] == "done"


def test_renaming_an_office_keeps_its_division_kind_share_and_remote(tmp_path: Path) -> None:
    """`nasti office add KEY --name-hi … --name-en …` again (its docstring: "or update the one with this key")
    must not drop the office out of its division nor turn a remote district local."""
    from tests.conftest import write_config

    (tmp_path / "share").mkdir()
    cfg = configmod.load(str(write_config(tmp_path)))
    with Store(cfg.store_url).session() as s:
        store_offices.add_division(s, "d", "संभाग", "D")
        store_offices.add_office(s, "bhind", "भिंड", "Bhind", kind="commissioner", division="d", share="/srv/b",
                                 remote=True, cutover=TODAY)
        o = store_offices.add_office(s, "bhind", "भिण्ड", "Bhind District")
        assert (o.name_hi, o.kind, o.division.key, o.share, o.remote, o.cutover) == (
            "भिण्ड", "commissioner", "d", "/srv/b", True, TODAY)
        fresh = store_offices.add_office(s, "guna", "गुना", "Guna")
        assert (fresh.kind, fresh.division_id, fresh.remote) == ("collectorate", None, False)


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
