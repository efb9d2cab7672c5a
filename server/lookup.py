"""Online lookup of a member a till has not cached, by phone or by member code.

Answered from indexed reads (phone unique index, primary keys, ledger by member), and the
member is recorded as seen at the asking store so that its later changes reach that store's
tills by pull. Nothing personal is logged.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from app.domain.codes import CodeError, Keyring, RevocationList, VerifyKey, verify_member_code
from app.domain.members import InvalidPhone, normalize_phone
from server.errors import ApiError
from server.merges import MergeChainTooLong, resolve_member
from server.models import Coupon, LedgerEntry, Member, MemberStore, Revocation, Terminal
from server.pull import coupon_data, ledger_data, member_data
from sync.protocol import LookupResponse


def keyring(s: Session) -> Keyring:
    ring = Keyring()
    for key_id, public in s.execute(
        select(Terminal.key_id, Terminal.public_key).where(Terminal.key_id.is_not(None),
                                                           Terminal.revoked_at.is_(None))
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


def lookup(
    s: Session, store_id: str, phone: str | None, code: str | None, ledger_limit: int
) -> LookupResponse:
    now = datetime.now(UTC)
    member: Member | None
    if phone:
        try:
            e164 = normalize_phone(phone[:40])
        except InvalidPhone as exc:
            raise ApiError(422, f"phone_{exc.reason}", exc.message) from None
        member = s.execute(select(Member).where(Member.phone == e164)).scalar_one_or_none()
    elif code:
        try:
            claims = verify_member_code(code[:400], keyring(s), now, revocations(s))
        except CodeError as exc:
            raise ApiError(422, f"code_{exc.reason}", exc.message) from None
        member = _survivor(s, uuid.UUID(str(claims.member_id)))
    else:
        raise ApiError(422, "lookup_needs_phone_or_code", "Give a phone number or a member code.")
    if member is not None and member.merged_into is not None:
        member = _survivor(s, member.id)
    if member is None or member.stub:
        return LookupResponse(found=False)
    entries = s.execute(
        select(LedgerEntry).where(LedgerEntry.member_id == member.id)
        .order_by(LedgerEntry.at.desc(), LedgerEntry.id.desc()).limit(ledger_limit)
    ).scalars().all()
    coupons = s.execute(
        select(Coupon).where(Coupon.member_id == member.id, Coupon.status == "issued",
                             Coupon.valid_to >= now)
    ).scalars().all()
    _seen(s, member.id, store_id)
    return LookupResponse(
        found=True,
        member=member_data(member),
        ledger=[ledger_data(e) for e in reversed(entries)],
        coupons=[coupon_data(c) for c in coupons],
    )


def _seen(s: Session, member_id: uuid.UUID, store_id: str) -> None:
    if s.get(MemberStore, (member_id, store_id)) is not None:
        return
    dialect = s.get_bind().dialect.name
    ins = pg_insert if dialect == "postgresql" else sqlite_insert
    s.execute(ins(MemberStore).values(member_id=member_id, store_id=store_id).on_conflict_do_nothing())
    s.commit()
