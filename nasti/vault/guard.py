"""`watch` refuses to start when the database does not know the archive it points at.

Recovery after a crash sets aside archive files no row references. That is right after a power cut, and a disaster
when the database is simply the wrong one: an empty database beside an existing archive, or last night's copy
restored over a database that had since archived more. Both look the same from the archive: files no row knows.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from common.config import Config
from nasti.areas import AREAS
from nasti.vault.scan import ArchiveFiles, References, references, unknown, walk
from store.db import Store

EXIT_ARCHIVE_MISMATCH = AREAS["database"]   # the code `nasti doctor` gives the same finding (and a share problem 3)
FLAG = "--accept-archive-mismatch"
SHOWN = 5


@dataclass(frozen=True)
class Mismatch:
    unknown: list[str]
    documents: int

    def message(self, archive: Path) -> str:
        n = len(self.unknown)
        examples = "\n".join(f"  {rel}" for rel in self.unknown[:SHOWN]) + (
            f"\n  … ({n - SHOWN} more)" if n > SHOWN else "")
        if self.documents == 0:
            hi = f"डेटाबेस खाली है, पर संग्रह ({archive}) में {n} फ़ाइलें हैं।"
            en = f"the database is empty but the archive ({archive}) holds {n} archived files."
        else:
            hi = f"संग्रह ({archive}) में {n} फ़ाइलें हैं जिन्हें डेटाबेस नहीं जानता — डेटाबेस संग्रह से पुराना है।"
            en = (f"the archive ({archive}) holds {n} files the database does not know: the database is older "
                  "than the archive (a restored or wrong database?).")
        return (
            f"nasti: शुरू नहीं किया गया — {hi}\n"
            "  सही डेटाबेस चुनें, या `nasti restore` / `nasti rebuild` चलाएँ, या "
            f"`nasti watch {FLAG}` से इन फ़ाइलों को जोड़ें (कुछ भी मिटाया नहीं जाएगा)।\n"
            f"nasti: not started — {en}\n"
            "  Point the config at the right database, or run `nasti restore BACKUP` (reconciles) or, on an empty "
            f"database, `nasti rebuild`; or start with `nasti watch {FLAG}` to re-attach these files from their "
            "metadata and set the rest aside in _quarantine/ (nothing is deleted). `nasti fsck` lists them.\n"
            f"{examples}")


def check(store: Store | None, archive: Path, refs: References | None = None, files: ArchiveFiles | None = None,
          ) -> Mismatch | None:
    """None when every archive file is referenced (or in flight; ``_quarantine/`` is not the archive proper); else
    what the database does not know. The one verdict of `watch` and `nasti doctor`."""
    if refs is None:
        assert store is not None
        refs = references(store)
    found = unknown(files if files is not None else walk(archive), refs)
    return Mismatch(found, refs.documents) if found else None


def before_recovery(store: Store, cfg: Config, *, accept: bool) -> int:
    """Called by `watch` before crash recovery: 0 to go on, else the exit code (message on stderr).

    With ``accept`` the unknown files are re-attached from their records or set aside in ``_quarantine/`` — so
    recovery, which clears what no row references, finds nothing of them to touch."""
    mismatch = check(store, cfg.archive)
    if mismatch is None:
        return 0
    if not accept:
        sys.stderr.write(mismatch.message(cfg.archive) + "\n")
        return EXIT_ARCHIVE_MISMATCH
    from nasti.vault.rebuild import reconcile

    done = reconcile(store, cfg, cfg.archive, actor="watch")
    n, back = len(mismatch.unknown), len(done.attached) + len(done.completed)
    lines = [f"{n} अज्ञात फ़ाइलें स्वीकार की गईं ({FLAG}): {back} दस्तावेज़ उनके मेटाडेटा से फिर जोड़े गए / {n} unknown "
             f"archive files accepted ({FLAG}): {back} documents re-attached from their metadata; nothing deleted",
             *done.set_aside_lines()]
    sys.stderr.write("".join(f"nasti: {line}\n" for line in lines))
    return 0
