"""The error for a file in the till's home that cannot be used as it is (`till.db`, the
signing key): raised by whoever opens it, shown by the CLI and the cashier app as it is."""

from __future__ import annotations

from pathlib import Path

__all__ = ["DamagedFile"]


class DamagedFile(Exception):
    """``str()`` is the whole message for the person at the till: the file, what is wrong,
    what to do. Nothing was changed in the file."""

    def __init__(self, path: Path, problem: str, todo: str, what: str = "file") -> None:
        super().__init__(f"The {what} {path} is damaged: {problem}. {todo}")
        self.path = path
        self.problem = problem
        self.todo = todo
