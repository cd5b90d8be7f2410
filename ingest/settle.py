"""The settle step: make the share show a document's final state, touching the file at the path only if it is still
the bytes that were recorded.

done → the original is removed (its verified copy is in the archive); rejected / duplicate → the original moves to
`_rejected/<branch>/` with a reason file; failed → the original stays. A file the clerk replaced or removed
meanwhile is left alone (a replacement is a new drop). A share folder nasti cannot write to is recorded as a
problem (`share_unwritable`, a health line in `nasti status`) and tried again at the next look — never re-OCR'd.
"""
from __future__ import annotations

import errno
import logging
from pathlib import Path

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
