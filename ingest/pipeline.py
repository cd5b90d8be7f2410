"""The document state machine: received → processing → done | rejected, or received → duplicate.

One call of `Ingestor.handle(path)` takes one dropped file to a final state, and is safe to repeat after a crash at
any point: the database row for the drop (same source, same sha256) is found again and the work resumes.
"""
from __future__ import annotations

import shutil
import threading
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from ingest import share as sharefs
from ingest.archive import safe_component, sha256_file, verified_copy
from ingest.locks import KeyedLock
from ingest.pages import record_pages
from ingest.reasons import Reason, reason, reason_file_text
from ingest.tagger import tag_and_index
from ingest.validate import Inspected, Rejected, inspect
from nasti.config import Config
from ocr.errors import EngineMissing, OcrError
from ocr.page import PageResult, PageTask, process_page
from ocr.pdf import build_searchable
from ocr.pool import OcrPool
from store import repo
from store.db import Store
from store.models import Document

STAGING = ".staging"


@dataclass(frozen=True)
class Outcome:
    source: str
    status: str
    document_id: int | None
    detail: str = ""


class Ingestor:
    def __init__(self, cfg: Config, store: Store, pool: OcrPool) -> None:
        self.cfg, self.store, self.pool = cfg, store, pool
        self._same_bytes = KeyedLock()
        self._branches: dict[str, int] = {}
        self._branch_lock = threading.Lock()
        with store.session() as s:
            office = repo.ensure_office(s, key="default", name_hi=cfg.office.name_hi, name_en=cfg.office.name_en,
                                        cutover=cfg.office.cutover)
            self.office_id = office.id
            for b in cfg.branches.values():
                repo.ensure_branch(s, office.id, key=b.key, code=b.code, name_hi=b.name_hi, name_en=b.name_en,
                                   cutover=b.cutover, configured=True)

    # -- entry point ---------------------------------------------------------------------------------------------
    def handle(self, path: Path) -> Outcome | None:
        share = self.cfg.share
        if not (path.exists() or path.is_symlink()):
            return None  # gone before we got to it: nothing was dropped that we could keep
        source = sharefs.source_of(share, path)
        sha = sha256_file(path)
        size = 0 if path.is_symlink() else path.stat().st_size
        branch_key = sharefs.branch_of(source)
        branch_id = self._branch_id(branch_key) if branch_key else None
        # Copies with the same bytes are handled one after the other, so the second sees the first's outcome.
        with self._same_bytes.hold(sha):
            with self.store.session() as s:
                doc = repo.resumable(s, source, sha)
                if doc is None:
                    doc = repo.new_document(s, office_id=self.office_id, branch_id=branch_id, source=source,
                                            share_path=sharefs.raw_relative(share, path), sha256=sha, size=size)
                doc_id = doc.id
                if doc.status not in repo.FINAL:
                    self._early_verdict(s, doc, path)
            return self._finish(doc_id, path)

    def _early_verdict(self, s: Session, doc: Document, path: Path) -> None:
        """Decisions that need no OCR: where the file was put, what it is, whether we have it already."""
        if sharefs.branch_of(doc.source) is None:
            self._reject(s, doc, Rejected("top_level"))
        elif path.is_symlink():
            self._reject(s, doc, Rejected("symlink"))
        elif (first := repo.original_of(s, doc.sha256, doc.id)) is not None:
            r = reason("duplicate", first=f"{first.source} (#{first.id})")
            doc.duplicate_of_id = first.id
            doc.reason_code, doc.reason, doc.reason_hi = r.code, r.en, r.hi
            repo.transition(s, doc, "duplicate", f"same sha256 as document {first.id}")

    # -- steps ---------------------------------------------------------------------------------------------------
    def _branch_id(self, key: str) -> int:
        """The branch row for a share folder, created once (in its own transaction) on first sight."""
        with self._branch_lock:
            if key not in self._branches:
                b = self.cfg.branch(key)
                with self.store.session() as s:
                    self._branches[key] = repo.ensure_branch(
                        s, self.office_id, key=key, code=b.code, name_hi=b.name_hi, name_en=b.name_en,
                        cutover=b.cutover, configured=key in self.cfg.branches).id
            return self._branches[key]

    def _finish(self, doc_id: int, path: Path) -> Outcome:
        with self.store.session() as s:
            status = s.get_one(Document, doc_id).status
        archived_now = status in ("received", "processing") and self._process(doc_id, path) == "done"
        self._settle(doc_id, path, copy_verified=archived_now)
        with self.store.session() as s:
            doc = s.get_one(Document, doc_id)
            return Outcome(doc.source, doc.status, doc.id, doc.reason or "")

    def _reject(self, s: Session, doc: Document, err: Rejected) -> None:
        r = reason(err.code, err.detail)
        doc.reason_code, doc.reason, doc.reason_hi = r.code, r.en, r.hi
        repo.transition(s, doc, "rejected", err.technical or err.detail or err.code)

    def _process(self, doc_id: int, path: Path) -> str:
        with self.store.session() as s:
            doc = s.get_one(Document, doc_id)
            if doc.status == "received":
                repo.transition(s, doc, "processing")
            else:
                repo.transition(s, doc, "processing", "resumed after an interrupted run")
            repo.clear_pages(s, doc_id)
        staging = self.cfg.archive / STAGING / str(doc_id)
        try:
            found = inspect(path, max_file_bytes=self.cfg.limits.max_file_mb * 2**20,
                            max_pixels=self.cfg.limits.max_pixels, max_pages=self.cfg.limits.max_pages,
                            timeout=self.cfg.ocr.page_timeout)
            results = self._ocr(path, found, staging)
            self._archive(doc_id, path, found, results)
            return "done"
        except Rejected as e:
            with self.store.session() as s:
                self._reject(s, s.get_one(Document, doc_id), e)
            return "rejected"
        except EngineMissing:
            raise  # an installation problem: stop loudly, the file stays where it is
        except OcrError as e:
            with self.store.session() as s:
                self._reject(s, s.get_one(Document, doc_id), Rejected(e.code, e.detail, e.detail))
            return "rejected"
        finally:
            shutil.rmtree(staging, ignore_errors=True)

    def _ocr(self, path: Path, found: Inspected, staging: Path) -> list[PageResult]:
        o = self.cfg.ocr
        futures: list[Future[PageResult]] = [
            self.pool.submit(process_page, PageTask(
                source=path, kind=found.kind, index=i, languages=o.languages, dpi=o.dpi, timeout=o.page_timeout,
                max_pixels=self.cfg.limits.max_pixels, layer=staging / f"page-{i + 1:05d}.pdf", psm=o.psm,
                mode=o.mode))
            for i in range(found.pages)
        ]
        try:
            return [f.result() for f in futures]
        finally:
            for f in futures:
                f.cancel()

    def _archive_paths(self, doc: Document) -> tuple[str, str]:
        parts = doc.source.split("/")
        folder = "/".join(safe_component(p) for p in parts[:-1])
        name = safe_component(f"{doc.id}-{parts[-1]}")
        stem = name.rsplit(".", 1)[0] if "." in name else name
        return f"{folder}/{name}", f"{folder}/{stem}.ocr.pdf"

    def _archive(self, doc_id: int, path: Path, found: Inspected, results: list[PageResult]) -> None:
        with self.store.session() as s:
            doc = s.get_one(Document, doc_id)
            original_rel, pdf_rel = self._archive_paths(doc)
            sha = doc.sha256
        verified_copy(path, self.cfg.archive / original_rel, sha)
        build_searchable(self.cfg.archive / original_rel, found.kind, [r.layer for r in results],
                         self.cfg.archive / pdf_rel, fallback_dpi=self.cfg.ocr.dpi)
        confs = [r.confidence for r in results if r.confidence is not None and not r.blank and not r.handwritten]
        with self.store.session() as s:
            doc = s.get_one(Document, doc_id)
            record_pages(s, doc, results)   # page rows; a badly read page keeps the document in review (tagger)
            doc.kind = found.kind
            doc.pages = len(results)
            doc.blank_pages = sum(r.blank for r in results)
            doc.confidence = round(sum(confs) / len(confs), 2) if confs else None
            doc.archive_path, doc.pdf_path = original_rel, pdf_rel
            tag_and_index(s, doc, [(r.number, r.text) for r in results], self.cfg)
            repo.transition(s, doc, "done", f"{doc.pages} pages, archived as {original_rel}")

    def _settle(self, doc_id: int, path: Path, *, copy_verified: bool = False) -> None:
        """Make the share show the final state: done → original removed; rejected/duplicate → returned.

        The destination under _rejected/ is recorded before anything moves, so a crash in between resumes to the
        same place instead of leaving a stray reason file. An archive copy verified in this very call is not
        hashed again; one from an interrupted run is, before the original goes.
        """
        share = self.cfg.share
        with self.store.session() as s:
            doc = s.get_one(Document, doc_id)
            if doc.settled or doc.status not in repo.FINAL:
                return
            present = path.exists() or path.is_symlink()
            if present and doc.status != "done" and doc.rejected_path is None:
                doc.rejected_path = sharefs.source_of(share, sharefs.rejected_destination(share, doc.source))
        with self.store.session() as s:
            doc = s.get_one(Document, doc_id)
            if present and doc.status == "done":
                copy = self.cfg.archive / (doc.archive_path or "")
                if not copy.is_file() or (not copy_verified and sha256_file(copy) != doc.sha256):
                    raise OSError(f"archive copy of {doc.source} is missing or differs; the original stays")
                sharefs.remove_original(share, path)
            elif present:
                stored = Reason(code=doc.reason_code or "", hi=doc.reason_hi or "", en=doc.reason or "")
                sharefs.return_to_clerk(share, path, share / (doc.rejected_path or ""),
                                        reason_file_text(path.name, stored))
            doc.settled = True
