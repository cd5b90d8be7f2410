"""Page-level review (issue 10): a badly read printed page keeps its document in review whatever the mean confidence;
a handwritten page is stored as such and sends nothing to review; a file number read through doubtful digits is not
matched to the register. Real tesseract for the pages, real SQLite for the store."""
from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image, ImageFilter
from sqlalchemy import select

from ingest.pages import record_pages
from ingest.tagger import tag_and_index
from ingest.tagging.digits import file_number_key
from nasti.samples.render import render_page
from ocr.page import PageResult, PageTask, process_page
from store import repo
from store.models import Page
from store.register import import_register
from store.search.query import search
from tests.tagdocs import Office
from tests.test_ocr_orient import handwriting_like

GOOD = ["कार्यालय कलेक्टर, जिला राजगढ़", "क्रमांक 378/राज./2017 दिनांक 02.05.2017",
        "विषय: सीमांकन प्रकरण के संबंध में", "उपरोक्त विषय में लेख है कि प्रकरण की जाँच की जाए।"]


def ocr(image: Image.Image, tmp: Path, name: str, dpi: int = 300) -> PageResult:
    path = tmp / f"{name}.png"
    image.save(path, dpi=(dpi, dpi))
    return process_page(PageTask(source=path, kind="png", index=0, languages="Devanagari", dpi=dpi, timeout=120,
                                 max_pixels=200_000_000, layer=tmp / f"{name}.pdf"))


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, PageResult]:
    tmp = tmp_path_factory.mktemp("pages")
    good = render_page(GOOD, lang="hi").convert("L")
    # a faint, smeared copy: the letters melt into each other
    poor = good.filter(ImageFilter.GaussianBlur(4.7))
    return {"good": ocr(good, tmp, "good"), "poor": ocr(poor, tmp, "poor"),
            "hand": ocr(handwriting_like(4, dpi=300), tmp, "hand")}


def store_doc(o: Office, source: str, results: list[PageResult]) -> int:
    with o.store.session() as s:
        b = o.cfg.branch("revenue")
        branch = repo.ensure_branch(s, o.office_id, key="revenue", code=b.code, name_hi=b.name_hi,
                                    name_en=b.name_en, cutover=None, configured=True)
        doc = repo.new_document(s, office_id=o.office_id, branch_id=branch.id, source=source, share_path=source,
                                sha256=hashlib.sha256(source.encode()).hexdigest(), size=1)
        repo.transition(s, doc, "processing")
        record_pages(s, doc, results)
        confs = [r.confidence for r in results if r.confidence is not None and not r.handwritten]
        doc.pages, doc.confidence = len(results), round(sum(confs) / len(confs), 2)
        tag_and_index(s, doc, [(r.number, r.text) for r in results], o.cfg)
        repo.transition(s, doc, "done")
        return doc.id


def numbered(r: PageResult, n: int, **kw: object) -> PageResult:
    return replace(r, number=n, **kw)


def test_a_badly_read_page_keeps_the_document_in_review(tmp_path: Path, pages: dict[str, PageResult]) -> None:
    good, poor = pages["good"], pages["poor"]
    assert good.confidence and good.confidence > 80
    judged = poor.trust if poor.trust is not None else poor.confidence   # a combined read is judged by its first
    assert judged is None or judged < 50, poor
    o = Office(tmp_path, "[tags]\nmin_confidence = 40\n")
    doc_id = store_doc(o, "revenue/378-2017.png", [numbered(good, 1), numbered(good, 2), numbered(poor, 3)])
    doc = o.doc(doc_id)
    assert doc.status == "done" and doc.confidence is not None and doc.confidence > 40
    assert doc.needs_review and "poor_page" in (doc.reason_code or "") + (doc.reason or "")
    assert "पृष्ठ 3" in (doc.reason_hi or "") and "page 3" in (doc.reason or "")
    with o.store.session() as s:
        page = s.scalar(select(Page).where(Page.document_id == doc_id, Page.number == 3))
        assert page is not None and page.review_code == "poor_page" and page.review_reason_hi.startswith("पृष्ठ 3")


def test_a_handwritten_page_is_stored_as_such_and_not_sent_to_review(tmp_path: Path,
                                                                      pages: dict[str, PageResult]) -> None:
    hand = pages["hand"]
    assert hand.handwritten and hand.text == "" and hand.raw_text
    o = Office(tmp_path)
    doc_id = store_doc(o, "revenue/378-2017.png", [numbered(pages["good"], 1), numbered(hand, 2)])
    doc = o.doc(doc_id)
    assert not doc.needs_review, doc.reason
    with o.store.session() as s:
        rows = s.scalars(select(Page).where(Page.document_id == doc_id).order_by(Page.number)).all()
        assert [p.handwritten for p in rows] == [False, True]
        assert rows[1].text == "" and rows[1].raw_text == hand.raw_text and rows[1].review_code is None
        garbage = next(w for w in hand.raw_text.split() if len(w) >= 3 and w.isalpha())
        assert search(s, garbage) == []


def test_a_file_number_read_through_doubtful_digits_goes_to_review_unmatched(tmp_path: Path,
                                                                            pages: dict[str, PageResult]) -> None:
    good = pages["good"]
    assert "378" in good.text and not good.doubtful
    o = Office(tmp_path)
    reg = tmp_path / "r.csv"
    reg.write_text("File No.\n378/राज./2017\n", encoding="utf-8")
    with o.store.session() as s:
        b = o.cfg.branch("revenue")
        branch = repo.ensure_branch(s, o.office_id, key="revenue", code=b.code, name_hi=b.name_hi,
                                    name_en=b.name_en, cutover=None, configured=True)
        import_register(s, branch, reg, file_number_key)
    sure = o.doc(store_doc(o, "revenue/scan1.png", [numbered(good, 1)]))
    assert sure.file_number and sure.register_file_id and not sure.needs_review, sure.reason
    # the same page, its number's year read through a smudge (what ocr.symbols leaves doubtful)
    doubtful = o.doc(store_doc(o, "revenue/scan2.png", [numbered(good, 1, doubtful=("2017",))]))
    assert doubtful.file_number == sure.file_number
    assert doubtful.register_file_id is None and doubtful.needs_review
    assert "doubtful_digits" in (doubtful.reason_code or "") + (doubtful.reason or "")
    assert "अंक" in (doubtful.reason_hi or "")
    # a doubtful word with a single digit that is a piece of the number (`६(ई)` read for `६६(ई)`) is doubt too; a lone
    # doubtful `1` elsewhere on the page (a page number; every year holds a 1) is not
    piece = o.doc(store_doc(o, "revenue/scan4.png", [numbered(good, 1, doubtful=("/राज./२",))]))
    assert piece.register_file_id is None and piece.needs_review
    lone = o.doc(store_doc(o, "revenue/scan5.png", [numbered(good, 1, doubtful=("1",))]))
    assert lone.register_file_id and not lone.needs_review, lone.reason
    # another number on the page that only shares the year leaves no doubt about this one (a demo letter was flagged
    # for `REV-31/1117/2019-C0L]` misread beside `51/ई-गव./2019`), and a back with a stamp and no word is no bad read
    stamp = numbered(good, 2, text="", confidence=None, doubtful=())
    other = o.doc(store_doc(o, "revenue/scan3.png", [numbered(good, 1, doubtful=("REV-31/1117/2017-C0L]",)),
                                                     stamp]))
    assert other.register_file_id and not other.needs_review, other.reason
