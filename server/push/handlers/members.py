"""`member.registered`: a new member, or the registration that fills in a stub, or (the same
phone registered at another store) a merge into the earlier registration."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from app.domain.events import MemberRegisteredP
from app.domain.members import InvalidPhone, normalize_phone
from server.models import Coupon, Member, MemberAlias
from server.pull import coupon_changed, member_changed
from server.push.context import (
    Batch,
    Rejected,
    no_spend,
    record_conflict,
    resolve_member,
    see_member,
    welcome_coupon_id,
)
from server.push.merge import merge
from server.push.rules import registered_earlier, registration_time, take_later_profile
from sync.protocol import WireEvent


def member_registered(b: Batch, ev: WireEvent) -> dict[str, Any]:
    p = MemberRegisteredP.model_validate(ev.payload)
    try:
        phone = normalize_phone(p.phone)
    except InvalidPhone as exc:
        raise Rejected(f"invalid_phone:{exc.reason}") from None
    s = b.s
    s.flush()
    existing_row = s.get(Member, p.member_id)
    if (existing_row is not None and not existing_row.stub) or (
        existing_row is None and s.get(MemberAlias, p.member_id) is not None
    ):
        survivor = resolve_member(s, p.member_id)
        return {
            "member_id": str(p.member_id),
            "survivor_id": str(survivor.id if survivor else p.member_id),
            "already_registered": True,
        }
    other = s.execute(
        select(Member).where(Member.phone == phone, Member.id != p.member_id).with_for_update()
    ).scalar_one_or_none()
    row = _fill_in(b, existing_row, p)
    if other is None:
        row.phone = phone
        s.flush()
        member_changed(s, row, b.now, origin=b.terminal.id)
        _welcome_coupon(b, p, row.id)
        return {"member_id": str(row.id), "survivor_id": str(row.id)}
    survivor, loser = _merge_same_phone(b, row, other, phone, p)
    return {
        "member_id": str(p.member_id),
        "survivor_id": str(survivor.id),
        "merged": {"survivor_id": str(survivor.id), "alias_id": str(loser.id)},
    }


def _fill_in(b: Batch, row: Member | None, p: MemberRegisteredP) -> Member:
    """The member row with the registration's profile (a new row, or the stub filled in)."""
    s = b.s
    if row is None:
        row = Member(id=p.member_id, favourite_categories=[], tier="basic")
        s.add(row)
        b.balance[row.id] = 0
        no_spend(b, row.id)
        b.stores[row.id] = set()
    b.members[row.id] = row
    row.stub = False
    row.card_no = p.card_no
    row.name, row.birthday, row.family = p.name, p.birthday, p.family
    row.favourite_categories = list(p.favourite_categories)
    row.consent_policy_version = p.consent.policy_version
    row.consent_at = p.consent.accepted_at
    row.marketing_opt_in = p.consent.marketing_opt_in
    row.registered_at = registration_time(b, p.registered_at)
    row.store_id = b.store_id  # the token's store, whatever the payload says
    row.updated_at = b.now
    if (
        p.card_no
        and s.execute(select(Member.id).where(Member.card_no == p.card_no, Member.id != p.member_id)).first()
    ):
        row.card_no = None  # a card serial clash (vanishingly rare): the phone still identifies
    s.flush()
    see_member(b, row.id, b.store_id, history=True)  # its own store: every row of it
    return row


def _merge_same_phone(
    b: Batch, row: Member, other: Member, phone: str, p: MemberRegisteredP
) -> tuple[Member, Member]:
    """The same phone registered elsewhere: merge into the earlier registration."""
    s = b.s
    assert other.registered_at is not None
    row.phone = None
    s.flush()
    assert row.registered_at is not None
    if registered_earlier((row.registered_at, row.id), (other.registered_at, other.id)):
        survivor, loser = row, other
        loser.phone = None
        s.flush()
        survivor.phone = phone
    else:
        survivor, loser = other, row
    take_later_profile(
        survivor,
        {
            "name": p.name,
            "birthday": p.birthday,
            "family": p.family,
            "favourite_categories": list(p.favourite_categories) or None,
        },
    )
    card = loser.card_no
    loser.card_no = None
    s.flush()
    if survivor.card_no is None and card:
        survivor.card_no = card
    _welcome_coupon(b, p, row.id)
    merge(b, survivor, loser)
    return survivor, loser


def _welcome_coupon(b: Batch, p: MemberRegisteredP, member_id: uuid.UUID) -> None:
    """The welcome coupon the till gave, recorded with the program's terms: a till's terms
    more generous than those are not believed (a `welcome_coupon_terms` conflict shows both)."""
    if not p.welcome_coupon:
        return
    if b.s.execute(select(Coupon.id).where(Coupon.code == p.welcome_coupon)).first() is not None:
        return
    welcome = b.programs.at(p.registered_at).welcome_coupon  # the program's terms (one home)
    amount, threshold, days = welcome.amount_fen, welcome.threshold_fen, welcome.valid_days
    valid_from = registration_time(b, p.registered_at)
    valid_to = valid_from + timedelta(days=days)
    terms = p.welcome_coupon_terms
    if terms is not None:
        generous = (
            terms.kind != "amount_off"
            or terms.amount > amount
            or terms.threshold < threshold
            or terms.valid_to - terms.valid_from > timedelta(days=days, minutes=5)
        )
        if generous:
            record_conflict(
                b,
                "welcome_coupon_terms",
                {
                    "code": p.welcome_coupon,
                    "claimed": terms.model_dump(mode="json"),
                    "program": {"kind": "amount_off", "amount": amount, "threshold": threshold, "days": days},
                },
                member_id=member_id,
            )
        # Never more than the program gives, nor more than the till printed.
        amount, threshold = min(amount, terms.amount), max(threshold, terms.threshold)
        valid_to = max(valid_from, min(valid_to, terms.valid_to))
    coupon = Coupon(
        id=welcome_coupon_id(p.welcome_coupon),
        code=p.welcome_coupon,
        name="Welcome",
        kind="amount_off",
        amount=amount,
        percent="0",
        cap=None,
        threshold=threshold,
        multiplier="1",
        gift_sku=None,
        categories=[],
        skus=[],
        stackable=False,
        member_only=True,
        member_id=member_id,
        store_id=None,
        valid_from=valid_from,
        valid_to=valid_to,
        status="issued",
        issued_reason="welcome",
        issued_at=valid_from,
        redeemed_sale_id=None,
        terminal_id=b.terminal.id,
    )
    b.s.add(coupon)
    b.s.flush()
    coupon_changed(b.s, coupon, b.now, origin=b.terminal.id)
