"""The settle step: make the share show a document's final state, touching the file at the path only if it is still
the bytes that were recorded.

done → the original is removed (its verified copy is in the archive); rejected / duplicate → the original moves to
`_rejected/<branch>/` with a reason file; failed → the original stays. A file the clerk replaced or removed
meanwhile is left alone (a replacement is a new drop). A share folder nasti cannot write to is recorded as a
problem (`share_unwritable`, a health line in `nasti status`) and tried again at the next look — never re-OCR'd.
"""
from __future__ import annotations

import datetime as dt
import errno
import logging
import os
import stat
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from common.config import Config
from ingest import identity
from ingest import share as sharefs
from ingest.archive import sha256_file
from ingest.identity import Identity
from ingest.reasons import Reason, reason_file_text
from ingest.steps import hook
from store import repo
from store.db import Store
from store.models import Document, Event, utcnow

log = logging.getLogger("nasti.ingest")
UNWRITABLE = (errno.EACCES, errno.EPERM, errno.EROFS)


def note(s: Session, doc: Document, detail: str, actor: str = "nasti") -> None:
    """An event that records something about a document without changing its status."""
    s.add(Event(document_id=doc.id, from_state=doc.status, to_state=doc.status, detail=detail, actor=actor,
                at=utcnow()))


def settle(cfg: Config, store: Store, doc_id: int, path: Path, ident: Identity, sha: str, *,
           copy_verified: bool = False) -> None:
    """The destination under _rejected/ is recorded before anything moves, so a crash in between resumes to the
    same place. An archive copy verified in this very call is not hashed again; one from an interrupted run is,
    before the original goes."""
    share = cfg.share
    hook("before_settle", path=path, doc_id=doc_id)
    with store.session() as s:
        doc = s.get_one(Document, doc_id)
        if doc.settled or doc.status not in repo.FINAL:
            return
        if doc.status == "failed":
            doc.settled = True
            return
        how = identity.check(path, ident, sha)
        if how != "same":
            doc.settled, doc.problem = True, None
            note(s, doc, f"the file at {doc.source} was {how} by the clerk before the share was updated; "
                         "nothing was moved" + (" (a replacement is a new drop)" if how == "replaced" else ""),
                 actor="clerk")
            if doc.status == "done":
                resolve_rejections(s, share, doc)
            return
        if doc.status != "done" and doc.rejected_path is None:
            doc.rejected_path = sharefs.source_of(share, sharefs.rejected_destination(share, doc.source))
    with store.session() as s:
        doc = s.get_one(Document, doc_id)
        try:
            if doc.status == "done":
                copy = cfg.archive / (doc.archive_path or "")
                if not copy.is_file() or (not copy_verified and sha256_file(copy) != doc.sha256):
                    if doc.problem != "archive_missing":   # the original is the only good copy: it stays
                        note(s, doc, f"the archive copy {doc.archive_path} is missing or differs; the original "
                                     "stays in the share")
                        log.error("%s: its archive copy is missing or differs; the original stays", doc.source)
                    doc.problem = "archive_missing"
                    return
                if identity.check(path, ident, sha) == "same":   # checked again right before the unlink
                    sharefs.remove_original(share, path)
            else:
                stored = Reason(code=doc.reason_code or "", hi=doc.reason_hi or "", en=doc.reason or "")
                if identity.check(path, ident, sha) == "same":
                    sharefs.return_to_clerk(share, path, share / (doc.rejected_path or ""),
                                            reason_file_text(path.name, stored))
                else:   # changed in the instant since the first look: nothing moved, nothing claimed
                    doc.rejected_path = None
        except OSError as e:
            if e.errno not in UNWRITABLE:
                raise
            if doc.problem != "share_unwritable":
                note(s, doc, f"the share folder cannot be changed ({e.strerror}); the original stays until it can")
                log.warning("%s: the share folder cannot be changed (%s); the document is %s, the original stays",
                            doc.source, e.strerror, doc.status)
            doc.problem = "share_unwritable"
            return
        doc.settled, doc.problem = True, None
        if doc.status == "done":
            resolve_rejections(s, share, doc)
    hook("after_settle", path=path, doc_id=doc_id)


def resolve_rejections(s: Session, share: Path, doc: Document) -> None:
    """A file digitised under a name that was rejected before closes those rejections (reason file → resolved)."""
    for old in repo.open_rejections(s, doc.source, doc.id):
        renamed = bool(old.rejected_path) and sharefs.resolve_note(share, old.rejected_path or "")
        old.resolved_by_id = doc.id
        note(s, old, f"resolved: a file under this name was digitised as document {doc.id}"
                     + ("; its reason file is now .resolved.txt" if renamed else ""))


def revisit_returned(cfg: Config, store: Store, within: dt.timedelta = dt.timedelta(hours=1)) -> list[Path]:
    """A file returned to `_rejected/` that changed size afterwards was still being copied (a copy that stalled
    longer than the quiet time, e.g. at 0 bytes): it is put back where the clerk dropped it, to be taken again as a
    new drop; its rejection stays on record with a note. Returns the paths put back."""
    share, back_paths = cfg.share, []
    with store.session() as s:
        for doc in s.scalars(select(Document).where(Document.status == "rejected", Document.settled.is_(True),
                                                    Document.rejected_path.is_not(None),
                                                    Document.resolved_by_id.is_(None),
                                                    Document.updated_at >= utcnow() - within)):
            moved = share / (doc.rejected_path or "")
            try:
                st = os.lstat(moved)
            except OSError:
                continue
            back = sharefs.on_disk(share, doc.share_path)
            if not stat.S_ISREG(st.st_mode) or st.st_size == doc.size or back.exists() or back.is_symlink():
                continue
            try:
                back.parent.mkdir(parents=True, exist_ok=True)
                os.rename(moved, back)
            except OSError as e:
                log.warning("%s grew after it was returned but could not be put back: %s", doc.source, e.strerror)
                continue
            (share / f"{doc.rejected_path}.reason.txt").unlink(missing_ok=True)
            note(s, doc, f"the returned file grew from {doc.size} to {st.st_size} bytes (it was still being copied): "
                         f"put back at {doc.source} to be taken again", actor="clerk")
            doc.rejected_path = None
            back_paths.append(back)
    return back_paths
