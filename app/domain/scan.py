"""What a text scanned or typed into the checkout's scan field is: a member code, a member
card, a phone number, a coupon code, a scale's weighed-goods label, or else a product
barcode (or the HQ console's enrolment QR). One rule, used by the till's checkout screen
(and anything else that takes such a field).

Weighed goods (称重商品): a store scale prints an EAN-13 in-store code (GS1 prefixes 20-29,
"restricted circulation") laid out as two prefix digits, the item's 5-digit PLU (the scale's
item code; the product's sku at the till), a 5-digit value and the EAN-13 check digit. The
prefix says what the value is: the weight in grams, or the price of the weighed amount in
fen. Which prefixes mean which is the store's choice (till.toml `[scanner]`); the defaults
are :data:`DEFAULT_WEIGHED`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from app.domain.codes import looks_like_member_code
from app.domain.coupons import looks_like_coupon_code, normalize_coupon_code
from app.domain.enrolment import looks_like_enrol_qr
from app.domain.members import MAINLAND_MOBILE_LENGTH, is_valid_card_number

_SEPARATORS = re.compile(r"[\s\-]")


class ScanKind(StrEnum):
    MEMBER_CODE = "member_code"
    CARD = "card"
    PHONE = "phone"
    COUPON = "coupon"
    WEIGHED = "weighed"
    ENROL = "enrol"  # the HQ console's terminal enrolment QR (app.domain.enrolment)
    PRODUCT = "product"

    @property
    def identifies_member(self) -> bool:
        return self in (ScanKind.MEMBER_CODE, ScanKind.CARD, ScanKind.PHONE)


PLU_DIGITS = 5
VALUE_DIGITS = 5
MAX_WEIGHED_VALUE = 10**VALUE_DIGITS - 1  # 99.999 kg, or ¥999.99


@dataclass(frozen=True, slots=True)
class WeighedLayout:
    """Which two-digit prefixes carry a weight in grams and which a price in fen."""

    weight_prefixes: tuple[str, ...] = ("28", "29")
    price_prefixes: tuple[str, ...] = ("20", "21", "22", "23", "24", "25", "26", "27")

    def __post_init__(self) -> None:
        both = (*self.weight_prefixes, *self.price_prefixes)
        for prefix in both:
            if len(prefix) != 2 or not prefix.isascii() or not prefix.isdigit() or prefix[0] != "2":
                raise ValueError(f"a weighed-goods prefix is two digits from 20 to 29, not {prefix!r}")
        if len(set(both)) != len(both):
            raise ValueError("a weighed-goods prefix cannot mean both a weight and a price")


DEFAULT_WEIGHED = WeighedLayout()


@dataclass(frozen=True, slots=True)
class Weighed:
    """A scale label: the product's PLU and either its weight (grams) or its price (fen)."""

    plu: str
    grams: int | None = None
    price: int | None = None


@dataclass(frozen=True, slots=True)
class Scanned:
    kind: ScanKind
    text: str  # as the next step takes it (a coupon code in upper case; a label's PLU)
    weighed: Weighed | None = None


def ean13_check_digit(first12: str) -> int:
    """The EAN-13 check digit of 12 digits (weights 1, 3, 1, 3, ... from the left)."""
    if len(first12) != 12 or not first12.isascii() or not first12.isdigit():
        raise ValueError("12 digits are expected")
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first12))
    return (10 - total % 10) % 10


def weighed_code(prefix: str, plu: str, value: int) -> str:
    """The EAN-13 a scale prints for `plu` with `value` (grams or fen, by `prefix`)."""
    if len(plu) != PLU_DIGITS or not plu.isdigit() or not 0 < value <= MAX_WEIGHED_VALUE:
        raise ValueError("a 5-digit PLU and a value from 1 to 99999 are expected")
    first12 = f"{prefix}{plu}{value:0{VALUE_DIGITS}d}"
    return first12 + str(ean13_check_digit(first12))


def parse_weighed(text: str, layout: WeighedLayout = DEFAULT_WEIGHED) -> Weighed | None:
    """The label in `text`, or None when it is not a weighed-goods code of `layout` (wrong
    length or prefix, a bad check digit, a zero value)."""
    if len(text) != 13 or not text.isascii() or not text.isdigit():
        return None
    prefix = text[:2]
    if prefix not in layout.weight_prefixes and prefix not in layout.price_prefixes:
        return None
    if ean13_check_digit(text[:12]) != int(text[12]):
        return None
    plu, value = text[2 : 2 + PLU_DIGITS], int(text[2 + PLU_DIGITS : 12])
    if value == 0:
        return None
    if prefix in layout.weight_prefixes:
        return Weighed(plu, grams=value)
    return Weighed(plu, price=value)


def _is_phone(text: str) -> bool:
    """A number with its +country code, or a mainland mobile number (11 digits from 1). A
    product barcode is 8, 12 or 13 digits and never starts with + (EAN/UPC)."""
    digits = _SEPARATORS.sub("", text)
    if digits.startswith("+"):
        return digits[1:].isdigit()
    return len(digits) == MAINLAND_MOBILE_LENGTH and digits.startswith("1") and digits.isdigit()


def classify_scan(text: str, weighed: WeighedLayout = DEFAULT_WEIGHED) -> Scanned:
    """What `text` is (trimmed first). It decides the shape only: whether such a member,
    coupon or product exists is for the step that follows. A weighed-goods label's `text`
    is its PLU, with the weight or price in `weighed`."""
    text = text.strip()
    if looks_like_enrol_qr(text):
        return Scanned(ScanKind.ENROL, text)
    if looks_like_member_code(text):
        return Scanned(ScanKind.MEMBER_CODE, text)
    if is_valid_card_number(text):
        return Scanned(ScanKind.CARD, text)
    if _is_phone(text):
        return Scanned(ScanKind.PHONE, text)
    if looks_like_coupon_code(text):
        return Scanned(ScanKind.COUPON, normalize_coupon_code(text))
    label = parse_weighed(text, weighed)
    if label is not None:
        return Scanned(ScanKind.WEIGHED, label.plu, label)
    return Scanned(ScanKind.PRODUCT, text)
