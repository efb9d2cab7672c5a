"""Events parked as rejected, as the console shows them: the reason in words (its code is
`head` or `head:detail`, as server/push raises it: `Rejected(...)`, `reject(...)`,
`text_fault`) and a short, safe summary of what the event claimed (amounts, points, ids, codes;
never a member's phone, name or other free text)."""

from __future__ import annotations

from typing import Any, Final

# Every reason head server/push writes (tests/console/test_parked_review.py scans the source for
# them, so a new one cannot go unlabelled: each has `pr_<head>` in server/console/i18n.py).
REASONS: Final = (
    "compensation_without_ticket",
    "compensation_ticket_not_this_stores",
    "compensation_ticket_closed",
    "compensation_ticket_of_another_member",
    "compensation_already_given",
    "invalid_phone",
    "sale_from_another_terminal",
    "coupon_template_not_allowed",
    "coupon_outside_template",
    "coupon_validity_reversed",
    "coupon_code_taken",
    "coupon_id_taken",
    "gift_redemption_unknown",
    "gift_already_reversed",
    "zero_points",
    "negative_compensation",
    "positive_expiry",
    "member_merges_broken",
    "event_from_another_terminal",
    "seq_out_of_range",
    "nul_character",
    "invalid_unicode",
    "time_out_of_range",
    "unsupported_schema_version",
    "unknown_event_type",
    "invalid_payload",
    "refund_of_unknown_sale",
    "refund_of_another_stores_sale",
    "refund_exceeds_sale",
    "id_reused_with_different_payload",
    "conflicting_record",
    "database_error",
    "cannot_process",
)
_KNOWN: Final = frozenset(REASONS)


def reason_parts(reason: str) -> tuple[str | None, str]:
    """(the i18n key of the reason's head, or None for one not known; the detail after ':')."""
    head, _, detail = reason.partition(":")
    return ("pr_" + head if head in _KNOWN else None), detail


# Payload fields holding fen (app/domain/events.py), shown as money.
FEN_FIELDS: Final = frozenset(
    {
        "subtotal",
        "member_savings",
        "coupon_discount",
        "points_value",
        "total_due",
        "paid",
        "change_due",
        "money",
        "amount",
        "threshold",
        "discount",
        "cap",
    }
)
# Text fields safe to show (ids and codes); any other text (names, phones, notes) is left out.
_TEXT_FIELDS: Final = frozenset({"code", "receipt_no", "sku", "kind", "gift_id", "template_id", "reason"})
_NEVER: Final = frozenset({"phone", "name", "member_name", "phone_hash", "note", "birthday", "email"})
_COUNTED: Final = frozenset({"lines", "payments", "coupons", "coupons_returned"})
MAX_ITEMS: Final = 12


def summary(event: dict[str, Any]) -> list[tuple[str, str, Any]]:
    """(field, how to show it: fen | int | text | count, value) for the payload's top-level
    fields that are amounts, points, ids or codes; a list is shown as its length."""
    payload = event.get("payload")
    if not isinstance(payload, dict):
        return []
    out: list[tuple[str, str, Any]] = []
    for key in sorted(payload, key=str):
        val = payload[key]
        name = str(key)
        if name in _NEVER or "phone" in name or "name" in name:
            continue
        if isinstance(val, bool):
            continue
        if isinstance(val, int):
            out.append((name, "fen" if name in FEN_FIELDS else "int", val))
        elif isinstance(val, str) and (name.endswith("_id") or name in _TEXT_FIELDS):
            out.append((name, "text", val[:64]))
        elif isinstance(val, list) and name in _COUNTED:
            out.append((name, "count", len(val)))
        if len(out) >= MAX_ITEMS:
            break
    return out
