"""Coupon codes (app/domain/coupons.py) and what a scan-field text is (app/domain/scan.py)."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest

from app.domain.codes import SigningKey, issue_member_code
from app.domain.coupons import (
    BEARER_PREFIX,
    COUPON_ALPHABET,
    COUPON_CODE_LENGTH,
    looks_like_coupon_code,
    new_coupon_code,
)
from app.domain.ids import new_id
from app.domain.members import make_card_number
from app.domain.scan import ScanKind, classify_scan


def test_new_codes_have_the_shape_the_recogniser_takes() -> None:
    for prefix in ("C", BEARER_PREFIX):
        code = new_coupon_code(prefix)
        assert len(code) == COUPON_CODE_LENGTH and code[0] == prefix
        assert set(code[1:]) <= set(COUPON_ALPHABET) and looks_like_coupon_code(code)
    assert not set("0O1IL") & set(COUPON_ALPHABET)  # read aloud without mix-ups


def test_a_seeded_draw_repeats() -> None:
    assert new_coupon_code("B", random.Random(7).choice) == new_coupon_code("B", random.Random(7).choice)


def test_an_unknown_prefix_is_refused() -> None:
    with pytest.raises(ValueError):
        new_coupon_code("X")


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("6901234567892", ScanKind.PRODUCT),  # EAN-13
        ("12345670", ScanKind.PRODUCT),  # EAN-8
        ("13800138000", ScanKind.PHONE),
        ("138 0013 8000", ScanKind.PHONE),
        ("+44 7911 123456", ScanKind.PHONE),
        ("CABCDE2345", ScanKind.COUPON),
        ("BXYZ234567", ScanKind.COUPON),  # a bearer coupon
        ("bxyz234567", ScanKind.COUPON),  # typed in lower case
        ("CHQ0000001", ScanKind.COUPON),  # an HQ code of the same shape
        ("BXYZ23456", ScanKind.PRODUCT),  # nine characters: not a coupon
        ("XABCDE2345", ScanKind.PRODUCT),
    ],
)
def test_scan_texts_are_told_apart(text: str, kind: ScanKind) -> None:
    assert classify_scan(text).kind is kind


def test_member_codes_and_cards_identify_a_member() -> None:
    card = make_card_number(1, 12345)
    assert classify_scan(card).kind is ScanKind.CARD
    key = SigningKey.generate("S001.T01.abc123")
    code = issue_member_code(new_id(), key, datetime(2026, 1, 1, tzinfo=UTC))
    scanned = classify_scan(code)
    assert scanned.kind is ScanKind.MEMBER_CODE and scanned.kind.identifies_member
    assert classify_scan(" bxyz234567 ").text == "BXYZ234567"
