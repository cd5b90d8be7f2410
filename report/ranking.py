"""The district ranking for a review meeting: which offices will make their cutover.

The rule (also in README.md, "Many offices"):

1. **pace** = files digitised per day over the last 7 days (the office's ``files_per_day``) ÷ files per day
   needed to finish by the office's cutover (files not yet digitised ÷ days left, at least 1 day; a cutover that
   has passed leaves 1 day). Higher is better; 1.0 means exactly on pace.
2. ties (equal pace, rounded to 2 decimals): the higher **share digitised** (digitised ÷ register files).
3. then the earlier **projected finish** (none: last); a full tie, by office key.

An office with every register file digitised ranks first (pace shown as none: nothing is needed). An office with
a register but no cutover has no pace and ranks after every office that has one (then by 2 and 3).
Offices **without a register** and offices whose **snapshot is stale** (older than 48 h, or none) are not ranked:
they are listed apart with the reason.
"""
from __future__ import annotations

from typing import Any

PACE_DECIMALS = 2


def pace(office: dict[str, Any]) -> float | None:
    """files/day over the last 7 days ÷ files/day needed by the cutover; None when nothing remains or there is
    no cutover."""
    remaining = office["remaining"]
    if not remaining or office["days_left"] is None:
        return None
    needed = remaining / max(office["days_left"], 1)
    return round(office["files_per_day"] / needed, PACE_DECIMALS)


def share(office: dict[str, Any]) -> float:
    return office["digitised_files"] / office["register_files"] if office["register_files"] else 0.0


def _order(row: dict[str, Any]) -> tuple[int, float, float, str, str]:
    if not row["remaining"]:
        group = 0
    elif row["pace"] is not None:
        group = 1
    else:
        group = 2
    return (group, -(row["pace"] or 0.0), -row["share"], row["projected_completion"] or "9999-12-31",
            row["office"])   # a full tie: by key, so the same figures always give the same order


def rank(offices: list[dict[str, Any]]) -> dict[str, Any]:
    """{ranked: [{rank, office, pace, share, …}], apart: [{office, reason, …}]} from office summaries
    (``report.rollup.office_summary``)."""
    ranked, apart = [], []
    for o in offices:
        row = {**o, "pace": pace(o), "share": round(share(o), 4)}
        if not o["register_files"]:
            apart.append({**row, "reason": "no_register"})
        elif o["stale"]:
            apart.append({**row, "reason": "stale_snapshot"})
        else:
            ranked.append(row)
    ranked.sort(key=_order)
    for i, row in enumerate(ranked, start=1):
        row["rank"] = i
    apart.sort(key=lambda r: (r["reason"], r["office"]))
    return {"ranked": ranked, "apart": apart}
