"""The till's first start (from the installed bundle or a checkout): make the home, migrate
the database, then either seed the demo store (`till --demo`) or ask for the server and the
enrolment code (ui/first_run_dialog.py) when the till has neither a store nor a server.

A store that is already set up is left alone (`--demo` seeds only an empty store). A newer
version migrates an existing database at its start, keeping a backup first
(app/services/backups.py).
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from app.config import DB_NAME, load_config

log = logging.getLogger("till.firstrun")

DEMO_MEMBERS, DEMO_SALES = 500, 100  # enough to try every screen; `till demo seed` makes more


def prepare(home: Path) -> bool:
    """Make the home and the database (migrating an older one); True when this is the first
    start (there was no database)."""
    from app.services.backups import upgrade_keeping_backup

    first = not (home / DB_NAME).exists()
    home.mkdir(parents=True, exist_ok=True)
    load_config(home)  # writes the documented till.toml the first time
    upgrade_keeping_backup(home)
    return first


def seed_demo_if_empty(home: Path) -> str | None:
    """The demo store in an empty till; None when done (or not needed), else why not."""
    from app.services.context import open_till
    from app.services.errors import TillError
    from till.demo import seed_demo, store_is_empty

    ctx = open_till(home)
    try:
        if store_is_empty(ctx):
            summary = seed_demo(ctx, members=DEMO_MEMBERS, sales=DEMO_SALES)
            log.info("demo store seeded: %s", summary.describe().splitlines()[0])
    except TillError as exc:
        return exc.message
    finally:
        ctx.close()
    return None


def enrol_with(home: Path, url: str, code: str) -> str | None:
    """Enrol this till and keep the server's address in till.toml (the app syncs with the
    server set there); None when done, else the reason in words."""
    from app.config import save_settings
    from app.services.context import open_till
    from sync.client import SyncError
    from sync.enrol import enrol

    ctx = open_till(home)
    try:
        enrol(ctx, url, code)
    except SyncError as exc:
        return f"登记失败 / Enrolment failed: {exc.message}"
    finally:
        ctx.close()
    save_settings(home, {"server": {"url": url}})
    return None


def needs_setup(home: Path) -> bool:
    """No server set, not enrolled and no products: nothing to sell with yet. Runs at every
    start, so it reads the store with sqlite3 and looks at credentials (which imports the
    HTTP client) only for an empty store."""
    import sqlite3

    if load_config(home).server.url:
        return False
    conn = sqlite3.connect(f"file:{home / DB_NAME}?mode=ro", uri=True)
    try:
        if conn.execute("SELECT 1 FROM products LIMIT 1").fetchone() is not None:
            return False
    finally:
        conn.close()
    from sync.client import NotEnrolled, load_credentials

    try:
        return load_credentials(home) is None
    except NotEnrolled:  # credentials there but unreadable: enrolled once, `till doctor` says more
        return False


def first_start(home: Path, demo: bool) -> bool:
    """Before the cashier app opens: False when the person chose to quit."""
    prepare(home)
    if demo:
        problem = seed_demo_if_empty(home)
        if problem:
            print(f"till: the demo store could not be seeded: {problem}", file=sys.stderr)
        return True
    from ui.app import _no_display

    if not needs_setup(home) or _no_display():  # no display: the app itself says so
        return True
    return ask(home)


def ask(home: Path) -> bool:
    """The first-run dialog (on the display the app will use)."""
    from PySide6.QtWidgets import QApplication

    from ui.app import style_app
    from ui.first_run_dialog import FirstRunDialog

    qt = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(qt, QApplication)
    style_app(qt)
    dialog = FirstRunDialog(lambda url, code: enrol_with(home, url, code), lambda: seed_demo_if_empty(home))
    return bool(dialog.exec()) and dialog.choice is not None
