"""The till's run lock: a running cashier app holds `<home>/till.lock` (an OS file lock, let go
by the OS when the process ends, crashed or not) and writes its pid beside it, so that a
restore can refuse while the till runs and say which process it is."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

LOCK_NAME = "till.lock"
PID_NAME = "till.pid"


class TillRunning(Exception):
    """Another process holds the till's run lock."""

    def __init__(self, home: Path) -> None:
        pid = running_pid(home)
        who = f" (process {pid})" if pid else ""
        super().__init__(f"the till in {home} is running{who}: close it first")


def running_pid(home: Path) -> int | None:
    try:
        text = (home / PID_NAME).read_text().strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


@contextmanager
def run_lock(home: Path) -> Iterator[None]:
    """Hold the run lock while the block runs; raise TillRunning at once if it is held."""
    home.mkdir(parents=True, exist_ok=True)
    lock = FileLock(home / LOCK_NAME, timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise TillRunning(home) from None
    try:
        (home / PID_NAME).write_text(f"{os.getpid()}\n")
        yield
    finally:
        (home / PID_NAME).unlink(missing_ok=True)
        lock.release()


def is_running(home: Path) -> bool:
    try:
        with run_lock(home):
            return False
    except TillRunning:
        return True
