from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.clock import DEFAULT_TZ
from app.domain.members import (
    Consent,
    InvalidPhone,
    MemberRegistrationError,
    display_phone,
    is_phone_like,
    is_valid_card_number,
    lifecycle_stage,
    make_card_number,
    mask_phone,
    normalize_phone,
)

T0 = datetime(2026, 3, 1, 10, 0, tzinfo=DEFAULT_TZ)
STORE = uuid.UUID(int=7)


# ---------------------------------------------------------------------- phone numbers


@pytest.mark.parametrize(
    "raw",
    [
        "13800138000",
        "138 0013 8000",
        "138-0013-8000",
        "+86 138-0013-8000",
        "+8613800138000",
        "0086 13800138000",
        "008613800138000",
        "１３８００１３８０００",  # full-width digits
        "＋８６ １３８ ００１３ ８０００",  # full-width plus and spaces
        "  13800138000  ",
        "(138) 0013.8000",
    ],
)
def test_mainland_mobile_formats_normalise_to_e164(raw: str) -> None:
    assert normalize_phone(raw) == "+8613800138000"


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("+44 7911 123456", "+447911123456"),
        ("0044 7911 123456", "+447911123456"),
        ("+852 9123 4567", "+85291234567"),
        ("+1 202 555 0123", "+12025550123"),
    ],
)
def test_foreign_numbers_with_country_code_are_accepted(raw: str, e164: str) -> None:
    assert normalize_phone(raw) == e164


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("abc", "not_a_number"),
        ("13800138000x", "not_a_number"),
        ("138#0013#8000", "not_a_number"),
        ("+", "not_a_number"),
        ("12345", "too_short"),
        ("1380013800", "too_short"),
        ("+86 1380013", "too_short"),
        ("+44 12", "too_short"),
        ("0086", "too_short"),
        ("138001380000", "too_long"),
        ("1380013800000000", "too_long"),
        ("010 6552 9988", "not_mobile"),  # Beijing landline
        ("+86 10 6552 9988", "not_mobile"),
        ("021 6212 3456", "not_mobile"),  # Shanghai landline
        ("400 123 4567", "not_mobile"),  # service number
        ("12345678901", "invalid"),  # 11 digits but no such mobile range
        ("65529988", "invalid"),  # local landline without area code
        ("+999 12345678", "invalid"),  # no such country code
        ("07911 123456", "invalid"),  # a UK number without +44 is read as mainland
    ],
)
def test_bad_numbers_are_refused_with_a_reason(raw: str, reason: str) -> None:
    with pytest.raises(InvalidPhone) as err:
        normalize_phone(raw)
    assert err.value.reason == reason
    assert str(err.value)  # a message a cashier can read
    assert err.value.message_zh
    assert isinstance(err.value, ValueError)


def test_landline_message_asks_for_a_mobile() -> None:
    with pytest.raises(InvalidPhone) as err:
        normalize_phone("010 6552 9988")
    assert "mobile" in str(err.value)


@given(st.integers(min_value=0, max_value=99_999_999))
def test_normalising_is_idempotent_for_mainland_mobiles(tail: int) -> None:
    raw = f"139{tail:08d}"
    e164 = normalize_phone(raw)
    assert e164 == "+86" + raw
    assert normalize_phone(e164) == e164


def test_mask_mainland() -> None:
    assert mask_phone("+8613812345678") == "138****5678"
    assert mask_phone(normalize_phone("138 0013 8000")) == "138****8000"


def test_mask_foreign_hides_the_middle() -> None:
    masked = mask_phone("+447911123456")
    assert masked == "+44 79******56"
    assert "7911123456" not in masked


def test_mask_refuses_a_non_e164_value() -> None:
    with pytest.raises(InvalidPhone):
        mask_phone("13800138000")


def test_display_phone() -> None:
    assert display_phone("+8613800138000") == "+86 138 0013 8000"
    assert display_phone("+447911123456") == "+44 7911 123456"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("13800138000", True),
        ("138 0013 8000", True),
        ("+86 138-0013-8000", True),
        ("0086 13800138000", True),
        ("１３８００１３８０００", True),
        ("+44 7911 123456", True),
        (make_card_number(12, 345), False),  # a member card number
        ("LT1.eyJtIjoiMDE5NSJ9.c2ln", False),  # a member QR payload
        ("WELCOME20", False),  # a coupon code
        ("123", False),
        ("", False),
    ],
)
def test_is_phone_like(text: str, expected: bool) -> None:
    assert is_phone_like(text) is expected


# ---------------------------------------------------------------------- card numbers


def test_card_number_layout() -> None:
    card = make_card_number(12, 345)
    assert len(card) == 16
    assert card.startswith("8012")
    assert card[4:15] == "00000000345"
    assert is_valid_card_number(card)


def test_card_number_luhn_check_digit() -> None:
    # "8001000000000010": payload 800100000000001, check digit 0.
    assert make_card_number(1, 1) == "8001000000000010"
    card = make_card_number(999, 10**11 - 1)
    assert is_valid_card_number(card)


@given(
    st.integers(min_value=0, max_value=999),
    st.integers(min_value=0, max_value=10**11 - 1),
    st.integers(min_value=0, max_value=15),
    st.integers(min_value=1, max_value=9),
)
def test_card_numbers_are_valid_and_a_single_wrong_digit_is_caught(
    store: int, serial: int, pos: int, delta: int
) -> None:
    card = make_card_number(store, serial)
    assert is_valid_card_number(card)
    assert card[1:4] == f"{store:03d}" and card[4:15] == f"{serial:011d}"
    wrong = card[:pos] + str((int(card[pos]) + delta) % 10) + card[pos + 1 :]
    assert not is_valid_card_number(wrong)


@pytest.mark.parametrize(
    "bad", ["", "800100000000001", "80010000000000100", "7001000000000013", "800100000000001x"]
)
def test_invalid_card_numbers(bad: str) -> None:
    assert not is_valid_card_number(bad)


def test_full_width_card_digits_are_not_a_card_number() -> None:
    assert not is_valid_card_number("８００１０００００００００００１０")


@pytest.mark.parametrize(("store", "serial"), [(-1, 0), (1000, 0), (0, -1), (0, 10**11)])
def test_card_number_ranges(store: int, serial: int) -> None:
    with pytest.raises(ValueError):
        make_card_number(store, serial)


# ---------------------------------------------------------------------- consent and member


def consent() -> Consent:
    return Consent("2026-01", T0, marketing_opt_in=False)


def test_consent_needs_a_policy_version() -> None:
    with pytest.raises(MemberRegistrationError):
        Consent("", T0, marketing_opt_in=True)
    with pytest.raises(MemberRegistrationError):
        Consent("   ", T0, marketing_opt_in=True)


def test_consent_time_must_be_aware() -> None:
    with pytest.raises(ValueError):
        Consent("2026-01", datetime(2026, 3, 1, 10, 0), marketing_opt_in=True)


# ---------------------------------------------------------------------- lifecycle


def days(n: float) -> timedelta:
    return timedelta(days=n)


def test_new_for_the_first_30_days() -> None:
    assert lifecycle_stage(T0, None, T0) == "new"
    assert lifecycle_stage(T0, None, T0 + days(29.9)) == "new"
    assert lifecycle_stage(T0, T0 + days(1), T0 + days(29)) == "new"


def test_active_after_30_days_with_a_recent_purchase() -> None:
    assert lifecycle_stage(T0, T0 + days(25), T0 + days(30)) == "active"
    assert lifecycle_stage(T0, T0 + days(100), T0 + days(129)) == "active"


def test_dormant_after_30_days_without_a_purchase() -> None:
    assert lifecycle_stage(T0, T0 + days(100), T0 + days(130)) == "dormant"
    assert lifecycle_stage(T0, None, T0 + days(30)) == "dormant"
    assert lifecycle_stage(T0, T0 + days(100), T0 + days(189)) == "dormant"


def test_lost_after_90_days_without_a_purchase() -> None:
    assert lifecycle_stage(T0, T0 + days(100), T0 + days(190)) == "lost"
    assert lifecycle_stage(T0, None, T0 + days(90)) == "lost"


def test_lifecycle_needs_aware_times() -> None:
    with pytest.raises(ValueError):
        lifecycle_stage(datetime(2026, 1, 1), None, T0)
