"""`till doctor`: is this till fit to sell? Each check in words, with what to do about it.

Checks read only: the database is opened read-only (no migration, no key made), devices are
opened and closed again, the server is asked for `/health`. Exit 1 when a check FAILs (a WARN
is worth a look but the till can sell).
"""

from __future__ import annotations

import argparse
import shutil
import socket
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

from app.config import DB_NAME, TillConfig

OK, WARN, FAIL, INFO = "OK", "WARN", "FAIL", "INFO"
FREE_WARN_B, FREE_FAIL_B = 1_000_000_000, 200_000_000
SKEW_WARN_S, SKEW_FAIL_S = 60.0, 300.0  # the server flags a till past 300 s (MAX_CLOCK_SKEW_S)
BACKUP_WARN_S = 2 * 86400
WAITING_WARN_S = 3600


@dataclass(frozen=True)
class Check:
    name: str
    status: str
    what: str
    todo: str = ""

    def line(self) -> str:
        text = f"{self.status:<4}  {self.name}: {self.what}"
        return f"{text}\n      -> {self.todo}" if self.todo else text


def _age(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    if seconds < 172800:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} days"


def check_database(home: Path, cfg: TillConfig) -> Check:
    from app.store.backup import integrity_problems
    from app.store.migrate import HEAD, current_revision

    db = home / DB_NAME
    if not db.exists():
        return Check("database", FAIL, f"no database at {db}", "run `till db upgrade` (or start the till)")
    size = sum(p.stat().st_size for p in (db, db.with_name(DB_NAME + "-wal")) if p.exists())
    problems = integrity_problems(db)
    if problems:
        return Check(
            "database",
            FAIL,
            f"{db} is damaged: {problems[0]}",
            "close the till and restore the newest backup: `till backup list`, `till backup restore FILE`",
        )
    rev = current_revision(db)
    if rev != HEAD:
        return Check(
            "database",
            WARN,
            f"integrity ok, {size / 1e6:.1f} MB, schema {rev} (newest {HEAD})",
            "start the till or run `till db upgrade` (a backup is kept first)",
        )
    return Check("database", OK, f"integrity ok, {size / 1e6:.1f} MB, schema at {rev}")


def check_disk(home: Path, cfg: TillConfig) -> Check:
    free = shutil.disk_usage(home).free
    what = f"{free / 1e9:.1f} GB free where the home is ({home})"
    if free < FREE_FAIL_B:
        return Check("disk", FAIL, what, "free disk space now: sales and backups need room")
    if free < FREE_WARN_B:
        return Check("disk", WARN, what, "free some disk space soon")
    return Check("disk", OK, what)


def _tcp(host: str, port: int, timeout: float) -> str | None:
    try:
        socket.create_connection((host, port), timeout=timeout).close()
    except OSError as exc:
        return exc.strerror or str(exc)
    return None


def check_printer(home: Path, cfg: TillConfig) -> Check:
    p = cfg.printer
    if p.kind == "none":
        return Check("printer", INFO, "no printer configured (kind = none)")
    if p.kind == "network":
        err = _tcp(p.host, p.port, p.timeout_s)
        if err:
            return Check(
                "printer",
                FAIL,
                f"network printer {p.host}:{p.port} not reachable ({err})",
                "check the printer is on and its cable, or [printer] host/port in till.toml",
            )
        return Check("printer", OK, f"network printer {p.host}:{p.port} answers")
    if p.kind in ("serial", "file") and p.device:
        if not Path(p.device).exists():
            return Check(
                "printer",
                FAIL,
                f"printer device {p.device} does not exist",
                "plug the printer in, or set [printer] device in till.toml",
            )
        return Check("printer", OK, f"printer device {p.device} present")
    if p.kind == "file":
        out = home / p.out_dir
        ok = out.is_dir() or not out.exists()
        return Check(
            "printer",
            OK if ok else FAIL,
            f"receipts go to files in {out}",
            "" if ok else f"{out} is not a folder",
        )
    return Check(
        "printer", INFO, f"{p.kind} printer: not checked here (print a test receipt from the settings screen)"
    )


def check_camera(home: Path, cfg: TillConfig) -> Check:
    src = cfg.scanner.camera.strip()
    if not src:
        return Check("camera", INFO, "no camera configured")
    if not src.isdigit():
        ok = Path(src).exists() or "://" in src
        return Check(
            "camera",
            OK if ok else FAIL,
            f"camera source {src}",
            "" if ok else "set [scanner] camera in till.toml to a device index or a file",
        )
    import cv2

    cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_SILENT)
    cap = cv2.VideoCapture(int(src))
    try:
        opened = bool(cap.isOpened())
    finally:
        cap.release()
    if opened:
        return Check("camera", OK, f"camera {src} opens")
    return Check(
        "camera",
        FAIL,
        f"camera {src} cannot be opened",
        'plug the camera in (or set [scanner] camera = "" in till.toml if there is none)',
    )


def check_decoders(home: Path, cfg: TillConfig) -> Check:
    """zbar (a system library, or the bundle's) and zxing-cpp decode the camera's frames."""
    problems = []
    try:
        from pyzbar import pyzbar  # loads libzbar

        del pyzbar
    except (ImportError, OSError) as exc:
        problems.append(f"zbar: {exc}")
    try:
        import zxingcpp

        del zxingcpp
    except ImportError as exc:
        problems.append(f"zxing-cpp: {exc}")
    if problems:
        return Check(
            "decoders",
            FAIL,
            "camera codes cannot be decoded (" + "; ".join(problems) + ")",
            "install libzbar0 (apt-get install libzbar0) or reinstall the till",
        )
    return Check("decoders", OK, "zbar and zxing-cpp load")


def check_scanner(home: Path, cfg: TillConfig) -> Check:
    dev = cfg.scanner.serial_device.strip()
    if not dev:
        return Check(
            "scanner",
            INFO,
            "keyboard-wedge scanner only (it types into the till; scan into the checkout field to test it)",
        )
    import serial

    try:
        serial.Serial(dev, cfg.scanner.serial_baudrate, timeout=0.2).close()
    except (serial.SerialException, OSError, ValueError) as exc:
        return Check(
            "scanner",
            FAIL,
            f"serial scanner {dev} cannot be opened ({exc})",
            "plug the scanner in, or set [scanner] serial_device in till.toml",
        )
    return Check("scanner", OK, f"serial scanner {dev} opens")


def check_server(home: Path, cfg: TillConfig) -> Check:
    url = cfg.server.url
    if not url:
        return Check("server", INFO, "no server set: this till is its own truth")
    import requests

    from sync.client import NotEnrolled, load_credentials

    try:
        enrolled = load_credentials(home) is not None
    except NotEnrolled as exc:
        return Check("server", FAIL, str(exc), "enrol again: `till enrol URL CODE`")
    try:
        resp = requests.get(url.rstrip("/") + "/health", timeout=3)
    except requests.RequestException as exc:
        return Check(
            "server",
            FAIL,
            f"{url} not reachable ({type(exc).__name__})",
            "check the network; the till keeps selling offline and sends later",
        )
    if not resp.ok:
        return Check("server", FAIL, f"{url} answered {resp.status_code}", "ask HQ to look at the server")
    return _clock_check(url, resp.headers.get("Date"), enrolled)


def _clock_check(url: str, date: str | None, enrolled: bool) -> Check:
    todo = "" if enrolled else "enrol the till: `till enrol URL CODE` (code from HQ)"
    where = f"{url} reachable" + ("" if enrolled else ", but this till is not enrolled")
    try:
        theirs = parsedate_to_datetime(date or "")
    except (TypeError, ValueError):
        return Check("server", WARN if todo else OK, where + " (no clock to compare)", todo)
    offset = (datetime.now(UTC) - theirs.replace(tzinfo=theirs.tzinfo or UTC)).total_seconds()
    what = f"{where}; this till's clock is {abs(offset):.0f} s {'ahead' if offset > 0 else 'behind'}"
    if abs(offset) > SKEW_FAIL_S:
        return Check("server", FAIL, what, "set the computer's clock (turn on network time)")
    if abs(offset) > SKEW_WARN_S or todo:
        return Check("server", WARN, what, todo or "turn on network time on this computer")
    return Check("server", OK, what)


def check_waiting(home: Path, cfg: TillConfig) -> Check:
    db = home / DB_NAME
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        try:
            n, oldest = conn.execute(
                "SELECT count(*), min(created_at) FROM outbox WHERE sent_at IS NULL"
            ).fetchone()
        finally:
            conn.close()
    except sqlite3.Error as exc:
        return Check("events waiting", FAIL, f"cannot read the outbox ({exc})", "see the database check")
    if not n:
        return Check("events waiting", OK, "nothing waiting to be sent")
    age = (datetime.now(UTC) - datetime.fromisoformat(str(oldest)).replace(tzinfo=UTC)).total_seconds()
    what = f"{n} event(s) waiting, the oldest for {_age(age)}"
    if not cfg.server.url:
        return Check("events waiting", INFO, what + " (no server: they stay here)")
    if age > WAITING_WARN_S:
        return Check(
            "events waiting",
            WARN,
            what,
            "check the server check above; run `till sync` to see why they are not sent",
        )
    return Check("events waiting", OK, what)


def check_backup(home: Path, cfg: TillConfig) -> Check:
    from app.store.backup import last_backup

    last = last_backup(home)
    if last is None:
        return Check(
            "last backup",
            WARN,
            "no backup yet",
            "run `till backup now` (the running till makes one at every shift close and daily)",
        )
    age = (datetime.now(UTC) - last.at).total_seconds()
    what = f"{last.kind} backup {_age(age)} ago: {last.path.name}"
    if age > BACKUP_WARN_S:
        return Check(
            "last backup", WARN, what, "run `till backup now`; see why the daily one is missing (`till logs`)"
        )
    return Check("last backup", OK, what)


CHECKS: tuple[Callable[[Path, TillConfig], Check], ...] = (
    check_database,
    check_disk,
    check_printer,
    check_camera,
    check_decoders,
    check_scanner,
    check_server,
    check_waiting,
    check_backup,
)


def run_checks(home: Path, cfg: TillConfig) -> list[Check]:
    out = []
    for check in CHECKS:
        try:
            out.append(check(home, cfg))
        except Exception as exc:  # one broken check must not hide the others
            name = check.__name__.removeprefix("check_")
            out.append(Check(name, FAIL, f"the check itself failed ({type(exc).__name__}: {exc})"))
    return out


def cmd_doctor(args: argparse.Namespace) -> int:
    from app.config import load_config, resolve_home

    home = resolve_home(args.home)
    if not home.is_dir():
        print(f"FAIL  home: {home} does not exist\n      -> start the till once, or `till db upgrade`")
        return 1
    checks = run_checks(home, load_config(home, create=False))
    for c in checks:
        print(c.line())
    bad = [c.name for c in checks if c.status == FAIL]
    print(f"\n{len(bad)} problem(s): {', '.join(bad)}" if bad else "\nall checks passed")
    return 1 if bad else 0


def register(sub: Any) -> None:
    """Add `doctor` to the `till` command's sub-commands."""
    doc = sub.add_parser(
        "doctor",
        help="check the database, disk, printer, camera, scanner, server "
        "and backups; say what to do; exit 1 if something is wrong",
    )
    doc.set_defaults(func=cmd_doctor)
