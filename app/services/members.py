"""Use cases about members: register at the till (offline), identify by code, phone or card."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any, Literal

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from app.domain import points as ledger
from app.domain.clock import local_time
from app.domain.codes import (
    CodeError,
    issue_member_code,
    looks_like_member_code,
    verify_member_code,
)
from app.domain.coupons import new_coupon_code
from app.domain.ids import MemberId, StaffId, new_id
from app.domain.members import (
    Consent,
    InvalidPhone,
    is_valid_card_number,
    lifecycle_stage,
    make_card_number,
    mask_phone,
    normalize_phone,
)
from app.domain.merges import UNKNOWN, MergeChainTooLong, Unknown, follow_merges
from app.domain.tiers import TierProgress, describe, progress, window_start
from app.services.audit import append_audit
from app.services.context import TillContext
from app.services.errors import Invalid, NotFound, Refused
from app.services.outbox import record_event
from app.services.registration import NewMember, RegistrationRows, coupon_row, registration_rows
from app.store import orm
from app.store.convert import ledger_entry


@dataclass(frozen=True, slots=True)
class CouponView:
    code: str
    name: str
    kind: str
    amount: int
    percent: str
    threshold: int
    valid_to: datetime


@dataclass(frozen=True, slots=True)
class MemberView:
    """What the member panel shows. Carries the masked phone only."""

    id: MemberId
    masked_phone: str
    card_no: str
    name: str | None
    birthday: date | None
    tier: str
    progress: TierProgress
    progress_text: str
    points_balance: int
    expiring_soon: int
    coupons: tuple[CouponView, ...]
    lifecycle: str
    registered_at: datetime
    # The verified member code the member was identified with (None: phone, card or id). A
    # sale names it, so the server lets this store's tills receive the member.
    code: str | None = None
    # HQ's member intel as last pulled (`member_intel`): value segment, top tags (most telling
    # first, e.g. "scene:birthday_month", "dyn:baby"), items often bought with the member's.
    segment: str = ""
    tags: tuple[str, ...] = ()
    suggestions: tuple[Suggestion, ...] = ()


@dataclass(frozen=True, slots=True)
class Suggestion:
    """An item often bought with what the member buys (HQ's basket analysis)."""

    sku: str
    name_zh: str
    name_en: str


@dataclass(frozen=True, slots=True)
class RegisterMember:
    phone: str
    consent_given: bool
    staff_id: StaffId
    marketing_opt_in: bool = False
    policy_version: str | None = None
    name: str | None = None
    birthday: date | None = None
    family: str | None = None
    favourite_categories: tuple[str, ...] = field(default_factory=tuple)
    member_id: MemberId | None = None  # given by the caller to make a retry idempotent


@dataclass(frozen=True, slots=True)
class Registration:
    member: MemberView
    member_code: str  # static code for the printed slip or card
    welcome_coupon: str | None


class DuplicatePhone(Refused):
    """The phone is already a member's; `existing` is offered instead."""

    code = "duplicate_phone"

    def __init__(self, existing: MemberView) -> None:
        super().__init__("This phone number already belongs to a member.")
        self.existing = existing


class ConsentRequired(Refused):
    code = "consent_required"


def _phone(raw: str) -> str:
    try:
        return normalize_phone(raw)
    except InvalidPhone as exc:
        raise Invalid(str(exc), code=f"phone_{exc.reason}") from exc


def register_member(ctx: TillContext, cmd: RegisterMember) -> Registration:
    """Register a walk-in member, offline. Consent is required; a known phone is refused with
    the existing member offered. Issues the welcome coupon and writes the audit entry and the
    outbox event in the same transaction."""
    if not cmd.consent_given:
        raise ConsentRequired("The member must accept the privacy policy to join.")
    phone = _phone(cmd.phone)
    now = ctx.now()
    program = ctx.program_at(now)
    with ctx.uow() as uow:
        s = uow.session
        if cmd.member_id is not None and s.get(orm.Member, cmd.member_id) is not None:
            view = _view(ctx, s, s.get_one(orm.Member, cmd.member_id), now)
            return Registration(view, _static_code(ctx, view.id, now), None)
        ctx.require_allowed_offline("register_members")
        existing = s.execute(select(orm.Member).where(orm.Member.phone == phone)).scalar_one_or_none()
        if existing is not None:
            raise DuplicatePhone(_view(ctx, s, existing, now))
        consent = Consent(cmd.policy_version or program.consent_policy_version, now, cmd.marketing_opt_in)
        member_id = cmd.member_id or MemberId(new_id())
        rows = registration_rows(
            NewMember(
                member_id=member_id,
                phone=phone,
                card_no=_new_card_no(ctx, s),
                consent=consent,
                registered_at=now,
                store_id=ctx.store_id,
                name=cmd.name,
                birthday=cmd.birthday,
                family=cmd.family,
                favourite_categories=tuple(cmd.favourite_categories),
            ),
            program.welcome_coupon.terms(now) if program.welcome_coupon.issued else None,
            new_coupon_code(),
        )
        row = orm.Member(**rows.member)
        s.add(row)
        s.flush()
        if rows.coupon is not None:
            s.add(orm.Coupon(**rows.coupon))
        coupon_code = rows.welcome_code
        append_audit(s, ctx, cmd.staff_id, None, RegistrationRows.AUDIT_ACTION, str(member_id), {}, now)
        record_event(s, ctx.terminal_id, RegistrationRows.EVENT_TYPE, rows.event, now)
        view = _view(ctx, s, row, now)
        uow.commit()
    return Registration(view, _static_code(ctx, member_id, now), coupon_code)


def _static_code(ctx: TillContext, member_id: MemberId, now: datetime) -> str:
    return issue_member_code(member_id, ctx.signer, now, ttl=None)


def member_code(ctx: TillContext, member_id: MemberId, dynamic: bool = True) -> str:
    """A signed member code: dynamic ones expire after the configured time."""
    now = ctx.now()
    ttl = timedelta(seconds=ctx.program_at(now).member_code_ttl_s) if dynamic else None
    return issue_member_code(member_id, ctx.signer, now, ttl=ttl)


def _new_card_no(ctx: TillContext, s: Session) -> str:
    # A random serial: terminals of one store register offline at the same time, so a local
    # counter would collide across terminals. 10^11 serials make a clash vanishingly rare,
    # and the unique index catches one.
    while True:
        card = make_card_number(ctx.config.store.store_no, secrets.randbelow(10**11))
        if s.execute(select(orm.Member.id).where(orm.Member.card_no == card)).first() is None:
            return card


def issue_coupon(
    s: Session,
    *,
    member_id: MemberId | None,
    kind: str,
    name: str,
    valid_from: datetime,
    valid_to: datetime,
    reason: str,
    at: datetime,
    amount: int = 0,
    percent: str = "0",
    cap: int | None = None,
    threshold: int = 0,
    multiplier: str = "1",
    gift_sku: str | None = None,
    categories: tuple[str, ...] = (),
    skus: tuple[str, ...] = (),
    stackable: bool = False,
    code: str | None = None,
) -> orm.Coupon:
    """Add a single-use coupon row (member coupon when `member_id` is given, else bearer)."""
    row = orm.Coupon(
        **coupon_row(
            member_id=member_id,
            kind=kind,
            name=name,
            valid_from=valid_from,
            valid_to=valid_to,
            reason=reason,
            at=at,
            code=code or new_coupon_code(),
            amount=amount,
            percent=percent,
            cap=cap,
            threshold=threshold,
            multiplier=multiplier,
            gift_sku=gift_sku,
            categories=categories,
            skus=skus,
            stackable=stackable,
        )
    )
    s.add(row)
    return row


# ------------------------------------------------------------------------------ identify


def resolve_member(s: Session, member_id: MemberId) -> orm.Member | None:
    """The member for an id, following merges (`merged_into`, aliases) to the survivor; None
    when the id names no member here. Raises NotFound when the merge links do not end."""

    def next_id(mid: uuid.UUID) -> uuid.UUID | Unknown | None:
        row = s.get(orm.Member, mid)
        if row is None:
            alias = s.get(orm.MemberAlias, mid)
            return UNKNOWN if alias is None else alias.member_id
        return row.merged_into

    start: uuid.UUID = member_id
    try:
        survivor = follow_merges(start, next_id)
    except MergeChainTooLong:
        raise NotFound(
            "This member's merge records are damaged; ask HQ to check them.", code="member_merges_broken"
        ) from None
    return None if survivor is None else s.get(orm.Member, survivor)


def identify(ctx: TillContext, text: str) -> MemberView:
    """Find the member behind a scanned code, a card number or a typed phone number.

    Raises NotFound when nobody matches, Invalid for a malformed phone, Refused for a code
    that is expired, revoked, forged or unreadable (the message says which)."""
    text = text.strip()
    if not text:
        raise Invalid("Scan a member code or type a phone number.", code="empty")
    now = ctx.now()
    with ctx.uow(write=False) as uow:
        s = uow.session
        if looks_like_member_code(text):
            try:
                claims = verify_member_code(text, ctx.keyring(uow), now, ctx.revocations(uow))
            except CodeError as exc:
                raise Refused(exc.message, code=f"code_{exc.reason}") from exc
            row = resolve_member(s, MemberId(claims.member_id))
            how = "code"
        elif is_valid_card_number(text):
            row = s.execute(_MEMBER_BY_CARD, {"value": text}).scalar_one_or_none()
            how = "card"
        else:
            phone = _phone(text)
            row = s.execute(_MEMBER_BY_PHONE, {"value": phone}).scalar_one_or_none()
            how = "phone"
        if row is None:
            raise NotFound(f"No member with this {how}.", code=f"no_member_{how}")
        row = resolve_member(s, MemberId(row.id)) or row
        view = _view(ctx, s, row, now)
        return replace(view, code=text) if how == "code" else view


def member_view(ctx: TillContext, member_id: MemberId) -> MemberView:
    now = ctx.now()
    with ctx.uow(write=False) as uow:
        row = resolve_member(uow.session, member_id)
        if row is None:
            raise NotFound("No such member.", code="no_member")
        return _view(ctx, uow.session, row, now)


# Statements the counter runs on every lookup are built once (building a SELECT costs more
# than running it on an indexed SQLite table); values go in as bound parameters.
_MEMBER_BY_PHONE = select(orm.Member).where(orm.Member.phone == bindparam("value"))
_MEMBER_BY_CARD = select(orm.Member).where(orm.Member.card_no == bindparam("value"))

_LEDGER_COLUMNS = (
    orm.LedgerEntry.id,
    orm.LedgerEntry.member_id,
    orm.LedgerEntry.kind,
    orm.LedgerEntry.points,
    orm.LedgerEntry.at,
    orm.LedgerEntry.expires_at,
    orm.LedgerEntry.sale_id,
    orm.LedgerEntry.refund_id,
    orm.LedgerEntry.note,
)


def ledger_entries(s: Session, member_id: MemberId) -> list[ledger.LedgerEntry]:
    """A member's ledger in time order (plain column rows: no ORM objects to build)."""
    return [ledger_entry(r) for r in s.execute(_LEDGER, {"member_id": member_id})]


_LEDGER = (
    select(*_LEDGER_COLUMNS)
    .where(orm.LedgerEntry.member_id == bindparam("member_id"))
    # An adjustment the server held for HQ, or HQ or the server refused, counts on neither end.
    # (By entry id alone: a merge here moves the entry to the survivor, not its outcome row.)
    .where(
        orm.LedgerEntry.id.not_in(
            select(orm.PointsOutcome.entry_id).where(orm.PointsOutcome.status != "approved")
        )
    )
    .order_by(orm.LedgerEntry.at, orm.LedgerEntry.id)
)

_REFUNDED = (
    select(func.coalesce(func.sum(orm.Refund.money), 0))
    .join(orm.Sale, orm.Sale.id == orm.Refund.sale_id)
    .where(orm.Sale.member_id == bindparam("member_id"), orm.Sale.at >= bindparam("since"))
    .scalar_subquery()
)
_SPEND = select(func.coalesce(func.sum(orm.Sale.total_due), 0) - _REFUNDED).where(
    orm.Sale.member_id == bindparam("member_id"), orm.Sale.at >= bindparam("since")
)
_COUPONS = (
    select(
        orm.Coupon.code,
        orm.Coupon.name,
        orm.Coupon.kind,
        orm.Coupon.amount,
        orm.Coupon.percent,
        orm.Coupon.threshold,
        orm.Coupon.valid_to,
    )
    .where(
        orm.Coupon.member_id == bindparam("member_id"),
        orm.Coupon.status == "issued",
        orm.Coupon.valid_from <= bindparam("now"),
        orm.Coupon.valid_to >= bindparam("now"),
    )
    .order_by(orm.Coupon.valid_to)
)


def rolling_spend(s: Session, member_id: MemberId, now: datetime) -> int:
    """Money the member paid over the rolling 12 months, less what was refunded (one query)."""
    spend = s.execute(_SPEND, {"member_id": member_id, "since": window_start(now)}).scalar_one()
    return int(spend)


def effective_entries(
    entries: list[ledger.LedgerEntry], member_id: MemberId, now: datetime
) -> list[ledger.LedgerEntry]:
    """The ledger as it stands once the expiries already due are counted."""
    return entries + ledger.due_expiries(entries, now, member_id)


def _view(ctx: TillContext, s: Session, row: orm.Member, now: datetime) -> MemberView:
    member_id = MemberId(row.id)
    entries = effective_entries(ledger_entries(s, member_id), member_id, now)
    balance = ledger.balance(entries)
    program = ctx.program_at(now)
    soon = ledger.expiring_total(entries, now, program.expiry.expiring_soon_days)
    prog = progress(rolling_spend(s, member_id, now), program.tier_table())
    lang: Literal["zh", "en"] = "zh" if ctx.config.terminal.language == "zh_CN" else "en"
    coupons = tuple(
        CouponView(c.code, c.name, c.kind, c.amount, c.percent, c.threshold, c.valid_to)
        for c in s.execute(_COUPONS, {"member_id": member_id, "now": now})
    )
    return MemberView(
        id=member_id,
        masked_phone=mask_phone(row.phone),
        card_no=row.card_no,
        name=row.name,
        birthday=row.birthday,
        tier=str(prog.tier),
        progress=prog,
        progress_text=describe(prog, lang),
        points_balance=balance,
        expiring_soon=soon,
        coupons=coupons,
        lifecycle=lifecycle_stage(row.registered_at, row.last_purchase_at, now),
        registered_at=local_time(row.registered_at, ctx.tz),
        **_intel(s, row.id),
    )


def _intel(s: Session, member_id: uuid.UUID) -> dict[str, Any]:
    """The panel's part of HQ's intel for the member (nothing before the first recompute)."""
    row = s.get(orm.MemberIntel, member_id)
    if row is None:
        return {}
    suggestions = tuple(
        Suggestion(
            str(d.get("sku", "")),
            str(d.get("name_zh") or d.get("sku", "")),
            str(d.get("name_en") or d.get("sku", "")),
        )
        for d in (row.suggestions or [])
        if isinstance(d, dict) and d.get("sku")
    )
    return {
        "segment": row.segment or "",
        "tags": tuple(str(t) for t in (row.tags or [])),
        "suggestions": suggestions,
    }
