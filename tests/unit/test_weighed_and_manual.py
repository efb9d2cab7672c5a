"""Scale labels (EAN-13 weighed-goods codes) and the manual price rule: pure rules."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from app.config import ScannerConfig
from app.domain.scan import (
    DEFAULT_WEIGHED,
    ScanKind,
    WeighedLayout,
    classify_scan,
    ean13_check_digit,
    parse_weighed,
    weighed_code,
)
from app.domain.trust import ManualPriceLimits
from app.pricing.manual import ABOVE_LIMIT, ManualChange, changed_unit_price, limit_refusal, refusal
from app.pricing.weighed import member_price_for_label, price_for_weight, weight_for_price

PREFIXES = st.sampled_from(DEFAULT_WEIGHED.weight_prefixes + DEFAULT_WEIGHED.price_prefixes)
PLUS = st.integers(0, 99_999).map(lambda n: f"{n:05d}")
VALUES = st.integers(1, 99_999)


def test_a_known_scale_label() -> None:
    # 28 | PLU 00123 | 00512 g | check digit
    code = weighed_code("28", "00123", 512)
    assert code[:12] == "280012300512" and len(code) == 13
    scanned = classify_scan(code)
    assert scanned.kind is ScanKind.WEIGHED and scanned.text == "00123"
    assert scanned.weighed is not None and scanned.weighed.grams == 512 and scanned.weighed.price is None
    assert ean13_check_digit("690123456789") == 2  # a real retail EAN: 6901234567892
    assert classify_scan("6901234567892").kind is ScanKind.PRODUCT


@given(PREFIXES, PLUS, VALUES)
def test_the_check_digit_and_the_amount_round_trip(prefix: str, plu: str, value: int) -> None:
    code = weighed_code(prefix, plu, value)
    label = parse_weighed(code)
    assert label is not None and label.plu == plu
    if prefix in DEFAULT_WEIGHED.weight_prefixes:
        assert (label.grams, label.price) == (value, None)
    else:
        assert (label.grams, label.price) == (None, value)
    assert classify_scan(f"  {code} ").kind is ScanKind.WEIGHED


@given(PREFIXES, PLUS, VALUES, st.integers(2, 12), st.integers(1, 9))
def test_one_wrong_digit_is_never_read_as_a_label(
    prefix: str, plu: str, value: int, pos: int, delta: int
) -> None:
    code = weighed_code(prefix, plu, value)
    digit = (int(code[pos]) + delta) % 10
    bad = code[:pos] + str(digit) + code[pos + 1 :]
    assert parse_weighed(bad) is None  # EAN-13 catches every single-digit error


def test_what_is_not_a_label() -> None:
    assert parse_weighed(weighed_code("28", "00123", 512), WeighedLayout((), ("20",))) is None
    zero = "280012300000"
    assert parse_weighed(zero + str(ean13_check_digit(zero))) is None  # nothing weighed
    assert parse_weighed("28001230051") is None
    with pytest.raises(ValueError, match="both"):
        WeighedLayout(("20",), ("20",))
    with pytest.raises(ValueError, match="two digits"):
        WeighedLayout(("30",), ())
    with pytest.raises(ValidationError):
        ScannerConfig(weight_prefixes=["21"], price_prefixes=["21", "22"])
    assert ScannerConfig(weight_prefixes=["21"], price_prefixes=["22"]).weighed_layout().weight_prefixes == (
        "21",
    )


@given(st.integers(0, 10**7), st.integers(1, 99_999))
def test_price_for_weight_is_the_exact_price_rounded_half_up(per_kg: int, grams: int) -> None:
    fen = price_for_weight(per_kg, grams)
    exact = Fraction(per_kg * grams, 1000)
    assert exact - Fraction(1, 2) < fen <= exact + Fraction(1, 2)
    assert isinstance(fen, int)


@given(st.integers(0, 10**7), st.integers(1, 10**6), st.integers(0, 10**6))
def test_a_labels_member_price_is_its_price_scaled_and_never_more(
    price: int, per_kg: int, member: int
) -> None:
    fen = member_price_for_label(price, per_kg, member)
    assert fen is not None and 0 <= fen <= price
    exact = Fraction(price * member, per_kg)
    if exact <= price:
        assert exact - Fraction(1, 2) < fen <= exact + Fraction(1, 2)


def test_weighed_figures() -> None:
    assert member_price_for_label(1490, 2980, 2680) == 1340
    assert member_price_for_label(1490, 2980, None) is None  # no member price
    assert member_price_for_label(1490, 0, 2680) is None  # nothing to scale by
    assert price_for_weight(2980, 512) == 1526  # ¥29.80/kg × 0.512 kg = ¥15.2576
    assert price_for_weight(2980, 1000) == 2980
    assert weight_for_price(2980, 1526) == 512
    assert weight_for_price(0, 100) is None
    with pytest.raises(ValueError):
        price_for_weight(2980, 0)


def test_manual_changes_and_their_limits() -> None:
    limits = ManualPriceLimits()
    assert changed_unit_price(1290, ManualChange("discount", 10, "Damaged")) == 1161  # 129 off
    assert changed_unit_price(1190, ManualChange("discount", 15, "Damaged")) == 1011  # 178.5 → 179
    assert changed_unit_price(1290, ManualChange("price", 990, "Shelf price")) == 990
    assert changed_unit_price(1290, ManualChange("discount", 100, "Gift")) == 0
    assert limit_refusal(1290, 1032, "supervisor", limits) is None  # exactly 20%
    assert limit_refusal(1290, 1031, "supervisor", limits) == ABOVE_LIMIT
    assert limit_refusal(1290, 1031, "manager", limits) is None
    assert limit_refusal(1290, 1500, "supervisor", limits) is None  # raised: not limited
    assert limit_refusal(1290, 1289, "cashier", limits) == ABOVE_LIMIT
    assert refusal(ManualChange("discount", 0, "x")) is not None
    assert refusal(ManualChange("discount", 101, "x")) is not None
    assert refusal(ManualChange("price", -1, "x")) is not None
    assert refusal(ManualChange("price", 100, "  ")) is not None
    assert refusal(ManualChange("price", 100, "Shelf price")) is None
    with pytest.raises(ValidationError):
        ManualPriceLimits(max_percent={"supervisor": 120})
