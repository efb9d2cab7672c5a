"""A sale line whose price a cashier changed by hand (a manual discount or a price override,
`app/pricing/manual.py`): the till records what it charged, and the sale always stands; the
server checks what it can and shows HQ the rest (server/README.md, "Conflict rules").

It checks that the approver is someone HQ knows as a supervisor or manager of this store
(`store_staff`), and that the line's price is no further below the list price than the
program the sale names lets that role approve (`trust.manual_prices`). The list price is
HQ's catalogue price when the server knows the sku (of the weighed amount for a weighed
line), else the one the till claimed. A line that fails is a `manual_price_unjustified`
conflict with both figures."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any, Final

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import select

from app.domain.events import MAX_FEN, SaleCompletedP
from app.pricing.manual import ABOVE_LIMIT, MANUAL_KINDS, limit_refusal, reduction_percent
from app.pricing.weighed import price_for_weight
from server.models import ConflictKind, Product
from server.push.context import Batch, record_conflict
from server.push.points_rules import approver_role
from server.push.pricing import program_at

CONFLICT: Final[ConflictKind] = "manual_price_unjustified"


class _Manual(BaseModel):
    model_config = ConfigDict(extra="ignore")
    kind: str = Field(max_length=16)
    value: int = Field(ge=0, le=MAX_FEN)
    reason: str = Field(default="", max_length=80)
    list_unit: int = Field(ge=0, le=MAX_FEN)
    approver_id: str | None = Field(default=None, max_length=40)


class _Line(BaseModel):
    model_config = ConfigDict(extra="ignore")
    line_no: int = Field(default=0, ge=0, le=10_000)
    sku: str = Field(max_length=64)
    qty: int = Field(ge=1, le=100_000)
    line_total: int = Field(ge=0, le=MAX_FEN)
    grams: int | None = Field(default=None, ge=1, le=10**6)
    manual: _Manual


def _percent_text(value: Fraction) -> str:
    return str((Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal("0.01")))


def _changed_lines(p: SaleCompletedP) -> list[_Line | None]:
    """The sale's lines that say they were changed by hand (None: one the server cannot read)."""
    out: list[_Line | None] = []
    for raw in p.lines:
        if not isinstance(raw, dict) or "manual" not in raw:
            continue
        try:
            out.append(_Line.model_validate(raw))
        except ValidationError:
            out.append(None)
    return out


def manual_price_conflicts(b: Batch, p: SaleCompletedP) -> list[dict[str, Any]]:
    """The conflicts this sale's manual price changes raise (recorded), or none."""
    lines = _changed_lines(p)
    if not lines:
        return []
    limits = program_at(b, p).trust.manual_prices
    skus = [ln.sku for ln in lines if ln is not None]
    rows = b.s.execute(select(Product.sku, Product.unit_price).where(Product.sku.in_(skus)))
    catalogue = {sku: int(price) for sku, price in rows}
    found = []
    for ln in lines:
        if ln is None:
            found.append(record_conflict(b, CONFLICT, {"fault": "unreadable_line"}, sale_id=p.sale_id))
            continue
        m = ln.manual
        list_unit = m.list_unit
        if ln.sku in catalogue:
            per_unit = catalogue[ln.sku]
            list_unit = price_for_weight(per_unit, ln.grams) if ln.grams else per_unit
        unit = ln.line_total // ln.qty
        role = approver_role(b, m.approver_id)
        fault = None
        if m.kind not in MANUAL_KINDS or not m.reason.strip():
            fault = "not_a_change"
        elif role is None:
            fault = "approver_unknown"
        elif limit_refusal(list_unit, unit, role, limits) == ABOVE_LIMIT:
            fault = ABOVE_LIMIT
        if fault is None:
            continue
        details = {
            "fault": fault,
            "line_no": ln.line_no,
            "sku": ln.sku,
            "approver_id": m.approver_id,
            "role": role,
            "claimed_list_unit": m.list_unit,
            "list_unit": list_unit,
            "unit": unit,
            "percent_below_list": _percent_text(reduction_percent(list_unit, unit)),
            "limit_percent": limits.max_percent_for(role or ""),
        }
        found.append(record_conflict(b, CONFLICT, details, sale_id=p.sale_id))
    return found
