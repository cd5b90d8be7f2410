"""The areas `nasti doctor` checks and the exit code of each: a failing check exits with its area's code, and
`nasti watch` exits with the same code for the same finding (nasti.vault.guard)."""
from __future__ import annotations

AREAS: dict[str, int] = {"config": 2, "share": 3, "ocr": 4, "database": 5, "storage": 6, "queue": 7}
