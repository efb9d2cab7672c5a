"""What kind of code a typed or serial payload is, for readers that only send text."""

from __future__ import annotations

from app.domain.codes import looks_like_member_code
from app.ports import Symbology


def gs1_check_ok(digits: str) -> bool:
    """True if the last digit is the GS1 check digit of the others (EAN-13, EAN-8, UPC-A)."""
    if not digits.isdigit() or len(digits) < 2:
        return False
    body, check = digits[:-1], int(digits[-1])
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10 == check


def guess_symbology(payload: str) -> Symbology:
    """A best guess from the text alone: retail numbers by length and check digit, member
    codes by their prefix (they are only ever printed as QR codes), anything else OTHER."""
    if looks_like_member_code(payload):
        return Symbology.QRCODE
    if gs1_check_ok(payload):
        return {13: Symbology.EAN13, 12: Symbology.UPCA, 8: Symbology.EAN8}.get(len(payload), Symbology.OTHER)
    return Symbology.OTHER
