"""Reading the console's form fields: amounts in yuan to fen, whole numbers, choices."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

from server.console.web import Ctx, Refused, chain_zone


def yuan_to_fen(ctx: Ctx, name: str, *, limit_fen: int = 100_000_000) -> int:
    """A field holding yuan (``12``, ``12.5``, ``12.50``; blank is 0) as integer fen."""
    raw = ctx.field(name, 20).replace(",", "").replace("¥", "")
    if not raw:
        return 0
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise Refused(400, "err_amount", field=name) from None
    fen = value * 100
    if not value.is_finite() or fen != fen.to_integral_value() or fen < 0 or fen > limit_fen:
        raise Refused(400, "err_amount", field=name)
    return int(fen)


def whole(ctx: Ctx, name: str, *, low: int, high: int, blank: int | None = 0) -> int:
    raw = ctx.field(name, 12)
    if not raw and blank is not None:
        return blank
    try:
        value = int(raw)
    except ValueError:
        raise Refused(400, "err_number", field=name, low=low, high=high) from None
    if not low <= value <= high:
        raise Refused(400, "err_number", field=name, low=low, high=high)
    return value


def choice(ctx: Ctx, name: str, allowed: Iterable[str]) -> str:
    value = ctx.field(name, 80)
    if value not in set(allowed):
        raise Refused(400, "err_choice", field=name)
    return value


def text(ctx: Ctx, name: str, *, limit: int = 500, required: bool = True) -> str:
    value = ctx.field(name, limit + 1)
    if required and not value:
        raise Refused(400, "err_required", field=name)
    if len(value) > limit:
        raise Refused(400, "err_too_long", field=name, limit=limit)
    return value


def parse_local_time(raw: str) -> datetime | None:
    """A ``datetime-local`` value read in the chain's zone (or an ISO time with its own
    offset), in UTC; None when it is not a time."""
    try:
        value = datetime.fromisoformat(raw.strip())
    except ValueError:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=chain_zone())
    return value.astimezone(UTC)


def local_time(ctx: Ctx, name: str) -> datetime:
    """A ``datetime-local`` field, read in the chain's zone and kept in UTC."""
    value = parse_local_time(ctx.field(name, 20))
    if value is None:
        raise Refused(400, "err_time", field=name)
    return value
