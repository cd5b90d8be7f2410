"""The scan beside its text (issue 13, item 9): page images rendered from the archived PDF by pdftoppm, cached on
disk, lazy-loaded, with thumbnails; the original file name; assigning a file number on the document page;
search hits as <mark>."""
from __future__ import annotations

import io
from pathlib import Path

import img2pdf
from PIL import Image, ImageDraw

from store.models import Document
from tests.test_web import (
    client,
    csrf,
    fast_hashes,  # noqa: F401  (light argon2 parameters in this module)
    seed_web,
)


def _pdf(path: Path, pages: int) -> None:
    images = []
    for i in range(pages):
        im = Image.new("L", (850, 1100), 255)
        ImageDraw.Draw(im).rectangle((100, 100 + 60 * i, 700, 160 + 60 * i), fill=0)
        buf = io.BytesIO()
        im.save(buf, "PNG")
        images.append(buf.getvalue())
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(img2pdf.convert(images))


def test_document_page_shows_scans_beside_text_and_assigns(tmp_path: Path) -> None:
    cfg, store, ids = seed_web(tmp_path)
    with store.session() as s:
        doc = s.get(Document, ids["review"])
        doc.pdf_path, doc.pages, doc.source, doc.status = "revenue/x.pdf", 1, "revenue/पत्र 12.pdf", "done"
    _pdf(cfg.archive / "revenue/x.pdf", 1)
    head = client((cfg, store, ids), "head")
    page = head.get(f"/document/{ids['review']}")
    assert page.status_code == 200
    html = page.text
    assert "पत्र 12.pdf" in html and "मूल फ़ाइल नाम" in html and "राजस्व शाखा" in html
    assert f'src="/document/{ids["review"]}/page/1/full" loading="lazy"' in html
    assert f'src="/document/{ids["review"]}/page/1/thumb" loading="lazy"' in html
    assert "Asia/Kolkata" in html  # history times say their zone
    img = head.get(f"/document/{ids['review']}/page/1/full")
    assert img.status_code == 200 and img.headers["content-type"] == "image/jpeg"
    with Image.open(io.BytesIO(img.content)) as im:
        assert 800 < im.width < 1000  # 110 dpi of a 8.5-inch page
    cached = list((cfg.archive.parent / "cache" / "pages").glob("*.jpg"))
    assert len(cached) == 1
    assert head.get(f"/document/{ids['review']}/page/1/full").content == img.content  # from the cache
    assert head.get(f"/document/{ids['review']}/page/2/full").status_code == 404
    assert head.get(f"/document/{ids['review']}/page/1/huge").status_code == 404
    assert head.get(f"/document/{ids['est']}/page/1/thumb").status_code == 403  # another branch's scan
    r = head.post("/branch/revenue/assign", data={"doc_id": ids["review"], "file_number": "revenue/0/2019",
                                                  "next": f"/document/{ids['review']}",
                                                  "csrf": csrf(head, f"/document/{ids['review']}")})
    assert r.status_code == 303 and r.headers["location"] == f"/document/{ids['review']}"
    after = head.get(f"/document/{ids['review']}").text
    assert "revenue/0/2019" in after and "समीक्षा: " in after and "review: " not in after  # history in Hindi
    hits = head.get("/search", params={"q": "भू-अर्जन"}).text
    assert "<mark>भू-अर्जन</mark>" in hits and "[भू-अर्जन]" not in hits


def test_a_branch_head_puts_a_document_in_a_part_of_its_file_and_it_is_audited(tmp_path: Path) -> None:
    """#17 item 1 on the dashboard: Notes / Receipts / Issues / References and the order, set by a branch head of
    the document's branch only; the readiness table counts files exported to eOffice per branch."""
    cfg, store, ids = seed_web(tmp_path)
    with store.session() as s:
        doc = s.get(Document, ids["review"])
        doc.status = "done"
    head = client((cfg, store, ids), "head")
    page = head.get(f"/document/{ids['review']}").text
    assert "नस्ती का भाग" in page and "टिप्पणियाँ (नोटशीट)" in page
    r = head.post(f"/document/{ids['review']}/part", data={"part": "notes", "sequence": "2",
                                                           "csrf": csrf(head, f"/document/{ids['review']}")})
    assert r.status_code == 303
    with store.session() as s:
        doc = s.get(Document, ids["review"])
        assert (doc.part, doc.sequence) == ("notes", 2)
        from sqlalchemy import select

        from store.models import Audit

        rows = list(s.scalars(select(Audit).where(Audit.action == "document_part")))
        assert [(a.actor, a.document_id) for a in rows] == [("head", ids["review"])]
    bad = head.post(f"/document/{ids['review']}/part", data={"part": "कुछ और",
                                                             "csrf": csrf(head, f"/document/{ids['review']}")})
    assert bad.status_code == 400
    other = head.post(f"/document/{ids['est']}/part", data={"part": "notes",
                                                            "csrf": csrf(head, f"/document/{ids['review']}")})
    assert other.status_code == 403   # another branch's document
    assert "ई-ऑफ़िस हेतु निर्यात" in client((cfg, store, ids), "collector").get("/readiness").text
