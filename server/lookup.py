"""Online lookup of a member a till has not cached, by phone or by member code.

Answered from indexed reads (phone unique index, primary keys, ledger by member), and the
member is recorded as seen at the asking store so that its later changes reach that store's
tills by pull. Every look-up is kept in ``member_lookups`` (which till, when, by phone or
code, why, which member: never the phone or the code itself), and a till may make at most
``LOOKUP_LIMIT`` of them per ``LOOKUP_WINDOW_S``: more are refused 429 (and recorded as
refused), so a stolen till token cannot page through the member base. The answer carries
what a till needs to sell to the member (no household notes, no favourite categories).
Nothing personal is logged.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.domain.codes import CodeError, Keyring, RevocationList, VerifyKey, verify_member_code
from app.domain.members import InvalidPhone, normalize_phone
from server.errors import ApiError
from server.merges import MergeChainTooLong, resolve_member
from server.models import Coupon, LedgerEntry, Member, MemberLookup, MemberStore, Revocation, Terminal
from server.pull import coupon_data, ledger_data, start_seeing, till_member_view
from sync.protocol import LookupResponse

# Why a till asks (the `reason` query parameter; a till that sends none is identifying a
# customer at the checkout).
LOOKUP_REASONS: Final = ("checkout", "refund", "register", "support")


@dataclass(frozen=True, slots=True)
class LookupLimit:
    """At most ``count`` answered look-ups per terminal in any ``window``."""

    count: int
    window: timedelta


def keyring(s: Session) -> Keyring:
    ring = Keyring()
    for key_id, public in s.execute(
        select(Terminal.key_id, Terminal.public_key).where(
            Terminal.key_id.is_not(None), Terminal.revoked_at.is_(None)
        )
    ):
        if key_id is None or public is None:
            continue
        try:
            ring.add(VerifyKey.from_base64(key_id, public))
        except (ValueError, TypeError):
            continue
    return ring


def revocations(s: Session) -> RevocationList:
    rl = RevocationList()
    for kind, value in s.execute(select(Revocation.kind, Revocation.value)):
        rl.add(kind, value)
    return rl


def _survivor(s: Session, member_id: uuid.UUID) -> Member | None:
    try:
        return resolve_member(s, member_id)
    except MergeChainTooLong:
        return None  # damaged merge links: not found rather than a wrong member


def _phone(phone: str) -> str:
    try:
        return normalize_phone(phone[:40])
    except InvalidPhone as exc:
        raise ApiError(422, f"phone_{exc.reason}", exc.message) from None


def _member_id_from_code(s: Session, code: str, now: datetime) -> tuple[uuid.UUID, str | None]:
    """The member a code names and the store of the till whose key signed it."""
    try:
        claims = verify_member_code(code[:400], keyring(s), now, revocations(s))
    except CodeError as exc:
        raise ApiError(422, f"code_{exc.reason}", exc.message) from None
    signer = s.execute(select(Terminal.store_id).where(Terminal.key_id == claims.key_id)).scalar()
    return uuid.UUID(str(claims.member_id)), signer


def _record(
    s: Session,
    terminal_id: str,
    store_id: str,
    now: datetime,
    by: str,
    reason: str,
    outcome: str,
    member_id: uuid.UUID | None,
) -> None:
    s.add(
        MemberLookup(
            terminal_id=terminal_id,
            store_id=store_id,
            at=now,
            by=by,
            reason=reason,
            outcome=outcome,
            member_id=member_id,
        )
    )


def _within_limit(s: Session, terminal_id: str, now: datetime, limit: LookupLimit) -> bool:
    made = s.execute(
        select(func.count())
        .select_from(MemberLookup)
        .where(
            MemberLookup.terminal_id == terminal_id,
            MemberLookup.at > now - limit.window,
            MemberLookup.outcome != "refused",
        )
    ).scalar_one()
    return int(made) < limit.count


def lookup(
    s: Session,
    terminal_id: str,
    store_id: str,
    phone: str | None,
    code: str | None,
    ledger_limit: int,
    limit: LookupLimit,
    reason: str = "checkout",
) -> LookupResponse:
    """Find the member; records the look-up and commits. Raises ApiError 422 (bad phone or
    code, or neither) and 429 ``lookup_limit`` (this till asked too often)."""
    now = datetime.now(UTC)
    if not phone and not code:
        raise ApiError(422, "lookup_needs_phone_or_code", "Give a phone number or a member code.")
    by = "phone" if phone else "code"
    e164 = _phone(phone) if phone else None
    code_member, signer = _member_id_from_code(s, code, now) if code and not phone else (None, None)
    if not _within_limit(s, terminal_id, now, limit):
        _record(s, terminal_id, store_id, now, by, reason, "refused", None)
        s.commit()
        raise ApiError(
            429,
            "lookup_limit",
            f"This till made {limit.count} member look-ups in the last "
            f"{int(limit.window.total_seconds())} s; try again later.",
            {"Retry-After": str(int(limit.window.total_seconds()))},
        )
    member: Member | None
    if e164 is not None:
        member = s.execute(select(Member).where(Member.phone == e164)).scalar_one_or_none()
    else:
        assert code_member is not None
        member = _survivor(s, code_member)
    if member is not None and member.merged_into is not None:
        member = _survivor(s, member.id)
    if member is not None and signer == store_id and s.get(MemberStore, (member.id, store_id)) is None:
        # A code signed by one of the asking store's own tills, for a member that store never
        # identified: a till holding its key can sign one for any member id (member codes
        # carry it in clear), so it identifies nobody (as for a sale's member code).
        _record(s, terminal_id, store_id, now, by, reason, "self_signed", None)
        s.commit()
        return LookupResponse(found=False)
    found = member is not None and not member.stub
    _record(
        s,
        terminal_id,
        store_id,
        now,
        by,
        reason,
        "found" if found else "not_found",
        member.id if found and member is not None else None,
    )
    if not found or member is None:
        s.commit()
        return LookupResponse(found=False)
    answer = _answer(s, member, now, ledger_limit)
    _seen(s, member.id, store_id)
    s.commit()
    return answer


def _answer(s: Session, member: Member, now: datetime, ledger_limit: int) -> LookupResponse:
    entries = (
        s.execute(
            select(LedgerEntry)
            .where(LedgerEntry.member_id == member.id)
            .order_by(LedgerEntry.at.desc(), LedgerEntry.id.desc())
            .limit(ledger_limit)
        )
        .scalars()
        .all()
    )
    coupons = (
        s.execute(
            select(Coupon).where(
                Coupon.member_id == member.id, Coupon.status == "issued", Coupon.valid_to >= now
            )
        )
        .scalars()
        .all()
    )
    return LookupResponse(
        found=True,
        member=till_member_view(member),
        ledger=[ledger_data(e) for e in reversed(entries)],
        coupons=[coupon_data(c) for c in coupons],
    )


def _seen(s: Session, member_id: uuid.UUID, store_id: str) -> None:
    """The store sees the member from now on: its tills' pulls carry the member's current
    state once, then its changes, never its older rows (`server.pull.start_seeing`)."""
    if s.get(MemberStore, (member_id, store_id)) is not None:
        return
    start_seeing(s, member_id, store_id)
