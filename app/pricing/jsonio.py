"""The quote contract's JSON: parse a basket, render a quote, and both together (`run_quote`).

`parse_basket` refuses anything that cannot be priced with a `QuoteInputError` whose message
names the field and the reason (`lines[2].qty must be a positive integer`). Unknown fields are
refused too, so a misspelt `treshold` cannot silently price a promotion wrongly. JSON numbers
with a fraction never become floats: they are read as Decimal and refused where an integer is
wanted.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any, NoReturn

from app.pricing.engine import price
from app.pricing.model import (
    COUPON_KINDS,
    PROMOTION_KINDS,
    Basket,
    BasketLine,
    CouponKind,
    CouponSpec,
    MemberContext,
    Program,
    Promotion,
    PromotionKind,
    Quote,
)

MALFORMED_JSON = "malformed_json"
INVALID_BASKET = "invalid_basket"
TOO_LARGE = "too_large"

# Bounds on what a basket may say: far above any real basket (10^15 fen is ten trillion yuan),
# far below numbers whose products the output could not even print.
MAX_QUOTE_INT = 10**15
MAX_DECIMAL_CHARS = 32
MAX_QUOTE_BYTES = 1 << 20  # a basket of thousands of lines is well under 1 MiB

_DECIMAL = re.compile(r"[0-9]+(\.[0-9]+)?")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class QuoteInputError(Exception):
    """A basket that cannot be priced. `code` is `malformed_json` or `invalid_basket`."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _fail(message: str) -> NoReturn:
    raise QuoteInputError(INVALID_BASKET, message)


def _at(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _object(data: object, path: str, allowed: frozenset[str]) -> Mapping[str, object]:
    if not isinstance(data, dict):
        _fail(f"{path or 'basket'} must be a JSON object")
    for key in data:
        if key not in allowed:
            _fail(f"{_at(path, key)} is not a known field")
    return data


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _show(value: object) -> str:
    """A received JSON value as it was written (Decimal for numbers with a fraction)."""
    if isinstance(value, Decimal):
        return str(value)
    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        return repr(value)


def _int(
    d: Mapping[str, object], key: str, path: str, *, minimum: int | None = None, default: int | None = None
) -> int:
    value = d.get(key)
    if value is None:
        if default is not None:
            return default
        _fail(f"{_at(path, key)} is required")
    if isinstance(value, int) and not isinstance(value, bool) and (minimum is None or value >= minimum):
        if value > MAX_QUOTE_INT or value < -MAX_QUOTE_INT:
            _fail(f"{_at(path, key)} must be at most {MAX_QUOTE_INT} (10^15) in size")
        return value
    what = {None: "an integer", 0: "a non-negative integer", 1: "a positive integer"}.get(
        minimum, f"an integer >= {minimum}"
    )
    _fail(f"{_at(path, key)} must be {what}, got {_show(value)}")


def _opt_int(d: Mapping[str, object], key: str, path: str) -> int | None:
    return None if d.get(key) is None else _int(d, key, path, minimum=0)


def _str(d: Mapping[str, object], key: str, path: str, *, optional: bool = False) -> str | None:
    value = d.get(key)
    if value is None and optional:
        return None
    if not isinstance(value, str) or not value:
        if value is None:
            _fail(f"{_at(path, key)} is required")
        _fail(f"{_at(path, key)} must be a non-empty string")
    return value


def _req_str(d: Mapping[str, object], key: str, path: str) -> str:
    value = _str(d, key, path)
    assert value is not None
    return value


def _bool(d: Mapping[str, object], key: str, path: str) -> bool:
    value = d.get(key)
    if value is None:
        return False
    if not isinstance(value, bool):
        _fail(f"{_at(path, key)} must be true or false")
    return value


def _decimal(
    d: Mapping[str, object],
    key: str,
    path: str,
    *,
    maximum: int | None = None,
    default: Fraction | None = None,
) -> Fraction:
    """A non-negative decimal string ("1.5") or integer, as an exact Fraction."""
    value = d.get(key)
    if value is None:
        if default is not None:
            return default
        _fail(f"{_at(path, key)} is required")
    ok_int = _is_int(value) and isinstance(value, int) and value >= 0
    too_long = isinstance(value, str) and len(value) > MAX_DECIMAL_CHARS
    if too_long or (ok_int and isinstance(value, int) and value > MAX_QUOTE_INT):
        _fail(f"{_at(path, key)} is too long a number")
    if ok_int or (isinstance(value, str) and _DECIMAL.fullmatch(value)):
        assert isinstance(value, int | str)
        result = Fraction(value)
    else:
        _fail(f'{_at(path, key)} must be a non-negative decimal string like "1.5", got {_show(value)}')
    if maximum is not None and result > maximum:
        _fail(f"{_at(path, key)} must be at most {maximum}")
    return result


def _datetime(d: Mapping[str, object], key: str, path: str, *, optional: bool = False) -> datetime | None:
    value = d.get(key)
    if value is None:
        if optional:
            return None
        _fail(f"{_at(path, key)} is required")
    where = _at(path, key)
    if not isinstance(value, str):
        _fail(f"{where} must be an ISO 8601 date-time string with an offset")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        _fail(f"{where} is not an ISO 8601 date-time: {value!r}")
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        _fail(f"{where} must include a UTC offset (like +08:00): {value!r}")
    return parsed


def _date(d: Mapping[str, object], key: str, path: str) -> date | None:
    value = d.get(key)
    if value is None:
        return None
    where = _at(path, key)
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        _fail(f'{where} must be a date like "1990-11-03"')
    try:
        return date.fromisoformat(value)
    except ValueError:
        _fail(f"{where} is not a valid date: {value!r}")


def _strings(d: Mapping[str, object], key: str, path: str) -> tuple[str, ...]:
    value = d.get(key)
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        _fail(f"{_at(path, key)} must be a list of strings")
    return tuple(value)


def _list(d: Mapping[str, object], key: str, path: str) -> list[object]:
    value = d.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        _fail(f"{_at(path, key)} must be a list")
    return value


# --------------------------------------------------------------------------- sections

_PROGRAM_KEYS = frozenset(
    {
        "earn_points_per_yuan",
        "tier_multipliers",
        "points_per_yuan_redeemed",
        "redeem_step",
        "redeem_max_share",
    }
)
_MEMBER_KEYS = frozenset({"tier", "points_balance", "birthday"})
_LINE_KEYS = frozenset({"sku", "category", "unit_price", "qty", "member_price"})
_PROMO_KEYS = frozenset({"id", "kind", "multiplier", "categories", "skus", "starts", "ends"})
_COUPON_KEYS = frozenset(
    {
        "code",
        "kind",
        "amount",
        "percent",
        "cap",
        "threshold",
        "categories",
        "skus",
        "stackable",
        "member_only",
        "valid_from",
        "valid_to",
        "gift_sku",
        "multiplier",
    }
)
_BASKET_KEYS = frozenset({"at", "program", "member", "lines", "promotions", "coupons", "redeem_points"})


def _program(data: object) -> Program:
    default = Program.default()
    if data is None:
        return default
    d = _object(data, "program", _PROGRAM_KEYS)
    earn: Fraction | int = default.earn_points_per_yuan
    if d.get("earn_points_per_yuan") is not None:
        earn = _decimal(d, "earn_points_per_yuan", "program")
        if earn.denominator == 1:
            earn = int(earn)
    tiers = default.tier_multipliers
    raw_tiers = d.get("tier_multipliers")
    if raw_tiers is not None:
        if not isinstance(raw_tiers, dict) or not raw_tiers:
            _fail("program.tier_multipliers must be a non-empty object of tier: multiplier")
        tiers = {name: _decimal(raw_tiers, name, "program.tier_multipliers") for name in raw_tiers}
    return Program(
        earn_points_per_yuan=earn,
        tier_multipliers=tiers,
        points_per_yuan_redeemed=_int(
            d, "points_per_yuan_redeemed", "program", minimum=1, default=default.points_per_yuan_redeemed
        ),
        redeem_step=_int(d, "redeem_step", "program", minimum=1, default=default.redeem_step),
        redeem_max_share=_decimal(
            d, "redeem_max_share", "program", maximum=1, default=default.redeem_max_share
        ),
    )


def _member(data: object, program: Program) -> MemberContext | None:
    if data is None:
        return None
    d = _object(data, "member", _MEMBER_KEYS)
    tier = _req_str(d, "tier", "member")
    if tier not in program.tier_multipliers:
        known = ", ".join(program.tier_multipliers)
        _fail(f"member.tier {tier!r} is not a tier of the program ({known})")
    return MemberContext(
        tier=tier,
        points_balance=_int(d, "points_balance", "member"),
        birthday=_date(d, "birthday", "member"),
    )


def _line(data: object, path: str) -> BasketLine:
    d = _object(data, path, _LINE_KEYS)
    return BasketLine(
        sku=_req_str(d, "sku", path),
        category=_req_str(d, "category", path),
        unit_price=_int(d, "unit_price", path, minimum=0),
        qty=_int(d, "qty", path, minimum=1),
        member_price=_opt_int(d, "member_price", path),
    )


def _kind(d: Mapping[str, object], path: str, kinds: tuple[str, ...]) -> str:
    kind = d.get("kind")
    if kind not in kinds:
        if kind is None:
            _fail(f"{path}.kind is required")
        _fail(f"{path}.kind must be one of {', '.join(kinds)}, got {_show(kind)}")
    assert isinstance(kind, str)
    return kind


def _promotion(data: object, path: str) -> Promotion:
    d = _object(data, path, _PROMO_KEYS)
    kind: PromotionKind = _kind(d, path, PROMOTION_KINDS)  # type: ignore[assignment]
    return Promotion(
        id=_req_str(d, "id", path),
        kind=kind,
        multiplier=_decimal(d, "multiplier", path),
        categories=_strings(d, "categories", path),
        skus=_strings(d, "skus", path),
        starts=_datetime(d, "starts", path, optional=True),
        ends=_datetime(d, "ends", path, optional=True),
    )


def _coupon(data: object, path: str) -> CouponSpec:
    d = _object(data, path, _COUPON_KEYS)
    kind: CouponKind = _kind(d, path, COUPON_KINDS)  # type: ignore[assignment]
    needed = {
        "amount_off": "amount",
        "percent_off": "percent",
        "free_gift": "gift_sku",
        "points_multiplier": "multiplier",
    }[kind]
    if d.get(needed) is None:
        _fail(f"{path}.{needed} is required for a {kind} coupon")
    percent = d.get("percent")
    multiplier = d.get("multiplier")
    return CouponSpec(
        code=_req_str(d, "code", path),
        kind=kind,
        amount=_opt_int(d, "amount", path),
        percent=None if percent is None else _decimal(d, "percent", path, maximum=100),
        cap=_opt_int(d, "cap", path),
        threshold=_int(d, "threshold", path, minimum=0, default=0),
        categories=_strings(d, "categories", path),
        skus=_strings(d, "skus", path),
        stackable=_bool(d, "stackable", path),
        member_only=_bool(d, "member_only", path),
        valid_from=_datetime(d, "valid_from", path, optional=True),
        valid_to=_datetime(d, "valid_to", path, optional=True),
        gift_sku=_str(d, "gift_sku", path, optional=True),
        multiplier=None if multiplier is None else _decimal(d, "multiplier", path),
    )


def parse_basket(data: object) -> Basket:
    """Validate decoded JSON into a `Basket`. Raises QuoteInputError("invalid_basket", ...)."""
    d = _object(data, "", _BASKET_KEYS)
    at = _datetime(d, "at", "")
    assert at is not None
    program = _program(d.get("program"))
    raw_lines = d.get("lines")
    if not isinstance(raw_lines, list):
        _fail("lines is required" if raw_lines is None else "lines must be a list")
    return Basket(
        at=at,
        program=program,
        member=_member(d.get("member"), program),
        lines=tuple(_line(v, f"lines[{i}]") for i, v in enumerate(raw_lines)),
        promotions=tuple(_promotion(v, f"promotions[{i}]") for i, v in enumerate(_list(d, "promotions", ""))),
        coupons=tuple(_coupon(v, f"coupons[{i}]") for i, v in enumerate(_list(d, "coupons", ""))),
        redeem_points=_int(d, "redeem_points", "", minimum=0, default=0),
    )


def quote_to_json(q: Quote) -> dict[str, Any]:
    """The contract's output object, keys in the contract's order."""
    return {
        "lines": [
            {
                "sku": ln.sku,
                "qty": ln.qty,
                "list_total": ln.list_total,
                "line_total": ln.line_total,
                "coupon_discount": ln.coupon_discount,
                "points_discount": ln.points_discount,
                "net": ln.net,
                "points_earned": ln.points_earned,
            }
            for ln in q.lines
        ],
        "subtotal": q.subtotal,
        "member_savings": q.member_savings,
        "coupon_discount": q.coupon_discount,
        "applied_coupons": [{"code": c.code, "discount": c.discount} for c in q.applied_coupons],
        "rejected_coupons": [{"code": c.code, "reason": c.reason} for c in q.rejected_coupons],
        "points_redeemed": q.points_redeemed,
        "points_value": q.points_value,
        "points_capped": q.points_capped,
        "points_rejected": q.points_rejected,
        "total_due": q.total_due,
        "points_earned": q.points_earned,
    }


def _error(code: str, message: str) -> tuple[int, dict[str, Any]]:
    return 2, {"error": {"code": code, "message": message}}


def decode_quote_input(data: bytes) -> str:
    """The basket file's bytes as text (JSON is UTF-8). Raises QuoteInputError: too_large over
    MAX_QUOTE_BYTES, malformed_json for bytes that are not UTF-8 (saying so for UTF-16)."""
    if len(data) > MAX_QUOTE_BYTES:
        raise QuoteInputError(TOO_LARGE, f"the basket is over {MAX_QUOTE_BYTES} bytes")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        utf16 = data[:2] in (b"\xff\xfe", b"\xfe\xff") or (len(data) > 1 and b"\x00" in data[:4])
        hint = " (it looks like UTF-16: save it as UTF-8)" if utf16 else ""
        raise QuoteInputError(MALFORMED_JSON, f"not UTF-8 text at byte {exc.start}{hint}") from None


def _has_lone_surrogate(value: object) -> bool:
    if isinstance(value, str):
        return any(0xD800 <= ord(ch) < 0xE000 for ch in value)
    if isinstance(value, dict):
        return any(_has_lone_surrogate(k) or _has_lone_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_lone_surrogate(v) for v in value)
    return False


def run_quote(text: str) -> tuple[int, dict[str, Any]]:
    """Price one basket given as JSON text: (0, quote) or (2, {"error": {code, message}})."""
    try:
        data = json.loads(text, parse_float=Decimal, parse_constant=_no_constant)
    except (ValueError, RecursionError) as exc:
        return _error(MALFORMED_JSON, f"not valid JSON: {exc}")
    try:
        lone = _has_lone_surrogate(data)
    except RecursionError:
        return _error(MALFORMED_JSON, "not valid JSON: nested too deeply")
    if lone:
        return _error(
            MALFORMED_JSON,
            "not valid JSON text: a string holds a lone surrogate "
            "(\\ud800-\\udfff not in a pair), which is not a character",
        )
    try:
        basket = parse_basket(data)
    except QuoteInputError as exc:
        return _error(exc.code, exc.message)
    return 0, quote_to_json(price(basket))


def _no_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not allowed")
