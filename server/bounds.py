"""Bounds on what the server reads from a request, shared by its routers: text without control
characters (PostgreSQL cannot hold NUL; no name, note or filter needs one) and the largest
list offset (a value past it would reach the database as one it cannot hold)."""

from __future__ import annotations

from typing import Annotated, Final

from pydantic import AfterValidator

__all__ = ["MAX_OFFSET", "Text", "has_control", "printable"]

MAX_OFFSET: Final = 1_000_000


def has_control(text: str) -> bool:
    """A control character other than newline and tab, or a lone surrogate (not text)."""
    return any(
        (ord(ch) < 0x20 and ch not in "\n\t") or ord(ch) == 0x7F or 0xD800 <= ord(ch) < 0xE000 for ch in text
    )


def printable(value: str) -> str:
    if has_control(value):
        raise ValueError("must not contain control characters")
    return value


Text = Annotated[str, AfterValidator(printable)]
