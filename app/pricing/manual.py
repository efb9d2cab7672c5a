"""A line's price changed by hand at the counter, with a supervisor's approval: a discount
of a whole percent off the price the customer would pay, or a new unit price (a price
override). The rule both ends apply: the till before it asks for the approval and again when
it stores the sale, the server when it receives the sale (`server/push/manual_prices.py`).

How far a role may lower a price is the program's (`app.domain.trust.ManualPriceLimits`):
the reduction is measured against the product's list price, so a discount on top of the
member price counts the member saving too. Raising a price (an override above the list
price) is not limited; it still needs the approval. Integer fen; percents are whole numbers.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from fractions import Fraction
from typing import Final, Literal

from app.domain.trust import ManualPriceLimits

ManualKind = Literal["discount", "price"]
MANUAL_KINDS: Final[tuple[ManualKind, ...]] = ("discount", "price")
MAX_REASON = 80

# Why a manual change is refused (the codes the till shows and the server records).
BAD_KIND = "bad_kind"
BAD_VALUE = "bad_value"
NO_REASON = "no_reason"
ABOVE_LIMIT = "above_limit"


@dataclass(frozen=True, slots=True)
class ManualChange:
    """`value`: the percent off (1-100) for a discount, the new unit price in fen for a price."""

    kind: ManualKind
    value: int
    reason: str


@dataclass(frozen=True, slots=True)
class ApprovedChange:
    """A change as a supervisor approved it for one line: the approval's id names the audit
    entry the till wrote then (`app.services.price_changes`)."""

    change: ManualChange
    approval_id: uuid.UUID
    approver_id: uuid.UUID


def refusal(change: ManualChange) -> str | None:
    """Why `change` is not a change at all (whatever the price), or None."""
    if change.kind not in MANUAL_KINDS:
        return BAD_KIND
    if change.kind == "discount" and not 1 <= change.value <= 100:
        return BAD_VALUE
    if change.kind == "price" and not 0 <= change.value <= 10**10:
        return BAD_VALUE
    if not change.reason.strip() or len(change.reason) > MAX_REASON:
        return NO_REASON
    return None


def changed_unit_price(before: int, change: ManualChange) -> int:
    """The unit price after `change`, from the unit price the customer would pay `before`
    (the member price when it applies). A discount is rounded half up to the fen it takes off."""
    if change.kind == "price":
        return change.value
    off = (before * change.value * 2 + 100) // 200  # before × percent / 100, half up
    return before - off


def reduction_percent(list_unit: int, unit: int) -> Fraction:
    """How much lower `unit` is than the list price, in percent (0 when not lower)."""
    if list_unit <= 0 or unit >= list_unit:
        return Fraction(0)
    return Fraction((list_unit - unit) * 100, list_unit)


def limit_refusal(list_unit: int, unit: int, role: str, limits: ManualPriceLimits) -> str | None:
    """ABOVE_LIMIT when an approver of `role` may not lower the list price to `unit`, or None."""
    if reduction_percent(list_unit, unit) > limits.max_percent_for(role):
        return ABOVE_LIMIT
    return None
