"""What clerks' machines leave behind in a share, and nasti's own folders: never taken, never touched."""
from __future__ import annotations

import fnmatch

IGNORED_NAMES = {"thumbs.db", "desktop.ini", ".ds_store", "ehthumbs.db", "icon\r"}
IGNORED_PATTERNS = ("._*", "~$*", "*.tmp", "*.part", "*.crdownload", "*.partial", "~*.tmp", ".~lock.*#")
# nasti's folder names: `_rejected` in the share; `_quarantine` is the archive's set-aside folder (ingest.recover),
# and a share folder of that name would archive into it, where fsck says files may be removed by hand (attack round)
OWN_FOLDERS = {"_rejected", "_quarantine"}


def is_ignored(relative_parts: tuple[str, ...]) -> bool:
    """True for system litter, hidden files/folders, partial downloads and nasti's own folders."""
    if not relative_parts:
        return True
    if relative_parts[0] in OWN_FOLDERS:
        return True
    if any(p.startswith(".") for p in relative_parts):
        return True
    name = relative_parts[-1]
    low = name.lower()
    if low in IGNORED_NAMES or low.endswith(".reason.txt"):
        return True
    return any(fnmatch.fnmatchcase(low, pat.lower()) for pat in IGNORED_PATTERNS)
