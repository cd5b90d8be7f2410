"""Alembic environment: runs on the connection nasti hands over (see store.db.migrate)."""
from __future__ import annotations

from typing import Any

from alembic import context

from store.models import Base


def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """Keep autogenerate away from the search index (FTS5 virtual table + shadow tables; see migration 0002)."""
    return not (type_ == "table" and name is not None and name.startswith("page_fts"))


connection = context.config.attributes.get("connection")
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True,
                  include_object=include_object)
with context.begin_transaction():
    context.run_migrations()
