"""Backup / restore / rebuild benchmark, run by hand (not a test): 10,000 documents without OCR.

    .venv/bin/python bench/backup_bench.py [--documents 10000] [--original-kb 24]   # writes bench/results/backup.md

Synthesis: per document a generated letter (Hindi or English, with a file number; 1–3 pages of its text), an
"original" of ``--original-kb`` random bytes and a one-page searchable PDF carrying the document's record (XMP +
``nasti.json``, written by ``ocr.xmp.write_description`` exactly as the pipeline does). The database is then
*made by* ``nasti rebuild`` from that archive (timed: that is the rebuild number), and on it the timings are:

- ``backup`` first run (empty OUT: snapshot + copy + hash every file), then incremental with nothing new, then
  incremental after 100 more documents;
- ``restore`` into a fresh folder (database back, every archive file copied back, reconcile);
- ``fsck`` (every original hashed, every PDF's record read) and ``fsck --quick``.
Each step is the real CLI code path called in-process (the commands are thin), one run each.
"""
from __future__ import annotations

import argparse
import hashlib
import os
import random
import shutil
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pikepdf

from common import config as configmod
from nasti.samples import make_letter
from nasti.vault.backup import backup
from nasti.vault.fsck import fsck
from nasti.vault.rebuild import rebuild
from nasti.vault.restore import restore
from ocr.xmp import write_description
from store.db import Store

HERE = Path(__file__).resolve().parent
WORK = HERE / "out" / "backup"
RESULTS = HERE / "results" / "backup.md"
BRANCHES = ("revenue", "establishment", "land-records", "legal", "nazul", "food")
CONFIG = '[share]\npath = "share"\n[store]\nurl = "sqlite:///var/nasti.db"\n[archive]\npath = "var/archive"\n'


def size_of(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.is_dir() else path.stat().st_size


def mb(n: int) -> str:
    return f"{n / 2**20:.1f} MB"


def office(root: Path) -> configmod.Config:
    (root / "share").mkdir(parents=True, exist_ok=True)
    (root / "config.toml").write_text(CONFIG, encoding="utf-8")
    return configmod.load(str(root / "config.toml"))


def synthesise(archive: Path, first: int, count: int, original_kb: int) -> int:
    """Write ``count`` documents' archive files (ids from ``first``); returns pages written."""
    rnd = random.Random(first)
    pages_total = 0
    for doc_id in range(first, first + count):
        branch = BRANCHES[doc_id % len(BRANCHES)]
        lang = "en" if doc_id % 4 == 0 else "hi"
        letter = make_letter(doc_id, lang)
        text = "\n".join(letter.lines)
        original = rnd.randbytes(original_kb * 1024)
        sha = hashlib.sha256(original).hexdigest()
        rel, pdf_rel = f"{branch}/{doc_id}-scan_{doc_id}.png", f"{branch}/{doc_id}-scan_{doc_id}.ocr.pdf"
        (archive / branch).mkdir(parents=True, exist_ok=True)
        (archive / rel).write_bytes(original)
        pdf = pikepdf.new()
        pdf.add_blank_page(page_size=(595, 842))
        pdf.save(archive / pdf_rel)
        n = 1 + doc_id % 3
        pages_total += n
        record: dict[str, Any] = {
            "id": doc_id, "source": f"{branch}/scan_{doc_id}.png", "share_path": f"{branch}/scan_{doc_id}.png",
            "sha256": sha, "size": len(original), "kind": "png", "status": "done", "needs_review": False,
            "file_number": letter.file_number, "file_number_key": None, "file_number_source": "page 1",
            "file_number_confidence": 0.9, "subject": letter.lines[min(6, len(letter.lines) - 1)],
            "letter_date": "2019-03-28", "blank_pages": 0, "confidence": 88.0, "archive_path": rel,
            "pdf_path": pdf_rel, "branch": branch, "branch_code": branch[:3].upper(),
            "received_at": "2026-11-01T10:00:00+00:00", "done_at": "2026-11-01T10:01:00+00:00",
            "pages": [{"number": k, "text": text, "confidence": 88.0, "blank": False, "language": lang,
                       "rotation": 0, "seconds": 1.0} for k in range(1, n + 1)],
        }
        write_description(archive / pdf_rel, record)
    return pages_total


def timed(fn: Any) -> tuple[float, Any]:
    t0 = time.monotonic()
    out = fn()
    return time.monotonic() - t0, out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--documents", type=int, default=10_000)
    ap.add_argument("--original-kb", type=int, default=24)
    args = ap.parse_args()
    shutil.rmtree(WORK, ignore_errors=True)
    live, out, there = WORK / "live", WORK / "backup", WORK / "elsewhere"
    cfg = office(live)
    t_syn, pages = timed(lambda: synthesise(cfg.archive, 1, args.documents, args.original_kb))
    store = Store(cfg.store_url)
    t_rebuild, r = timed(lambda: rebuild(store, cfg, cfg.archive))
    assert len(r.attached) == args.documents, r.as_dict()
    store.close()
    db = Path(cfg.store_url.split("///", 1)[1])
    rows = []
    t, b1 = timed(lambda: backup(cfg.store_url, cfg.archive, out))
    rows.append(("backup, first run (empty OUT)", t, f"{b1.copied} files copied and hashed, {mb(b1.copied_bytes)}"))
    t, b2 = timed(lambda: backup(cfg.store_url, cfg.archive, out))
    rows.append(("backup, incremental, nothing new", t, f"{b2.copied} copied, {b2.hashed} hashed"))
    synthesise(cfg.archive, args.documents + 1, 100, args.original_kb)
    store = Store(cfg.store_url)
    from nasti.vault.rebuild import reconcile  # attach the 100 new documents as a watcher would have recorded them

    reconcile(store, cfg, cfg.archive, actor="bench")
    store.close()
    t, b3 = timed(lambda: backup(cfg.store_url, cfg.archive, out))
    rows.append(("backup, incremental, 100 new documents", t, f"{b3.copied} copied, {b3.hashed} hashed, "
                 f"{mb(b3.copied_bytes)}"))
    cfg2 = office(there)
    t, rr = timed(lambda: restore(cfg2, out))
    rows.append(("restore into a fresh folder", t, f"{rr.files_restored} files brought back, reconcile "
                 f"{len(rr.reconciled.get('attached', []))} re-attached"))
    store = Store(cfg2.store_url)
    t, found = timed(lambda: fsck(store, cfg2.archive))
    rows.append(("fsck (hash every original, read every record)", t, f"{len(found)} findings"))
    t, found = timed(lambda: fsck(store, cfg2.archive, checksums=False))
    rows.append(("fsck --quick", t, f"{len(found)} findings"))
    store.close()
    total = args.documents + 100
    rows.insert(0, ("rebuild (empty database from the archive)", t_rebuild,
                    f"{args.documents} documents, {pages} pages, search index included"))
    load = os.getloadavg()[0]
    lines = [
        "# Backup, restore and rebuild benchmark", "",
        f"{args.documents:,} synthetic documents (+100 for the incremental run), {pages:,} pages of generated Hindi/"
        f"English letter text, originals of {args.original_kb} KB random bytes, one-page searchable PDFs carrying "
        f"their record (XMP + nasti.json); no OCR. SQLite (WAL). 2 CPUs, load average {load:.1f} at the end (other "
        f"helpers share the machine), run at nice {os.nice(0)}. Synthesis took {t_syn:.0f} s (not counted).", "",
        "| step | seconds | notes |", "|---|---:|---|",
        *[f"| {name} | {sec:.1f} | {note} |" for name, sec, note in rows], "",
        "| size | |", "|---|---:|",
        f"| database ({total:,} documents) | {mb(db.stat().st_size)} |",
        f"| archive | {mb(size_of(cfg.archive))} |",
        f"| backup folder (database + archive copy + manifest) | {mb(size_of(out))} |",
        f"| manifest.json | {mb((out / 'manifest.json').stat().st_size)} |", "",
        "Run: `.venv/bin/python bench/backup_bench.py` (about 10 minutes; writes under bench/out/, removed first).",
    ]
    RESULTS.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
