"""Health lines for `nasti status` and the dashboard: problems of the environment that hold documents back.

Read from the documents' recorded `problem` (set by ingest, cleared once the problem is gone) and from documents
that stay `failed` after their last attempt, so every process (watcher, CLI, web) sees the same picture. Lives in
store so that report/ can show it too (report → store).
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from store.models import Document
from store.repo import MAX_ATTEMPTS


@dataclass(frozen=True)
class Health:
    code: str
    count: int
    hi: str
    en: str


_TEXT: dict[str, tuple[str, str]] = {
    "archive_full": ("संग्रह की डिस्क भर गई है: {n} फ़ाइलें प्रतीक्षा में हैं (मूल फ़ाइलें फ़ोल्डर में सुरक्षित) — "
                     "डिस्क पर जगह बनाएँ; फ़ाइलें अपने-आप ली जाएँगी",
                     "the archive disk is full: {n} files are waiting (their originals are safe in the share) — "
                     "free space on the archive disk; they are taken automatically"),
    "archive_unwritable": ("संग्रह में लिखा नहीं जा सकता: {n} फ़ाइलें प्रतीक्षा में हैं — अनुमतियाँ/माउंट जाँचें",
                           "the archive cannot be written: {n} files are waiting — check its permissions or mount"),
    "archive_conflict": ("संग्रह में {n} फ़ाइलों की प्रति की जगह पर पहले से दूसरी फ़ाइलें हैं (कुछ भी बदला नहीं गया; मूल फ़ाइलें "
                         "फ़ोल्डर में सुरक्षित) — क्या डेटाबेस किसी पुराने बैकअप से लौटाया गया? `nasti fsck` चलाएँ",
                         "{n} files wait: another file already stands where their archive copy goes (nothing was "
                         "overwritten; the originals are safe in the share) — was the database restored from an "
                         "older backup? run `nasti fsck`"),
    "share_unwritable": ("शाखा का फ़ोल्डर बदला नहीं जा सकता (केवल-पढ़ने योग्य): {n} फ़ाइलें संसाधित हो चुकी हैं पर फ़ोल्डर में "
                         "ही हैं — फ़ोल्डर पर लिखने की अनुमति दें",
                         "a branch folder cannot be changed (read-only): {n} files are processed but still in the "
                         "share — give nasti write access to the folder"),
    "archive_missing": ("{n} फ़ाइलों की संग्रह-प्रति नहीं मिली या बदली हुई है; मूल फ़ाइलें फ़ोल्डर में रखी गई हैं — "
                        "ई-गवर्नेंस शाखा संग्रह की जाँच करे",
                        "the archive copy of {n} files is missing or differs; their originals are kept in the share "
                        "— check the archive (nasti fsck)"),
    "file_unreadable": ("nasti को शेयर की {n} फ़ाइलें पढ़ने की अनुमति नहीं है (वे फ़ोल्डर में ही हैं) — "
                        "फ़ाइलों की अनुमतियाँ ठीक करें; वे अपने-आप ली जाएँगी",
                        "nasti is not allowed to read {n} files in the share (they stay there) — fix their "
                        "permissions; they are taken automatically"),
    "engine_missing": ("OCR इंजन (tesseract/poppler) नहीं मिला: {n} फ़ाइलें प्रतीक्षा में हैं — `nasti doctor` चलाएँ",
                       "an OCR engine (tesseract/poppler) is missing: {n} files are waiting — run `nasti doctor`"),
    "retrying": ("{n} फ़ाइलों में nasti को त्रुटि मिली; कुछ देर बाद अपने-आप दोबारा कोशिश होगी (मूल फ़ाइलें फ़ोल्डर में सुरक्षित)",
                 "nasti hit an error on {n} files; they are tried again automatically (originals safe in the share)"),
    "failed_for_good": ("{n} फ़ाइलें बार-बार की कोशिश के बाद भी पूरी नहीं हो सकीं और समीक्षा की प्रतीक्षा में हैं",
                        "{n} files could not be finished after repeated attempts and wait for review"),
}


def health(s: Session) -> list[Health]:
    counts: dict[str, int] = dict(s.execute(
        select(Document.problem, func.count()).where(Document.problem.is_not(None))
        .group_by(Document.problem)).all())  # type: ignore[arg-type]
    stuck = s.scalar(select(func.count()).where(Document.status == "failed", Document.problem.is_(None),
                                               Document.attempts >= MAX_ATTEMPTS)) or 0
    retrying = s.scalar(select(func.count()).where(Document.status == "failed", Document.problem.is_(None),
                                                   Document.attempts < MAX_ATTEMPTS)) or 0
    if stuck:
        counts["failed_for_good"] = stuck
    if retrying:
        counts["retrying"] = retrying
    out = []
    for code, n in sorted(counts.items()):
        hi, en = _TEXT.get(code, ("{n} फ़ाइलों में समस्या: " + code, "{n} files have a problem: " + code))
        out.append(Health(code, n, hi.format(n=n), en.format(n=n)))
    return out
