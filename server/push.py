"""Applying what tills push (their outbox), exactly once.

* Deduplication is permanent: every event id is kept in ``events`` with a hash of what it
  carried and its result. The same id again gets the first result back (``duplicate``); the
  same id with another payload is ``rejected`` and parked.
* A batch is applied in one transaction, each event whole: a sale with its ledger entries,
  coupon redemptions and conflicts together. If anything unexpected fails the batch is redone
  with a savepoint per event, so one bad event is rejected (and parked) without the others.
  Deadlocks and serialisation failures redo the whole batch; nothing is committed twice.
* Rejected events are acknowledged and parked (``parked_events``) for review, never retried.

Conflicts are settled by explicit rules (see server/README.md): points overdrawn offline are
accepted and the member flagged; a single-use coupon redeemed twice keeps both sales, the
second becomes a conflict with its discount flagged; the same phone registered at two stores
is merged into the earlier member, the later id kept as an alias.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import ValidationError
from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session

from app.domain import points as ledger
from app.domain.clock import DEFAULT_TZ
from app.domain.ids import EntryId, MemberId
from app.domain.members import InvalidPhone, normalize_phone
from app.domain.tiers import tier_for_spend, window_start
from server.audit import check_audit
from server.db import Database
from server.models import (
    Conflict,
    Coupon,
    Event,
    LedgerEntry,
    Member,
    MemberAlias,
    MemberStore,
    ParkedEvent,
    Refund,
    Sale,
    Terminal,
    TillRecord,
)
from server.payloads import (
    MAX_BIGINT,
    CouponIssuedP,
    MemberRegisteredP,
    PointsEntryP,
    RefundCompletedP,
    SaleCompletedP,
    ShiftClosedP,
    VoidedP,
)
from server.pull import (
    coupon_changed,
    coupon_data,
    discard_changes,
    ledger_added,
    ledger_data,
    member_changed,
    member_data,
    record_change,
)
from sync.protocol import EVENT_TYPES, EventResult, PushRequest, PushResponse, WireEvent

log = logging.getLogger("server.push")

SUPPORTED_SCHEMA = 1
_NS = uuid.UUID("6f1c7d38-52f4-4d0c-9a5e-3c0b8f6a9d21")  # server-made ids derived from till ids


class Rejected(Exception):
    """The event cannot be applied; `reason` is stable text the till and HQ see."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def derived_id(*parts: object) -> uuid.UUID:
    return uuid.uuid5(_NS, ":".join(str(p) for p in parts))


def welcome_coupon_id(code: str) -> uuid.UUID:
    return derived_id("coupon", code)


def event_hash(ev: WireEvent) -> str:
    body = {"terminal_id": ev.terminal_id, "seq": ev.seq, "type": ev.type,
            "schema_version": ev.schema_version, "payload": ev.payload,
            "created_at": ev.created_at.astimezone(UTC).isoformat()}
    raw = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(raw.encode()).hexdigest()


# ------------------------------------------------------------------ per-batch context


@dataclass
class Batch:
    s: Session
    terminal: Terminal
    now: datetime
    settings_welcome: tuple[int, int, int]
    spend: dict[uuid.UUID, int] = field(default_factory=dict)
    balance: dict[uuid.UUID, int] = field(default_factory=dict)
    stores: dict[uuid.UUID, set[str]] = field(default_factory=dict)
    members: dict[uuid.UUID, Member] = field(default_factory=dict)  # loaded or made in this batch
    sales: set[uuid.UUID] = field(default_factory=set)  # sale ids already recorded
    # Members held FOR SHARE (plain earning sales): their row is not written in the batch; their
    # tier and last purchase are brought up to date after the commit (`_touch`).
    shared: set[uuid.UUID] = field(default_factory=set)
    touch: set[uuid.UUID] = field(default_factory=set)
    answered: set[uuid.UUID] = field(default_factory=set)  # sales whose feedback arrived first

    def forget_caches(self) -> None:
        self.balance.clear()
        self.spend.clear()
        self.stores.clear()
        self.members.clear()
        self.sales.clear()

    @property
    def store_id(self) -> str:
        return self.terminal.store_id


def resolve_member(s: Session, member_id: uuid.UUID) -> Member | None:
    """The surviving member for an id, following aliases and `merged_into`."""
    row = s.get(Member, member_id)
    if row is None:
        alias = s.get(MemberAlias, member_id)
        if alias is None:
            return None
        row = s.get(Member, alias.member_id)
    seen = 0
    while row is not None and row.merged_into is not None and seen < 10:
        row = s.get(Member, row.merged_into)
        seen += 1
    return row


def _stores_of(b: Batch, member_id: uuid.UUID) -> set[str]:
    if member_id not in b.stores:
        b.stores[member_id] = set(b.s.execute(
            select(MemberStore.store_id).where(MemberStore.member_id == member_id)).scalars())
    return b.stores[member_id]


def _see_member(b: Batch, member_id: uuid.UUID, store_id: str) -> bool:
    """Record that a member is known at a store; True when that is new."""
    stores = _stores_of(b, member_id)
    if store_id in stores:
        return False
    # Two batches holding the member FOR SHARE may both see it new at a store: ON CONFLICT.
    ins = pg_insert if b.s.get_bind().dialect.name == "postgresql" else sqlite_insert
    b.s.execute(ins(MemberStore).values(member_id=member_id, store_id=store_id).on_conflict_do_nothing())
    stores.add(store_id)
    return True


def _balance(b: Batch, member_id: uuid.UUID) -> int:
    if member_id not in b.balance:
        b.s.flush()
        b.balance[member_id] = int(b.s.execute(
            select(func.coalesce(func.sum(LedgerEntry.points), 0)).where(LedgerEntry.member_id == member_id)
        ).scalar_one())
    return b.balance[member_id]


def _spend(b: Batch, member_id: uuid.UUID, at: datetime) -> int:
    if member_id not in b.spend:
        b.s.flush()
        since = window_start(at)
        sold = b.s.execute(select(func.coalesce(func.sum(Sale.total_due), 0)).where(
            Sale.member_id == member_id, Sale.at >= since)).scalar_one()
        refunded = b.s.execute(select(func.coalesce(func.sum(Refund.money), 0)).where(
            Refund.member_id == member_id, Refund.at >= since)).scalar_one()
        b.spend[member_id] = int(sold) - int(refunded)
    return b.spend[member_id]


def _add_entry(b: Batch, entry: LedgerEntry) -> None:
    before = _balance(b, entry.member_id)
    b.s.add(entry)
    b.balance[entry.member_id] = before + entry.points
    ledger_added(b.s, entry, b.now)


def _conflict(b: Batch, kind: str, details: dict[str, Any], member_id: uuid.UUID | None = None,
              sale_id: uuid.UUID | None = None) -> dict[str, Any]:
    b.s.add(Conflict(id=uuid.uuid4(), kind=kind, at=b.now, member_id=member_id, sale_id=sale_id,
                     terminal_id=b.terminal.id, details=details, resolved_at=None))
    return {"kind": kind, **details}


def _flag_overdraft(b: Batch, member: Member, sale_id: uuid.UUID | None) -> dict[str, Any] | None:
    bal = _balance(b, member.id)
    if bal >= 0:
        return None
    member.overdraft_flagged_at = b.now
    return _conflict(b, "points_overdraft", {"member_id": str(member.id), "balance": bal},
                     member_id=member.id, sale_id=sale_id)


def _member_or_stub(b: Batch, member_id: uuid.UUID, at: datetime) -> Member:
    member = b.members.get(member_id)
    if member is not None and member.merged_into is not None:
        member = None
    if member is None:
        b.s.flush()
        member = resolve_member(b.s, member_id)
    if member is None:
        # A sale reached the server before the registration that made the member (another
        # till's event still queued): keep a stub the registration fills in later.
        member = Member(id=member_id, stub=True, favourite_categories=[], marketing_opt_in=False,
                        tier="basic", updated_at=b.now, store_id=b.store_id)
        b.s.add(member)
        b.s.flush()
        b.members[member_id] = member
        b.balance[member_id] = 0
        b.spend[member_id] = 0
    return member


# ------------------------------------------------------------------ handlers


def _member_registered(b: Batch, ev: WireEvent) -> dict[str, Any]:
    p = MemberRegisteredP.model_validate(ev.payload)
    try:
        phone = normalize_phone(p.phone)
    except InvalidPhone as exc:
        raise Rejected(f"invalid_phone:{exc.reason}") from None
    s = b.s
    s.flush()
    existing_row = s.get(Member, p.member_id)
    if existing_row is not None and not existing_row.stub:
        survivor = resolve_member(s, p.member_id)
        return {"member_id": str(p.member_id), "survivor_id": str(survivor.id if survivor else p.member_id),
                "already_registered": True}
    if existing_row is None and s.get(MemberAlias, p.member_id) is not None:
        survivor = resolve_member(s, p.member_id)
        return {"member_id": str(p.member_id), "survivor_id": str(survivor.id if survivor else p.member_id),
                "already_registered": True}
    other = s.execute(
        select(Member).where(Member.phone == phone, Member.id != p.member_id).with_for_update()
    ).scalar_one_or_none()
    profile = {"name": p.name, "birthday": p.birthday, "family": p.family,
               "favourite_categories": list(p.favourite_categories) or None}
    row = existing_row
    if row is None:
        row = Member(id=p.member_id, favourite_categories=[], tier="basic")
        s.add(row)
        b.balance[row.id] = 0
        b.spend[row.id] = 0
        b.stores[row.id] = set()
    b.members[row.id] = row
    row.stub = False
    row.card_no = p.card_no
    row.name, row.birthday, row.family = p.name, p.birthday, p.family
    row.favourite_categories = list(p.favourite_categories)
    row.consent_policy_version = p.consent.policy_version
    row.consent_at = p.consent.accepted_at
    row.marketing_opt_in = p.consent.marketing_opt_in
    row.registered_at = p.registered_at
    row.store_id = p.store_id
    row.updated_at = b.now
    if p.card_no and s.execute(select(Member.id).where(Member.card_no == p.card_no,
                                                       Member.id != p.member_id)).first():
        row.card_no = None  # a card serial clash (vanishingly rare): the phone still identifies
    s.flush()
    _see_member(b, row.id, b.store_id)
    _see_member(b, row.id, p.store_id)
    if other is None:
        row.phone = phone
        s.flush()
        member_changed(s, row, b.now, origin=b.terminal.id)
        _welcome_coupon(b, p, row.id)
        return {"member_id": str(row.id), "survivor_id": str(row.id)}
    # The same phone registered elsewhere: merge into the earlier registration.
    assert other.registered_at is not None
    mine = (p.registered_at, str(p.member_id))
    theirs = (other.registered_at, str(other.id))
    row.phone = None
    s.flush()
    if mine < theirs:
        survivor, loser = row, other
        loser.phone = None
        s.flush()
        survivor.phone = phone
    else:
        survivor, loser = other, row
    # Profile fields: last write by server receipt order; this registration arrived last.
    for key, value in profile.items():
        if value is not None:
            setattr(survivor, key, value)
    card = loser.card_no
    loser.card_no = None
    s.flush()
    if survivor.card_no is None and card:
        survivor.card_no = card
    _welcome_coupon(b, p, row.id)
    _merge(b, survivor, loser)
    return {"member_id": str(p.member_id), "survivor_id": str(survivor.id),
            "merged": {"survivor_id": str(survivor.id), "alias_id": str(loser.id)}}


def _welcome_coupon(b: Batch, p: MemberRegisteredP, member_id: uuid.UUID) -> None:
    if not p.welcome_coupon:
        return
    if b.s.execute(select(Coupon.id).where(Coupon.code == p.welcome_coupon)).first() is not None:
        return
    amount, threshold, days = b.settings_welcome
    kind, valid_from, valid_to = "amount_off", p.registered_at, p.registered_at + timedelta(days=days)
    terms = p.welcome_coupon_terms
    if terms is not None and terms.valid_to >= terms.valid_from:
        kind, amount, threshold = terms.kind, terms.amount, terms.threshold
        valid_from, valid_to = terms.valid_from, terms.valid_to
    coupon = Coupon(
        id=welcome_coupon_id(p.welcome_coupon), code=p.welcome_coupon, name="Welcome", kind=kind,
        amount=amount, percent="0", cap=None, threshold=threshold, multiplier="1", gift_sku=None,
        categories=[], skus=[], stackable=False, member_only=True, member_id=member_id, store_id=None,
        valid_from=valid_from, valid_to=valid_to, status="issued",
        issued_reason="welcome", issued_at=p.registered_at, redeemed_sale_id=None,
        terminal_id=b.terminal.id,
    )
    b.s.add(coupon)
    b.s.flush()
    coupon_changed(b.s, coupon, b.now, origin=b.terminal.id)


def _merge(b: Batch, survivor: Member, loser: Member) -> None:
    """Move the loser's ledger, coupons and sales to the survivor; keep its id as an alias; tell
    every store that knows either of them."""
    s, now = b.s, b.now
    loser.merged_into = survivor.id
    loser.updated_at = now
    survivor.updated_at = now
    for table in (LedgerEntry, Coupon, Sale, Refund):
        s.execute(update(table).where(table.member_id == loser.id).values(member_id=survivor.id))
    s.execute(update(MemberAlias).where(MemberAlias.member_id == loser.id).values(member_id=survivor.id))
    s.add(MemberAlias(alias_id=loser.id, member_id=survivor.id, merged_at=now))
    s.add(Conflict(id=uuid.uuid4(), kind="member_merged", at=now, member_id=survivor.id, sale_id=None,
                   terminal_id=b.terminal.id,
                   details={"survivor_id": str(survivor.id), "alias_id": str(loser.id)}, resolved_at=None))
    old_survivor_stores = set(_stores_of(b, survivor.id))
    loser_stores = set(_stores_of(b, loser.id))
    for store in loser_stores:
        _see_member(b, survivor.id, store)
    s.flush()
    b.members.pop(loser.id, None)
    b.balance.pop(survivor.id, None)
    b.balance.pop(loser.id, None)
    b.spend.pop(survivor.id, None)
    b.spend.pop(loser.id, None)
    # 1. the loser's row frees the phone and card it shares with the survivor (the till's
    #    unique indexes), 2. every store gets the survivor whole, 3. then the alias.
    freed = member_data(loser)
    freed.update(phone=f"merged:{loser.id.hex[:16]}", card_no=f"M{loser.id.hex[:19]}", merged_into=None)
    for store in sorted(loser_stores | old_survivor_stores):
        record_change(s, "member", str(loser.id), freed, at=now, store_id=store)
        record_change(s, "member", str(survivor.id), member_data(survivor), at=now, store_id=store)
        for e in s.execute(select(LedgerEntry).where(LedgerEntry.member_id == survivor.id)).scalars():
            record_change(s, "ledger_entry", str(e.id), ledger_data(e), at=now, store_id=store,
                          origin=e.terminal_id)
        for c in s.execute(select(Coupon).where(Coupon.member_id == survivor.id)).scalars():
            record_change(s, "coupon", str(c.id), coupon_data(c), at=now, store_id=store,
                          origin=c.terminal_id)
    record_change(s, "member_alias", str(loser.id),
                  {"alias_id": str(loser.id), "member_id": str(survivor.id), "merged_at": now},
                  at=now, member_id=survivor.id)


# A member's stored last purchase moves on only in steps this long (the till uses it for
# 30/90-day lifecycle stages), so a regular's every sale does not rewrite the member row and
# send it to every till again. Sales keep their exact times.
LAST_PURCHASE_STEP = timedelta(hours=1)


def _purchase_changes(member: Member, tier: str, at: datetime) -> bool:
    last = member.last_purchase_at
    return member.tier != tier or last is None or at - last >= LAST_PURCHASE_STEP


def _sale_completed(b: Batch, ev: WireEvent) -> dict[str, Any]:
    p = SaleCompletedP.model_validate(ev.payload)
    s = b.s
    if p.terminal_id != b.terminal.id:
        raise Rejected("sale_from_another_terminal")
    if p.sale_id in b.sales:
        return {"sale_id": str(p.sale_id), "already_recorded": True}
    b.sales.add(p.sale_id)
    conflicts: list[dict[str, Any]] = []
    member: Member | None = None
    spend_before = 0
    if p.member_id is not None:
        member = _member_or_stub(b, p.member_id, p.at)
        spend_before = _spend(b, member.id, p.at)
    flagged = False
    # Coupons: the first redemption in server order wins; a second one keeps its sale and
    # becomes a recorded conflict with the discount flagged.
    codes = sorted({c.code for c in p.coupons})
    if codes:
        s.flush()
    rows = {c.code: c for c in s.execute(
        select(Coupon).where(Coupon.code.in_(codes)).order_by(Coupon.code).with_for_update()
    ).scalars()} if codes else {}
    for c in p.coupons:
        row = rows.get(c.code)
        if row is None:
            flagged = True
            conflicts.append(_conflict(b, "coupon_unknown", {"code": c.code, "discount": c.discount},
                                       member_id=member.id if member else None, sale_id=p.sale_id))
        elif row.status == "issued":
            row.status = "redeemed"
            row.redeemed_sale_id = p.sale_id
            coupon_changed(s, row, b.now, origin=b.terminal.id)
        elif row.redeemed_sale_id != p.sale_id:
            flagged = True
            conflicts.append(_conflict(
                b, "coupon_reused",
                {"code": c.code, "discount": c.discount, "status": row.status,
                 "first_sale_id": str(row.redeemed_sale_id) if row.redeemed_sale_id else None},
                member_id=member.id if member else None, sale_id=p.sale_id))
    s.add(Sale(
        id=p.sale_id, receipt_no=p.receipt_no, store_id=b.store_id, terminal_id=b.terminal.id,
        cashier_id=p.cashier_id, member_id=member.id if member else None, at=p.at, subtotal=p.subtotal,
        member_savings=p.member_savings, coupon_discount=p.coupon_discount,
        points_redeemed=p.points_redeemed, points_value=p.points_value, total_due=p.total_due,
        points_earned=p.points_earned, paid=p.paid, change_due=p.change_due,
        feedback_token=p.feedback_token, lines=p.lines, payments=p.payments,
        coupons=[c.model_dump() for c in p.coupons], flagged=flagged, event_id=ev.id,
    ))
    # A customer may have answered the receipt's feedback QR before the sale arrived: join it.
    # (Which sales have an answer waiting is read once per batch; a sale without one costs nothing.)
    if p.sale_id in b.answered:
        from server.feedback.service import link_sale

        s.flush()
        link_sale(s, p.sale_id, member.id if member else None, b.now)
    result: dict[str, Any] = {"sale_id": str(p.sale_id)}
    if member is not None:
        if p.points_redeemed:
            _add_entry(b, LedgerEntry(
                id=derived_id("redeem", p.sale_id), member_id=member.id, kind="redeem",
                points=-p.points_redeemed, at=p.at, expires_at=None, sale_id=p.sale_id, refund_id=None,
                note="", terminal_id=b.terminal.id, event_id=ev.id))
        if p.points_earned:
            _add_entry(b, LedgerEntry(
                id=derived_id("earn", p.sale_id), member_id=member.id, kind="earn", points=p.points_earned,
                at=p.at, expires_at=ledger.expiry_for(p.at, DEFAULT_TZ), sale_id=p.sale_id, refund_id=None,
                note="", terminal_id=b.terminal.id, event_id=ev.id))
        if p.points_redeemed:
            over = _flag_overdraft(b, member, p.sale_id)
            if over:
                conflicts.append(over)
        spend = spend_before + p.total_due
        b.spend[member.id] = spend
        tier = str(tier_for_spend(spend))
        _see_member(b, member.id, b.store_id)
        if member.id in b.shared:
            if _purchase_changes(member, tier, p.at):
                b.touch.add(member.id)  # written after the commit (the row is only held FOR SHARE)
        elif _purchase_changes(member, tier, p.at):
            if member.last_purchase_at is None or member.last_purchase_at < p.at:
                member.last_purchase_at = p.at
            member.tier = tier
            member.updated_at = b.now
            member_changed(s, member, b.now, origin=b.terminal.id)
        result.update(member_id=str(member.id), points_balance=_balance(b, member.id), tier=tier)
    if conflicts:
        result["conflicts"] = conflicts
    return result


def _refund_completed(b: Batch, ev: WireEvent) -> dict[str, Any]:
    p = RefundCompletedP.model_validate(ev.payload)
    b.s.flush()
    s = b.s
    if s.get(Refund, p.refund_id) is not None:
        return {"refund_id": str(p.refund_id), "already_recorded": True}
    sale = s.get(Sale, p.sale_id)
    member: Member | None = None
    member_ref = sale.member_id if sale is not None and sale.member_id else p.member_id
    spend_before = 0
    if member_ref is not None:
        member = _member_or_stub(b, member_ref, p.at)
        spend_before = _spend(b, member.id, p.at)
    s.add(Refund(id=p.refund_id, sale_id=p.sale_id, terminal_id=b.terminal.id,
                 member_id=member.id if member else None, at=p.at, money=p.money,
                 points_reversed=p.points_reversed, points_given_back=p.points_given_back, full=p.full,
                 details=ev.payload, event_id=ev.id))
    result: dict[str, Any] = {"refund_id": str(p.refund_id), "sale_known": sale is not None}
    if member is not None:
        if p.points_reversed:
            _add_entry(b, LedgerEntry(
                id=derived_id("reverse", p.refund_id), member_id=member.id, kind="reverse",
                points=-p.points_reversed, at=p.at, expires_at=None, sale_id=p.sale_id,
                refund_id=p.refund_id, note="refund", terminal_id=b.terminal.id, event_id=ev.id))
        if p.points_given_back:
            _add_entry(b, LedgerEntry(
                id=derived_id("give_back", p.refund_id), member_id=member.id, kind="reverse",
                points=p.points_given_back, at=p.at, expires_at=ledger.expiry_for(p.at, DEFAULT_TZ),
                sale_id=p.sale_id, refund_id=p.refund_id, note="refund", terminal_id=b.terminal.id,
                event_id=ev.id))
        spend = spend_before - p.money
        b.spend[member.id] = spend
        tier = str(tier_for_spend(max(spend, 0)))
        if member.tier != tier:
            member.tier = tier
            member.updated_at = b.now
            member_changed(s, member, b.now, origin=b.terminal.id)
        result.update(member_id=str(member.id), points_balance=_balance(b, member.id))
    returned = []
    for code in sorted(set(p.coupons_returned)):
        row = s.execute(select(Coupon).where(Coupon.code == code).with_for_update()).scalar_one_or_none()
        if row is not None and row.redeemed_sale_id == p.sale_id:
            row.status = "issued"
            row.redeemed_sale_id = None
            coupon_changed(s, row, b.now, origin=b.terminal.id)
            returned.append(code)
    result["coupons_returned"] = returned
    return result


def _points_entry(kind: str) -> Callable[[Batch, WireEvent], dict[str, Any]]:
    def apply(b: Batch, ev: WireEvent) -> dict[str, Any]:
        p = PointsEntryP.model_validate(ev.payload)
        s = b.s
        s.flush()
        if p.points == 0:
            raise Rejected("zero_points")
        if kind == "compensate" and p.points < 0:
            raise Rejected("negative_compensation")
        if kind == "expire" and p.points > 0:
            raise Rejected("positive_expiry")
        if s.get(LedgerEntry, p.entry_id) is not None:
            return {"entry_id": str(p.entry_id), "already_recorded": True}
        member = _member_or_stub(b, p.member_id, p.at)
        points = p.points
        if kind == "expire":
            # Two tills may both expire the same lot; expire only what the server's ledger
            # still has due, so points never expire twice.
            s.flush()
            entries = [_domain_entry(e) for e in s.execute(
                select(LedgerEntry).where(LedgerEntry.member_id == member.id)).scalars()]
            due = -sum(e.points for e in ledger.due_expiries(entries, p.at, MemberId(member.id)))
            points = -min(-p.points, due)
            if points == 0:
                return {"entry_id": str(p.entry_id), "member_id": str(member.id), "expired": 0,
                        "points_balance": _balance(b, member.id)}
        expires = None
        if points > 0:
            expires = p.expires_at or ledger.expiry_for(p.at, DEFAULT_TZ)
        note = p.note or (f"compensation:{p.ticket_id}" if p.ticket_id else "")
        _add_entry(b, LedgerEntry(
            id=p.entry_id, member_id=member.id, kind=kind, points=points, at=p.at, expires_at=expires,
            sale_id=None, refund_id=None, note=note[:200], terminal_id=b.terminal.id, event_id=ev.id))
        result: dict[str, Any] = {"entry_id": str(p.entry_id), "member_id": str(member.id),
                                  "points": points, "points_balance": _balance(b, member.id)}
        if points < 0 and kind != "expire":
            over = _flag_overdraft(b, member, None)
            if over:
                result["conflicts"] = [over]
        return result

    return apply


def _domain_entry(e: LedgerEntry) -> ledger.LedgerEntry:
    return ledger.LedgerEntry(
        id=EntryId(e.id), member_id=MemberId(e.member_id), kind=ledger.EntryKind(e.kind), points=e.points,
        at=e.at, expires_at=e.expires_at, note=e.note)


def _coupon_issued(b: Batch, ev: WireEvent) -> dict[str, Any]:
    p = CouponIssuedP.model_validate(ev.payload)
    b.s.flush()
    s = b.s
    if p.valid_to < p.valid_from:
        raise Rejected("coupon_validity_reversed")
    existing = s.execute(select(Coupon).where(Coupon.code == p.code)).scalar_one_or_none()
    if existing is not None:
        if existing.id == p.coupon_id:
            return {"coupon_id": str(p.coupon_id), "already_recorded": True}
        raise Rejected("coupon_code_taken")
    if s.get(Coupon, p.coupon_id) is not None:
        raise Rejected("coupon_id_taken")
    member_id = None
    if p.member_id is not None:
        member_id = _member_or_stub(b, p.member_id, p.valid_from).id
    coupon = Coupon(
        id=p.coupon_id, code=p.code, name=p.reason.split(":")[0].title() if p.reason else "", kind=p.kind,
        amount=p.amount, percent=p.percent, cap=p.cap, threshold=p.threshold, multiplier=p.multiplier,
        gift_sku=None, categories=list(p.categories), skus=[], stackable=False,
        member_only=member_id is not None, member_id=member_id,
        store_id=None if member_id is not None else b.store_id, valid_from=p.valid_from,
        valid_to=p.valid_to, status="issued", issued_reason=p.reason, issued_at=b.now,
        redeemed_sale_id=None, terminal_id=b.terminal.id)
    s.add(coupon)
    s.flush()
    coupon_changed(s, coupon, b.now, origin=b.terminal.id)
    return {"coupon_id": str(p.coupon_id), "member_id": str(member_id) if member_id else None}


def _voided(b: Batch, ev: WireEvent) -> dict[str, Any]:
    p = VoidedP.model_validate(ev.payload)
    b.s.flush()
    key = f"void:{p.void_id}"
    if b.s.get(TillRecord, key) is None:
        b.s.add(TillRecord(id=key, type=ev.type, terminal_id=b.terminal.id, at=p.at, data=ev.payload))
    return {"void_id": p.void_id}


def _shift_closed(b: Batch, ev: WireEvent) -> dict[str, Any]:
    p = ShiftClosedP.model_validate(ev.payload)
    b.s.flush()
    key = f"shift:{p.shift_id}"
    if b.s.get(TillRecord, key) is None:
        b.s.add(TillRecord(id=key, type=ev.type, terminal_id=b.terminal.id, at=p.at, data=ev.payload))
    return {"shift_id": str(p.shift_id)}


HANDLERS: dict[str, Callable[[Batch, WireEvent], dict[str, Any]]] = {
    "member.registered": _member_registered,
    "sale.completed": _sale_completed,
    "refund.completed": _refund_completed,
    "points.adjusted": _points_entry("adjust"),
    "points.expired": _points_entry("expire"),
    "points.compensated": _points_entry("compensate"),
    "coupon.issued": _coupon_issued,
    "cart.voided": _voided,
    "shift.closed": _shift_closed,
}
assert set(HANDLERS) == set(EVENT_TYPES)


# ------------------------------------------------------------------ the batch


def _apply_one(b: Batch, ev: WireEvent, digest: str) -> EventResult:
    """Apply one event (not seen before) and record it; Rejected leaves nothing but the record."""
    try:
        if ev.terminal_id != b.terminal.id:
            raise Rejected("event_from_another_terminal")
        if ev.seq > MAX_BIGINT:
            raise Rejected("seq_out_of_range")
        if _has_nul(ev.payload) or "\x00" in ev.type:
            raise Rejected("nul_character")  # PostgreSQL text cannot hold it
        if ev.schema_version != SUPPORTED_SCHEMA:
            raise Rejected(f"unsupported_schema_version:{ev.schema_version}")
        handler = HANDLERS.get(ev.type)
        if handler is None:
            raise Rejected(f"unknown_event_type:{ev.type[:40]}")
        try:
            result = handler(b, ev)
        except ValidationError as exc:
            err = exc.errors()[0]
            where = ".".join(str(x) for x in err.get("loc", ()))
            raise Rejected(f"invalid_payload:{where}:{err.get('type', 'invalid')}"[:200]) from None
    except Rejected as rej:
        return _reject(b, ev, digest, rej.reason)
    b.s.add(Event(id=ev.id, terminal_id=ev.terminal_id, seq=ev.seq, type=ev.type, payload_hash=digest,
                  status="applied", reason=None, result=result, received_at=b.now))
    return EventResult(id=ev.id, status="applied", result=result)


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def _without_nul(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("\x00", "\\u0000")
    if isinstance(value, dict):
        return {_without_nul(k): _without_nul(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_nul(v) for v in value]
    return value


def _reject(b: Batch, ev: WireEvent, digest: str, reason: str, record: bool = True) -> EventResult:
    if record:
        b.s.add(Event(id=ev.id, terminal_id=_without_nul(ev.terminal_id[:40]), seq=min(ev.seq, MAX_BIGINT),
                      type=_without_nul(ev.type)[:40],
                      payload_hash=digest, status="rejected", reason=reason, result=None, received_at=b.now))
    b.s.add(ParkedEvent(event_id=ev.id, terminal_id=b.terminal.id, reason=reason,
                        event=_without_nul(ev.model_dump(mode="json")), received_at=b.now, reviewed_at=None))
    log.warning("event %s from %s rejected: %s", ev.id, b.terminal.id, reason)
    return EventResult(id=ev.id, status="rejected", reason=reason)


def _known(s: Session, ids: list[uuid.UUID]) -> dict[uuid.UUID, Event]:
    if not ids:
        return {}
    return {e.id: e for e in s.execute(select(Event).where(Event.id.in_(ids))).scalars()}


def _answer_known(b: Batch, ev: WireEvent, digest: str, known: Event) -> EventResult:
    if known.payload_hash != digest:
        return _reject(b, ev, digest, "id_reused_with_different_payload", record=False)
    if known.status == "rejected":
        return EventResult(id=ev.id, status="rejected", reason=known.reason)
    return EventResult(id=ev.id, status="duplicate", result=known.result)


def _member_ids(events: list[WireEvent]) -> list[uuid.UUID]:
    out: set[uuid.UUID] = set()
    for ev in events:
        raw = ev.payload.get("member_id") if isinstance(ev.payload, dict) else None
        if isinstance(raw, str):
            with contextlib.suppress(ValueError):
                out.add(uuid.UUID(raw))
    return sorted(out)


def _sale_ids(events: list[WireEvent]) -> list[uuid.UUID]:
    out: set[uuid.UUID] = set()
    for ev in events:
        raw = ev.payload.get("sale_id") if ev.type == "sale.completed" else None
        if isinstance(raw, str):
            with contextlib.suppress(ValueError):
                out.add(uuid.UUID(raw))
    return sorted(out)


def _exclusive_ids(events: list[WireEvent]) -> set[uuid.UUID]:
    """Members named by events that need their row to themselves: anything but a sale that
    only earns (no points redeemed, no coupons)."""
    other = [ev for ev in events if not (
        ev.type == "sale.completed" and isinstance(ev.payload, dict)
        and not ev.payload.get("points_redeemed") and not ev.payload.get("coupons"))]
    return set(_member_ids(other))


def _touch(db: Database, ids: set[uuid.UUID], now: datetime) -> None:
    """After a batch committed: bring the tier and last purchase of members it sold to (held FOR
    SHARE, so not written in the batch) up to date, in a short transaction of its own. Only for
    members whose tier or last purchase the batch saw change; the row is locked and both are
    recomputed from the committed sales, so concurrent batches never write stale values. A row
    another batch holds is skipped, not waited for: that batch updates it after its own commit.
    (A change seen only by a skipped batch, or a tier crossed only by the sum of two sales
    applied side by side, is written at the member's next sale.)"""
    if not ids:
        return
    for attempt in range(1, 6):
        try:
            with db.sessions() as s:
                for m, tier, last in _stale(s, sorted(ids), now, lock=True):
                    m.tier = tier
                    if last is not None and (m.last_purchase_at is None or m.last_purchase_at < last):
                        m.last_purchase_at = last
                    m.updated_at = now
                    member_changed(s, m, now)
                s.commit()
                return
        except DBAPIError as exc:
            if _sqlstate(exc) in _RETRYABLE and attempt < 5:
                time.sleep(0.01 * attempt)
                continue
            log.exception("member tier/last purchase update failed (the next sale redoes it)")
            return


def _stale(s: Session, ids: list[uuid.UUID], now: datetime,
           lock: bool) -> list[tuple[Member, str, datetime | None]]:
    q = select(Member).where(Member.id.in_(ids), Member.merged_into.is_(None)).order_by(Member.id)
    # SKIP LOCKED: a member another batch still holds is left to that batch, whose own update
    # after its commit sees this batch's sales too; waiting here would queue new FOR SHARE
    # requests behind this one and make every till selling to a busy regular wait.
    members = list(s.execute(q.with_for_update(skip_locked=True) if lock else q).scalars())
    if not members:
        return []
    live = [m.id for m in members]
    since = window_start(now)
    spend = dict.fromkeys(live, 0)
    last: dict[uuid.UUID, datetime] = {}
    for smid, total, sold_at in s.execute(
        select(Sale.member_id, func.sum(Sale.total_due), func.max(Sale.at))
        .where(Sale.member_id.in_(live), Sale.at >= since).group_by(Sale.member_id)
    ):
        if smid is not None:
            spend[smid] += int(total)
            last[smid] = sold_at
    for rmid, total in s.execute(
        select(Refund.member_id, func.sum(Refund.money))
        .where(Refund.member_id.in_(live), Refund.at >= since).group_by(Refund.member_id)
    ):
        if rmid is not None:
            spend[rmid] -= int(total)
    out: list[tuple[Member, str, datetime | None]] = []
    for m in members:
        tier = str(tier_for_spend(max(spend[m.id], 0)))
        at: datetime | None = last.get(m.id)
        moved = at is not None and (m.last_purchase_at is None
                                    or at - m.last_purchase_at >= LAST_PURCHASE_STEP)
        if not m.stub and (tier != m.tier or moved):
            out.append((m, tier, at))
    return out


def _prefetch(b: Batch, events: list[WireEvent], lock: bool) -> None:
    """Read what the batch's events need in a few queries: their members (locked in one order,
    so concurrent batches from different tills wait for each other instead of deadlocking),
    balances, 12-month spend, stores, and which of their sales are already recorded."""
    s = b.s
    mids = _member_ids(events)
    if mids:
        q = select(Member).where(Member.id.in_(mids)).order_by(Member.id)
        if lock:
            # Plain earning sales only add rows (sale, ledger entry): FOR SHARE lets batches of
            # different tills selling to the same member run side by side, while a batch that
            # redeems, refunds, adjusts, registers or merges still has the row to itself.
            excl = _exclusive_ids(events)
            for m in s.execute(q.where(Member.id.in_(excl)).with_for_update()).scalars():
                b.members[m.id] = m
            rest = [m for m in mids if m not in excl]
            if rest:
                q2 = select(Member).where(Member.id.in_(rest)).order_by(Member.id)
                for m in s.execute(q2.with_for_update(read=True)).scalars():
                    b.members[m.id] = m
                    b.shared.add(m.id)
        else:
            for m in s.execute(q).scalars():
                b.members[m.id] = m
        missing = [m for m in mids if m not in b.members]
        if missing:
            for alias in s.execute(select(MemberAlias).where(MemberAlias.alias_id.in_(missing))).scalars():
                survivor = resolve_member(s, alias.member_id)
                if survivor is not None:
                    b.members[survivor.id] = survivor
                    b.members[alias.alias_id] = survivor
        live = sorted({m.id for m in b.members.values() if m.merged_into is None})
        if live:
            b.balance.update({mid: 0 for mid in live})
            for mid, total in s.execute(
                select(LedgerEntry.member_id, func.sum(LedgerEntry.points))
                .where(LedgerEntry.member_id.in_(live)).group_by(LedgerEntry.member_id)
            ):
                b.balance[mid] = int(total)
            since = window_start(b.now)
            b.spend.update({mid: 0 for mid in live})
            for smid, total in s.execute(
                select(Sale.member_id, func.sum(Sale.total_due))
                .where(Sale.member_id.in_(live), Sale.at >= since).group_by(Sale.member_id)
            ):
                if smid is not None:
                    b.spend[smid] += int(total)
            for rmid, total in s.execute(
                select(Refund.member_id, func.sum(Refund.money))
                .where(Refund.member_id.in_(live), Refund.at >= since).group_by(Refund.member_id)
            ):
                if rmid is not None:
                    b.spend[rmid] -= int(total)
            b.stores.update({mid: set() for mid in live})
            for mid, store in s.execute(
                select(MemberStore.member_id, MemberStore.store_id).where(MemberStore.member_id.in_(live))
            ):
                b.stores[mid].add(store)
    sids = _sale_ids(events)
    if sids:
        b.sales.update(s.execute(select(Sale.id).where(Sale.id.in_(sids))).scalars())
        try:
            from server.feedback.models import Feedback
        except ModuleNotFoundError:
            return
        b.answered.update(s.execute(select(Feedback.sale_id).where(
            Feedback.sale_id.in_(sids), Feedback.sale_linked_at.is_(None))).scalars())


def _run_batch(db: Database, terminal_id: str, req: PushRequest, now: datetime, careful: bool,
               settings_welcome: tuple[int, int, int], skew_s: int) -> tuple[list[EventResult], int | None]:
    with db.sessions() as s:
        terminal = s.get_one(Terminal, terminal_id)
        b = Batch(s, terminal, now, settings_welcome)
        if abs(skew_s) > db.settings.max_clock_skew_s:
            terminal.clock_skew_s = skew_s
            terminal.clock_flagged_at = now
        elif terminal.clock_skew_s is not None:
            terminal.clock_skew_s = skew_s
        _prefetch(b, req.events, db.is_postgres)
        ordered = sorted(req.events, key=lambda e: (e.seq, str(e.id)))
        known = _known(s, [e.id for e in ordered])
        results: dict[uuid.UUID, EventResult] = {}
        for ev in ordered:
            digest = event_hash(ev)
            if ev.id in results:  # the same id twice in one batch: one answer for both
                continue
            if ev.id in known:
                results[ev.id] = _answer_known(b, ev, digest, known[ev.id])
                continue
            if not careful:
                with s.no_autoflush:
                    results[ev.id] = _apply_one(b, ev, digest)
                continue
            sp = s.begin_nested()
            try:
                with s.no_autoflush:
                    results[ev.id] = _apply_one(b, ev, digest)
                s.flush()
                sp.commit()
            except IntegrityError:
                sp.rollback()
                b.forget_caches()
                # Another push (a retry racing the original) may have just recorded this id.
                again = _known(s, [ev.id]).get(ev.id)
                if again is not None:
                    results[ev.id] = _answer_known(b, ev, digest, again)
                else:
                    log.exception("event %s could not be applied", ev.id)
                    results[ev.id] = _reject(b, ev, digest, "conflicting_record")
            except OperationalError:
                raise
            except DBAPIError:
                sp.rollback()
                b.forget_caches()
                log.exception("event %s could not be applied", ev.id)
                results[ev.id] = _reject(b, ev, digest, "database_error")
        seqs = [e.seq for e in ordered if e.terminal_id == terminal_id]
        if seqs:
            terminal.last_seq = min(max(terminal.last_seq or 0, *seqs), MAX_BIGINT)
        terminal.last_seen_at = now
        ack = check_audit(s, terminal_id, req.audit, now)
        s.commit()
    _touch(db, b.touch, now)
    return [results[e.id] for e in req.events], ack


_RETRYABLE = ("40001", "40P01")  # serialization_failure, deadlock_detected


def _sqlstate(exc: DBAPIError) -> str | None:
    return getattr(exc.orig, "sqlstate", None)


def push(db: Database, terminal_id: str, req: PushRequest, epoch: str,
         settings_welcome: tuple[int, int, int]) -> PushResponse:
    now = datetime.now(UTC)
    skew_s = max(-(2**31 - 1), min(2**31 - 1, int((req.till_time - now).total_seconds())))
    flagged = abs(skew_s) > db.settings.max_clock_skew_s
    careful = False
    attempt = 0
    while True:
        attempt += 1
        try:
            if db.is_postgres:
                results, ack = _run_batch(db, terminal_id, req, now, careful, settings_welcome, skew_s)
            else:
                with db.write_lock:
                    results, ack = _run_batch(db, terminal_id, req, now, careful, settings_welcome,
                                              skew_s)
            break
        except DBAPIError as exc:
            state = _sqlstate(exc)
            if state in _RETRYABLE and attempt < 8:
                time.sleep(0.01 * attempt)
                continue
            if isinstance(exc, (IntegrityError, DataError)) and not careful:
                careful = True  # redo event by event, each in its own savepoint
                continue
            raise
    return PushResponse(results=results, server_time=datetime.now(UTC), epoch=epoch,
                        clock_skew_flagged=flagged, audit_ack_seq=ack)


__all__ = ["Rejected", "discard_changes", "push"]
