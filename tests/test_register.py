"""The branch register: CSV/XLSX import with Hindi or English headers, upsert, matching, digitised counts."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from openpyxl import Workbook

from ingest.tagger import rematch_branch
from ingest.tagging.digits import file_number_key
from store import queries
from store.models import Branch, RegisterFile
from store.register import RegisterError, import_register, read_rows
from tests.conftest import NASTI
from tests.tagdocs import Office

HINDI_CSV = """रजिस्टर: राजस्व शाखा, कलेक्टर कार्यालय राजगढ़
क्र.,नस्ती क्रमांक,विषय,वर्ष,श्रेणी,पृष्ठ संख्या,स्थान
1,क्रमांक/३७८/राज./२०१७,सीमांकन प्रकरण,२०१७,ग-५,४०,रैक ३
2,0255/अ-6/2021-22,नामांतरण,2021-22,क,12,अलमारी 2
3,REV-03/2027/2019-COLL,Digitisation,2019,B,,
4,,खाली पंक्ति,,,,
5,F.No. 12/3/2021-Rev,भू-अर्जन,2021,Z,7,रैक 1
"""


def write_xlsx(path: Path, rows: int) -> list[str]:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet()
    ws.append(["S.No.", "File No.", "Subject", "Year", "Category", "Expected pages", "Location"])
    numbers = []
    for i in range(rows):
        number = f"REV-{i % 97:02d}/{1000 + i}/{2000 + i % 25}-COLL"
        numbers.append(number)
        ws.append([i + 1, number, f"Subject {i}", 2000 + i % 25, "ABC"[i % 3], 10 + i % 80, f"Rack {i % 40}"])
    wb.save(path)
    return numbers


def branch(o: Office, key: str = "revenue") -> Branch:
    from nasti.commands._common import branch_for

    with o.store.session() as s:
        return branch_for(s, o.cfg, key)


def test_hindi_csv_headers_title_row_digits_and_categories(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text(HINDI_CSV, encoding="utf-8")
    rows, warnings = read_rows(path, file_number_key)
    by_number = {r.file_number: r for r in rows}
    assert list(by_number) == ["क्रमांक/378/राज./2017", "0255/अ-6/2021-22", "REV-03/2027/2019-COLL",
                               "F.No. 12/3/2021-Rev"]
    first = by_number["क्रमांक/378/राज./2017"]
    assert (first.key, first.year, first.category, first.expected_pages, first.location) == (
        "378राज2017", 2017, "C-5", 40, "रैक ३")
    assert by_number["0255/अ-6/2021-22"].category == "A" and by_number["0255/अ-6/2021-22"].year == 2021
    assert by_number["F.No. 12/3/2021-Rev"].key == "1232021rev" and by_number["F.No. 12/3/2021-Rev"].category is None
    assert any("row 6" in w for w in warnings) and any("'Z'" in w for w in warnings)


def test_reimport_updates_never_duplicates(tmp_path: Path) -> None:
    o = Office(tmp_path)
    path = tmp_path / "r.csv"
    path.write_text(HINDI_CSV, encoding="utf-8")
    b = branch(o)
    with o.store.session() as s:
        first = import_register(s, b, path, file_number_key)
    assert (first.created, first.updated, first.unchanged) == (4, 0, 0)
    path.write_text(HINDI_CSV.replace("सीमांकन प्रकरण", "सीमांकन प्रकरण (संशोधित)"), encoding="utf-8")
    with o.store.session() as s:
        second = import_register(s, b, path, file_number_key)
        assert (second.created, second.updated, second.unchanged) == (0, 1, 3)
        assert s.query(RegisterFile).count() == 4
        assert s.query(RegisterFile).filter_by(key="378राज2017").one().subject == "सीमांकन प्रकरण (संशोधित)"


def test_five_thousand_row_xlsx(tmp_path: Path) -> None:
    o = Office(tmp_path)
    path = tmp_path / "big.xlsx"
    numbers = write_xlsx(path, 5000)
    b = branch(o)
    with o.store.session() as s:
        result = import_register(s, b, path, file_number_key)
        assert (result.rows, result.created, result.warnings) == (5000, 5000, [])
        row = s.query(RegisterFile).filter_by(key=file_number_key(numbers[4321])).one()
        assert (row.file_number, row.subject, row.year, row.category, row.expected_pages, row.location) == (
            numbers[4321], "Subject 4321", 2000 + 4321 % 25, "ABC"[4321 % 3], 10 + 4321 % 80, "Rack 1")
    with o.store.session() as s:
        again = import_register(s, b, path, file_number_key)
        assert (again.created, again.updated, again.unchanged) == (0, 0, 5000)


def test_no_file_number_column_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("विषय,वर्ष\nx,2019\n", encoding="utf-8")
    with pytest.raises(RegisterError, match="file-number column"):
        read_rows(path)


def test_matching_exact_fuzzy_and_other_digits(tmp_path: Path) -> None:
    o = Office(tmp_path)
    path = tmp_path / "r.csv"
    path.write_text("File No.,Subject\nA-11011/2/2019-Administration,x\n12/3/2021-Rev,y\n", encoding="utf-8")
    exact = o.add("revenue/a.pdf", ["F.No. A-11011/2/2019-Administration\nSubject: x"])
    noisy = o.add("revenue/b.pdf", ["F.No. A-11011/2/2019-Adrninistration\nSubject: x"])   # OCR: m → rn
    other = o.add("revenue/c.pdf", ["F.No. 12/8/2021-Rev\nSubject: y"])                    # another file
    stray = o.add("revenue/d.pdf", ["F.No. 99/1/2020-Rev\nSubject: z"])
    with o.store.session() as s:
        import_register(s, branch(o), path, file_number_key)
        rematch_branch(s, s.get_one(Branch, branch(o).id), o.cfg)
    a, b, c, d = (o.doc(i) for i in (exact, noisy, other, stray))
    assert a.register_file_id and a.match_score == 100 and not a.needs_review
    assert b.register_file_id == a.register_file_id and 90 <= b.match_score < 100 and not b.needs_review
    assert c.register_file_id and c.needs_review and c.reason_code == "low_match"
    assert "12/3/2021-Rev" in (c.reason or "")
    assert d.register_file_id is None and not d.needs_review
    with o.store.session() as s:
        assert [x.id for x in queries.unmatched_documents(s, "revenue")] == [stray]
        counts = {r.branch: r for r in queries.status_counts(s)}
    assert (counts["revenue"].register_files, counts["revenue"].digitised_files) == (2, 1)


def test_branch_without_register_counts_numbers_seen(tmp_path: Path) -> None:
    o = Office(tmp_path)
    o.add("establishment/a.pdf", ["क्रमांक/378/स्था./2017 दिनांक 01.02.2017"])
    o.add("establishment/b.pdf", ["क्रमांक/३७८/स्था./२०१७ की प्रति"])   # same file, other digits
    o.add("establishment/c.pdf", ["क्रमांक/12/स्था./2018"], confidence=20)   # needs review: low confidence
    with o.store.session() as s:
        counts = {r.branch: r for r in queries.status_counts(s)}
    assert (counts["establishment"].register_files, counts["establishment"].digitised_files) == (2, 1)


def test_cli_import_and_list(tmp_path: Path) -> None:
    o = Office(tmp_path)
    o.add("revenue/a.pdf", ["कार्यालय कलेक्टर\nक्रमांक/३७८/राज./२०१७\nविषय: सीमांकन"])
    path = tmp_path / "r.csv"
    path.write_text(HINDI_CSV, encoding="utf-8")
    run = lambda *a: subprocess.run([NASTI, "--config", str(o.config_path), *a],  # noqa: E731
                                    capture_output=True, text=True)
    r = run("register", "import", str(path), "--branch", "revenue", "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["created"] == 4 and json.loads(r.stdout)["rematched_documents"] == 1
    listed = json.loads(run("register", "list", "--branch", "revenue", "--json").stdout)
    assert [x["digitised"] for x in listed] == [True, False, False, False]
    assert listed[0]["documents"] == 1 and listed[0]["file_number"] == "क्रमांक/378/राज./2017"
    assert run("register", "import", str(path), "--branch", "nowhere").returncode == 2
    assert run("register", "import", str(tmp_path / "missing.csv"), "--branch", "revenue").returncode == 2


def test_two_rows_of_one_file_are_named(tmp_path: Path) -> None:
    """A register listing a file twice, or two files whose numbers differ only in grouping (1/23/2021 vs
    12/3/2021: one matching key), says so; nothing is dropped silently."""
    o = Office(tmp_path)
    path = tmp_path / "r.csv"
    path.write_text("क्र.,नस्ती क्रमांक,विषय\n1,1/23/2021-Rev,अ\n2,12/3/2021-Rev,ब\n3,,\n,,\n4,12/3/2021-Rev,स\n",
                    encoding="utf-8")
    r = o_run(o, "register", "import", str(path), "--branch", "revenue", "--json")
    warnings = json.loads(r.stdout)["warnings"]
    assert any("row 3" in w and "row 2" in w and "1/23/2021-Rev" in w and "12/3/2021-Rev" in w for w in warnings), \
        warnings
    assert any("row 6" in w and "row 3" in w and "repeats" in w for w in warnings), warnings


def o_run(o: Office, *args: str) -> subprocess.CompletedProcess[str]:
    r = subprocess.run([NASTI, "--config", str(o.config_path), *args], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return r


@pytest.mark.parametrize("header", ["नस्ती क्र.", "फाइल क्र.", "फ़ाइल क्र.", "नस्ती क्रं.", "फाइल नं."])
def test_short_hindi_file_number_headers(tmp_path: Path, header: str) -> None:
    path = tmp_path / "r.csv"
    path.write_text(f"क्र.,{header},विषय\n1,५/५/२०२०-राज,क\n", encoding="utf-8")
    rows, _ = read_rows(path)
    assert [r.file_number for r in rows] == ["5/5/2020-राज"]


def test_a_register_kept_one_sheet_per_year_is_read_whole(tmp_path: Path) -> None:
    """A workbook with a cover sheet and one sheet per year: every sheet with a file-number header is read (only
    the sheet open when it was saved, before); a file listed in two years is named with its sheets."""
    wb = Workbook()
    cover = wb.active
    cover.title = "मुखपृष्ठ"
    cover.append(["राजस्व शाखा — नस्ती पंजी"])
    for year, numbers in (("2019", ["1/2019-Rev", "2/2019-Rev"]), ("2020", ["1/2020-Rev", "2/2019-Rev"])):
        ws = wb.create_sheet(year)
        ws.append(["क्र.", "नस्ती क्रमांक", "विषय"])
        for i, n in enumerate(numbers, start=1):
            ws.append([i, n, f"विषय {n}"])
    path = tmp_path / "पंजी.xlsx"
    wb.save(path)
    rows, warnings = read_rows(path)
    assert sorted({r.file_number for r in rows}) == ["1/2019-Rev", "1/2020-Rev", "2/2019-Rev"]
    assert any("sheet 'मुखपृष्ठ'" in w and "skipped" in w for w in warnings), warnings
    assert any("sheet '2020' row 3" in w and "sheet '2019' row 3" in w and "repeats" in w for w in warnings), warnings


def test_a_file_that_is_not_a_workbook_is_named_not_a_crash(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A .xlsx that is not one (a renamed .xls, a half-downloaded file): exit 2 and a reason, not 'File is not a zip
    file' (exit 1) nor a 500 on the dashboard."""
    import re

    from starlette.testclient import TestClient

    from report.web.app import create_app
    from store.users import create

    o = Office(tmp_path)
    bad = tmp_path / "पंजी.xlsx"
    bad.write_bytes(b"\xd0\xcf\x11\xe0 an old .xls, renamed")
    r = subprocess.run([NASTI, "--config", str(o.config_path), "register", "import", str(bad), "--branch", "revenue"],
                       capture_output=True, text=True)
    assert r.returncode == 2 and "not an Excel workbook" in r.stderr, r.stderr
    with o.store.session() as s:
        create(s, "collector", "collector", "पासवर्ड-1234")
    monkeypatch.setenv("NASTI_SECRET", "test-secret")
    c = TestClient(create_app(o.cfg, o.store), follow_redirects=False, raise_server_exceptions=False)
    token = re.search(r'name="csrf" value="([^"]+)"', c.get("/login").text).group(1)  # type: ignore[union-attr]
    c.post("/login", data={"name": "collector", "password": "पासवर्ड-1234", "csrf": token})
    token = re.search(r'name="csrf" value="([^"]+)"', c.get("/search").text).group(1)  # type: ignore[union-attr]
    r2 = c.post("/admin/register", data={"branch": "revenue", "csrf": token},
                files={"file": ("पंजी.xlsx", bad.read_bytes(), "application/octet-stream")})
    # the Hindi view says it in Hindi (the dashboard's xlsx guard looks at the file before any reader does)
    assert r2.status_code == 400 and "सही CSV/XLSX" in r2.text, r2.status_code
