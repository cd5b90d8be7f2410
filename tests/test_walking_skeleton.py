"""A scan dropped in the share becomes stored Hindi/English text — real tesseract, poppler, SQLite."""
from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

import pytest

from nasti.samples import make_letter, render_page, save_document
from ocr.metrics import cer

FORMATS = [  # (branch, file name, language, format, pages)
    ("revenue", "नामांतरण आदेश.png", "hi", "png", 1),
    ("revenue", "letter-en.jpg", "en", "jpeg", 1),
    ("establishment", "मिश्रित पत्र.tif", "mixed", "tiff", 2),
    ("establishment", "two pages.pdf", "hi", "pdf", 2),
]


def sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def processed(tmp_path_factory: pytest.TempPathFactory):  # -> (Office, truths, originals, docs)
    from tests.conftest import Office, write_config

    root = tmp_path_factory.mktemp("office")
    (root / "share").mkdir()
    office = Office(root, write_config(root))
    truths: dict[str, list[str]] = {}
    originals: dict[str, bytes] = {}
    for i, (branch, name, lang, fmt, n) in enumerate(FORMATS):
        letters = [make_letter(100 + i * 10 + k, lang) for k in range(n)]
        path = office.share / branch / name
        path.parent.mkdir(parents=True, exist_ok=True)
        save_document([render_page(x.lines, lang=x.lang) for x in letters], path, fmt)
        truths[f"{branch}/{name}"] = ["\n".join(x.lines) for x in letters]
        originals[f"{branch}/{name}"] = path.read_bytes()
    office.run("watch", "--once")
    docs = {d["source"]: d for d in office.documents()}
    return office, truths, originals, docs


def test_every_file_is_done_with_branch_pages_and_sha(processed) -> None:
    _, truths, originals, docs = processed
    assert set(docs) == set(truths)
    for source, d in docs.items():
        assert d["status"] == "done", d
        assert d["branch"] == source.split("/")[0]
        assert d["pages"] == len(truths[source])
        assert d["sha256"] == hashlib.sha256(originals[source]).hexdigest()
        assert d["confidence"] and d["confidence"] > 70


def test_page_text_cer_is_at_most_3_percent(processed) -> None:
    office, truths, _, docs = processed
    for source, d in docs.items():
        shown = office.json("show", str(d["id"]))
        assert [p["number"] for p in shown["pages"]] == list(range(1, len(truths[source]) + 1))
        for page, truth in zip(shown["pages"], truths[source], strict=True):
            rate = cer(truth, page["text"])
            assert rate <= 3.0, f"{source} page {page['number']}: CER {rate:.2f} %\n{page['text']}"


def test_originals_are_archived_byte_identical_and_the_share_is_empty(processed) -> None:
    office, _, originals, docs = processed
    for source, d in docs.items():
        assert not (office.share / source).exists()
        archived = Path(d["archive"])
        assert archived.read_bytes() == originals[source]
    leftovers = [p for p in office.share.rglob("*") if p.is_file()]
    assert leftovers == []


def test_searchable_pdf_has_the_pages_words(processed) -> None:
    _office, truths, _, docs = processed
    for source, d in docs.items():
        pdf = Path(d["pdf"])
        assert pdf.exists()
        text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                              check=True).stdout
        words = [w for page in truths[source] for w in page.split() if len(w) > 3][:25]
        found = sum(w in text for w in words)
        assert found >= 0.8 * len(words), f"{source}: only {found}/{len(words)} words in pdftotext output"


def test_status_counts_per_branch(processed) -> None:
    office, *_ = processed
    rows = {r["branch"]: r for r in office.json("status")}
    assert rows["revenue"]["done"] == 2 and rows["revenue"]["pages"] == 2
    assert rows["establishment"]["done"] == 2 and rows["establishment"]["pages"] == 4
    table = office.run("status").stdout
    assert "revenue" in table and "establishment" in table


def test_events_record_every_transition(processed) -> None:
    from sqlalchemy import create_engine, text

    office, *_ = processed
    eng = create_engine(f"sqlite:///{office.root / 'var' / 'nasti.db'}")
    with eng.connect() as c:
        rows = c.execute(text("select document_id, from_state, to_state from event order by id")).all()
    by_doc: dict[int, list[str]] = {}
    for doc, _frm, to in rows:
        by_doc.setdefault(doc, []).append(to)
    assert all(states == ["received", "processing", "done"] for states in by_doc.values()), by_doc
