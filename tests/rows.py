"""Rows written straight into a migrated database by tests that exercise the store below its repository API."""
from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import text
from sqlalchemy.orm import Session


def processing_document(s: Session, *, doc_id: int = 1, source: str = "राजस्व/आदेश.pdf") -> None:
    """Office 1 and document `doc_id` of it, claimed (`processing`), by plain SQL with bound values (SQLite and
    PostgreSQL alike)."""
    s.execute(text("INSERT INTO office (id, key, name_hi, name_en) VALUES (1, 'x', 'कार्यालय', 'Office')"))
    now = datetime(2026, 12, 1, tzinfo=UTC)
    s.execute(text("INSERT INTO document (id, office_id, source, share_path, sha256, size, status, needs_review, "
                   "settled, pages, blank_pages, received_at, updated_at, part, attempts) VALUES (:id, 1, :source, "
                   ":source, 'ab', 1, 'processing', :no, :no, 0, 0, :now, :now, 'receipts', 0)"),
              {"id": doc_id, "source": source, "no": False, "now": now})
