"""The branch register of physical files: import CSV/XLSX (Hindi or English headers), upsert by (branch, key),
list, and match a document's file-number key to a register file (exact key, then rapidfuzz)."""
from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import regex
from rapidfuzz import fuzz, process
from sqlalchemy import select
from sqlalchemy.orm import Session

from common.text import digit_groups, file_number_key, fold_digits, nfc
from store.models import Branch, RegisterFile, utcnow

__all__ = ["ImportResult", "Match", "RegisterError", "RegisterIndex", "import_register", "read_rows"]

FIELDS = ("file_number", "subject", "year", "category", "expected_pages", "location")
# Normalised header (NFC, casefolded, only letters/marks/digits) → field. "क्रमांक"/"number" alone are weaker
# file-number headers: used only when no specific one is present (in Hindi registers क्र./क्रमांक is often S.No.).
_HEADERS: dict[str, str] = {}
for _field, _names in {
    "file_number": "file number|file no|file no.|f.no.|fileno|file_number|नस्ती क्रमांक|नस्ती नंबर|फ़ाइल क्रमांक|"
                   "फाइल क्रमांक|फ़ाइल नंबर|फाइल नंबर|फा.क्र.|फाइल संख्या|नस्ती संख्या|प्रकरण क्रमांक|case no|"
                   "नस्ती क्र.|नस्ती क्रं.|नस्ती नं.|फाइल क्र.|फाइल क्रं.|फाइल नं.|फ़ाइल क्र.|फ़ाइल क्रं.|फ़ाइल नं.|"
                   "प्रकरण क्र.",
    "subject": "subject|विषय|नस्ती का विषय|फाइल का विषय|description|title",
    "year": "year|वर्ष|सन|सन्|वर्ष सन्",
    "category": "category|record category|class|श्रेणी|वर्ग|अभिलेख श्रेणी|अभिलेख वर्ग",
    "expected_pages": "pages|expected pages|page count|no of pages|पृष्ठ|पृष्ठ संख्या|कुल पृष्ठ|पेज",
    "location": "location|rack|almirah|place|स्थान|रैक|अलमारी|कक्ष|रखने का स्थान",
}.items():
    for _name in _names.split("|"):
        _HEADERS[regex.sub(r"[^\p{L}\p{M}\p{N}]+", "", nfc(_name).casefold())] = _field
_WEAK_NUMBER = {"क्रमांक", "number", "no", "नंबर", "संख्या"}
_CATEGORY = regex.compile(r"^(?P<c>[abcकखग])(?:[\s\-–(]*(?P<n>[0-9]{1,2})\)?)?$")
_HINDI_CATEGORY = {"क": "A", "ख": "B", "ग": "C"}


class RegisterError(ValueError):
    """The register file cannot be read; the message says why."""


def _header_key(h: Any) -> str:
    return regex.sub(r"[^\p{L}\p{M}\p{N}]+", "", nfc(str(h or "")).casefold())


def _columns(header: list[Any]) -> dict[str, int]:
    cols: dict[str, int] = {}
    weak: int | None = None
    for i, h in enumerate(header):
        key = _header_key(h)
        if key in _HEADERS and _HEADERS[key] not in cols:
            cols[_HEADERS[key]] = i
        elif key in _WEAK_NUMBER and weak is None:
            weak = i
    if "file_number" not in cols and weak is not None:
        cols["file_number"] = weak
    if "file_number" not in cols:
        shown = ", ".join(str(h) for h in header if h is not None)
        raise RegisterError(f"no file-number column among the headers ({shown}); name one 'File No.' or "
                            "'नस्ती क्रमांक'")
    return cols


def _tables(path: Path) -> list[tuple[str | None, Iterable[list[Any]]]]:
    """(sheet name, its rows) for every sheet of a workbook (a register kept one sheet per year); (None, rows) for
    a CSV."""
    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".xlsm"):
        return [(None, _cell_rows(path))]
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as e:  # zipfile.BadZipFile, openpyxl's InvalidFileException, a damaged part: all "not one"
        raise RegisterError(f"{path.name}: not an Excel workbook (.xlsx) that can be read; open it in Excel "
                            "and save it again, or save it as CSV (UTF-8)") from e
    try:
        return [(ws.title, [list(row) for row in ws.iter_rows(values_only=True)]) for ws in wb.worksheets]
    finally:
        wb.close()


def _cell_rows(path: Path) -> Iterator[list[Any]]:
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt"):
        raw = path.read_bytes()
        for enc in ("utf-8-sig", "utf-16", "cp1252"):
            try:
                text = raw.decode(enc)
                break
            except UnicodeDecodeError:
                continue
        else:  # pragma: no cover - cp1252 decodes almost anything
            raise RegisterError(f"{path.name}: cannot decode the CSV; save it as UTF-8")
        head = text.splitlines()[:10]
        delimiter = max((",", ";", "\t"), key=lambda d: sum(line.count(d) for line in head))
        yield from csv.reader(io.StringIO(text), delimiter=delimiter)
    else:
        raise RegisterError(f"{path.name}: a register must be .csv or .xlsx")


def _text(v: Any) -> str | None:
    if v is None:
        return None
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    s = regex.sub(r"\s+", " ", nfc(str(v))).strip()
    return s or None


def _int(v: Any) -> int | None:
    s = _text(v)
    m = regex.search(r"[0-9]+", fold_digits(s)) if s else None
    return int(m.group()) if m else None


def _year(v: Any) -> int | None:
    s = _text(v)
    m = regex.search(r"(?<![0-9])(?:19|20)[0-9]{2}(?![0-9])", fold_digits(s)) if s else None
    return int(m.group()) if m else None


def _category(v: Any) -> str | None:
    s = _text(v)
    if s is None:
        return None
    m = _CATEGORY.match(fold_digits(s).casefold().strip(" ."))
    if m is None:
        return None
    letter = _HINDI_CATEGORY.get(m.group("c"), m.group("c").upper())
    return f"C-{int(m.group('n'))}" if letter == "C" and m.group("n") else letter


@dataclass(frozen=True)
class RegisterRow:
    line: int
    file_number: str
    key: str
    subject: str | None = None
    year: int | None = None
    category: str | None = None
    expected_pages: int | None = None
    location: str | None = None


KeyFunction = Callable[[str], str]


def read_rows(path: Path, key_of: KeyFunction = file_number_key) -> tuple[list[RegisterRow], list[str]]:
    """The rows of a register file and warnings (skipped rows). The first row with a file-number header is the
    header; rows before it (a title) are skipped. ``key_of`` makes the matching key (the tagger's
    ``common.text.file_number_key`` unless a test says otherwise)."""
    rows: list[RegisterRow] = []
    warnings: list[str] = []
    seen: dict[str, tuple[RegisterRow, str]] = {}  # key → last row with it (and where): the later row is kept
    tables = _tables(path)
    found_header = False
    for sheet, cell_rows in tables:
        cols: dict[str, int] | None = None
        for line, cells in enumerate(cell_rows, start=1):
            at = f"sheet '{sheet}' row {line}" if len(tables) > 1 else f"row {line}"
            if cols is None:
                try:
                    cols = _columns(cells)
                except RegisterError:
                    if line >= 10 and len(tables) == 1:
                        raise
                    if line >= 10:
                        break
                continue
            get = {f: (cells[i] if i < len(cells) else None) for f, i in cols.items()}
            number = _text(get.get("file_number"))
            if number is None:
                if any(_text(c) for c in cells):
                    warnings.append(f"{at}: no file number; skipped")
                continue
            number = fold_digits(number)
            key = key_of(number)
            if not key:
                warnings.append(f"{at}: '{number}' is not a file number; skipped")
                continue
            category = _category(get.get("category"))
            if get.get("category") not in (None, "") and category is None:
                warnings.append(f"{at}: category '{get.get('category')}' is not A, B or C-n; left empty")
            row = RegisterRow(line, number, key, _text(get.get("subject")), _year(get.get("year")), category,
                              _int(get.get("expected_pages")), _text(get.get("location")))
            earlier, where = seen.get(key, (None, ""))
            if earlier is not None and digit_groups(earlier.file_number) == digit_groups(number):
                warnings.append(f"{at}: file number '{number}' repeats {where} ('{earlier.file_number}'); the later "
                                "row is kept")
            elif earlier is not None:
                warnings.append(f"{at}: '{number}' and {where} ('{earlier.file_number}') have the same digits and "
                                "letters, which nasti reads as one file; only the later row is kept — tell them "
                                "apart in the register (e.g. a suffix)")
            seen[key] = (row, at)
            rows.append(row)
        if cols is None and len(tables) > 1:
            warnings.append(f"sheet '{sheet}': no file-number column in its first rows; skipped")
        found_header = found_header or cols is not None
    if not found_header:
        raise RegisterError(f"{path.name}: no header row with a file-number column")
    return rows, warnings


@dataclass
class ImportResult:
    branch: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    warnings: list[str] = field(default_factory=list)


def import_register(s: Session, branch: Branch, path: Path, key_of: KeyFunction = file_number_key) -> ImportResult:
    """Upsert the register rows of ``path`` into ``branch``: a key already there is updated, never duplicated."""
    rows, warnings = read_rows(path, key_of)
    result = ImportResult(branch=branch.key, rows=len(rows), warnings=warnings)
    existing = {r.key: r for r in s.scalars(select(RegisterFile).where(RegisterFile.branch_id == branch.id))}
    now = utcnow()
    for row in rows:
        values = {f: getattr(row, f) for f in FIELDS}
        current = existing.get(row.key)
        if current is None:
            current = RegisterFile(office_id=branch.office_id, branch_id=branch.id, key=row.key, imported_at=now,
                                   updated_at=now, **values)
            s.add(current)
            existing[row.key] = current
            result.created += 1
        elif any(getattr(current, f) != v for f, v in values.items()):
            for f, v in values.items():
                setattr(current, f, v)
            current.updated_at = now
            result.updated += 1
        else:
            result.unchanged += 1
    s.flush()
    return result


@dataclass(frozen=True)
class Match:
    register_file_id: int
    file_number: str
    score: float        # 100 = same key
    digits_agree: bool  # a one-digit difference is another file, not OCR noise


def digits(key: str) -> str:
    """The digits of a key, in order: two numbers with other digits are other files."""
    return "".join(c for c in key if c.isdigit())


class RegisterIndex:
    """The keys of one branch's register, for matching many documents."""

    def __init__(self, s: Session, branch_id: int) -> None:
        rows = s.execute(select(RegisterFile.key, RegisterFile.id, RegisterFile.file_number)
                         .where(RegisterFile.branch_id == branch_id)).all()
        self._by_key = {k: (i, n) for k, i, n in rows}
        self._keys = list(self._by_key)

    def __bool__(self) -> bool:
        return bool(self._keys)

    def match(self, key: str | None, threshold: float, printed: str | None = None) -> Match | None:
        """The register file with this key, else the closest one scoring ≥ ``threshold`` (rapidfuzz ratio).
        ``printed``: the number as read; digits grouped otherwise than the register file's (1/23 vs 12/3, one key)
        do not agree."""
        if not key or not self._keys:
            return None
        if key in self._by_key:
            i, n = self._by_key[key]
            return Match(i, n, 100.0, printed is None or digit_groups(printed) == digit_groups(n))
        found = process.extractOne(key, self._keys, scorer=fuzz.ratio, score_cutoff=threshold)
        if found is None:
            return None
        other = found[0]
        i, n = self._by_key[other]
        agree = digits(other) == digits(key) and (printed is None or digit_groups(printed) == digit_groups(n))
        return Match(i, n, round(float(found[1]), 1), agree)


def cover_files(s: Session, branch_id: int, *, only_unscanned: bool = False,
                file_number: str | None = None) -> list[RegisterFile]:
    """The register files of a branch to print cover sheets for, in register order: all, those not yet
    digitised, or the one whose number (its key) is ``file_number``."""
    from store.queries import digitised

    q = select(RegisterFile).where(RegisterFile.branch_id == branch_id)
    if only_unscanned:
        q = q.where(~digitised(RegisterFile.id))
    if file_number is not None:
        q = q.where(RegisterFile.key == file_number_key(fold_digits(nfc(file_number))))
    return list(s.scalars(q.order_by(RegisterFile.id)))


def cover_target(s: Session, register_file_id: int) -> RegisterFile | None:
    """The register file a cover sheet names (None: not in this database's register, e.g. deleted)."""
    return s.get(RegisterFile, register_file_id)
