"""Put documents back into the database from the records their searchable PDFs carry (``ocr.xmp``).

:func:`rebuild` fills an empty database from an archive alone; :func:`reconcile` re-attaches the archive files a
(restored, or older) database does not know, and sets aside in ``_quarantine/`` what carries no usable record.
Neither ever deletes a file.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select, text

from common.config import Config
from nasti.vault.scan import references, set_aside, unknown, walk
from ocr.xmp import read_description
from store import repo
from store.db import Store
from store.describe import attach
from store.models import Document

log = logging.getLogger("nasti.vault")
SHOWN = 5          # vanished files named in a message


@dataclass
class Attached:
    attached: list[int] = field(default_factory=list)     # document ids put back
    completed: list[int] = field(default_factory=list)    # unfinished rows of the same drop, now done
    conflicts: list[str] = field(default_factory=list)    # a record whose id belongs to another document
    quarantined: list[str] = field(default_factory=list)  # unknown files with no usable record, now set aside
    quarantine: list[str] = field(default_factory=list)   # every _quarantine/ folder they went to
    vanished: list[str] = field(default_factory=list)     # unknown files gone from disk before they could be moved
    missing_originals: list[str] = field(default_factory=list)
    unexplained: list[str] = field(default_factory=list)   # rebuild: files no record names (left in place)

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)

    def set_aside_lines(self) -> list[str]:
        """What was set aside, and where; what vanished (never called quarantined): Hindi, then English."""
        lines = []
        if self.quarantined:
            where = ", ".join(self.quarantine)
            lines.append(f"{len(self.quarantined)} फ़ाइलें {where} में अलग रखी गईं (मिटाई नहीं गईं) / "
                         f"{len(self.quarantined)} files set aside in {where} (nothing deleted)")
        if self.vanished:
            named = ", ".join(self.vanished[:SHOWN]) + (f" … (+{len(self.vanished) - SHOWN})"
                                                        if len(self.vanished) > SHOWN else "")
            lines.append(f"{len(self.vanished)} फ़ाइलें अलग रखने से पहले ही संग्रह से ग़ायब हो गईं (किसी ने हटाईं या "
                         f"खिसकाईं?) — ये _quarantine/ में नहीं हैं: {named} / {len(self.vanished)} files vanished "
                         f"from the archive before they could be set aside (deleted or moved meanwhile?); they are "
                         f"not in _quarantine/: {named}")
        return lines


def _records(archive: Path, rels: list[str]) -> dict[str, dict[str, Any]]:
    """``rel → record`` for the PDFs among ``rels`` that carry a complete nasti record."""
    out = {}
    for rel in rels:
        if not rel.lower().endswith(".pdf"):
            continue
        rec = read_description(archive / rel)
        if rec and rec.get("id") is not None and rec.get("sha256") and rec.get("pdf_path") == rel:
            out[rel] = rec
    return out


def _office(s: Any, cfg: Config) -> int:
    office = repo.ensure_office(s, key="default", name_hi=cfg.office.name_hi, name_en=cfg.office.name_en,
                                cutover=cfg.office.cutover)
    for b in cfg.branches.values():
        repo.ensure_branch(s, office.id, key=b.key, code=b.code, name_hi=b.name_hi, name_en=b.name_en,
                           cutover=b.cutover, configured=True)
    return office.id


def _bump_sequences(s: Any) -> None:
    if s.get_bind().dialect.name == "postgresql":  # ids were inserted explicitly
        s.execute(text("SELECT setval(pg_get_serial_sequence('document', 'id'), "
                       "COALESCE((SELECT MAX(id) FROM document), 1))"))


def _attach_all(store: Store, cfg: Config, archive: Path, records: dict[str, dict[str, Any]], actor: str,
                result: Attached) -> None:
    with store.session() as s:
        office_id = _office(s, cfg)
        branches: dict[str, int] = {}
        for rel, rec in sorted(records.items(), key=lambda kv: int(kv[1]["id"])):
            doc = s.get(Document, int(rec["id"]))
            if doc is not None and (doc.sha256 != rec["sha256"] or doc.source != rec.get("source")
                                    or doc.status not in repo.ACTIVE):
                result.conflicts.append(rel)
                continue
            origin = archive / str(rec.get("archive_path") or "")
            if not origin.is_file():
                result.missing_originals.append(str(rec.get("archive_path")))
            with s.begin_nested():
                attach(s, rec, office_id=office_id, actor=actor, doc=doc, branches=branches,
                       detail=f"re-attached from {rel} ({actor})")
            (result.completed if doc is not None else result.attached).append(int(rec["id"]))
        _bump_sequences(s)


def rebuild(store: Store, cfg: Config, archive: Path) -> Attached:
    """Fill an EMPTY database from ``archive``; raises ValueError when it already holds documents."""
    with store.session() as s:
        if s.scalar(select(Document.id).limit(1)) is not None:
            raise ValueError("डेटाबेस खाली नहीं है — rebuild केवल खाली डेटाबेस में होता है / the database is not "
                             "empty; rebuild fills an empty database only (point [store] url at a new one)")
    files = walk(archive)
    result = Attached()
    _attach_all(store, cfg, archive, _records(archive, sorted(files.files)), "rebuild", result)
    refs = references(store)
    result.unexplained = [rel for rel in files.files if rel not in refs.paths]
    log.info("rebuild: %d documents from %s", len(result.attached), archive)
    return result


def reconcile(store: Store, cfg: Config, archive: Path, actor: str) -> Attached:
    """Re-attach unknown archive files from their records; set aside the rest in ``_quarantine/<time>/`` (and, when
    a name there is taken, ``<time>-2/``: every folder is named); files that vanished meanwhile are named as such."""
    result = Attached()
    lost = unknown(walk(archive), references(store))
    if not lost:
        return result
    _attach_all(store, cfg, archive, _records(archive, lost), actor, result)
    left = unknown(walk(archive), references(store))
    aside = set_aside(archive, left)
    gone = sorted(set(lost) - set(left) - {rel for rel in lost if (archive / rel).is_file()})   # before that walk
    result.quarantined, result.vanished = list(aside.moved), gone + aside.vanished
    result.quarantine = [str(f) for f in aside.folders]
    if aside.moved:
        log.warning("%s: %d archive files carry no usable record; moved to %s", actor, len(aside.moved),
                    ", ".join(result.quarantine))
    if result.vanished:
        log.warning("%s: %d unknown archive files vanished before they could be set aside: %s", actor,
                    len(result.vanished), ", ".join(result.vanished))
    return result
