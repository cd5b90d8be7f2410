"""How a doctor check is written: a function of a :class:`Context` yielding :class:`Finding` s (ok / warn / fail),
registered with ``@check("area")`` in the area whose exit code a failure gives (nasti.areas). Other work (the queue,
PostgreSQL, many machines) adds checks — and, for a new kind of problem, a new area with its own code."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from common.config import Config
from nasti.areas import AREAS


@dataclass(frozen=True)
class Finding:
    check: str
    area: str
    status: str            # ok | warn | fail
    message: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class Context:
    cfg: Config
    quick: bool = False
    facts: dict[str, Any] = field(default_factory=dict)   # shared between checks (e.g. the schema state)


CheckFn = Callable[[Context], Iterable[Finding]]


@dataclass(frozen=True)
class Check:
    name: str
    area: str
    fn: CheckFn
    slow: bool = False


CHECKS: list[Check] = []


def check(area: str, *, name: str | None = None, slow: bool = False) -> Callable[[CheckFn], CheckFn]:
    """Register a check; ``slow`` ones are left out by ``doctor --quick`` (the service's start-up check)."""
    if area not in AREAS:
        raise ValueError(f"unknown doctor area {area!r}; add it to AREAS with an exit code")

    def register(fn: CheckFn) -> CheckFn:
        CHECKS.append(Check(name or fn.__name__.removeprefix("check_"), area, fn, slow))
        return fn
    return register



def ok(name: str, area: str, message: str, **data: Any) -> Finding:
    return Finding(name, area, "ok", message, data)


def warn(name: str, area: str, message: str, **data: Any) -> Finding:
    return Finding(name, area, "warn", message, data)


def fail(name: str, area: str, message: str, **data: Any) -> Finding:
    return Finding(name, area, "fail", message, data)

