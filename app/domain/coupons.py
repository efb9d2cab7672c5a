"""Coupon codes: the alphabet, how a code is made, and how one is recognised when scanned or
typed. One home for the till (welcome and campaign coupons), the demo seed and the server
(compensation coupons).

A code is ten characters: a prefix letter, then nine from an alphabet without 0/O and 1/I/L
(codes are read aloud at the till). `C` is a member's coupon, `B` a bearer coupon (anyone
holding it may use it). Codes made elsewhere (HQ) keep the same shape: ten upper-case letters
and digits starting with `C` or `B`."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Final

COUPON_ALPHABET: Final = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
COUPON_CODE_LENGTH: Final = 10
MEMBER_PREFIX: Final = "C"
BEARER_PREFIX: Final = "B"
PREFIXES: Final = (MEMBER_PREFIX, BEARER_PREFIX)


def new_coupon_code(prefix: str = MEMBER_PREFIX, choice: Callable[[str], str] = secrets.choice) -> str:
    """A fresh code with `prefix`; `choice` draws each character (a seeded `random.Random`'s
    `choice` makes a repeatable demo)."""
    if prefix not in PREFIXES:
        raise ValueError(f"a coupon code starts with one of {PREFIXES}, not {prefix!r}")
    return prefix + "".join(choice(COUPON_ALPHABET) for _ in range(COUPON_CODE_LENGTH - len(prefix)))


def normalize_coupon_code(text: str) -> str:
    """`text` as a code is stored: trimmed, upper case (a cashier may type it in lower case)."""
    return text.strip().upper()


def looks_like_coupon_code(text: str) -> bool:
    """Whether `text` (as typed or scanned) has a coupon code's shape. It does not say that
    such a coupon exists."""
    code = normalize_coupon_code(text)
    return len(code) == COUPON_CODE_LENGTH and code.startswith(PREFIXES) and code.isascii() and code.isalnum()
