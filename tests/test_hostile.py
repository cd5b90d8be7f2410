"""Hostile and awkward drops: every bad file is returned with a specific Hindi + English reason, byte-identical;
system litter is left alone; odd names and duplicates are handled; the watcher finishes and exits 0."""
from __future__ import annotations

import os
import unicodedata
from pathlib import Path
from typing import Any

import pytest

from nasti.samples import make_letter, render_page, save_document
from tests import hostile
from tests.conftest import Office, write_config

NFD = lambda s: unicodedata.normalize("NFD", s)  # noqa: E731
# a name of 250 bytes: fits the file system, but not once a prefix or ".reason.txt" is added
LONG = ("राजस्व प्रकरण नामांतरण आदेश की प्रमाणित प्रतिलिपि " * 3).encode()[:246].decode("utf-8", "ignore")

BAD: dict[str, tuple[str, str]] = {   # source: (reason_code, words the English reason must contain)
    "revenue/empty.pdf": ("empty_file", "empty"),
    "revenue/truncated.pdf": ("truncated_pdf", "incomplete"),
    "revenue/locked.pdf": ("encrypted_pdf", "password"),
    "revenue/nopages.pdf": ("no_pages", "no pages"),
    "revenue/bundle.pdf": ("unsupported_type", "ZIP archive"),
    "revenue/report.pdf": ("unsupported_type", "Word document"),
    "revenue/photo.jpg": ("unsupported_type", "HTML"),
    "revenue/huge.png": ("image_too_large", "40000 × 40000"),
    "revenue/broken.png": ("unreadable_image", "cannot be read"),
    "legal/slow.pdf": ("page_timeout", "too long"),
    "loose.png": ("top_level", "branch folder"),
    f"revenue/{LONG}.pdf": ("empty_file", "empty"),
}
IGNORED = ["revenue/Thumbs.db", "revenue/desktop.ini", "revenue/.DS_Store", "revenue/._scan.png",
           "revenue/~$notes.docx", "revenue/copy.tmp", "revenue/upload.part", "revenue/.hidden.png",
           "legal/.sync/inner.png"]


def _bytes() -> dict[str, bytes]:
    broken_png = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40
    return {
        "revenue/empty.pdf": b"",
        "revenue/truncated.pdf": hostile.truncated_pdf(),
        "revenue/locked.pdf": hostile.encrypted_pdf(),
        "revenue/nopages.pdf": hostile.no_pages_pdf(),
        "revenue/bundle.pdf": hostile.zip_bytes(),
        "revenue/report.pdf": hostile.docx_bytes(),
        "revenue/photo.jpg": hostile.HTML,
        "revenue/huge.png": hostile.png_bomb(),
        "revenue/broken.png": broken_png,
        "legal/slow.pdf": hostile.slow_pdf(),
        "loose.png": _png_page("loose"),
        f"revenue/{LONG}.pdf": b"",
    }


def _png_page(seed_text: str) -> bytes:
    import io

    buf = io.BytesIO()
    hostile.small_page(seed_text).save(buf, "PNG", dpi=(300, 300))
    return buf.getvalue()


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("hostile")
    share = root / "share"
    share.mkdir()
    office = Office(root, write_config(root, "[ocr]\npage_timeout = 15\n"))  # 3 s timed out small pages at load 16
    originals: dict[str, bytes] = {}
    for source, data in _bytes().items():
        hostile.write(share / source, data)
        originals[source] = data
    outside = root / "outside" / "secret.pdf"
    hostile.write(outside, hostile.pdf_bytes())
    (share / "revenue" / "link.pdf").symlink_to(outside)
    for name in IGNORED:
        hostile.write(share / name, b"litter")
    # good files with awkward names, the same name in two branches, and duplicates
    letter = make_letter(3, "hi")
    good = {
        NFD("राजस्व") + "/" + NFD("नामांतरण आदेश.png"): render_page(letter.lines),
        "revenue/file with  two  spaces .png": render_page(make_letter(4, "en").lines, lang="en"),
        f"revenue/{LONG}.png": render_page(make_letter(5, "hi").lines),
        "revenue/same.png": render_page(make_letter(6, "hi").lines),
        "legal/same.png": render_page(make_letter(7, "hi").lines),
    }
    for source, img in good.items():
        save_document([img], share / source, "png")
    data = (share / "revenue" / "same.png").read_bytes()
    for dup in ("legal/copy of same.png", "revenue/same (2).png"):
        hostile.write(share / dup, data)
    result = office.run("watch", "--once", timeout=900)
    docs = {d["source"]: d for d in office.documents()}
    return {"office": office, "docs": docs, "originals": originals, "outside": outside, "result": result}


def test_watch_exits_zero(run: dict[str, Any]) -> None:
    assert run["result"].returncode == 0


@pytest.mark.parametrize("source", sorted(BAD))
def test_bad_file_is_returned_with_a_specific_bilingual_reason(run: dict[str, Any], source: str) -> None:
    office: Office = run["office"]
    doc = run["docs"][source]
    code, words = BAD[source]
    assert doc["status"] == "rejected"
    assert doc["reason_code"] == code, doc
    assert words.lower() in doc["reason"].lower()
    assert not (office.share / source).exists()
    moved = office.share / doc["rejected_path"]
    assert moved.read_bytes() == run["originals"][source]
    assert moved.parent.relative_to(office.share).parts[:2] == ("_rejected", source.split("/")[0]
                                                                 if "/" in source else "_top")
    note = moved.with_name(moved.name + ".reason.txt").read_text(encoding="utf-8")
    first_line = note.splitlines()[0] + note.splitlines()[1]
    assert any("\u0900" <= ch <= "\u097f" for ch in first_line), "Hindi comes first"
    assert doc["reason"] in note


def test_symlink_is_returned_never_followed(run: dict[str, Any]) -> None:
    office: Office = run["office"]
    doc = run["docs"]["revenue/link.pdf"]
    assert doc["status"] == "rejected" and doc["reason_code"] == "symlink"
    moved = office.share / doc["rejected_path"]
    assert moved.is_symlink()
    assert run["outside"].exists() and run["outside"].read_bytes().startswith(b"%PDF")
    assert doc["pages"] == 0


def test_system_litter_is_left_alone(run: dict[str, Any]) -> None:
    office: Office = run["office"]
    for name in IGNORED:
        assert (office.share / name).read_bytes() == b"litter"
        assert name not in run["docs"]


def test_odd_names_are_digitised(run: dict[str, Any]) -> None:
    docs = run["docs"]
    nfc = "राजस्व/नामांतरण आदेश.png"
    assert docs[nfc]["status"] == "done" and docs[nfc]["branch"] == "राजस्व"
    assert docs["revenue/file with  two  spaces .png"]["status"] == "done"
    long_doc = docs[f"revenue/{LONG}.png"]
    assert long_doc["status"] == "done" and Path(long_doc["archive"]).exists()
    assert all(len(p.encode()) <= 255 for p in Path(long_doc["archive"]).parts)


def test_same_name_in_two_branches_are_two_documents(run: dict[str, Any]) -> None:
    a, b = run["docs"]["revenue/same.png"], run["docs"]["legal/same.png"]
    assert a["sha256"] != b["sha256"] and b["status"] == "done"
    assert a["status"] in ("done", "duplicate")   # revenue/same.png has two copies; one of the three is first


COPIES = ("revenue/same.png", "legal/copy of same.png", "revenue/same (2).png")


def test_duplicates_are_linked_to_the_first_and_returned(run: dict[str, Any]) -> None:
    office: Office = run["office"]
    docs = [run["docs"][s] for s in COPIES]
    firsts = [d for d in docs if d["status"] == "done"]
    assert len(firsts) == 1, "exactly one copy is digitised"
    first = firsts[0]
    for doc in docs:
        if doc is first:
            continue
        assert doc["status"] == "duplicate" and doc["duplicate_of"] == first["id"]
        assert "already digitised" in doc["reason"] and first["source"] in doc["reason"]
        moved = office.share / doc["rejected_path"]
        assert moved.exists() and os.path.exists(str(moved) + ".reason.txt")
        assert doc["pages"] == 0   # not OCR'd again


def test_rejected_command_and_status_count_them(run: dict[str, Any]) -> None:
    office: Office = run["office"]
    listed = office.json("rejected", "--branch", "revenue")
    assert {d["source"] for d in listed} >= {"revenue/empty.pdf", "revenue/locked.pdf"}
    rows = {r["branch"]: r for r in office.json("status")}
    assert rows["revenue"]["rejected"] == 11 and rows["legal"]["rejected"] == 1
    assert rows["revenue"]["duplicate"] + rows["legal"]["duplicate"] == 2
    assert "password" in office.run("rejected").stdout
