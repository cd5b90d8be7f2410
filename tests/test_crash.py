"""kill -9 at random moments while a batch is processed; after a final restart every dropped file is in exactly one
final state: no lost original, no duplicate record, no orphan in the archive, no half-written PDF taken as done."""
from __future__ import annotations

import hashlib
import os
import random
import signal
import sqlite3
import time
from pathlib import Path

import pikepdf

from nasti.samples import save_document
from tests import hostile
from tests.conftest import Office

KILLS = 22


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def make_batch(share: Path) -> dict[str, bytes]:
    """32 drops: single pages, 3-page PDFs and TIFFs, bad files, and two duplicates."""
    files: dict[str, bytes] = {}
    tmp = share.parent / "staging"
    tmp.mkdir()
    for i in range(24):
        branch = ("revenue", "legal", "establishment")[i % 3]
        fmt = ("png", "pdf", "tiff", "png")[i % 4]
        pages = [hostile.small_page(f"नस्ती {i} पृष्ठ {k + 1} क्रमांक/{2317 + i}/राज./2016") for k in
                 range(1 if fmt == "png" else 3)]
        out = save_document(pages, tmp / f"f{i}.{fmt}", fmt)
        files[f"{branch}/पत्र {i}.{fmt}"] = out.read_bytes()
    files["revenue/empty.pdf"] = b""
    files["revenue/bundle.pdf"] = hostile.zip_bytes()
    files["legal/truncated.pdf"] = hostile.truncated_pdf()
    files["legal/locked.pdf"] = hostile.encrypted_pdf()
    files["establishment/photo.jpg"] = hostile.HTML
    files["establishment/nopages.pdf"] = hostile.no_pages_pdf()
    files["legal/copy of पत्र 0.png"] = files["revenue/पत्र 0.png"]
    files["establishment/again.pdf"] = files["legal/पत्र 1.pdf"]
    for source, data in files.items():
        hostile.write(share / source, data)
    return files


def kill_tree(proc) -> None:  # type: ignore[no-untyped-def]
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait(timeout=30)


def test_kill_minus_nine_loop_loses_nothing(office: Office) -> None:
    files = make_batch(office.share)
    rng = random.Random(int(os.environ.get("NASTI_CRASH_SEED", "20261125")))
    for _ in range(KILLS):
        proc = office.popen("watch")
        time.sleep(rng.uniform(0.4, 3.5))
        kill_tree(proc)
    office.run("watch", "--once", timeout=600)

    db = sqlite3.connect(office.root / "var" / "nasti.db")
    rows = db.execute("select id, source, sha256, status, archive_path, pdf_path, rejected_path, settled, pages "
                      "from document").fetchall()
    by_source: dict[str, list[tuple]] = {}
    for row in rows:
        by_source.setdefault(row[1], []).append(row)

    # exactly one record per dropped file, in a final state, settled
    assert set(by_source) == set(files)
    assert all(len(v) == 1 for v in by_source.values()), {k: len(v) for k, v in by_source.items() if len(v) > 1}
    referenced: set[Path] = set()
    for source, [(doc_id, _, digest, status, archive_rel, pdf_rel, rejected_rel, settled, pages)] in \
            by_source.items():
        assert digest == sha(files[source])
        assert status in ("done", "rejected", "duplicate") and settled == 1, (source, status, settled)
        assert not (office.share / source).exists(), f"{source} still in the drop folder"
        if status == "done":
            original = office.archive / archive_rel
            assert sha(original.read_bytes()) == digest, f"archive copy of {source} differs"
            with pikepdf.open(office.archive / pdf_rel) as pdf:    # a complete, valid searchable PDF
                assert len(pdf.pages) == pages
            referenced |= {original, office.archive / pdf_rel}
        else:
            moved = office.share / rejected_rel
            assert moved.read_bytes() == files[source], f"{source} not returned byte-identical"
            assert Path(str(moved) + ".reason.txt").exists()
        last = db.execute("select to_state from event where document_id = ? order by id desc limit 1",
                          (doc_id,)).fetchone()[0]
        assert last == status

    # no orphans: the archive holds exactly what the database references; _rejected holds only returned files
    on_disk = {p for p in office.archive.rglob("*")   # nasti's own share-lock file (the last watcher's pid) aside
               if p.is_file() and not (p.parent == office.archive and p.name.startswith(".nasti"))}
    assert on_disk == referenced, f"orphans: {sorted(map(str, on_disk - referenced))[:5]}"
    returned = {office.share / r[6] for r in rows if r[3] != "done"}
    in_rejected = {p for p in (office.share / "_rejected").rglob("*") if p.is_file() or p.is_symlink()}
    assert in_rejected == returned | {Path(str(p) + ".reason.txt") for p in returned}
    statuses = [r[3] for r in rows]
    assert statuses.count("done") == 24 and statuses.count("duplicate") == 2 and statuses.count("rejected") == 6
