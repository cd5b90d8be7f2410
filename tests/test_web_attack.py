"""The dashboard attacked (issue 13's acceptance, tried as a clerk, a branch head, a collector of another office and
an outsider would): each test is a hole that was found open, kept shut."""
from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
import regex
from sqlalchemy import select

from store import offices as store_offices
from store.models import Audit, Branch, User, WebSession
from store.users import create
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


def test_a_deeply_nested_snapshot_body_is_a_400_not_a_500(web: tuple) -> None:
    """An outsider with no key at all sent ``[[[[…`` (100 000 deep) to /api/snapshot: json.loads raised
    RecursionError, a 500 with a traceback in the log."""
    r = client(web).post("/api/snapshot", content=b"[" * 100_000, headers={"authorization": "Bearer x"})
    assert r.status_code == 400 and "error" in r.json()


def _other_office_collector(web: tuple) -> None:
    """A second office (morena) in the same database, with its own collector ``coll-mor``."""
    _, store, _ = web
    with store.session() as s:
        store_offices.add_division(s, "chambal-div", "चंबल संभाग", "Chambal Division")
        office = store_offices.add_office(s, "morena", "कलेक्टर कार्यालय मुरैना", "Collectorate Morena",
                                          division="chambal-div")
        create(s, "coll-mor", "collector", PASSWORD, None, office)


def test_another_offices_collector_does_not_read_this_offices_audit_trail(web: tuple) -> None:
    """coll-mor (collector of morena, on the state's shared server) opened /audit and read every login, address
    and user change of the default office (and of commissioners and state users)."""
    _other_office_collector(web)
    client(web, "head")  # a login of this office, audited
    mor = client(web, "coll-mor")
    r = mor.get("/audit")
    assert r.status_code == 403 and ">head<" not in r.text
    assert client(web, "collector").get("/audit").status_code == 200


def test_the_cover_sheet_link_is_in_the_viewers_language_only(web: tuple) -> None:
    """The branch page's cover-sheet link (added with #14) was hard-coded "हिन्दी / print cover sheets of the files
    not yet scanned": English in the Hindi view, Hindi first in the English one."""
    head = client(web, "head")
    hi = head.get("/branch/revenue").text
    link = regex.search(r'<a href="/branch/revenue/coversheets.pdf">(.*?)</a>', hi, regex.S)
    assert link and not regex.search(r"[A-Za-z]{3,}", regex.sub(r"<[^>]+>", "", link.group(1))), link
    head.get("/lang/en")
    en = head.get("/branch/revenue").text
    link = regex.search(r'<a href="/branch/revenue/coversheets.pdf">(.*?)</a>', en, regex.S)
    assert link and not regex.search(r"\p{Devanagari}", link.group(1)) and "cover sheet" in link.group(1)


def test_the_per_user_throttle_counts_every_spelling_of_a_name(web: tuple) -> None:
    """Five wrong passwords for ऩरेश (U+0929) held the name back, but the same name typed decomposed (न + nukta,
    as some keyboards send it) logs in as the same user and was counted apart: five more tries, per spelling."""
    _, store, _ = web
    name = "ऩरेश"
    with store.session() as s:
        create(s, name, "clerk", PASSWORD, s.scalar(select(Branch).where(Branch.key == "revenue")))
    nfd = unicodedata.normalize("NFD", name)
    assert nfd != name
    c = client(web)
    token = csrf(c, "/login")
    codes = [c.post("/login", data={"name": name, "password": f"wrong-{i}", "csrf": token}).status_code
             for i in range(5)]
    assert codes == [401] * 5
    r = c.post("/login", data={"name": nfd, "password": PASSWORD, "csrf": token})
    assert r.status_code == 429 and "Retry-After" in r.headers
    with store.session() as s:
        assert set(s.scalars(select(Audit.actor).where(Audit.action.like("login%")))) == {name}


def test_a_register_csv_of_a_million_rows_is_refused_before_it_is_imported(web: tuple) -> None:
    """A 10 MB CSV of 1 000 000 rows (within the 20 MB upload limit) was imported in one transaction for 215 s,
    holding SQLite's write lock: no one could log in (each login writes an audit row) and the watcher stalled."""
    boss = client(web, "collector")
    token = csrf(boss, "/admin")
    rows = b"file_number,subject\n" + b"".join(b"R/%d,s\n" % i for i in range(1_000_000))
    r = boss.post("/admin/register", data={"branch": "revenue", "csrf": token}, files={"file": ("r.csv", rows)})
    assert r.status_code == 400 and "50000" in r.text.replace(" ", "").replace(",", "")


def test_a_session_of_a_disabled_or_replaced_user_gets_nothing(web: tuple) -> None:
    """Disabling ends the user's sessions, but a login already past its password check when the collector pressed
    "disable" (argon2 runs in a thread for ~0.5 s) saves its session afterwards — and the session was honoured,
    because each request checked only that a user of that name exists."""
    _, store, _ = web
    head, clerk = client(web, "head"), client(web, "clerk")
    with store.session() as s:  # the state the race leaves: a live session of a disabled user
        s.scalar(select(User).where(User.name == "head")).disabled = True
    assert head.get("/branch/revenue").headers.get("location") == "/login"
    assert clerk.get("/outcomes").status_code == 200


def test_changing_ones_own_password_ends_the_other_sessions_but_not_this_one(web: tuple) -> None:
    """A collector who set their own new password on /admin was shown "password changed" — and the next click went
    to the login page (their own session had ended with the others), while the page they were on still held a
    CSRF token of the dead session."""
    here, elsewhere = client(web, "collector"), client(web, "collector")
    old = here.cookies.get("nasti_session")
    r = here.post("/admin/users/change", data={"csrf": csrf(here, "/admin"), "name": "collector",
                                               "action": "passwd", "password": "नया-पासवर्ड-2026x"})
    assert r.status_code == 200
    assert here.cookies.get("nasti_session") != old  # a new token: the old one is dead everywhere
    assert here.get("/readiness").status_code == 200
    assert elsewhere.get("/readiness").headers.get("location") == "/login"
    gone = client(web)
    gone.cookies.set("nasti_session", old)
    assert gone.get("/readiness").headers.get("location") == "/login"


def test_anonymous_requests_cannot_fill_the_session_table(web: tuple, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every request without a cookie (the login page, any 404) stored a new session row for 12 hours: a loop of
    anonymous GETs grew the table (and the database file) without bound. Anonymous sessions are capped now (the
    oldest go first); logged-in sessions are never evicted by them."""
    from store import sessions

    monkeypatch.setattr(sessions, "MAX_ANONYMOUS", 10, raising=False)
    _, store, _ = web
    boss = client(web, "collector")
    for i in range(25):
        client(web).get("/login" if i % 2 else f"/no/such/page/{i}")
    with store.session() as s:
        rows = list(s.scalars(select(WebSession)))
    assert len([r for r in rows if r.user_id is None]) <= 10
    assert boss.get("/readiness").status_code == 200
    late = client(web, "head")  # a fresh visitor still logs in
    assert late.get("/branch/revenue").status_code == 200


def test_a_body_over_the_limit_gets_the_friendly_page_in_the_viewers_language(web: tuple) -> None:
    """A POST declaring 22 MB was answered with the bare English text "request body too large" (no page, no
    Hindi) — the only error of the dashboard not in the viewer's language."""
    c = client(web, "collector")
    r = c.post("/cutover", content=b"x" * (22 * 1024 * 1024),
               headers={"content-type": "application/x-www-form-urlencoded"})
    assert r.status_code == 413 and "text/html" in r.headers["content-type"]
    assert "request body too large" not in r.text and regex.search(r"\p{Devanagari}{3,}", r.text)
    assert r.headers["x-frame-options"] == "DENY" and "frame-ancestors 'none'" in r.headers["content-security-policy"]


def _try(c: object, name: str, password: str, token: str, forwarded: str | None = None) -> int:
    headers = {"x-forwarded-for": forwarded} if forwarded else {}
    return c.post("/login", data={"name": name, "password": password, "csrf": token},  # type: ignore[attr-defined]
                  headers=headers).status_code


def test_behind_a_proxy_one_guesser_does_not_lock_the_whole_office_out(web: tuple) -> None:
    """Behind the HTTPS proxy that `[web] secure_cookie` is for, every browser has the proxy's address: 20 wrong
    passwords from one guesser (any names) locked every person of the office out of logging in for 15 minutes.
    `[web] trusted_proxies` names the proxy; only its X-Forwarded-For is believed (its last hop: a client's own
    header is not), and without it the header is ignored (spoofed addresses do not dodge the limit)."""
    cfg, store, ids = web
    c = client(web)
    token = csrf(c, "/login")
    for i in range(20):  # no trusted proxy: the header is the client's word, ignored
        assert _try(c, f"guess-{i}", "wrong-password", token, forwarded=f"10.9.{i}.1") == 401
    assert _try(c, "head", PASSWORD, token, forwarded="10.0.0.7") == 429
    with store.session() as s:
        s.execute(Audit.__table__.delete())
    import dataclasses

    proxied = (dataclasses.replace(cfg, web_trusted_proxies=("testclient",)), store, ids)
    c = client(proxied)
    token = csrf(c, "/login")
    for i in range(20):  # the guesser's own header comes first; the proxy appends the address it saw
        assert _try(c, f"guess-{i}", "wrong-password", token, forwarded=f"10.9.{i}.1, 10.0.0.66") == 401
    assert _try(c, "guess-x", "wrong-password", token, forwarded="10.0.0.66") == 429
    assert _try(c, "head", PASSWORD, token, forwarded="10.0.0.7") == 303
    with store.session() as s:
        assert s.scalar(select(Audit.address).where(Audit.action == "login")) == "10.0.0.7"


def _pages(pdf: bytes, tmp_path: Path) -> int:
    import subprocess

    (tmp_path / "c.pdf").write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(tmp_path / "c.pdf")], capture_output=True, text=True, check=True).stdout
    return int(regex.search(r"Pages:\s+(\d+)", info).group(1))  # type: ignore[union-attr]


def test_cover_sheets_are_of_the_viewers_office_only(web: tuple, tmp_path: Path) -> None:
    """A branch head of this office printing their branch's cover sheets got, after them, the cover sheets of every
    other office's branch with the same key (another collectorate's "revenue": its file numbers and subjects)."""
    import datetime as dt

    from nasti.samples.offices import seed_local_office

    _, store, _ = web
    head = client(web, "head")
    r = head.get("/branch/revenue/coversheets.pdf")
    assert r.status_code == 200
    own = _pages(r.content, tmp_path)
    with store.session() as s:
        store_offices.add_division(s, "chambal-div", "चंबल संभाग", "Chambal Division")
        seed_local_office(s, "morena", division="chambal-div", cutover=dt.date(2027, 3, 1),
                          today=dt.date(2026, 11, 25), branches=["revenue"], register_files=3, digitised=0,
                          done_this_week=0)
    r = head.get("/branch/revenue/coversheets.pdf")
    assert r.status_code == 200 and _pages(r.content, tmp_path) == own


def _error_line(html: str) -> str:
    m = regex.search(r'<p class="error"[^>]*>(.*?)</p>', html, regex.S)
    assert m, html[:400]
    return regex.sub(r"<[^>]+>", "", m.group(1))


def test_a_refused_user_change_says_why_in_the_viewers_language(web: tuple) -> None:
    """In the Hindi view a refused password said "अस्वीकृत: the password must have at least 10 characters" (also
    "too common", "not the user name", "already exists", "belongs to a branch", "no user named"): the reason, the
    part the collector needs, was English only."""
    boss = client(web, "collector")
    token = csrf(boss, "/admin")
    tries = [("/admin/users/change", {"name": "clerk", "action": "passwd", "password": "short"}),
             ("/admin/users/change", {"name": "clerk", "action": "passwd", "password": "password123"}),
             ("/admin/users/change", {"name": "clerk", "action": "passwd", "password": "clerk12345678"}),
             ("/admin/users/change", {"name": "nobody", "action": "disable"}),
             ("/admin/users/change", {"name": "clerk", "action": "role", "role": "branch_head", "branch": ""}),
             ("/admin/users", {"name": "head", "role": "clerk", "password": "नया-पासवर्ड-2026x", "branch": "revenue"})]
    for path, data in tries:
        r = boss.post(path, data={"csrf": token, **data})
        assert r.status_code == 400, (data, r.status_code)
        line = _error_line(r.text)
        assert not regex.search(r"\b(?!head\b|clerk\b|nobody\b)[A-Za-z]{3,}\b", line), line
    boss.get("/lang/en")
    r = boss.post("/admin/users/change", data={"csrf": token, "name": "clerk", "action": "passwd", "password": "short"})
    line = _error_line(r.text)
    assert "at least 10 characters" in line and not regex.search(r"\p{Devanagari}", line)


def test_a_page_image_asked_for_by_many_at_once_is_drawn_for_each(tmp_path: Path) -> None:
    """Thumbnails are lazy-loaded, so a document page opened by a few people (or two tabs) asks for the same
    uncached image at once: every render wrote the same temporary file (named by the process id only), the first
    rename took it and the others failed (FileNotFoundError → a missing picture), or renamed a half-written JPEG."""
    from concurrent.futures import ThreadPoolExecutor

    from PIL import Image

    from report.web.documents import _cached

    pdf = tmp_path / "d.pdf"
    Image.new("L", (1240, 1754), 255).save(pdf, "PDF", resolution=150)
    cache = tmp_path / "cache"
    with ThreadPoolExecutor(6) as pool:
        paths = list(pool.map(lambda _: _cached(pdf, cache, "1-abc", 1, 110), range(6)))
    assert len(set(paths)) == 1
    with Image.open(paths[0]) as im:
        im.load()
    assert not [p for p in cache.iterdir() if p.suffix == ".tmp"]


def test_a_login_name_cannot_write_fake_lines_into_the_audit_trail(web: tuple) -> None:
    """An outsider logging in as "x⏎30/11/2026 10:00⇥collector⇥user_add …" had that name stored as the actor of the
    failed login, and `nasti audit` prints one tab-separated line per row: a forged "the collector added a user"
    line appeared in the trail. Control characters of a name are stored as U+FFFD now."""
    _, store, _ = web
    c = client(web)
    forged = "x\n2026-11-30T10:00:00+05:30\tcollector\tuser_add\t{}\t10.0.0.1\r\x00"
    assert c.post("/login", data={"name": forged, "password": "wrong-password", "csrf": csrf(c, "/login")}
                  ).status_code == 401
    with store.session() as s:
        actors = list(s.scalars(select(Audit.actor).where(Audit.action == "login_failed")))
    assert actors and not any(regex.search(r"\p{Cc}", a) for a in actors), actors



def test_a_user_name_longer_than_the_column_or_with_control_characters_is_refused(web: tuple) -> None:
    """A collector could add a user named with 150 characters (SQLite does not enforce String(100); PostgreSQL
    raised a 500) — a user who could never log in, since a login name is cut to the 100 the audit keeps — or one
    whose name carries a newline or a tab (the audit's lines)."""
    boss = client(web, "collector")
    token = csrf(boss, "/admin")
    for name in ("क" * 101, "new\nclerk", "new\tclerk"):
        r = boss.post("/admin/users", data={"csrf": token, "name": name, "role": "clerk",
                                            "password": "नया-पासवर्ड-2026x", "branch": "revenue"})
        assert r.status_code == 400, repr(name)
        assert not regex.search(r"[A-Za-z]{3,}", _error_line(r.text)), _error_line(r.text)
    r = boss.post("/admin/users", data={"csrf": token, "name": "क" * 100, "role": "clerk",
                                        "password": "नया-पासवर्ड-2026x", "branch": "revenue"})
    assert r.status_code == 200
    c = client(web)
    assert c.post("/login", data={"name": "क" * 100, "password": "नया-पासवर्ड-2026x", "csrf": csrf(c, "/login")}
                  ).status_code == 303


def _tiny_xlsx(last_cell: str) -> bytes:
    """A 1.5 KB workbook: a header cell and one cell at ``last_cell`` (and its sheet's dimension up to it)."""
    import io
    import zipfile

    ns = "http://schemas.openxmlformats.org"
    rel = f"{ns}/officeDocument/2006/relationships"
    row = regex.sub(r"^[A-Z]+", "", last_cell)
    parts = {
        "[Content_Types].xml": f'<Types xmlns="{ns}/package/2006/content-types"><Default Extension="rels" '
        f'ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
        'ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/'
        'sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '</Types>',
        "_rels/.rels": f'<Relationships xmlns="{ns}/package/2006/relationships"><Relationship Id="rId1" '
        f'Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<workbook xmlns="{ns}/spreadsheetml/2006/main" xmlns:r="{rel}"><sheets><sheet '
        'name="S" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{ns}/package/2006/relationships"><Relationship '
        f'Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml": f'<worksheet xmlns="{ns}/spreadsheetml/2006/main"><dimension ref="A1:'
        f'{last_cell}"/><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>file_number</t></is></c></row>'
        f'<row r="{row}"><c r="{last_cell}" t="inlineStr"><is><t>x</t></is></c></row></sheetData></worksheet>',
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in parts.items():
            z.writestr(name, text)
    return out.getvalue()


def test_a_tiny_xlsx_that_unfolds_into_billions_of_cells_is_refused_unread(web: tuple) -> None:
    """A 1.5 KB .xlsx with one cell at XFD1048576 (the last of Excel's grid): the reader pads every row to the
    sheet's width and yields every empty row up to it — XFD2000 alone took 300 MB; XFD1048576 is 17 billion cells,
    the server killed for memory. Emailed to a collector as "the register", one upload takes the dashboard down."""
    boss = client(web, "collector")
    token = csrf(boss, "/admin")
    for cell in ("XFD1048576", "A1048576", "XFD2"):
        body = _tiny_xlsx(cell)
        assert len(body) < 2000
        r = boss.post("/admin/register", data={"branch": "revenue", "csrf": token},
                      files={"file": ("register.xlsx", body)})
        assert r.status_code == 400, cell
        assert not regex.search(r"[A-Za-z]{4,}", _visible_error(r.text)), cell
    r = boss.post("/admin/register", data={"branch": "revenue", "csrf": token},
                  files={"file": ("register.xlsx", _tiny_xlsx("C40"))})
    assert r.status_code == 200  # an ordinary sheet still goes in


def _visible_error(html: str) -> str:
    m = regex.search(r'<p class="error"[^>]*>(.*?)</p>', html, regex.S)
    return regex.sub(r"<[^>]+>", "", m.group(1)) if m else ""


def test_a_collector_cannot_disable_themselves_by_spelling_their_name_decomposed(web: tuple) -> None:
    """The "not yourself" check compared the typed name with the viewer's: ऩीरज typed decomposed (न + nukta)
    passed it and the store (which reads names as NFC) disabled the collector themselves — every session ended."""
    _, store, _ = web
    name = "ऩीरज"
    with store.session() as s:
        create(s, name, "collector", PASSWORD)
    c = client(web)
    assert c.post("/login", data={"name": name, "password": PASSWORD, "csrf": csrf(c, "/login")}).status_code == 303
    for action in ("disable", "remove"):
        r = c.post("/admin/users/change", data={"csrf": csrf(c, "/admin"), "action": action,
                                                "name": unicodedata.normalize("NFD", name)})
        assert r.status_code == 400, action
    assert c.get("/readiness").status_code == 200
