"""Test helper: a branch with a register, its cover sheets drawn and "scanned", batches of files behind them."""
from __future__ import annotations

from pathlib import Path

from PIL import Image

from report.coversheet import BranchInfo, CoverFile, Fonts, cover_page, divider_page
from store.db import Store
from store.models import Branch, Office, RegisterFile
from store.register import import_register
from tests.coverscan import Scan, scan

BRANCH = """[branches.revenue]
code = "REV"
name_hi = "राजस्व शाखा"
name_en = "Revenue"
[branches.legal]
code = "LEG"
name_hi = "विधि शाखा"
name_en = "Legal"
"""
REGISTER = """नस्ती क्रमांक,विषय,वर्ष,श्रेणी
51/ई-गव./2019,सीमांकन प्रकरण ग्राम खैरा,2019,ग-5
0255/अ-6/2021-22,नामांतरण प्रकरण,2021,क
क्रमांक/378/राज./2017,भू-अर्जन मुआवज़ा,2017,ख
REV-03/2027/2019-COLL,Digitisation of records,2019,B
"""
PLAIN = Scan()
NUMBERS = ("51/ई-गव./2019", "0255/अ-6/2021-22", "क्रमांक/378/राज./2017", "REV-03/2027/2019-COLL")


def import_demo_register(store: Store, root: Path, branch: str = "revenue") -> dict[str, int]:
    """The demo register imported into ``branch``; file number → register file id."""
    csv = root / f"register-{branch}.csv"
    csv.write_text(REGISTER, encoding="utf-8")
    with store.session() as s:
        b = s.query(Branch).filter_by(key=branch).one()
        import_register(s, b, csv)
        return {r.file_number: r.id for r in s.query(RegisterFile).filter_by(branch_id=b.id)}


def branch_info(store: Store, branch: str = "revenue", office_key: str | None = None) -> BranchInfo:
    with store.session() as s:
        b = s.query(Branch).filter_by(key=branch).one()
        o = s.get_one(Office, b.office_id)
        return BranchInfo(office_key or o.key, o.name_hi, o.name_en, b.key, b.name_hi, b.name_en)


def cover(info: BranchInfo, rf_id: int, number: str, how: Scan = PLAIN) -> Image.Image:
    return scan(cover_page(Fonts(), info, CoverFile(rf_id, number, "विषय", 2019, "B")), how)


def divider(info: BranchInfo, part: str, how: Scan = PLAIN) -> Image.Image:
    return scan(divider_page(Fonts(), info, part), how)
