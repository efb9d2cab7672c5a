"""Members: phone numbers, card numbers, consent, the member record and lifecycle stage.

Phone numbers are the member's identity across channels, so they are normalised to E.164 and
compared only in that form. Numbers typed without a country prefix are mainland numbers and must
be mainland *mobile* numbers (a landline cannot receive the member's SMS codes). A foreign number
is accepted when given with its country code (``+44 …`` or ``0044 …``) and valid.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType

from app.domain.clock import require_aware

MAINLAND_COUNTRY_CODE = 86
MAINLAND_MOBILE_LENGTH = 11

PhoneReason = Literal["empty", "not_a_number", "too_short", "too_long", "not_mobile", "invalid"]

_MESSAGES: dict[str, tuple[str, str]] = {
    "empty": ("Enter the member's mobile number.", "请输入会员手机号。"),
    "not_a_number": (
        "That is not a phone number: use digits only (a leading + is allowed).",
        "这不是手机号：只能输入数字（可以以 + 开头）。",
    ),
    "too_short": (
        "The phone number is too short (a mainland mobile number has 11 digits).",
        "手机号位数不足：大陆手机号为11位。",
    ),
    "too_long": (
        "The phone number is too long (a mainland mobile number has 11 digits).",
        "手机号位数过多：大陆手机号为11位。",
    ),
    "not_mobile": (
        "That is a landline or service number: enter a mobile number.",
        "这是座机或服务号码，请输入手机号。",
    ),
    "invalid": (
        "That phone number does not exist. Check the digits; give a foreign number with its +country code.",
        "号码无效，请核对；境外号码请加 + 国家代码。",
    ),
}


class InvalidPhone(ValueError):
    """A phone number the till cannot accept. `reason` is a stable code, the message is for a
    cashier (English); `message_zh` is the same in Chinese."""

    def __init__(self, reason: PhoneReason, raw: str = "") -> None:
        self.reason: PhoneReason = reason
        self.raw = raw
        super().__init__(_MESSAGES[reason][0])

    @property
    def message(self) -> str:
        return _MESSAGES[self.reason][0]

    @property
    def message_zh(self) -> str:
        return _MESSAGES[self.reason][1]


class MemberRegistrationError(ValueError):
    """A member cannot be registered (no consent, no member)."""


# Characters a cashier may type in a phone number besides digits (after NFKC, so full-width
# digits and the full-width plus are already ASCII).
_PHONE_ALLOWED = re.compile(r"^\+?[0-9\s\-().]*$")
_PHONE_SEPARATORS = re.compile(r"[\s\-().]")


def _clean(raw: str) -> str:
    return unicodedata.normalize("NFKC", raw).strip()


def _mainland_length_reason(nsn: str) -> PhoneReason | None:
    """For a mainland number that starts like a mobile (1xx), judge it by the 11-digit rule."""
    if nsn.startswith("1"):
        if len(nsn) < MAINLAND_MOBILE_LENGTH:
            return "too_short"
        if len(nsn) > MAINLAND_MOBILE_LENGTH:
            return "too_long"
    return None


def normalize_phone(raw: str, default_region: str = "CN") -> str:
    """Normalise what a cashier typed to E.164 (``+8613800138000``) or raise InvalidPhone.

    Accepts spaces, dashes, dots and brackets, full-width characters, a ``+CC`` or ``00CC``
    prefix. Numbers of `default_region` (mainland China by default) must be mobile numbers;
    foreign numbers must be valid for their country.
    """
    text = _clean(raw)
    if not text:
        raise InvalidPhone("empty", raw)
    if not _PHONE_ALLOWED.match(text) or not any(c.isdigit() for c in text):
        raise InvalidPhone("not_a_number", raw)
    number = _parse(text, default_region, raw)
    if phonenumbers.is_valid_number(number):
        home = number.country_code == phonenumbers.country_code_for_region(default_region)
        if home and phonenumbers.number_type(number) not in _MOBILE_TYPES:
            raise InvalidPhone("not_mobile", raw)
        return phonenumbers.format_number(number, PhoneNumberFormat.E164)
    raise InvalidPhone(_invalid_reason(number, default_region), raw)


_MOBILE_TYPES = (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE)

_PARSE_REASONS: dict[int, PhoneReason] = {
    NumberParseException.TOO_SHORT_NSN: "too_short",
    NumberParseException.TOO_SHORT_AFTER_IDD: "too_short",
    NumberParseException.TOO_LONG: "too_long",
    NumberParseException.NOT_A_NUMBER: "not_a_number",
}


def _parse(text: str, default_region: str, raw: str) -> phonenumbers.PhoneNumber:
    try:
        return phonenumbers.parse(text, default_region)
    except NumberParseException as exc:
        raise InvalidPhone(_PARSE_REASONS.get(exc.error_type, "invalid"), raw) from exc


def _invalid_reason(number: phonenumbers.PhoneNumber, default_region: str) -> PhoneReason:
    """Why a number that is not valid is refused: the mainland 11-digit rule for a mainland
    number that starts like a mobile, else what phonenumbers says of its length."""
    if number.country_code == phonenumbers.country_code_for_region(default_region) == MAINLAND_COUNTRY_CODE:
        reason = _mainland_length_reason(phonenumbers.national_significant_number(number))
        if reason is not None:
            return reason
    possible = phonenumbers.is_possible_number_with_reason(number)
    if possible == phonenumbers.ValidationResult.TOO_SHORT:
        return "too_short"
    if possible == phonenumbers.ValidationResult.TOO_LONG:
        return "too_long"
    return "invalid"


def _parse_e164(e164: str) -> phonenumbers.PhoneNumber:
    if not e164.startswith("+"):
        raise InvalidPhone("invalid", e164)
    try:
        return phonenumbers.parse(e164, None)
    except NumberParseException as exc:
        raise InvalidPhone("invalid", e164) from exc


def mask_phone(e164: str) -> str:
    """Mask a stored E.164 number for a screen or receipt.

    Mainland 11-digit numbers: ``138****5678`` (first 3 and last 4 of the national number).
    Others: ``+44 79******56`` (country code, first 2 and last 2 of the national number; very
    short national numbers keep only the last 2).
    """
    number = _parse_e164(e164)
    nsn = phonenumbers.national_significant_number(number)
    if number.country_code == MAINLAND_COUNTRY_CODE and len(nsn) == MAINLAND_MOBILE_LENGTH:
        return f"{nsn[:3]}****{nsn[-4:]}"
    if len(nsn) <= 4:
        masked = "*" * (len(nsn) - min(2, len(nsn))) + nsn[-2:]
    else:
        masked = nsn[:2] + "*" * (len(nsn) - 4) + nsn[-2:]
    return f"+{number.country_code} {masked}"


def display_phone(e164: str) -> str:
    """International display form: ``+86 138 0013 8000`` (unmasked: the member's own form only)."""
    return phonenumbers.format_number(_parse_e164(e164), PhoneNumberFormat.INTERNATIONAL)


_DIGITS_AND_SEPARATORS = re.compile(r"^\+?[0-9\s\-().]+$")


def is_phone_like(text: str) -> bool:
    """Cheap triage of what was typed or scanned into the member search box.

    True for something shaped like a phone number (7-15 digits, optional + or 00 prefix,
    separators allowed); False for a 16-digit member card number (which starts with 8 and is
    Luhn-valid), for member QR codes (letters, signatures) and for anything else. It does not
    validate: call normalize_phone for that.
    """
    cleaned = _clean(text)
    if not cleaned or not _DIGITS_AND_SEPARATORS.match(cleaned):
        return False
    digits = _PHONE_SEPARATORS.sub("", cleaned)
    if digits.startswith("+"):
        return 7 <= len(digits) - 1 <= 15
    if is_valid_card_number(digits):
        return False
    if digits.startswith("00"):
        return 9 <= len(digits) <= 17
    return 7 <= len(digits) <= 13


# ---------------------------------------------------------------------- card numbers

CARD_NUMBER_LENGTH = 16
CARD_PREFIX = "8"
_MAX_STORE_NO = 999
_MAX_SERIAL = 10**11 - 1


def _luhn_check_digit(payload: str) -> int:
    """The Luhn digit that makes `payload + digit` valid."""
    total = 0
    for i, ch in enumerate(reversed(payload)):
        d = int(ch)
        if i % 2 == 0:  # these positions are doubled once the check digit is appended
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return (10 - total % 10) % 10


def make_card_number(store_no: int, serial: int) -> str:
    """16 digits: ``8`` + 3-digit store number + 11-digit serial + Luhn check digit."""
    if isinstance(store_no, bool) or not 0 <= store_no <= _MAX_STORE_NO:
        raise ValueError(f"store number must be 0..{_MAX_STORE_NO}, got {store_no}")
    if isinstance(serial, bool) or not 0 <= serial <= _MAX_SERIAL:
        raise ValueError(f"card serial must be 0..{_MAX_SERIAL}, got {serial}")
    payload = f"{CARD_PREFIX}{store_no:03d}{serial:011d}"
    return payload + str(_luhn_check_digit(payload))


def is_valid_card_number(s: str) -> bool:
    """Exactly 16 ASCII digits, starting with 8, with a correct Luhn check digit."""
    if len(s) != CARD_NUMBER_LENGTH or not s.isascii() or not s.isdigit():
        return False
    if not s.startswith(CARD_PREFIX):
        return False
    return _luhn_check_digit(s[:-1]) == int(s[-1])


@dataclass(frozen=True, slots=True)
class Consent:
    """What the member agreed to at registration: policy version, when, marketing opt-in."""

    policy_version: str
    accepted_at: datetime
    marketing_opt_in: bool

    def __post_init__(self) -> None:
        if not isinstance(self.policy_version, str) or not self.policy_version.strip():
            raise MemberRegistrationError("consent needs the privacy policy version")
        require_aware(self.accepted_at, "consent time")


# ---------------------------------------------------------------------- lifecycle

LifecycleStage = Literal["new", "active", "dormant", "lost"]

NEW_DAYS = 30
DORMANT_DAYS = 30
LOST_DAYS = 90


def lifecycle_stage(
    registered_at: datetime,
    last_purchase_at: datetime | None,
    now: datetime,
    *,
    new_days: int = NEW_DAYS,
    dormant_days: int = DORMANT_DAYS,
    lost_days: int = LOST_DAYS,
) -> LifecycleStage:
    """The member's lifecycle stage at `now`.

    - ``new``: less than `new_days` since registration (this wins over the others: a member who
      registered last week and has not bought since is still new);
    - otherwise, measured from the last purchase (or from registration if there never was one):
      ``lost`` at `lost_days` or more, ``dormant`` at `dormant_days` or more, else ``active``.
    Durations are elapsed time (24-hour days), not calendar days; boundaries are inclusive
    (exactly 30 days without a purchase is dormant).
    """
    require_aware(registered_at, "registration time")
    require_aware(now, "now")
    if now - registered_at < timedelta(days=new_days):
        return "new"
    since = registered_at
    if last_purchase_at is not None:
        since = max(require_aware(last_purchase_at, "last purchase time"), registered_at)
    idle = now - since
    if idle >= timedelta(days=lost_days):
        return "lost"
    if idle >= timedelta(days=dormant_days):
        return "dormant"
    return "active"
