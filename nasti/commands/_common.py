"""Helpers the sub-commands share: failing with a one-line message, a use case's error as an exit code, resolving
a branch key."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

import typer
from sqlalchemy import select
from sqlalchemy.orm import Session

from common.config import Config
from common.text import nfc
from nasti.app import err
from store import cases, repo
from store.models import Branch


def fail(message: str, code: int = 1) -> NoReturn:
    err.print(f"nasti: {message}", highlight=False, markup=False)  # user text: "[branches.x]" is not markup
    raise typer.Exit(code)


@contextmanager
def case_errors() -> Iterator[None]:
    """A use case's refusal (``store.cases.CaseError``) as a one-line message: exit 1 when something is not there,
    2 for a wrong argument."""
    try:
        yield
    except cases.NotFound as e:
        fail(str(e), 1)
    except cases.CaseError as e:
        fail(str(e), 2)


def branch_for(s: Session, cfg: Config, key: str) -> Branch:
    """The branch ``key`` (``store.cases.branch``); else exit 2."""
    try:
        return cases.branch(s, cfg, key)
    except cases.CaseError as e:
        fail(str(e), 2)


STATUSES = (*repo.ACTIVE, *repo.FINAL)   # the document states, declared once in store.repo
LANGS = ("hi", "en")


def check_branch(s: Session, cfg: Config, key: str | None) -> str | None:
    """A --branch filter must name a branch (configured or seen in the share): else exit 2 listing them. Returns
    the key in NFC, as branches are stored."""
    if key is None:
        return None
    key = nfc(key)
    known = sorted(set(cfg.branches) | set(s.scalars(select(Branch.key))))
    if key not in known:
        fail(f"unknown branch '{key}'; branches: {', '.join(known) or 'none yet'}", 2)
    return key


def check_office(s: Session, office: str | None) -> str | None:
    """An --office filter must name an office: else exit 2. Returns the key in NFC, as offices are stored."""
    from store.models import Office

    if office is None:
        return None
    office = nfc(office)
    if s.scalar(select(Office.id).where(Office.key == office)) is None:
        fail(f"unknown office '{office}' (nasti office list)", 2)
    return office


def check_status(status: str | None) -> None:
    if status is not None and status not in STATUSES:
        fail(f"unknown status '{status}'; statuses: {', '.join(STATUSES)}", 2)


def pick_lang(lang: str, cfg: Config) -> str:
    """--lang hi|en, else [office] language."""
    chosen = lang or cfg.office.language
    if chosen not in LANGS:
        fail(f"--lang '{lang}': use hi (हिन्दी) or en (English)", 2)
    return chosen


@contextmanager
def share_quiet(cfg: Config) -> Iterator[None]:
    """Hold the share lock (ingest/sharelock.py) for a command that replaces the database under the archive
    (restore, rebuild): refused, exit 1, while a watcher works on the share."""
    from ingest.sharelock import ShareBusy, ShareLock

    if not cfg.share.is_dir():   # no share, so no watcher: nothing to keep apart
        yield
        return
    lock = ShareLock(cfg.share, fallback=cfg.archive if cfg.archive.is_dir() else None)
    try:
        lock.acquire()
    except ShareBusy as e:
        hi, en = e.message()
        fail(f"{hi} | {en}")
    try:
        yield
    finally:
        lock.release()
