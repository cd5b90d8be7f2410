"""Helpers the sub-commands share: resolving a branch key, failing with a one-line message."""
from __future__ import annotations

from typing import NoReturn

import typer
from sqlalchemy import select
from sqlalchemy.orm import Session

from nasti.config import Config
from store import repo
from store.models import Branch


def fail(message: str, code: int = 1) -> NoReturn:
    from nasti.cli import err  # not at import time: nasti.cli imports the commands at its bottom

    err.print(f"nasti: {message}", highlight=False, markup=False)  # user text: "[branches.x]" is not markup
    raise typer.Exit(code)


def branch_for(s: Session, cfg: Config, key: str) -> Branch:
    """The branch ``key``: configured ([branches.KEY]) or already known from the share; else exit 2."""
    found = s.scalar(select(Branch).where(Branch.key == key))
    if key in cfg.branches:
        office = repo.ensure_office(s, key="default", name_hi=cfg.office.name_hi, name_en=cfg.office.name_en,
                                    cutover=cfg.office.cutover)
        b = cfg.branches[key]
        return repo.ensure_branch(s, office.id, key=key, code=b.code, name_hi=b.name_hi, name_en=b.name_en,
                                  cutover=b.cutover, configured=True)
    if found is None:
        known = ", ".join(sorted(set(cfg.branches) | set(s.scalars(select(Branch.key))))) or "none"
        fail(f"unknown branch '{key}' (known: {known}); add [branches.{key}] to the config", 2)
    return found


STATUSES = ("received", "processing", "done", "rejected", "duplicate", "failed")
LANGS = ("hi", "en")


def check_branch(s: Session, cfg: Config, key: str | None) -> None:
    """A --branch filter must name a branch (configured or seen in the share): else exit 2 listing them."""
    if key is None:
        return
    known = sorted(set(cfg.branches) | set(s.scalars(select(Branch.key))))
    if key not in known:
        fail(f"unknown branch '{key}'; branches: {', '.join(known) or 'none yet'}", 2)


def check_status(status: str | None) -> None:
    if status is not None and status not in STATUSES:
        fail(f"unknown status '{status}'; statuses: {', '.join(STATUSES)}", 2)


def pick_lang(lang: str, cfg: Config) -> str:
    """--lang hi|en, else [office] language."""
    chosen = lang or cfg.office.language
    if chosen not in LANGS:
        fail(f"--lang '{lang}': use hi (हिन्दी) or en (English)", 2)
    return chosen
