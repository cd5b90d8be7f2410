"""Friendly bilingual errors with specific reasons, bad input as 400 (never 500), body limits, security headers
on every response, and the Secure cookie setting (issue 13, items 7 and 8)."""
from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from report.web.app import create_app
from tests.test_web import (
    client,
    csrf,
    fast_hashes,  # noqa: F401  (light argon2 parameters in this module)
    seed_web,
)


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> tuple:
    return seed_web(tmp_path_factory.mktemp("errors"))


def test_bad_ids_and_uploads_are_400_with_a_reason_in_both_languages(web: tuple) -> None:
    outsider = client(web)
    for bad in ("²", "9" * 20, "0", "-1", "abc"):
        assert outsider.get(f"/document/{bad}").status_code == 303  # logged out: to the login page, never a 500
    c = client(web, "collector")
    for bad in ("²", "9" * 20, "0", "abc"):
        r = c.get(f"/document/{bad}")
        assert r.status_code == 400 and "दस्तावेज़ क्रमांक मान्य नहीं" in r.text, bad
    assert c.get("/document/999999").status_code == 404
    token = csrf(c, "/admin")
    r = c.post("/admin/register", data={"branch": "nazul", "csrf": token},
               files={"file": ("r.xlsx", os.urandom(4096), "application/octet-stream")})
    assert r.status_code == 400 and "फ़ाइल पढ़ी नहीं जा सकी" in r.text
    r = c.post("/admin/register", data={"branch": "nazul", "csrf": token},
               files={"file": ("r.exe", b"MZ", "application/octet-stream")})
    assert r.status_code == 400 and ".csv या .xlsx" in r.text
    assert c.post("/cutover", data={"branch": "revenue", "cutover": "31/02/2027", "csrf": token}).status_code == 400
    assert c.post("/cutover", data={"branch": "revenue", "cutover": "28/02/2027", "csrf": token}).status_code == 303
    assert "28/02/2027" in c.get("/readiness").text
    assert c.get("/no/such/page").status_code == 404
    c.get("/lang/en")
    r = c.get("/document/²")
    assert r.status_code == 400 and "That document number is not valid" in r.text and "मान्य" not in r.text


def test_403_says_why(web: tuple) -> None:
    clerk, head = client(web, "clerk"), client(web, "head")
    assert "आपकी भूमिका को यह पृष्ठ देखने की अनुमति नहीं" in clerk.get("/readiness").text
    assert "इस शाखा की अनुमति नहीं" in head.get("/branch/establishment").text
    r = head.post("/branch/revenue/assign", data={"doc_id": "1", "file_number": "1/2", "csrf": "stale"})
    assert r.status_code == 403 and "फ़ॉर्म पुराना हो गया है" in r.text
    r = head.post("/branch/revenue/assign", data={"doc_id": "1", "file_number": "1/2",
                                                  "csrf": csrf(head, "/search")},
                  headers={"Origin": "https://evil.example"})
    assert r.status_code == 403  # a cross-site post is refused before its body is read
    r = head.post("/branch/revenue/assign", data={"doc_id": "1", "file_number": "1/2",
                                                  "csrf": csrf(head, "/search")},
                  headers={"Origin": "https://testserver"})  # behind an HTTPS proxy: the same host
    assert r.status_code != 403


def test_body_limits_before_reading(web: tuple) -> None:
    c = client(web, "collector")
    token = csrf(c, "/admin")
    r = c.post("/admin/register", content=b"x" * 100, headers={"Content-Length": str(200 * 1024 * 1024),
                                                               "Content-Type": "multipart/form-data; boundary=b"})
    assert r.status_code == 413
    r = c.post("/cutover", data={"csrf": token, "branch": "revenue", "cutover": "x" * (2 * 1024 * 1024)})
    assert r.status_code in (400, 413)


def test_security_headers_on_every_response(web: tuple) -> None:
    c = client(web, "collector")
    for path, cached in (("/readiness", False), ("/login", False), ("/no/such", False), ("/static/nasti.css", True),
                         ("/document/²", False), ("/", False)):
        h = c.get(path).headers
        assert "frame-ancestors 'none'" in h["content-security-policy"], path
        assert h["x-content-type-options"] == "nosniff" and h["referrer-policy"] == "same-origin", path
        assert (h.get("cache-control") == "no-store") is not cached, path


def test_a_server_error_is_a_friendly_page(web: tuple, monkeypatch: pytest.MonkeyPatch) -> None:
    from report.web import views

    def broken(*a: object, **k: object) -> None:
        raise RuntimeError("disk on fire /var/secret/path")

    monkeypatch.setattr(views, "readiness", broken)  # a fault no real input produces
    cfg, store, _ = web
    c = TestClient(create_app(cfg, store), follow_redirects=False, raise_server_exceptions=False)
    c.post("/login", data={"name": "collector", "password": "पासवर्ड-1234", "csrf": csrf(c, "/login")})
    r = c.get("/readiness")
    assert r.status_code == 500 and "सर्वर में त्रुटि" in r.text and "/var/secret" not in r.text
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]


def test_secure_cookie_setting(web: tuple, tmp_path: Path) -> None:
    cfg, store, _ = web
    from common import config as configmod
    from tests.conftest import write_config

    assert configmod.load(str(write_config(tmp_path, "[web]\nsecure_cookie = true\n"))).web_secure_cookie
    c = TestClient(create_app(dataclasses.replace(cfg, web_secure_cookie=True), store), follow_redirects=False)
    assert "secure" in c.get("/login").headers["set-cookie"].lower()
    assert "secure" not in client(web).get("/login").headers["set-cookie"].lower()
