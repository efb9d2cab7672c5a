"""The rows a member's registration writes, built in one place: the member, the welcome
coupon and the `member.registered` event payload. `app.services.members.register_member`
stores them one member at a time; the demo seed (`till.demo`) stores many at once. Either
way the till writes the same rows and tells the server the same thing.

`coupon_row` is the row of any single-use coupon (`issue_coupon`, the demo's campaigns)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from app.domain.ids import CouponId, MemberId, new_id
from app.domain.members import Consent
from app.domain.program import WelcomeTerms


@dataclass(frozen=True, slots=True)
class NewMember:
    """A member to register, as checked by the caller (phone in E.164, card number made)."""

    member_id: MemberId
    phone: str
    card_no: str
    consent: Consent
    registered_at: datetime
    store_id: str
    name: str | None = None
    birthday: date | None = None
    family: str | None = None
    favourite_categories: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RegistrationRows:
    member: dict[str, Any]  # an `orm.Member` row
    coupon: dict[str, Any] | None  # the welcome coupon's `orm.Coupon` row, if one is given
    event: dict[str, Any]  # the `member.registered` payload

    AUDIT_ACTION = "member.register"
    EVENT_TYPE = "member.registered"

    @property
    def welcome_code(self) -> str | None:
        return None if self.coupon is None else str(self.coupon["code"])


def coupon_row(
    *,
    member_id: MemberId | None,
    kind: str,
    name: str,
    valid_from: datetime,
    valid_to: datetime,
    reason: str,
    at: datetime,
    code: str,
    amount: int = 0,
    percent: str = "0",
    cap: int | None = None,
    threshold: int = 0,
    multiplier: str = "1",
    gift_sku: str | None = None,
    categories: Sequence[str] = (),
    skus: Sequence[str] = (),
    stackable: bool = False,
) -> dict[str, Any]:
    """A single-use coupon's row: a member's coupon when `member_id` is given, else bearer."""
    return {
        "id": CouponId(new_id()),
        "code": code,
        "name": name,
        "kind": kind,
        "amount": amount,
        "percent": percent,
        "cap": cap,
        "threshold": threshold,
        "multiplier": multiplier,
        "gift_sku": gift_sku,
        "categories": list(categories),
        "skus": list(skus),
        "stackable": stackable,
        "member_only": member_id is not None,
        "member_id": member_id,
        "valid_from": valid_from,
        "valid_to": valid_to,
        "status": "issued",
        "issued_reason": reason,
        "issued_at": at,
        "redeemed_sale_id": None,
    }


def registration_rows(
    m: NewMember, welcome: WelcomeTerms | None, welcome_code: str | None
) -> RegistrationRows:
    """What registering `m` writes. A welcome coupon with `welcome_code` on the `welcome` terms
    (the program in force: `program.welcome_coupon.terms(at)`, None when it gives none) is
    included when both are given."""
    at = m.registered_at
    member = {
        "id": m.member_id,
        "phone": m.phone,
        "card_no": m.card_no,
        "name": m.name or None,
        "birthday": m.birthday,
        "family": m.family,
        "favourite_categories": list(m.favourite_categories),
        "consent_policy_version": m.consent.policy_version,
        "consent_at": m.consent.accepted_at,
        "marketing_opt_in": m.consent.marketing_opt_in,
        "registered_at": at,
        "store_id": m.store_id,
        "tier": "basic",
        "last_purchase_at": None,
        "merged_into": None,
    }
    coupon = None
    if welcome is not None and welcome_code is not None:
        coupon = coupon_row(
            member_id=m.member_id,
            kind=welcome.kind,
            name="Welcome",
            amount=welcome.amount,
            threshold=welcome.threshold,
            valid_from=welcome.valid_from,
            valid_to=welcome.valid_to,
            reason="welcome",
            at=at,
            code=welcome_code,
        )
    return RegistrationRows(member, coupon, _event(member, m.consent, coupon, welcome))


def _event(
    member: dict[str, Any], consent: Consent, coupon: dict[str, Any] | None, welcome: WelcomeTerms | None
) -> dict[str, Any]:
    birthday = member["birthday"]
    return {
        "member_id": str(member["id"]),
        "phone": member["phone"],
        "card_no": member["card_no"],
        "name": member["name"],
        "birthday": birthday.isoformat() if birthday else None,
        "family": member["family"],
        "favourite_categories": list(member["favourite_categories"]),
        "consent": {
            "policy_version": consent.policy_version,
            "accepted_at": consent.accepted_at.isoformat(),
            "marketing_opt_in": consent.marketing_opt_in,
        },
        "store_id": member["store_id"],
        "registered_at": member["registered_at"].isoformat(),
        "welcome_coupon": None if coupon is None else coupon["code"],
        # The coupon's terms, so the server records it as issued (older servers ignore it).
        "welcome_coupon_terms": (
            None if coupon is None or welcome is None else welcome.model_dump(mode="json")
        ),
    }
