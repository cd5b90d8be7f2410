"""Burn-down: register files not yet digitised, per day, against the cutover; drawn as an inline SVG."""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from html import escape

from sqlalchemy.orm import Session

from store import progress

HISTORY_DAYS = 30


@dataclass(frozen=True)
class Burndown:
    days: list[dt.date]          # as_of - HISTORY_DAYS + 1 .. as_of
    remaining: list[int]         # register files not yet digitised at the end of each day
    total: int
    cutover: dt.date | None
    per_day: float               # trailing-7-day throughput (files/day)
    finish: dt.date | None = None  # the projected finish (readiness); None: from per_day


def burndown(s: Session, as_of: dt.date, cutover: dt.date | None, per_day: float,
             branch: str | None = None, finish: dt.date | None = None, zone: dt.tzinfo = dt.UTC,
             office: str | None = None) -> Burndown:
    """A register file counts as digitised from the day (in ``zone``, the office's) its first done document was done
    (by ``done_at``), unless
    one of its documents still awaits review (``store.queries.digitised``)."""
    total = progress.register_total(s, branch, office)
    firsts = [t.astimezone(zone).date() for t in progress.digitised_since(s, branch, office)]
    days = [as_of - dt.timedelta(days=HISTORY_DAYS - 1 - i) for i in range(HISTORY_DAYS)]
    remaining, i = [], 0
    for day in days:
        while i < len(firsts) and firsts[i] <= day:
            i += 1
        remaining.append(max(total - i, 0))
    return Burndown(days, remaining, total, cutover, per_day, finish)


def _finish(b: Burndown) -> dt.date | None:
    left = b.remaining[-1] if b.remaining else 0
    if not left:
        return None
    if b.finish:
        return b.finish
    return b.days[-1] + dt.timedelta(days=math.ceil(left / b.per_day)) if b.per_day > 0 else None


def svg(b: Burndown, *, width: int = 640, height: int = 240, labels: tuple[str, str, str] =
        ("remaining", "projected", "cutover")) -> str:
    """Remaining files (solid), the projection at the current throughput (dashed) and the cutover (red line)."""
    pad = 36
    start = b.days[0]
    end = max([b.days[-1], *([b.cutover] if b.cutover else [])])
    now_left = b.remaining[-1] if b.remaining else 0
    finish = _finish(b)
    if finish:
        end = max(end, finish)
    span = max((end - start).days, 1)
    top = max(b.total, 1)

    def x(d: dt.date) -> float:
        return pad + (width - 2 * pad) * (d - start).days / span

    def y(v: float) -> float:
        return height - pad - (height - 2 * pad) * v / top

    pts = " ".join(f"{x(d):.1f},{y(v):.1f}" for d, v in zip(b.days, b.remaining, strict=True))
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="burndown" viewBox="0 0 {width} {height}" '
             f'role="img" aria-label="{escape(labels[0])}">',
             f'<line x1="{pad}" y1="{y(0):.1f}" x2="{width - pad}" y2="{y(0):.1f}" class="axis"/>',
             f'<line x1="{pad}" y1="{y(top):.1f}" x2="{pad}" y2="{y(0):.1f}" class="axis"/>',
             f'<text x="{pad - 4}" y="{y(top) + 4:.1f}" text-anchor="end">{b.total}</text>',
             f'<text x="{pad - 4}" y="{y(0) + 4:.1f}" text-anchor="end">0</text>',
             f'<text x="{pad}" y="{height - 8}">{start.strftime("%d/%m/%Y")}</text>',
             f'<text x="{width - pad}" y="{height - 8}" text-anchor="end">{end.strftime("%d/%m/%Y")}</text>',
             f'<polyline points="{pts}" class="remaining"><title>{escape(labels[0])}</title></polyline>']
    if finish:
        parts.append(f'<line x1="{x(b.days[-1]):.1f}" y1="{y(now_left):.1f}" x2="{x(finish):.1f}" y2="{y(0):.1f}" '
                     f'class="projected"><title>{escape(labels[1])}</title></line>')
    if b.cutover:
        anchor = "end" if x(b.cutover) > width * 0.75 else "middle"
        parts.append(f'<line x1="{x(b.cutover):.1f}" y1="{y(top):.1f}" x2="{x(b.cutover):.1f}" y2="{y(0):.1f}" '
                     f'class="cutover"><title>{escape(labels[2])}</title></line>'
                     f'<text x="{x(b.cutover):.1f}" y="{pad - 6}" text-anchor="{anchor}" class="cutover-label">'
                     f'{escape(labels[2])} {b.cutover.strftime("%d/%m/%Y")}</text>')
    parts.append("</svg>")
    return "".join(parts)
