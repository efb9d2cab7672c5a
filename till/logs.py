"""The till's log: a rotating file in its home (`<home>/logs/till.log`, 1 MB x 5 kept), and
`till logs`, which prints where it is.

What is logged names records by id only. As a second line of defence every record passes a
filter that masks what looks like a phone number (a run of 7 or more digits, with or without
`+86`, spaces or dashes inside) and a bearer token, so that a careless message cannot put a
member's phone or a terminal's token into the file. Names and comments cannot be recognised
by their shape: the code never logs them (tests/integration/test_logs.py checks a whole
member flow).
"""

from __future__ import annotations

import argparse
import logging
import re
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import Any

LOG_DIR, LOG_NAME = "logs", "till.log"
MAX_BYTES, BACKUPS = 1_000_000, 5
FORMAT = "%(asctime)s %(levelname)s %(name)s %(threadName)s %(message)s"
_PHONE = re.compile(r"(?:(?<![\w-])\+|%2B|(?<![\w-]))\d(?:[ -]?\d){6,}(?![\w-])")
_BEARER = re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+")


def log_path(home: Path) -> Path:
    return home / LOG_DIR / LOG_NAME


def scrub(text: str) -> str:
    """`text` with phone-like digit runs and bearer tokens masked."""
    return _BEARER.sub(r"\1***", _PHONE.sub("[number]", text))


class Scrubber(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = scrub(message)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and not record.exc_text:
            record.exc_text = scrub(logging.Formatter().formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = scrub(record.exc_text)
        return True


def setup_logging(home: Path, level: int = logging.INFO) -> Path:
    """Send the process's log records to the rotating file in `home` (once per process and
    home). Returns the file's path."""
    path = log_path(home)
    root = logging.getLogger()
    for h in root.handlers:
        if isinstance(h, RotatingFileHandler) and Path(h.baseFilename) == path:
            return path
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = RotatingFileHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8")
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.addFilter(Scrubber())
    root.addHandler(handler)
    if root.level > level or root.level == logging.NOTSET:
        root.setLevel(level)
    return path


def cmd_logs(args: argparse.Namespace) -> int:
    from app.config import resolve_home

    path = log_path(resolve_home(args.home))
    print(path)
    if not path.exists():
        print("(nothing logged yet: the till writes it when it runs)")
    return 0


def register(sub: Any) -> None:
    """Add `logs` to the `till` command's sub-commands."""
    logs = sub.add_parser("logs", help="print where the till's log file is")
    logs.set_defaults(func=cmd_logs)
