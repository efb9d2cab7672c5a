"""Errors a use case raises for the person at the till. Messages are plain English; the UI
translates them by `code`."""

from __future__ import annotations


class TillError(Exception):
    """Base for errors a cashier should see. `code` is stable, `message` is readable."""

    code = "till_error"

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class NotFound(TillError):
    code = "not_found"


class Refused(TillError):
    """The request is understood and not allowed (a rule, a permission, a lock-out)."""

    code = "refused"


class Invalid(TillError):
    """The input is malformed (a phone number, a quantity, a PIN)."""

    code = "invalid"
