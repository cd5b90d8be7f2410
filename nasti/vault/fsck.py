"""`nasti fsck`: the archive against the database — missing, corrupt and unknown files. Reads only; never deletes."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pikepdf
from sqlalchemy import select

from ingest.archive import sha256_file
from nasti.vault.records import stale
from nasti.vault.scan import references, unknown, walk
from ocr.xmp import read_description
from store import counts_check
from store.db import Store
from store.models import Branch, Document

PROBLEMS = ("missing", "corrupt", "unknown", "quarantined", "counts")   # any of these: exit 1
NOTES = ("in_flight", "no_metadata", "stale_record")          # reported, not a problem


@dataclass(frozen=True)
class Finding:
    kind: str
    path: str                 # archive-relative
    document_id: int | None
    detail: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _check_pdf(path: Path, rel: str, doc: Document, branch: Branch | None) -> Finding | None:
    doc_id, sha = doc.id, doc.sha256
    rec = read_description(path)
    if rec is None:
        try:
            pikepdf.open(path).close()
        except (pikepdf.PdfError, OSError) as e:
            return Finding("corrupt", rel, doc_id, f"searchable PDF does not open: {type(e).__name__}")
        return Finding("no_metadata", rel, doc_id, "searchable PDF carries no nasti record (cannot be rebuilt)")
    if str(rec.get("id")) != str(doc_id) or rec.get("sha256") != sha:
        return Finding("corrupt", rel, doc_id, f"PDF record names document {rec.get('id')} / sha256 "
                                               f"{str(rec.get('sha256'))[:12]}, not this document")
    if changed := stale(rec, doc, branch):
        return Finding("stale_record", rel, doc_id, f"tags changed since the record was written "
                                                    f"({', '.join(changed)}); `nasti fsck --refresh-records` "
                                                    "rewrites it")
    return None


def fsck(store: Store, archive: Path, *, checksums: bool = True, counts: bool = True) -> list[Finding]:
    """Findings of the archive against the database; ``counts``: also the summary counts against the rows
    (``store.counts_check.check``, which reads every document: `fsck --quick` leaves it out)."""
    refs = references(store)          # the database first: files written after this are in flight, not unknown
    with store.session() as s:
        branches = {b.id: b for b in s.scalars(select(Branch))}
        done = list(s.scalars(select(Document).where(Document.status == "done").order_by(Document.id)))
    files = walk(archive)
    out: list[Finding] = []
    for doc in done:
        doc_id, sha, original, pdf = doc.id, doc.sha256, doc.archive_path, doc.pdf_path
        for rel, what in ((original, "original"), (pdf, "searchable PDF")):
            if not rel:
                out.append(Finding("missing", "", doc_id, f"done, but no {what} path recorded"))
            elif not (archive / rel).is_file():
                out.append(Finding("missing", rel, doc_id, f"{what} of a done document is not in the archive"))
        if original and checksums and (archive / original).is_file():
            got = sha256_file(archive / original)
            if got != sha:
                out.append(Finding("corrupt", original, doc_id, f"sha256 {got[:12]}… ≠ recorded {sha[:12]}…"))
        if pdf and checksums and (archive / pdf).is_file() and (f := _check_pdf(archive / pdf, pdf, doc,
                                                                                   branches.get(doc.branch_id))):
            out.append(f)
    out += [Finding("unknown", rel, None, "no document references this file")
            for rel in unknown(files, refs, live=True)]
    out += [Finding("quarantined", rel, None, "set aside instead of deleted; re-attach or remove by hand")
            for rel in files.quarantined]
    out += [Finding("in_flight", rel, None, "being written") for rel in files.in_flight]
    if not counts:
        return out
    with store.session() as s:
        out += [Finding("counts", "", None, f"summary counts differ from the documents ({what}); the dashboards "
                        "show these numbers: `nasti fsck --recount` rebuilds them") for what in counts_check.check(s)]
    return out


def summary(findings: list[Finding]) -> dict[str, int]:
    counts = dict.fromkeys(PROBLEMS + NOTES, 0)
    for f in findings:
        counts[f.kind] += 1
    return counts
