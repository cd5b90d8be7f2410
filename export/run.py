"""``nasti export eoffice``: each ready physical file as an eOffice migration folder, safely and repeatably.

A folder is built under ``OUT/.nasti-work/`` (the same file system) and renamed into place only when complete: a
``kill -9`` leaves no partial ``fl-…`` folder, only work files the next run removes. A file whose inputs (its
documents, their parts and order, their searchable PDFs, its register entry, the settings) have not changed since
its last export is not rebuilt; one rebuilt into the very same bytes is not replaced. Either way a re-run writes
nothing new. ``metadata.csv`` and ``SHA256SUMS`` cover every folder in OUT and are rewritten only when they change.
Every document exported is recorded: an event row and its ``exported_as`` folder.
"""
from __future__ import annotations

import datetime as dt
import errno
import fcntl
import hashlib
import json
import os
import shutil
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from common.config import Config
from export import metadata
from export.folders import intact, made_by_export, place, recover
from export.hashes import Hashes
from export.names import assign, base_name
from export.select import PhysicalFile, chosen, physical_files
from export.volumes import Refused, unreadable, write_part
from ingest.archive import fsync_dir, write_atomic
from store.models import Document, Event, utcnow
from store.parts import FOLDER, PARTS

FORMAT = 1                   # bump when the output for the same input changes
STATE = ".nasti-export.json"
WORK = ".nasti-work"
CSV, SUMS = "metadata.csv", "SHA256SUMS"
LOCK = ".nasti-export.lock"
#: test hooks: "volume_written" (path), "folder_built" (work folder), "moved_aside" (the old folder,
#: between the two renames), "folder_placed" (final folder), "recorded"
#: (final folder, its events committed)
HOOKS: dict[str, Callable[..., None]] = {}


@dataclass
class Summary:
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    waiting: list[str] = field(default_factory=list)     # chosen by the filters but not ready
    refused: dict[str, str] = field(default_factory=dict)  # folder → why it was not exported (a page over the cap)
    removed: list[str] = field(default_factory=list)   # folders of files that no longer exist (documents moved)
    unfiled: list[str] = field(default_factory=list)   # done documents in no physical file ("#id source")
    pages: int = 0
    volumes: int = 0
    seconds: float = 0.0


class ExportBusy(RuntimeError):
    """Another export holds the folder."""


class ExportRefused(ValueError):
    """OUT cannot take an export (inside the archive or the share, not a folder, not writable); Hindi, then
    English."""


def _check_out(out: Path, cfg: Config) -> Path:
    """OUT, resolved (symlinks followed) and created; refused inside the archive or the share (the watcher would
    take the volumes as drops; the archive is nasti's alone), when it is a file, or when it cannot be written."""
    real = out.resolve()
    for what, hi, root in (("archive", "संग्रह (archive)", cfg.archive), ("share", "शेयर (share)", cfg.share)):
        if real.is_relative_to(root.resolve()):
            raise ExportRefused(f"निर्यात फ़ोल्डर OUT {hi} के भीतर नहीं हो सकता; कोई और फ़ोल्डर चुनें / OUT may not be "
                                f"inside the {what}; choose a folder outside it")
    if real.exists() and not real.is_dir():
        raise ExportRefused("OUT एक फ़ाइल है, फ़ोल्डर नहीं / OUT is a file, not a folder")
    try:
        real.mkdir(parents=True, exist_ok=True)
        probe = real / f"{WORK}.probe"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as e:
        raise ExportRefused(f"OUT फ़ोल्डर में लिखा नहीं जा सकता / OUT cannot be written to ({e.strerror or e})") \
            from None
    return real


def _hook(name: str, **kw: Any) -> None:
    if (fn := HOOKS.get(name)) is not None:
        fn(**kw)


def _load_state(out: Path) -> dict[str, Any]:
    """The state of OUT; entries that are not what a run writes (a file edited by hand, cut short) are dropped:
    their folders are checked and rebuilt as if new."""
    try:
        data = json.loads((out / STATE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        data = {}
    data = data if isinstance(data, dict) else {}

    def table(key: str) -> dict[str, Any]:
        value = data.get(key)
        return value if isinstance(value, dict) else {}

    folders = {k: v for k, v in table("folders").items()
               if isinstance(v, dict) and isinstance(v.get("fingerprint"), str) and isinstance(v.get("row"), dict)
               and isinstance(v["row"].get("_volumes"), dict) and isinstance(v["row"].get("_documents"), dict)
               and isinstance(v["row"].get("folder"), str)}
    return {"names": {k: v for k, v in table("names").items() if isinstance(v, str)}, "folders": folders,
            "pending": {k: v for k, v in table("pending").items() if isinstance(v, dict)}}


def _save_state(out: Path, state: dict[str, Any]) -> None:
    """Only names of folders exported into OUT stick (a file still waiting reserves none)."""
    kept = {"names": {k: v for k, v in state["names"].items() if v in state["folders"] or v in state["pending"]},
            "folders": state["folders"], "pending": state["pending"]}
    data = json.dumps(kept, ensure_ascii=False, sort_keys=True, indent=1).encode("utf-8")
    if (out / STATE).is_file() and (out / STATE).read_bytes() == data:
        return
    write_atomic(out / STATE, data)


def _fingerprint(pf: PhysicalFile, name: str, archive: Path, cfg: Config, hashes: Hashes) -> str:
    docs = [[d.id, d.part, d.sequence, d.source, hashes.sha256(archive / d.pdf_path) if d.pdf_path else None,
             sorted(d.blank), sorted(d.handwritten), sorted(d.sheets), list(d.page_parts)]
            for d in sorted(pf.documents, key=lambda d: d.id)]
    data = [FORMAT, cfg.export.dpi, cfg.export.volume_mb, name, pf.file_number, pf.subject, pf.branch_key,
            pf.branch_code, pf.year, pf.category, docs]
    return hashlib.sha256(json.dumps(data, ensure_ascii=False).encode("utf-8")).hexdigest()


def _inherit(files: list[PhysicalFile], names: dict[str, str]) -> dict[str, str]:
    """A file whose key changed (its documents matched to the register after their export, or given a file
    number) takes over the name its documents were exported under, when the key that held it no longer exists;
    otherwise the same physical file would be exported twice, under ``-2``."""
    live = {pf.key for pf in files}
    holder = {name: key for key, name in names.items()}
    names = dict(names)
    for pf in files:
        if pf.key in names:
            continue
        seen = Counter(d.exported_as for d in pf.documents if d.exported_as)
        for name, _ in seen.most_common():
            key = holder.get(name)
            if key is not None and key not in live:
                del names[key]
                names[pf.key] = name
                holder[name] = pf.key
                break
    return names


def _remove_orphans(s: Session, out: Path, state: dict[str, Any], files: list[PhysicalFile], actor: str) -> list[str]:
    """Folders of files that no longer exist (every document moved to another file) leave OUT: a document is in
    one folder only. Only when this database says so: each of the folder's documents was exported into it from
    here and is now in another ready file (another or a fresh database pointed at this OUT removes nothing). Its
    documents get an event and lose ``exported_as``."""
    live = {pf.key for pf in files}
    elsewhere = {d.id for pf in files for d in pf.documents}
    key_of = {name: key for key, name in state["names"].items()}
    removed = []
    for name in sorted(state["folders"]):
        if key_of.get(name) in live:
            continue
        ids = {i for vol in state["folders"][name].get("row", {}).get("_documents", {}).values() for i in vol}
        mine = set(s.scalars(select(Document.id).where(Document.id.in_(ids), Document.exported_as == name)))
        if not ids or mine != ids or not ids <= elsewhere:
            continue
        if (out / name).is_dir():
            gone = out / WORK / f"{name}.gone"
            os.rename(out / name, gone)
            fsync_dir(out)
            shutil.rmtree(gone, ignore_errors=True)
            removed.append(name)
            now = utcnow()
            for doc in s.scalars(select(Document).where(Document.exported_as == name)):
                doc.exported_as = None
                s.add(Event(document_id=doc.id, from_state=doc.status, to_state=doc.status, actor=actor, at=now,
                            detail=f"export removed: {name} (the document is no longer in that file)"))
        del state["folders"][name]
        state["names"].pop(key_of.get(name, ""), None)
    return removed


def _last_event(store: Any) -> int:
    with store.session() as s:
        return int(s.scalar(select(func.max(Event.id))) or 0)


def _unrecorded(store: Any, pf: PhysicalFile, name: str, mark: int) -> bool:
    """Has a document of the file no ``exported`` event into ``name`` after event ``mark``?"""
    with store.session() as s:
        done = set(s.scalars(select(Event.document_id).where(
            Event.id > mark, Event.document_id.in_([d.id for d in pf.documents]),
            Event.detail.like(f"exported: {name}/%"))))
    return any(d.id not in done for d in pf.documents)


def _build(pf: PhysicalFile, name: str, work: Path, cfg: Config, on_page: Callable[[], None]) -> dict[str, Any]:
    """Write the folder into ``work``; its metadata row."""
    cap = int(cfg.export.volume_mb * 1_000_000)
    row: dict[str, Any] = {"file_number": pf.file_number, "folder": name, "subject": pf.subject,
                           "branch": pf.branch_key, "branch_code": pf.branch_code, "year": pf.year,
                           "category": pf.category, "_volumes": {}, "_documents": {}}
    pages = volumes = 0
    for part in PARTS:
        folder = work / FOLDER[part]
        folder.mkdir(parents=True)
        docs = pf.in_part(part)
        vols = write_part(docs, cfg.archive, folder, prefix=part, title=f"{name} {FOLDER[part]}", cap_bytes=cap,
                          dpi=cfg.export.dpi, on_page=on_page,
                          on_volume=lambda p: _hook("volume_written", path=p))
        n = sum(v.last - v.first + 1 for v in vols)
        row[f"{part}_pages"] = n
        pages, volumes = pages + n, volumes + len(vols)
        for v in vols:
            row["_volumes"][f"{FOLDER[part]}/{v.name}"] = v.sha256
            row["_documents"][f"{FOLDER[part]}/{v.name}"] = v.documents
    if pages == 0:
        raise Refused("फ़ाइल के सभी पृष्ठ खाली हैं; eOffice में भेजने को कुछ नहीं / every page of the file is blank: "
                      "nothing to upload")
    row["pages"], row["volumes"] = pages, volumes
    row["volume_sha256"] = "; ".join(f"{k}={v}" for k, v in row["_volumes"].items())
    row["source_documents"] = "; ".join(f"#{d.id} {d.source}" for part in PARTS for d in pf.in_part(part))
    return row


def _record(s: Session, pf: PhysicalFile, name: str, row: dict[str, Any], actor: str) -> None:
    where = {d: vol for vol, docs in row["_documents"].items() for d in docs}
    now = utcnow()
    for d in pf.documents:
        doc = s.get(Document, d.id)
        if doc is None:
            continue
        doc.exported_at, doc.exported_as = now, name
        s.add(Event(document_id=doc.id, from_state=doc.status, to_state=doc.status, actor=actor, at=now,
                    detail=f"exported: {name}/{where.get(d.id, FOLDER.get(d.part, ''))}"))


def export_eoffice(store: Any, cfg: Config, out: Path, *, branch: str | None = None,
                   file_number: str | None = None, since: dt.datetime | None = None, actor: str = "nasti",
                   on_start: Callable[[int, int], None] = lambda files, pages: None,
                   on_page: Callable[[], None] = lambda: None,
                   on_file: Callable[[str], None] = lambda name: None) -> Summary:
    """Export the ready physical files (of ``branch``, with ``file_number``, with a document done ``since``) into
    ``out``; see the module."""
    started = time.monotonic()
    out = _check_out(out, cfg)
    if (out / LOCK).is_symlink():   # the lock is opened for writing: never through a planted link
        (out / LOCK).unlink()
    with open(out / LOCK, "a+b") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ExportBusy(f"{out}: एक और निर्यात इसी फ़ोल्डर में चल रहा है / another export is writing to this "
                             "folder") from None
        summary = Summary()
        try:
            _export(store, cfg, out, summary, branch=branch, file_number=file_number, since=since, actor=actor,
                    on_start=on_start, on_page=on_page, on_file=on_file)
        except OSError as e:
            if e.errno not in (errno.ENOSPC, errno.EDQUOT):
                raise
            shutil.rmtree(out / WORK, ignore_errors=True)   # the half-built folder gives its space back
            raise ExportRefused(f"OUT की डिस्क में जगह नहीं बची ({len(summary.written)} फ़ोल्डर पूरे लिखे गए, वे रहेंगे); "
                                f"जगह खाली करके फिर चलाएँ / no space left on OUT's disk ({len(summary.written)} "
                                "folders were written whole and stay); free some space and run again") from None
    summary.seconds = round(time.monotonic() - started, 2)
    return summary


def _export(store: Any, cfg: Config, out: Path, summary: Summary, *, branch: str | None, file_number: str | None,
            since: dt.datetime | None, actor: str, on_start: Callable[[int, int], None],
            on_page: Callable[[], None], on_file: Callable[[str], None]) -> None:
    recover(out, WORK)
    (out / WORK).mkdir()
    state, hashes = _load_state(out), Hashes(out, cfg.archive)
    with store.session() as s:
        files = physical_files(s, summary.unfiled)
    state["names"] = _inherit(files, state["names"])
    with store.session() as s:
        summary.removed = _remove_orphans(s, out, state, files, actor)
    names = assign(((pf.key, base_name(pf.file_number, f"file-{min(d.id for d in pf.documents)}"
                                       if pf.documents else pf.key.split(":")[1])) for pf in files), state["names"])
    state["names"] = names
    _save_state(out, state)
    picked = chosen(files, branch=branch, file_number=file_number, since=since)
    summary.waiting = sorted({names[pf.key] for pf in files if not pf.ready
                              and (branch is None or pf.branch_key == branch)})
    todo: list[tuple[PhysicalFile, str, str]] = []
    for pf in picked:
        name = names[pf.key]
        try:
            fp = _fingerprint(pf, name, cfg.archive, cfg, hashes)
        except OSError as e:
            doc = next((d.id for d in pf.documents if d.pdf_path and not (cfg.archive / d.pdf_path).is_file()),
                       pf.documents[0].id)
            summary.refused[name] = unreadable(doc, e)
            continue
        known = state["folders"].get(name)
        if known and known.get("fingerprint") == fp and intact(out / name, known.get("row", {}), hashes.sha256):
            summary.unchanged.append(name)
            continue
        todo.append((pf, name, fp))
    on_start(len(todo), sum(len(set(range(1, d.total + 1)) - d.blank - d.sheets) for pf, _, _ in todo
                       for d in pf.documents))
    for pf, name, fp in todo:
        on_file(name)
        if name not in state["folders"] and name not in state["pending"] and not made_by_export(out / name):
            summary.refused[name] = (f"OUT में {name} पहले से है और यह निर्यात का बनाया नहीं; उसे हटाएँ या कहीं और "
                                     f"रखें / OUT already holds a folder {name} this export did not make; move it "
                                     "away and run again")
            continue
        work = out / WORK / name
        try:
            row = _build(pf, name, work, cfg, on_page)
        except Refused as e:   # a page over the cap, a PDF lost from the archive, only blank pages: others go
            shutil.rmtree(work, ignore_errors=True)
            summary.refused[name] = str(e)
            continue
        _hook("folder_built", path=work)
        # before the folder goes into place: the last event so far, so that a run killed between placing the folder
        # and recording it is caught by the next (which finds an identical folder and would otherwise say nothing)
        pend = state["pending"].get(name)
        was_pending = bool(pend and pend.get("fingerprint") == fp and isinstance(pend.get("event"), int))
        mark = pend["event"] if was_pending and pend else _last_event(store)
        state["pending"][name] = {"fingerprint": fp, "event": mark}
        _save_state(out, state)
        placed = place(out, work, name, WORK, on_aside=lambda old: _hook("moved_aside", path=old))
        (summary.written if placed else summary.unchanged).append(name)
        if placed:
            _hook("folder_placed", path=out / name)
        for rel, sha in row["_volumes"].items():
            hashes.note(out / name / rel, sha)
        unrecorded = any(d.exported_as != name for d in pf.documents) or \
            (was_pending and _unrecorded(store, pf, name, mark))
        if placed or unrecorded:
            with store.session() as s:
                _record(s, pf, name, row, actor)
            _hook("recorded", path=out / name)
        del state["pending"][name]
        summary.pages += row["pages"]
        summary.volumes += row["volumes"]
        state["folders"][name] = {"fingerprint": fp, "row": row}
        _save_state(out, state)
    rows = [f["row"] for name, f in state["folders"].items() if (out / name).is_dir()]
    for fname, data in ((CSV, metadata.csv_bytes(rows)), (SUMS, metadata.sums_bytes(rows))):
        if not (out / fname).is_file() or (out / fname).read_bytes() != data:
            write_atomic(out / fname, data)
    _save_state(out, state)
    hashes.save()
    shutil.rmtree(out / WORK, ignore_errors=True)
