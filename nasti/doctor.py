"""`nasti doctor`: is this installation able to run? The checks (nasti.checks, one module per job) each yield
Findings (ok / warn / fail) in their area; the findings come in the order of AREAS, and the exit code is the code of
the first area that has a failure; warnings never fail. ``quick`` (the service's start-up) leaves out the slow checks
and makes the archive check its cheap form (nasti.checks.archive)."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict
from typing import Any

from common.config import Config
from nasti.areas import AREAS
from nasti.checks import archive, database, engines, site, storage  # each registers its checks
from nasti.checks.registry import CHECKS, Check, Context, Finding, check

__all__ = ["AREAS", "CHECKS", "Check", "Context", "Finding", "as_json", "check", "exit_code", "run"]
# within an area, checks run in this order of their modules: the database check finds the schema state
# (ctx.facts["schema"]) that the archive and storage checks read; checks added elsewhere come last
MODULES = {m.__name__: i for i, m in enumerate((site, engines, database, archive, storage))}


def _order(c: Check) -> tuple[int, int]:
    return list(AREAS).index(c.area), MODULES.get(c.fn.__module__, len(MODULES))


def run(cfg: Config, *, quick: bool = False) -> list[Finding]:
    ctx = Context(cfg, quick)
    found: list[Finding] = []
    for c in sorted(CHECKS, key=_order):      # stable: in a module, the order the checks are written in
        if quick and c.slow:
            continue
        try:
            found.extend(c.fn(ctx))
        except Exception as e:  # a check that breaks is itself a finding, never a crash of the doctor
            found.append(Finding(c.name, c.area, "fail", f"the check itself failed: {type(e).__name__}: {e}"))
    return found


def exit_code(findings: Iterable[Finding]) -> int:
    failed = {f.area for f in findings if f.status == "fail"}
    return next((code for area, code in AREAS.items() if area in failed), 0)


def as_json(findings: list[Finding]) -> dict[str, Any]:
    code = exit_code(findings)
    return {"ok": code == 0, "exit_code": code, "checks": [asdict(f) for f in findings]}
