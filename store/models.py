"""SQLAlchemy 2.0 typed models: division, office, branch, document, page, event, register_file, user,
readiness_snapshot, web_session, audit, ocr_batch, ocr_batch_log, ocr_result,
leader_epoch.

The summary counts (``count_branch``, ``count_item``: migration 0013, kept by triggers) are Core tables in
``store.counts``. The search index (``page_fts``: an FTS5 virtual table on SQLite, a table with a tsvector on
PostgreSQL) is created by migration 0002 and written with raw SQL by ``store.search.index``; it is deliberately
not a model here.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A moment, stored as UTC wall time in a plain timestamp column on every database — the server's time zone
    never applies (PostgreSQL would turn an aware value into its own local time) — and read back aware, in UTC.
    An aware value in any zone is converted; a naive one is taken as UTC."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None or value.tzinfo is None:
            return value
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    pass


class Division(Base):
    """A revenue division (संभाग): its commissioner's office and the collectorates under it (migration 0007)."""

    __tablename__ = "division"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    name_hi: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))


class Office(Base):
    """A head of office: a collectorate, a divisional commissioner's office or another. A single-office
    deployment holds one, key ``default`` (store.repo.OFFICE)."""

    __tablename__ = "office"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    name_hi: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    cutover: Mapped[dt.date | None] = mapped_column(Date)
    # migration 0007_offices
    kind: Mapped[str] = mapped_column(String(16), default="collectorate", server_default="collectorate")
    division_id: Mapped[int | None] = mapped_column(ForeignKey("division.id"), index=True)
    share: Mapped[str | None] = mapped_column(Text)        # its own share folder; None: the deployment's share
    remote: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")  # own server: snapshots
    push_key_hash: Mapped[str | None] = mapped_column(String(64))  # sha256 hex of its snapshot key

    division: Mapped[Division | None] = relationship()


class Branch(Base):
    __tablename__ = "branch"
    __table_args__ = (UniqueConstraint("office_id", "key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"))
    key: Mapped[str] = mapped_column(String(200))          # the share folder name (NFC)
    code: Mapped[str] = mapped_column(String(32))
    name_hi: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    cutover: Mapped[dt.date | None] = mapped_column(Date)
    configured: Mapped[bool] = mapped_column(Boolean, default=True)


class Document(Base):
    __tablename__ = "document"
    __table_args__ = (  # covering indexes for the progress/readiness counts (migration 0004)
        Index("ix_document_branch_progress", "branch_id", "status", "needs_review", "pages", "blank_pages",
              "register_file_id"),
        # migration 0013 (replacing 0004's ix_document_done_progress): the week's done documents, index only
        Index("ix_document_done_window", "status", "done_at", "branch_id", "pages", "register_file_id",
              "file_number_key", "id"),
        Index("ix_document_branch_done", "branch_id", "status", "done_at"),   # one office's week (0013)
        Index("ix_document_status_register", "status", "register_file_id", "needs_review", "done_at", "branch_id"),
        # migration 0011_scaleout: one active record per drop, whichever watcher inserts first
        Index("uq_document_active_drop", "source", "sha256", unique=True,
              sqlite_where=text("status IN ('received', 'processing')"),
              postgresql_where=text("status IN ('received', 'processing')")),
        # migration 0013_counts: store.health's documents with a problem (few among millions)
        Index("ix_document_problem", "problem", sqlite_where=text("problem IS NOT NULL"),
              postgresql_where=text("problem IS NOT NULL")),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"))
    branch_id: Mapped[int | None] = mapped_column(ForeignKey("branch.id"))
    source: Mapped[str] = mapped_column(Text, index=True)  # share-relative, '/'-separated, NFC
    share_path: Mapped[str] = mapped_column(Text)           # the same path exactly as on disk (may be NFD)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str | None] = mapped_column(String(16))   # pdf | tiff | jpeg | png
    status: Mapped[str] = mapped_column(String(16), index=True)
    needs_review: Mapped[bool] = mapped_column(Boolean, default=False)
    reason_code: Mapped[str | None] = mapped_column(String(64))
    reason: Mapped[str | None] = mapped_column(Text)        # English
    reason_hi: Mapped[str | None] = mapped_column(Text)
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("document.id"))
    file_number: Mapped[str | None] = mapped_column(String(200))
    file_number_key: Mapped[str | None] = mapped_column(String(200), index=True)
    file_number_source: Mapped[str | None] = mapped_column(String(32))
    file_number_confidence: Mapped[float | None] = mapped_column(Float)
    subject: Mapped[str | None] = mapped_column(Text)
    letter_date: Mapped[dt.date | None] = mapped_column(Date)
    pages: Mapped[int] = mapped_column(Integer, default=0)
    blank_pages: Mapped[int] = mapped_column(Integer, default=0)
    confidence: Mapped[float | None] = mapped_column(Float)
    archive_path: Mapped[str | None] = mapped_column(Text)  # relative to the archive root
    pdf_path: Mapped[str | None] = mapped_column(Text)      # relative to the archive root
    rejected_path: Mapped[str | None] = mapped_column(Text) # share-relative, under _rejected/
    register_file_id: Mapped[int | None] = mapped_column(ForeignKey("register_file.id", ondelete="SET NULL"),
                                                         index=True)
    match_score: Mapped[float | None] = mapped_column(Float)          # 0..100 against the register (100 = key match)
    file_number_alt: Mapped[str | None] = mapped_column(String(200))  # the conflicting number, when tags disagree
    settled: Mapped[bool] = mapped_column(Boolean, default=False)  # the share reflects the final state
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # unforeseen errors so far
    problem: Mapped[str | None] = mapped_column(String(32))  # archive_full | share_unwritable | ... (store/health)
    resolved_by_id: Mapped[int | None] = mapped_column(Integer)  # a rejection closed by a later good drop
    # migration 0009_covers: a scanned batch split at its cover sheets (ingest/split.py)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("document.id"), index=True)  # the drop split from
    batch_seq: Mapped[int | None] = mapped_column(Integer)          # place in the batch (0: the drop's own record)
    # migrations 0009/0010: the part of its physical file (store/parts.py, a divider sheet) and the order within it
    part: Mapped[str] = mapped_column(String(16), default="receipts", server_default="receipts")
    sequence: Mapped[int | None] = mapped_column(Integer)
    exported_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)   # last `nasti export eoffice`
    exported_as: Mapped[str | None] = mapped_column(String(200))           # into this fl-… folder
    assembly_epoch: Mapped[int | None] = mapped_column(BigInteger)   # 0012_fencing: the leader assembling it
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    done_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, index=True)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    branch: Mapped[Branch | None] = relationship()
    office: Mapped[Office] = relationship()
    register_file: Mapped[RegisterFile | None] = relationship(back_populates="documents")
    page_rows: Mapped[list[Page]] = relationship(back_populates="document", order_by="Page.number",
                                                 cascade="all, delete-orphan")


class Page(Base):
    __tablename__ = "page"
    __table_args__ = (UniqueConstraint("document_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text, default="")
    confidence: Mapped[float | None] = mapped_column(Float)
    blank: Mapped[bool] = mapped_column(Boolean, default=False)
    language: Mapped[str | None] = mapped_column(String(64))
    rotation: Mapped[int] = mapped_column(Integer, default=0)
    seconds: Mapped[float | None] = mapped_column(Float)
    # migration 0005_page_ocr
    turned_by: Mapped[str | None] = mapped_column(String(16))       # probe | reread: what decided `rotation`
    turn_margin: Mapped[float | None] = mapped_column(Float)        # 0-1: how sure that was
    skew: Mapped[float | None] = mapped_column(Float)               # degrees levelled (counter-clockwise)
    handwritten: Mapped[bool] = mapped_column(Boolean, default=False)
    raw_text: Mapped[str | None] = mapped_column(Text)              # a handwritten page's OCR, kept out of `text`
    review_code: Mapped[str | None] = mapped_column(String(64))     # why this printed page read badly
    review_reason: Mapped[str | None] = mapped_column(Text)         # English
    review_reason_hi: Mapped[str | None] = mapped_column(Text)
    doubtful: Mapped[str | None] = mapped_column(Text)              # words whose digits tesseract was unsure of
    # migration 0009_covers
    kind: Mapped[str | None] = mapped_column(String(16))            # cover | divider: a nasti sheet, not the file's
    part: Mapped[str | None] = mapped_column(String(16))            # the part a divider sheet put this page in

    document: Mapped[Document] = relationship(back_populates="page_rows")


class Event(Base):
    __tablename__ = "event"
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"), index=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    from_state: Mapped[str | None] = mapped_column(String(16))
    to_state: Mapped[str] = mapped_column(String(16))
    detail: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(100), default="nasti")


class RegisterFile(Base):
    """One physical file in a branch's register (the inventory to digitise before the cutover)."""

    __tablename__ = "register_file"
    __table_args__ = (UniqueConstraint("branch_id", "key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"))
    branch_id: Mapped[int] = mapped_column(ForeignKey("branch.id"), index=True)
    file_number: Mapped[str] = mapped_column(String(200))   # as printed, digits folded
    key: Mapped[str] = mapped_column(String(200), index=True)  # common.text.file_number_key
    subject: Mapped[str | None] = mapped_column(Text)
    year: Mapped[int | None] = mapped_column(Integer)
    category: Mapped[str | None] = mapped_column(String(8))  # A | B | C | C-n
    expected_pages: Mapped[int | None] = mapped_column(Integer)
    location: Mapped[str | None] = mapped_column(Text)
    imported_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    branch: Mapped[Branch] = relationship()
    documents: Mapped[list[Document]] = relationship(back_populates="register_file")


class User(Base):
    """A web user: clerk or branch head of one branch, a collector (all branches of an office), a commissioner
    (every office of a division) or state (everything)."""

    __tablename__ = "user"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)   # NFC
    role: Mapped[str] = mapped_column(String(16))  # clerk | branch_head | collector | commissioner | state
    branch_id: Mapped[int | None] = mapped_column(ForeignKey("branch.id"))
    password_hash: Mapped[str] = mapped_column(String(200))       # argon2id
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # migration 0007_offices: a collector's office, a commissioner's division (None: the default office)
    office_id: Mapped[int | None] = mapped_column(ForeignKey("office.id"))
    division_id: Mapped[int | None] = mapped_column(ForeignKey("division.id"))

    disabled: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")  # migration 0008

    branch: Mapped[Branch | None] = relationship()
    office: Mapped[Office | None] = relationship()
    division: Mapped[Division | None] = relationship()


class Snapshot(Base):
    """One branch's readiness figures for one day, as an office with its own server sent them (or wrote them
    into a shared database): upserted by (office, branch, day), so a second push of the same day replaces it."""

    __tablename__ = "readiness_snapshot"
    __table_args__ = (UniqueConstraint("office_id", "branch", "day"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"), index=True)
    branch: Mapped[str] = mapped_column(String(200))      # the branch key in that office (NFC)
    day: Mapped[dt.date] = mapped_column(Date)            # the office's "as of" day
    taken_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)     # when the office computed it
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    name_hi: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    cutover: Mapped[dt.date | None] = mapped_column(Date)
    register_files: Mapped[int] = mapped_column(Integer, default=0)
    digitised_files: Mapped[int] = mapped_column(Integer, default=0)
    documents: Mapped[int] = mapped_column(Integer, default=0)
    pages: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    needs_review: Mapped[int] = mapped_column(Integer, default=0)
    files_today: Mapped[int] = mapped_column(Integer, default=0)
    files_week: Mapped[int] = mapped_column(Integer, default=0)
    pages_week: Mapped[int] = mapped_column(Integer, default=0)
    files_total: Mapped[int] = mapped_column(Integer, default=0)


class WebSession(Base):
    """A browser session of the dashboard (migration 0008): the cookie carries a random token, ``id`` is its
    SHA-256; ``data`` (JSON) holds the language, the CSRF token and who is logged in."""

    __tablename__ = "web_session"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    data: Mapped[str] = mapped_column(Text, default="{}")
    address: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)


class Audit(Base):
    """One state-changing action by a person (migration 0008): who, when, what, from where."""

    __tablename__ = "audit"
    __table_args__ = (Index("ix_audit_action_at", "action", "at"), Index("ix_audit_actor_at", "actor", "at"))
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(32))
    document_id: Mapped[int | None] = mapped_column(ForeignKey("document.id", ondelete="SET NULL"))
    detail: Mapped[str | None] = mapped_column(Text)      # JSON
    address: Mapped[str | None] = mapped_column(String(64))
    office_key: Mapped[str | None] = mapped_column(String(64))


class OcrBatch(Base):
    """Pages ``first``..``last - 1`` (0-based) of a document's bytes, OCR'd by one Celery task (workers/);
    migration 0011_scaleout."""

    __tablename__ = "ocr_batch"
    __table_args__ = (UniqueConstraint("document_id", "sha256", "first", name="uq_ocr_batch_pages"),
                      Index("ix_ocr_batch_state", "state", "lease_until"),
                      Index("ix_ocr_batch_finished", "finished_at"))
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"))
    sha256: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    first: Mapped[int] = mapped_column(Integer)
    last: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(16))      # queued | running | done | rejected | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    queued_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    lease_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    worker: Mapped[str | None] = mapped_column(String(200))
    error_code: Mapped[str | None] = mapped_column(String(64))
    error: Mapped[str | None] = mapped_column(Text)
    claimed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)    # 0012_fencing: a worker took it
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)   # ended done / rejected / failed


class OcrBatchLog(Base):
    """A batch a worker ended (done, rejected, failed), kept a day for the worker status; migration 0012_fencing."""

    __tablename__ = "ocr_batch_log"
    __table_args__ = (Index("ix_ocr_batch_log_finished", "finished_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    worker: Mapped[str | None] = mapped_column(String(200))
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"))
    first: Mapped[int] = mapped_column(Integer)
    last: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(16))
    error_code: Mapped[str | None] = mapped_column(String(64))
    error: Mapped[str | None] = mapped_column(Text)
    claimed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class LeaderEpoch(Base):
    """One row: the epoch of the leading watcher (store/fencing.py); migration 0012_fencing."""

    __tablename__ = "leader_epoch"
    id: Mapped[int] = mapped_column(primary_key=True)
    epoch: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    holder: Mapped[str | None] = mapped_column(String(200))
    taken_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class OcrResult(Base):
    """One page read by a worker (JSON of ``ocr.page.PageResult``), upserted; migration 0011_scaleout."""

    __tablename__ = "ocr_result"
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    number: Mapped[int] = mapped_column(Integer, primary_key=True)
    result: Mapped[str] = mapped_column(Text)
