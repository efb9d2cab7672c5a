"""What a text scanned or typed into the checkout's scan field is: a member code, a member
card, a phone number, a coupon code or else a product barcode. One rule, used by the till's
checkout screen (and anything else that takes such a field)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from app.domain.codes import looks_like_member_code
from app.domain.coupons import looks_like_coupon_code, normalize_coupon_code
from app.domain.members import MAINLAND_MOBILE_LENGTH, is_valid_card_number

_SEPARATORS = re.compile(r"[\s\-]")


class ScanKind(StrEnum):
    MEMBER_CODE = "member_code"
    CARD = "card"
    PHONE = "phone"
    COUPON = "coupon"
    PRODUCT = "product"

    @property
    def identifies_member(self) -> bool:
        return self in (ScanKind.MEMBER_CODE, ScanKind.CARD, ScanKind.PHONE)


@dataclass(frozen=True, slots=True)
class Scanned:
    kind: ScanKind
    text: str  # as the next step takes it (a coupon code in upper case)


def _is_phone(text: str) -> bool:
    """A number with its +country code, or a mainland mobile number (11 digits from 1). A
    product barcode is 8, 12 or 13 digits and never starts with + (EAN/UPC)."""
    digits = _SEPARATORS.sub("", text)
    if digits.startswith("+"):
        return digits[1:].isdigit()
    return len(digits) == MAINLAND_MOBILE_LENGTH and digits.startswith("1") and digits.isdigit()


def classify_scan(text: str) -> Scanned:
    """What `text` is (trimmed first). It decides the shape only: whether such a member,
    coupon or product exists is for the step that follows."""
    text = text.strip()
    if looks_like_member_code(text):
        return Scanned(ScanKind.MEMBER_CODE, text)
    if is_valid_card_number(text):
        return Scanned(ScanKind.CARD, text)
    if _is_phone(text):
        return Scanned(ScanKind.PHONE, text)
    if looks_like_coupon_code(text):
        return Scanned(ScanKind.COUPON, normalize_coupon_code(text))
    return Scanned(ScanKind.PRODUCT, text)
