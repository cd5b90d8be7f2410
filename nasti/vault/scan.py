"""What is in the archive, what the database references, and which files it does not know.

The archive holds, per done document, the original's verified copy (``archive_path``) and the searchable PDF
(``pdf_path``). Besides those: ``.staging/`` (OCR layers of documents in flight), ``*.part`` (a file being written
and renamed), ``_quarantine/`` (files set aside instead of deleted), and the files of a document still being
processed — named ``<id>-<name>`` after its row. Only what is none of these is *unknown*.
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from stat import S_ISREG

from sqlalchemy import select

from ingest.pipeline import STAGING
from ingest.recover import QUARANTINE, move_aside, quarantine_stamp
from store import repo
from store.db import Store
from store.models import Document

PART = ".part"


@dataclass
class ArchiveFiles:
    files: dict[str, Path] = field(default_factory=dict)   # archive-relative '/' path → file (the archive proper)
    quarantined: list[str] = field(default_factory=list)
    in_flight: list[str] = field(default_factory=list)     # .staging/ and *.part


def walk(archive: Path, *, limit: int | None = None) -> ArchiveFiles:
    """The archive's files, sorted by folder; ``limit``: stop once that many files of the archive proper are found
    (is there anything at all? — without listing a million files)."""
    found = ArchiveFiles()
    if not archive.is_dir():
        return found
    for dirpath, dirnames, filenames in os.walk(archive):
        dirnames.sort()
        for name in sorted(filenames):
            path = Path(dirpath) / name
            rel = path.relative_to(archive).as_posix()
            top = rel.split("/", 1)[0]
            if rel == name and name.startswith(".nasti"):
                continue                       # nasti's own bookkeeping at the archive's top (locks, markers)
            if top == QUARANTINE:
                found.quarantined.append(rel)
            elif top == STAGING or name.endswith(PART):
                found.in_flight.append(rel)
            elif path.is_file() and not path.is_symlink():
                found.files[rel] = path
                if limit is not None and len(found.files) >= limit:
                    return found
    return found


@dataclass
class Present:
    """The files the database records for its done documents, looked at without reading them (`doctor --quick`)."""
    documents: int = 0                                   # done documents
    files: int = 0                                       # distinct archive files they name
    missing: list[str] = field(default_factory=list)     # not in the archive (or not a file)
    resized: list[str] = field(default_factory=list)     # an original whose size is not the recorded one; an empty PDF


def present(store: Store, archive: Path) -> Present:
    """Existence and size of every archive file of a done document: one stat each, no hashing (`nasti fsck` hashes).
    An original must have the size recorded at ingest; a searchable PDF must not be empty."""
    out, sizes = Present(), {}
    with store.session() as s:
        for original, pdf, size in s.execute(select(Document.archive_path, Document.pdf_path, Document.size)
                                             .where(Document.status == "done")):
            out.documents += 1
            sizes.update({rel: want for rel, want in ((original, size), (pdf, None)) if rel})
    out.files = len(sizes)
    for rel, want in sizes.items():
        try:
            st = (archive / rel).stat()
        except OSError:
            out.missing.append(rel)
            continue
        if not S_ISREG(st.st_mode):
            out.missing.append(rel)
        elif (st.st_size != want) if want is not None else st.st_size == 0:
            out.resized.append(rel)
    return out


@dataclass(frozen=True)
class References:
    paths: dict[str, int]       # archive-relative path → id of the done document that references it
    pending: frozenset[str]     # paths recorded by documents not (yet) done: their own half-made files
    active: frozenset[int]      # ids of documents still being processed (their files may exist, unreferenced)
    documents: int              # rows in the document table
    taken_at: float             # wall-clock time the references were read (files changed later are in flight)


def references(store: Store) -> References:
    taken = time.time()
    with store.session() as s:
        paths: dict[str, int] = {}
        pending: set[str] = set()
        for doc_id, status, a, p in s.execute(select(Document.id, Document.status, Document.archive_path,
                                                     Document.pdf_path).where(Document.archive_path.is_not(None))):
            if status == "done":
                paths.update({x: doc_id for x in (a, p) if x})
            else:
                pending.update(x for x in (a, p) if x)
        active = frozenset(s.scalars(select(Document.id).where(Document.status.in_(repo.ACTIVE))))
        count = len(s.scalars(select(Document.id)).all())
    return References(paths, frozenset(pending - set(paths)), active, count, taken)


def _in_flight_name(rel: str, refs: References) -> bool:
    head = rel.rsplit("/", 1)[-1].split("-", 1)[0]
    return head.isdigit() and int(head) in refs.active


def unknown(files: ArchiveFiles, refs: References, *, live: bool = False) -> list[str]:
    """Archive files no done document references, except a processing document's own files — and, with ``live``
    (a watcher may be running: fsck, backup), files written since the references were read."""
    out = []
    for rel, path in files.files.items():
        if rel in refs.paths or rel in refs.pending or _in_flight_name(rel, refs):
            continue
        try:
            if live and path.stat().st_mtime >= refs.taken_at - 1:
                continue
        except FileNotFoundError:
            continue
        out.append(rel)
    return out


@dataclass
class SetAside:
    """One round of setting aside: where each file went, and the files that vanished before they could be moved."""
    moved: dict[str, Path] = field(default_factory=dict)   # archive-relative path → its place under _quarantine/
    vanished: list[str] = field(default_factory=list)      # gone from disk meanwhile: not set aside, not quarantined
    folders: list[Path] = field(default_factory=list)      # every _quarantine/<stamp>[-n]/ folder written to


def set_aside(archive: Path, rels: list[str]) -> SetAside:
    """Move files into ``_quarantine/<time>/`` under their archive-relative path (never delete them). A name or
    folder already taken there sends a file to ``<time>-2/`` (ingest.recover.move_aside), so one round may write to
    more than one folder: all are named. Files that vanished meanwhile are skipped and named as vanished."""
    stamp, out = quarantine_stamp(), SetAside()
    for rel in rels:
        if (dest := move_aside(archive, rel, stamp)) is None:
            out.vanished.append(rel)
        else:
            out.moved[rel] = dest
    top = archive / QUARANTINE
    out.folders = sorted({top / d.relative_to(top).parts[0] for d in out.moved.values()})
    return out
