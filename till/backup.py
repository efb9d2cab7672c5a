"""`till backup now|list|restore FILE`: the store's backups (app/store/backup.py)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2


def cmd_backup_now(args: argparse.Namespace) -> int:
    from app.config import DB_NAME, resolve_home
    from app.store.backup import BackupError, make_backup
    from till.logs import setup_logging

    home = resolve_home(args.home)
    setup_logging(home)
    try:
        made = make_backup(home, home / DB_NAME, "manual")
    except BackupError as exc:
        print(f"till: no backup made: {exc}", file=sys.stderr)
        return EXIT_ERROR
    print(f"backup written and checked (integrity ok): {made.path} ({made.size / 1e6:.2f} MB)")
    return EXIT_OK


def cmd_backup_list(args: argparse.Namespace) -> int:
    from app.config import resolve_home
    from app.store.backup import backup_dir, list_backups

    home = resolve_home(args.home)
    found = list_backups(home)
    if not found:
        print(f"no backups yet in {backup_dir(home)}")
        return EXIT_OK
    for b in found:
        print(b.describe())
    return EXIT_OK


def cmd_backup_restore(args: argparse.Namespace) -> int:
    from app.config import DB_NAME, resolve_home
    from app.store.backup import BackupError, restore_backup
    from till.logs import setup_logging
    from till.runlock import TillRunning, run_lock

    home = resolve_home(args.home)
    setup_logging(home)
    source = Path(args.file).expanduser().resolve()
    try:
        with run_lock(home):
            done = restore_backup(home, home / DB_NAME, source)
            from app.services.backups import upgrade_keeping_backup

            upgrade_keeping_backup(home)
    except TillRunning as exc:
        print(f"till: not restored: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except (BackupError, OSError) as exc:
        print(f"till: not restored: {exc}", file=sys.stderr)
        return EXIT_ERROR
    print(f"restored {done.source} into {home / DB_NAME}")
    if done.aside is not None:
        print(f"the database it replaced is kept in {done.aside.parent}")
    for name, value in sorted(done.raised.items()):
        print(f"  {name} continues from {value}")
    print("unsent sales in the backup are sent at the next sync; the server keeps each once")
    return EXIT_OK


def register(sub: Any) -> None:
    """Add `backup` to the `till` command's sub-commands."""
    backup = sub.add_parser(
        "backup",
        help="backups of the till's database (made at shift close "
        "and daily by the running till, kept in <home>/backups)",
    )
    cmds = backup.add_subparsers(title="commands", metavar="COMMAND", required=True)
    now = cmds.add_parser("now", help="make a checked backup now")
    now.set_defaults(func=cmd_backup_now)
    lst = cmds.add_parser("list", help="list the kept backups, oldest first")
    lst.set_defaults(func=cmd_backup_list)
    res = cmds.add_parser(
        "restore",
        help="replace the database with a backup (the till must be "
        "closed; the current database is kept aside)",
    )
    res.add_argument("file", metavar="FILE")
    res.set_defaults(func=cmd_backup_restore)
