"""Is the share there? A missing share is never created silently (an unmounted SMB share would be watched empty for
ever): it is an error unless ``[share] create = true``; with ``[share] require_mount = true`` it must be a mount."""
from __future__ import annotations

import os
import tempfile

from common.config import Config


def share_problem(cfg: Config, *, create: bool | None = None) -> str | None:
    """None when the share is usable (created first if allowed); else the bilingual reason (Hindi, then English)."""
    share, where = cfg.share, f" ({cfg.path})" if cfg.path else ""
    if not share.exists() and (cfg.share_create if create is None else create):
        share.mkdir(parents=True, exist_ok=True)
    if not share.exists():
        return (f"साझा फ़ोल्डर {share} नहीं मिला — क्या नेटवर्क शेयर माउंट है? / the share {share} does not exist — "
                f"is the network share mounted? Mount it, or correct [share] path in the config{where}; nasti "
                "creates it only with [share] create = true")
    if not share.is_dir():
        return f"साझा फ़ोल्डर {share} फ़ोल्डर नहीं है / the share {share} is not a folder; correct [share] path{where}"
    if cfg.share_require_mount and not os.path.ismount(share):
        return (f"साझा फ़ोल्डर {share} माउंट नहीं है / the share {share} is not a mount point ([share] "
                f"require_mount = true{where}): mount the network share first (e.g. `mount {share}`)")
    if not os.access(share, os.R_OK | os.W_OK | os.X_OK):
        return (f"साझा फ़ोल्डर {share} पर पढ़ने/लिखने की अनुमति नहीं / nasti may not read and write the share "
                f"{share}: give the nasti user read/write access")
    return None


def archive_problem(cfg: Config) -> str | None:
    """None when nasti can create files in the archive (made first if missing); else the bilingual reason. Checked
    before any OCR, so a read-only or mistyped archive does not cost every file an OCR run and a failed copy."""
    archive, where = cfg.archive, f" ({cfg.path})" if cfg.path else ""
    try:
        archive.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=archive, prefix=".nasti-probe-"):
            pass
    except OSError as e:
        why = e.strerror or type(e).__name__
        return (f"संग्रह फ़ोल्डर {archive} में nasti लिख नहीं सकता / nasti cannot write to the archive {archive} "
                f"({why}): correct [archive] path in the config{where}, or give the nasti user write access")
    return None
