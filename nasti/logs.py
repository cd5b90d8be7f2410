"""Logging for a terminal, journald and a log file: ISO times in the office's zone, one record per line off a TTY.

On a terminal: rich's coloured records (times in the office's zone). Anywhere else (systemd/journald, a pipe, cron):
plain ``2026-11-30T23:41:59+05:30 INFO nasti.ingest: message`` lines, never wrapped, with a traceback folded into
the same line (`` ⏎ `` between its lines) so journald keeps it as one entry. ``[log] file`` adds a rotating file
in the same one-line format. ``-v`` shows debug records (per page), ``-q`` only warnings and errors.
"""
from __future__ import annotations

import datetime as dt
import logging
import logging.handlers
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

from rich.console import Console
from rich.logging import RichHandler
from rich.text import Text

from common.config import DEFAULT_TIMEZONE, LogConfig

NOISY = ("watchdog", "alembic", "PIL", "pdf2image", "pytesseract", "pikepdf", "multipart")
LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warning": logging.WARNING, "error": logging.ERROR}
_MINE = "_nasti_handler"


_SYSLOG = {logging.DEBUG: 7, logging.INFO: 6, logging.WARNING: 4, logging.ERROR: 3, logging.CRITICAL: 2}


class OneLineFormatter(logging.Formatter):
    """``ISO-time LEVEL logger: message`` with any traceback on the same line; under journald a ``<N>`` syslog
    priority first (journald strips it and files the record at that level: `journalctl -p warning`)."""

    def __init__(self, tz: ZoneInfo, *, syslog_prefix: bool = False) -> None:
        super().__init__()
        self.tz = tz
        self.syslog_prefix = syslog_prefix

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return dt.datetime.fromtimestamp(record.created, self.tz).isoformat(timespec="seconds")

    def format(self, record: logging.LogRecord) -> str:
        text = f"{self.formatTime(record)} {record.levelname} {record.name}: {record.getMessage()}"
        if record.exc_info:
            text += "\n" + self.formatException(record.exc_info)
        if record.stack_info:
            text += "\n" + self.formatStack(record.stack_info)
        line = " ⏎ ".join(part.rstrip() for part in text.splitlines() if part.strip())
        return f"<{_SYSLOG.get(record.levelno, 6)}>{line}" if self.syslog_prefix else line


def under_journald() -> bool:
    """stderr is the journal stream systemd gave this service (JOURNAL_STREAM=device:inode, see systemd.exec)."""
    import os

    stream = os.environ.get("JOURNAL_STREAM", "")
    try:
        dev, ino = (int(x) for x in stream.split(":"))
        st = os.fstat(sys.stderr.fileno())
    except (ValueError, OSError):
        return False
    return (st.st_dev, st.st_ino) == (dev, ino)


def level_for(verbose: int, quiet: bool, configured: str = "info") -> int:
    if verbose:
        return logging.DEBUG
    if quiet:
        return logging.WARNING
    return LEVELS[configured]


def setup(console: Console, *, level: int, tz_name: str = DEFAULT_TIMEZONE, log: LogConfig | None = None,
          tty: bool | None = None) -> None:
    """(Re)configure the root logger: stderr (rich on a TTY, one-line otherwise) and, if configured, a file."""
    tz = ZoneInfo(tz_name)
    root = logging.getLogger()
    for h in [h for h in root.handlers if getattr(h, _MINE, False)]:
        root.removeHandler(h)
        h.close()
    tty = sys.stderr.isatty() if tty is None else tty
    handlers: list[logging.Handler] = []
    if tty:
        handlers.append(RichHandler(console=console, show_path=False, rich_tracebacks=False, markup=False,
                                    log_time_format=lambda t: Text(t.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S"))))
    else:
        plain = logging.StreamHandler(sys.stderr)
        plain.setFormatter(OneLineFormatter(tz, syslog_prefix=under_journald()))
        handlers.append(plain)
    unusable: str | None = None
    if log is not None and log.file is not None:
        try:
            Path(log.file).parent.mkdir(parents=True, exist_ok=True)
            f = logging.handlers.RotatingFileHandler(log.file, maxBytes=int(log.max_mb * 2**20),
                                                     backupCount=log.backups, encoding="utf-8")
        except OSError as e:  # a command still answers; `nasti doctor` fails on it (storage, exit 6)
            unusable = f"{e.strerror or type(e).__name__}"
        else:
            f.setFormatter(OneLineFormatter(tz))
            handlers.append(f)
    for h in handlers:
        setattr(h, _MINE, True)
        root.addHandler(h)
    root.setLevel(level)
    for name in NOISY:
        logging.getLogger(name).setLevel(max(level, logging.WARNING))
    if unusable and log is not None:
        logging.getLogger("nasti").warning("cannot write the log file %s ([log] file): %s; logging to stderr only",
                                           log.file, unusable)
