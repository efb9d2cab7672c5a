"""When the till backs itself up: at every shift close, once a day while it runs, and before a
migration changes the store's schema (app/store/backup.py makes, checks and rotates the copies).

A backup that fails is logged and never stops the cashier: the shift is closed either way, and
`till doctor` reports the age of the last good backup.
"""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime
from pathlib import Path

from app.config import DB_NAME
from app.store.backup import Backup, BackupError, daily_due, make_backup

log = logging.getLogger("till.backup")

CHECK_EVERY_S = 3600.0


def backup_now(home: Path, kind: str) -> Backup | None:
    """Make a backup of `kind`; None (and a log line saying why) when it could not be made."""
    try:
        made = make_backup(home, home / DB_NAME, kind)
    except (BackupError, OSError) as exc:
        log.warning("%s backup failed: %s", kind, exc)
        return None
    log.info("%s backup written: %s (%d bytes, integrity ok)", kind, made.path.name, made.size)
    return made


def upgrade_keeping_backup(home: Path) -> Backup | None:
    """Migrate the store to the newest schema; a store that already has a schema older than
    the newest is first copied as a `pre-upgrade` backup (a failed copy stops the upgrade).
    Returns that backup, or None when none was needed."""
    from app.store.migrate import current_revision, is_current, upgrade

    db_path = home / DB_NAME
    made = None
    if db_path.exists() and not is_current(db_path) and current_revision(db_path) is not None:
        made = make_backup(home, db_path, "pre-upgrade")
        log.info("pre-upgrade backup written: %s", made.path.name)
    upgrade(db_path)
    return made


class DailyBackups:
    """A daemon thread that makes a `daily` backup whenever the last backup of any kind is a
    day old (checked at start and every hour). Thread-safe start/stop from any thread."""

    def __init__(self, home: Path, every_s: float = CHECK_EVERY_S) -> None:
        self.home = home
        self.every_s = every_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="till-backup", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(30)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.is_set():
            if daily_due(self.home, datetime.now(UTC)):
                backup_now(self.home, "daily")
            self._stop.wait(self.every_s)
