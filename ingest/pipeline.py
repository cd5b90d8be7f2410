"""The document state machine as named steps: preflight → inspect → ocr → record → settle (ingest/steps.py).

One call of `Ingestor.handle(path)` takes one dropped file to a final state (done, rejected, duplicate or failed),
and is safe to repeat after a crash at any point: the database row for the drop (same source, same sha256) is found
again and the work resumes. Before each irreversible step the file at the path is checked to still be the recorded
bytes (ingest/identity.py); a file the clerk replaced, renamed or removed meanwhile closes its record as `rejected`
with reason `replaced` / `removed`, and its new bytes are a new drop. Any error nasti did not foresee ends in
`failed` (ingest/failures.py): the original stays in the share, and it is retried a bounded number of times.
"""
from __future__ import annotations

import logging
import pickle
import shutil
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from common.config import Config
from ingest import failures, identity, settle, split
from ingest import share as sharefs
from ingest.archive import CopyMismatch, move_into, safe_component, sha256_file, verified_copy, write_atomic
from ingest.identity import Changed, Identity
from ingest.locks import KeyedLock
from ingest.pages import record_pages
from ingest.reasons import reason
from ingest.steps import hook
from ingest.tagger import tag_and_index
from ingest.validate import Inspected, Rejected, inspect, refusal
from ocr.errors import EngineMissing, OcrError
from ocr.page import PageResult, PageTask, process_page
from ocr.pdf import build_searchable
from ocr.pool import OcrPool
from ocr.xmp import write_description
from store import dblocks, repo
from store.db import Store
from store.describe import describe
from store.models import Document

STAGING = ".staging"
RESULTS = "results.pickle"   # OCR results kept in staging, so a failed copy is retried without OCR again
log = logging.getLogger("nasti.ingest")


@dataclass(frozen=True)
class Outcome:
    source: str
    status: str
    document_id: int | None
    detail: str = ""
    pages: int = 0
    needs_review: bool = False
    again: bool = False     # the path now holds other bytes than the ones just handled: look at it again


class ArchiveError(OSError):
    """Writing to the archive failed (a full disk, a read-only mount): the environment, not the file."""


class Ingestor:
    def __init__(self, cfg: Config, store: Store, pool: OcrPool) -> None:
        self.cfg, self.store, self.pool = cfg, store, pool
        self._same_bytes = KeyedLock()
        self._branches: dict[tuple[int | str, str], int] = {}   # (office id, branch key) → id; ("", office key)
        self._branch_lock = threading.Lock()
        self._max_bytes = cfg.limits.max_file_mb * 2**20
        # progress hook (nasti.progress): (source, pages, None) when a file's page count is known, then
        # (source, pages, number) as each page is read; called from worker threads.
        self.on_pages: Callable[[str, int, int | None], None] | None = None
        with store.session() as s:
            office = repo.ensure_office(s, key="default", name_hi=cfg.office.name_hi, name_en=cfg.office.name_en,
                                        cutover=cfg.office.cutover)
            self.office_id = office.id
            for b in cfg.branches.values():
                repo.ensure_branch(s, office.id, key=b.key, code=b.code, name_hi=b.name_hi, name_en=b.name_en,
                                   cutover=b.cutover, configured=True)

    # -- entry point: the preflight step ---------------------------------------------------------------------------
    def handle(self, path: Path) -> Outcome | None:
        share = self.cfg.share
        before = identity.snapshot(path)
        if before is None or (path.is_dir() and not path.is_symlink()):
            return None  # gone before we got to it (or a folder now stands there): nothing we could keep
        source = sharefs.source_of(share, path)
        try:
            sha = sha256_file(path) if before.size <= self._max_bytes else identity.unread_key(before)
        except FileNotFoundError:
            return None
        except PermissionError as e:
            return self._unreadable(path, source, before, e)
        ident = identity.snapshot(path)
        if ident != before:   # still being written, or replaced while we read it
            return Outcome(source, "changing", None, again=ident is not None)
        office_id, branch_id = self._place(source)
        # Copies with the same bytes are handled one after the other, so the second sees the first's outcome.
        with self._same_bytes.hold(sha), dblocks.same_bytes(self.store, sha):   # across machines on PostgreSQL
            with self.store.session() as s:
                doc = repo.resumable(s, source, sha)
                if doc is None and (failed := repo.retryable(s, source, sha)) is not None:
                    if not failures.may_retry(failed):
                        return None   # still inside its back-off, or waiting for review: nothing new to say
                    doc = failed
                if doc is None and (doc := failures.unreadable_record(s, source)) is not None:
                    doc.sha256, doc.size = sha, ident.size   # readable now: the same drop, tried again
                if doc is None and repo.twin_in_flight(s, sha, office_id if self.cfg.share_per_office else None):
                    # a copy of these bytes another watcher began and left (it lost the lead) waits to be resumed:
                    # this one is looked at again after it, and then found to be its duplicate
                    return Outcome(source, "waiting", None, again=True)
                if doc is None:
                    failures.close_superseded(s, self.cfg.archive, source, sha)
                    doc = repo.new_document(s, office_id=office_id, branch_id=branch_id, source=source,
                                            share_path=sharefs.raw_relative(share, path), sha256=sha,
                                            size=ident.size)
                doc_id = doc.id
                if doc.status == "received":
                    self._early_verdict(s, doc, path)
            hook("after_preflight", path=path, doc_id=doc_id)
            return self._finish(doc_id, path, ident, sha)

    def revisit_returned(self) -> list[Path]:
        """Files returned to _rejected/ that were still being copied, put back to be taken again."""
        try:
            return settle.revisit_returned(self.cfg, self.store)
        except dblocks.NotLeader:   # the leader's guard (nasti/service.py) stops this watcher; it stands by
            return []

    def _unreadable(self, path: Path, source: str, ident: Identity, e: PermissionError) -> Outcome | None:
        """A file nasti may not read (its permissions): one `failed` record that says so, kept in the share and
        taken as soon as it can be read. Nothing new to say while it stays unreadable."""
        with self.store.session() as s:
            if failures.unreadable_record(s, source) is not None:
                return None
            office_id, branch_id = self._place(source)
            doc = repo.new_document(s, office_id=office_id, branch_id=branch_id, source=source,
                                    share_path=sharefs.raw_relative(self.cfg.share, path),
                                    sha256=identity.unread_key(ident), size=ident.size)
            doc_id = doc.id
        failures.fail(self.store, self.cfg.archive, doc_id, e, "preflight", problem="file_unreadable")
        with self.store.session() as s:
            doc = s.get_one(Document, doc_id)
            return Outcome(doc.source, doc.status, doc.id, doc.reason or "")

    def _early_verdict(self, s: Session, doc: Document, path: Path) -> None:
        """Decisions that need no OCR: where the file was put, what it is, whether we have it already."""
        if sharefs.branch_of(doc.source, self.cfg.share_per_office) is None:
            self._reject(s, doc, Rejected("top_level"))
        elif (bad := refusal(path, self._max_bytes)) is not None:
            self._reject(s, doc, bad)
        elif (first := repo.original_of(s, doc.sha256, doc.id,
                                        doc.office_id if self.cfg.share_per_office else None)) is not None and \
                self._intact(self.cfg.archive / (first.archive_path or ""), doc.sha256):
            r = reason("duplicate", first=f"{first.source} (#{first.id})")
            doc.duplicate_of_id = first.id
            doc.reason_code, doc.reason, doc.reason_hi = r.code, r.en, r.hi
            repo.transition(s, doc, "duplicate", f"same sha256 as document {first.id}")

    @staticmethod
    def _intact(copy: Path, sha: str) -> bool:
        """The archive copy is there and still the bytes (a damaged one makes this drop the only good copy)."""
        try:
            return copy.is_file() and sha256_file(copy) == sha
        except OSError:
            return False

    def _place(self, source: str) -> tuple[int, int | None]:
        """(office id, branch id or None) of a share-relative source: this deployment's office and the first
        folder, or — ``[share] per_office`` — the first folder's office (created on first sight, named by its
        key until ``nasti office add`` names it) and the second folder's branch."""
        key = sharefs.branch_of(source, self.cfg.share_per_office)
        office_id = self.office_id
        if self.cfg.share_per_office and (office_key := sharefs.office_of(source)) is not None:
            office_id = self._office_id(office_key)
        return office_id, self._branch_id(key, office_id) if key else None

    def _office_id(self, key: str) -> int:
        with self._branch_lock:
            if ("", key) not in self._branches:
                with self.store.session() as s:
                    self._branches[("", key)] = repo.office_for_folder(s, key).id
            return self._branches[("", key)]

    def _branch_id(self, key: str, office_id: int | None = None) -> int:
        """The branch row (of the office) for a share folder, created once (in its own transaction) on first
        sight."""
        office_id = office_id or self.office_id
        with self._branch_lock:
            if (office_id, key) not in self._branches:
                b = self.cfg.branch(key)
                with self.store.session() as s:
                    self._branches[(office_id, key)] = repo.ensure_branch(
                        s, office_id, key=key, code=b.code, name_hi=b.name_hi, name_en=b.name_en,
                        cutover=b.cutover, configured=key in self.cfg.branches).id
            return self._branches[(office_id, key)]

    def _finish(self, doc_id: int, path: Path, ident: Identity, sha: str) -> Outcome:
        with self.store.session() as s:
            status = s.get_one(Document, doc_id).status
        outcome = self._process(doc_id, path, ident, sha) if status in ("received", "processing", "failed") else None
        if outcome not in (None, "done"):
            split.close_with(self.store, doc_id)   # the documents of a batch follow its drop
        archived_now = outcome == "done"
        settle.settle(self.cfg, self.store, doc_id, path, ident, sha, copy_verified=archived_now)
        now = identity.snapshot(path)
        with self.store.session() as s:
            doc = s.get_one(Document, doc_id)
            return Outcome(doc.source, doc.status, doc.id, doc.reason or "", doc.pages or 0, bool(doc.needs_review),
                           again=now is not None and now.core() != ident.core())

    def _reject(self, s: Session, doc: Document, err: Rejected) -> None:
        r = reason(err.code, err.detail, err.detail_hi)
        doc.reason_code, doc.reason, doc.reason_hi = r.code, r.en, r.hi
        repo.transition(s, doc, "rejected", err.technical or err.detail or err.code)

    # -- inspect → ocr → record ------------------------------------------------------------------------------------
    def _process(self, doc_id: int, path: Path, ident: Identity, sha: str) -> str:
        with self.store.session() as s:
            doc = s.get_one(Document, doc_id)
            detail = {"received": None, "processing": "resumed after an interrupted run",
                      "failed": f"tried again after {doc.reason_code or 'an error'}"}[doc.status]
            repo.transition(s, doc, "processing", detail)
            doc.settled = False   # a retried `failed` document was settled as "kept in the share"
            repo.clear_pages(s, doc_id)
        staging = self.cfg.archive / STAGING / str(doc_id)
        step, keep_staging = "inspect", False
        try:
            found = inspect(path, max_file_bytes=self._max_bytes,
                            max_pixels=self.cfg.limits.max_pixels, max_pages=self.cfg.limits.max_pages,
                            timeout=self.cfg.ocr.page_timeout, dpi=self.cfg.ocr.dpi)
            hook("after_inspect", path=path, doc_id=doc_id)
            self._verify(path, ident, sha, step)
            step = "ocr"
            results = self._ocr_or_kept(path, found, staging, sha)
            hook("after_ocr", path=path, doc_id=doc_id)
            self._verify(path, ident, sha, step)
            step = "record"
            self._record(doc_id, path, ident, sha, found, results, staging)
            return "done"
        except dblocks.NotLeader:   # another watcher leads now: nothing more is written, moved or removed here
            keep_staging = True
            raise
        except Changed as c:
            failures.close_changed(self.store, self.cfg.archive, doc_id, c.how, c.step)
            return "rejected"
        except EngineMissing as e:   # an installation problem: stop loudly, the file stays where it is
            failures.fail(self.store, self.cfg.archive, doc_id, e, step, problem="engine_missing")
            raise
        except (Rejected, OcrError) as e:
            if (how := identity.check(path, ident, sha)) != "same":   # the clerk's change caused it, not the file
                failures.close_changed(self.store, self.cfg.archive, doc_id, how, step)
                return "rejected"
            err = e if isinstance(e, Rejected) else Rejected(e.code, technical=f"{type(e).__name__}: {e.detail}")
            with self.store.session() as s:
                self._reject(s, s.get_one(Document, doc_id), err)
            failures.drop_own_copies(self.store, self.cfg.archive, doc_id)
            return "rejected"
        except Exception as e:  # nothing nasti did not foresee may leave a document in processing
            if (how := identity.check(path, ident, sha)) != "same":
                failures.close_changed(self.store, self.cfg.archive, doc_id, how, step)
                return "rejected"
            full = isinstance(e, OSError) and e.errno in failures.FULL   # OCR's staging files fill the archive disk too
            keep_staging = failures.fail(self.store, self.cfg.archive, doc_id, e, step,
                                         problem=failures.archive_problem(e) if isinstance(e, ArchiveError) or full
                                         else None)
            return "failed"
        finally:   # a watcher fenced out in an error path leaves staging to the new leader
            if not keep_staging and dblocks.leading(self.store):
                shutil.rmtree(staging, ignore_errors=True)

    def _verify(self, path: Path, ident: Identity, sha: str, step: str) -> None:
        if (how := identity.check(path, ident, sha)) != "same":
            raise Changed(how, step)

    def _ocr_or_kept(self, path: Path, found: Inspected, staging: Path, sha: str) -> list[PageResult]:
        """OCR every page, or the results an earlier attempt kept in staging when only its copy failed."""
        kept = staging / RESULTS
        if kept.is_file():
            try:
                k_sha, k_found, results = pickle.loads(kept.read_bytes())  # nasti's own file
                if k_sha == sha and k_found == found and all(r.layer is None or r.layer.is_file() for r in results):
                    log.info("%s: OCR results of an earlier attempt reused", path.name)
                    return list(results)
            except Exception:  # a damaged results file only means OCR runs again
                pass
        results = self._ocr(path, found, staging)
        write_atomic(kept, pickle.dumps((sha, found, results)))
        return results

    def _ocr(self, path: Path, found: Inspected, staging: Path) -> list[PageResult]:
        o = self.cfg.ocr
        staging.mkdir(parents=True, exist_ok=True)
        # cover and divider sheets are known by their QR code (a reduced page, before OCR) and not OCR'd
        codes = split.find_codes(self.pool, path, found.kind, found.pages, o.page_timeout,
                                 self.cfg.limits.max_pixels)
        if codes and len(codes) == found.pages:   # the printout of cover sheets itself, not a scanned file
            raise Rejected("only_cover_sheets", str(found.pages), technical=f"{found.pages} nasti sheets, no page")
        futures: dict[int, Future[PageResult]] = {
            i: self.pool.submit(process_page, PageTask(
                source=path, kind=found.kind, index=i, languages=o.languages, dpi=o.dpi, timeout=o.page_timeout,
                max_pixels=self.cfg.limits.max_pixels, layer=staging / f"page-{i + 1:05d}.pdf", psm=o.psm,
                mode=o.mode))
            for i in range(found.pages) if i not in codes
        }
        if (hook := self.on_pages) is not None:
            source = sharefs.source_of(self.cfg.share, path)
            hook(source, found.pages, None)
            for i in codes:   # a sheet known by its code is read already
                hook(source, found.pages, i + 1)
            for i, f in futures.items():
                f.add_done_callback(lambda f, n=i + 1: f.cancelled() or f.exception() or hook(source, found.pages, n))
        try:
            return [split.code_result(i, codes[i]) if i in codes else futures[i].result() for i in range(found.pages)]
        finally:
            for f in futures.values():
                f.cancel()

    def _archive_paths(self, doc: Document) -> tuple[str, str]:
        parts = doc.source.split("/")
        folder = "/".join(safe_component(p) for p in parts[:-1])
        name = safe_component(f"{doc.id}-{parts[-1]}")
        stem = name.rsplit(".", 1)[0] if "." in name else name
        return f"{folder}/{name}", f"{folder}/{stem}.ocr.pdf"

    def _record(self, doc_id: int, path: Path, ident: Identity, sha: str, found: Inspected,
                results: list[PageResult], staging: Path) -> None:
        """The record step: the verified archive copy, the searchable PDF, then pages, tags and `done` in one
        transaction. The archive paths are written down first, so recovery knows whose half-made files they are."""
        with self.store.session() as s:   # who assembles it: a claim in the database, fenced (store/dblocks.py)
            if not dblocks.claim_assembly(s, doc_id, dblocks.epoch(self.store)):
                raise dblocks.NotLeader(f"document {doc_id} is no longer this watcher's to record")
            doc = s.get_one(Document, doc_id)
            original_rel, pdf_rel = self._archive_paths(doc)
            doc.archive_path, doc.pdf_path = original_rel, pdf_rel
        original, pdf = self.cfg.archive / original_rel, self.cfg.archive / pdf_rel
        hook("before_copy", path=path, doc_id=doc_id)
        try:
            with dblocks.fenced(self.store):   # no new leader starts while the copy is written
                verified_copy(path, original, sha)
        except CopyMismatch:
            self._verify(path, ident, sha, "record")
            raise
        except FileNotFoundError:
            self._verify(path, ident, sha, "record")
            raise
        except OSError as e:
            if isinstance(e, FileExistsError):   # another file where the copy goes (ArchiveConflict): not ours
                failures.forget_copies(self.store, doc_id)   # so that no clean-up after this removes it
            self._verify(path, ident, sha, "record")
            raise ArchiveError(e.errno, f"archive copy failed: {e.strerror or e}") from e
        hook("after_copy", path=path, doc_id=doc_id)
        # a name of this run's own: a leader fenced out mid-way may still be writing into the same staging folder
        built = staging / f"searchable-{uuid.uuid4().hex[:12]}.pdf"
        batch = split.plan(results)   # cover sheets in it: one document per cover (ingest/split.py)
        try:
            build_searchable(original, found.kind, [r.layer for r in results], built,
                             fallback_dpi=self.cfg.ocr.dpi, replace_text=self.cfg.ocr.mode == "redo")
            hook("before_done", path=path, doc_id=doc_id)   # the PDF built; nothing of the record moved yet
            if batch is not None:
                split.record_batch(self.cfg, self.store, doc_id, built, found.kind, results, batch, staging, path)
            else:
                with dblocks.fenced(self.store):
                    move_into(built, pdf)
        except OSError as e:
            raise ArchiveError(e.errno, f"searchable PDF could not be written: {e.strerror or e}") from e
        if batch is not None:
            hook("after_record", path=path, doc_id=doc_id)
            return
        with self.store.session() as s:
            doc = s.get_one(Document, doc_id)
            record_done(s, doc, found.kind, results, self.cfg, f"{len(results)} pages, archived as {original_rel}")
            try:  # the archive describes itself (nasti rebuild); written before `done` is committed
                write_description(pdf, describe(s, doc))
            except OSError as e:
                raise ArchiveError(e.errno, f"searchable PDF record could not be written: {e.strerror or e}") from e
        hook("after_record", path=path, doc_id=doc_id)


def record_done(s: Session, doc: Document, kind: str, results: list[PageResult], cfg: Config, detail: str) -> None:
    """The recording step (one transaction): page rows, the document's page counts and confidence, tags and the
    search index, then `done`. tests/tagdocs.py records its documents through this very function."""
    confs = [r.confidence for r in results if r.confidence is not None and not r.blank and not r.handwritten]
    record_pages(s, doc, results)   # page rows; a badly read page keeps the document in review (store.matching)
    doc.kind = kind
    doc.pages = len(results)
    doc.blank_pages = sum(r.blank for r in results)
    doc.confidence = round(sum(confs) / len(confs), 2) if confs else None
    doc.problem = None
    tag_and_index(s, doc, [(r.number, r.text) for r in results], cfg)
    repo.transition(s, doc, "done", detail)
