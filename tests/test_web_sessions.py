"""Revocable server-side sessions, user management, the audit trail and login throttling (issue 13, items 1-3)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import Result
from sqlalchemy import select
from typer.testing import CliRunner

from nasti.cli import app
from store.models import Audit, WebSession
from store.users import UserError, check_password
from tests.test_web import (
    PASSWORD,
    client,
    csrf,
    fast_hashes,  # noqa: F401  (light argon2 parameters in this module)
    seed_web,
)


@pytest.fixture
def web(tmp_path: Path) -> tuple:
    return seed_web(tmp_path)


def test_the_cookie_is_a_random_token_and_logout_ends_the_session(web: tuple) -> None:
    _, store, _ = web
    c = client(web, "collector")
    cookie = c.cookies.get("nasti_session")
    assert cookie and len(cookie) < 60 and "." not in cookie  # no signed payload: a token only
    with store.session() as s:
        rows = list(s.scalars(select(WebSession).where(WebSession.user_id.is_not(None))))
        assert len(rows) == 1 and rows[0].id != cookie  # kept as a hash
    assert c.get("/readiness").status_code == 200
    token = csrf(c, "/readiness")
    assert c.post("/logout", data={"csrf": token}).status_code == 303
    replay = client(web)
    replay.cookies.set("nasti_session", cookie)
    assert replay.get("/readiness").headers["location"] == "/login"
    r = replay.post("/cutover", data={"branch": "revenue", "cutover": "30/04/2027", "csrf": token})
    assert r.headers["location"] == "/login"
    assert "30/04/2027" not in client(web, "collector").get("/readiness").text  # nothing changed


def test_disable_passwd_role_and_remove_end_sessions_at_once(web: tuple) -> None:
    boss, head, clerk = client(web, "collector"), client(web, "head"), client(web, "clerk")
    token = csrf(boss, "/admin")

    def change(**data: str) -> str:
        r = boss.post("/admin/users/change", data={"csrf": token, **data})
        assert r.status_code == 200, r.text
        return r.text

    assert "1 सत्र समाप्त" in change(name="head", action="disable")
    assert head.get("/branch/revenue").headers["location"] == "/login"
    bad = client(web)
    r = bad.post("/login", data={"name": "head", "password": PASSWORD, "csrf": csrf(bad, "/login")})
    assert r.status_code == 401  # disabled: cannot log in
    change(name="head", action="enable")
    head = client(web, "head")
    change(name="head", action="passwd", password="नया-पासवर्ड-2026")
    assert head.get("/branch/revenue").headers["location"] == "/login"
    r = boss.post("/admin/users/change", data={"csrf": token, "name": "clerk", "action": "passwd",
                                               "password": "password123"})
    assert r.status_code == 400 and "बहुत आम" in r.text  # the reason in the viewer's language
    assert clerk.get("/outcomes").status_code == 200  # a refused change ends nothing
    change(name="clerk", action="role", role="branch_head", branch="revenue")
    assert clerk.get("/outcomes").headers["location"] == "/login"
    other = client(web, "collector")  # a second collector session, then the collector is removed by another
    change(name="esthead", action="role", role="collector")
    est = client(web)
    assert est.post("/login", data={"name": "esthead", "password": PASSWORD, "csrf": csrf(est, "/login")}
                    ).status_code == 303
    t2 = csrf(est, "/admin")
    assert est.post("/admin/users/change", data={"csrf": t2, "name": "collector", "action": "remove"}
                    ).status_code == 200
    for gone in (boss, other):
        assert gone.get("/admin").headers["location"] == "/login"
        assert gone.post("/admin/users", data={"name": "x", "role": "collector", "password": "Lamba-Password-99",
                                               "csrf": token}).headers["location"] == "/login"
    assert est.post("/admin/users/change", data={"csrf": t2, "name": "esthead", "action": "remove"}
                    ).status_code == 400  # not yourself


def test_password_policy() -> None:
    for bad in ("short-1", "password123", "Password@123", "collector123", "revenue-head", "पासवर्ड123"):
        with pytest.raises(UserError):
            check_password(bad, "revenue-head")
    check_password("नीला-आकाश-2026", "revenue-head")


def test_cli_user_commands_and_audit(web: tuple) -> None:
    cfg, _, _ = web
    head = client(web, "head")

    def nasti(*args: str, stdin: str = "") -> Result:  # in-process: a dozen commands in seconds, not a minute
        return CliRunner().invoke(app, ["--config", str(cfg.path), *args], input=stdin)

    listed = json.loads(nasti("user", "list", "--json").stdout)
    assert {u["name"]: u["sessions"] for u in listed}["head"] == 1
    assert nasti("user", "passwd", "head", "--password-stdin", stdin="head\n").exit_code == 2  # the policy
    r = nasti("user", "disable", "head")
    assert r.exit_code == 0 and "1 session(s) ended" in r.stdout
    assert head.get("/branch/revenue").headers["location"] == "/login"
    assert nasti("user", "enable", "head").exit_code == 0
    assert nasti("user", "passwd", "head", "--password-stdin", stdin="हरा-पत्ता-2027\n").exit_code == 0
    assert nasti("user", "remove", "nobody").exit_code == 1
    assert nasti("user", "remove", "clerk").exit_code == 0
    rows = json.loads(nasti("audit", "--json").stdout)
    actions = [(r["actor"], r["action"], (r["detail"] or {}).get("user")) for r in rows]
    for want in (("cli", "user_disable", "head"), ("cli", "user_enable", "head"), ("cli", "user_passwd", "head"),
                 ("cli", "user_remove", "clerk"), ("head", "login", None)):
        assert want in actions, want
    assert nasti("audit", "--since", "2000-01-01", "--action", "user_remove", "--json").stdout.count('"id"') == 1
    assert nasti("audit", "--since", "yesterday").exit_code == 2


def test_every_admin_action_is_audited_with_who_and_where(web: tuple) -> None:
    _, store, ids = web
    boss = client(web, "collector")
    token = csrf(boss, "/admin")
    boss.post("/cutover", data={"branch": "revenue", "cutover": "31/03/2027", "csrf": token})
    boss.post("/admin/register", data={"branch": "nazul", "csrf": token},
              files={"file": ("r.csv", "नस्ती क्रमांक,विषय\nNZL-1/2021,भूमि\n".encode(), "text/csv")})
    boss.post("/admin/users", data={"name": "नया", "role": "clerk", "branch": "nazul", "password": PASSWORD,
                                    "csrf": token})
    head = client(web, "head")
    head.post("/branch/revenue/assign", data={"doc_id": ids["review"], "file_number": "revenue/0/2019",
                                              "csrf": csrf(head, "/branch/revenue")})
    wrong = client(web)
    wrong.post("/login", data={"name": "head", "password": "not-it-at-all", "csrf": csrf(wrong, "/login")})
    with store.session() as s:
        rows = {r.action: r for r in s.scalars(select(Audit))}
    assert json.loads(rows["cutover"].detail) == {"branch": "revenue", "from": None, "to": "2027-03-31"}
    assert rows["cutover"].actor == "collector" and rows["cutover"].address == "testclient"
    assert json.loads(rows["register_import"].detail)["new"] == 1
    assert json.loads(rows["user_add"].detail)["user"] == "नया"
    assert rows["review_assign"].document_id == ids["review"] and rows["review_assign"].actor == "head"
    assert rows["login_failed"].actor == "head" and rows["login"].office_key is None
    page = boss.get("/audit", params={"action": "cutover"})
    assert page.status_code == 200 and 'class="a-cutover"' in page.text and 'class="a-login_failed"' not in page.text
    assert 'class="a-login_failed"' in boss.get("/audit", params={"actor": "head"}).text
    assert boss.get("/audit", params={"since": "32/13/2026"}).status_code == 400
    assert head.get("/audit").status_code == 403


def test_logins_are_throttled_per_user_and_per_address(web: tuple) -> None:
    c = client(web)
    token = csrf(c, "/login")
    answers = [c.post("/login", data={"name": "head", "password": f"wrong-{i}", "csrf": token}).status_code
               for i in range(30)]
    assert answers[:5] == [401] * 5 and set(answers[5:]) == {429}
    r = c.post("/login", data={"name": "head", "password": PASSWORD, "csrf": token})  # the 31st: right, but waits
    assert r.status_code == 429 and "मिनट बाद पुनः प्रयास करें" in r.text and int(r.headers["retry-after"]) > 0
    c.get("/lang/en")
    r = c.post("/login", data={"name": "head", "password": PASSWORD, "csrf": csrf(c, "/login")})
    assert r.status_code == 429 and "try again in" in r.text
    with web[1].session() as s:
        held = list(s.scalars(select(Audit).where(Audit.action == "login_throttled")))
        assert len(held) == 27 and {a.actor for a in held} == {"head"}  # audited, not counted as failures
    # the same address guessing other names: after PER_ADDRESS real failures from it, even a right password waits
    answers = [c.post("/login", data={"name": f"user{i}", "password": "x" * 12, "csrf": token}).status_code
               for i in range(15)]  # with the 5 for "head": 20 from this address
    assert answers == [401] * 15
    assert c.post("/login", data={"name": "collector", "password": PASSWORD, "csrf": token}).status_code == 429
