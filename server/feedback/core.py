"""The feedback loop wired to the server core: enrolled keys, synced sales, ledger, coupons
and the pull change log (:mod:`server.pull`).

``core_ports()`` gives the :class:`~server.feedback.service.FeedbackPorts` the routes use.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.codes import Keyring, RevocationList, VerifyKey
from app.domain.points import EntryKind
from server.feedback.models import Compensation, Feedback
from server.feedback.service import FeedbackPorts, SaleRef
from server.merges import MergeChainTooLong, resolve_member
from server.models import Coupon, LedgerEntry, Revocation, Sale, Terminal
from server.program import Programs, store_zone
from server.pull import coupon_changed, ledger_added

__all__ = [
    "core_ports",
    "feedback_entry_id",
    "key_owner_from_core",
    "keys_from_core",
    "sale_from_core",
    "write_compensation",
    "write_feedback_points",
]


def keys_from_core(session: Session) -> tuple[Keyring, RevocationList]:
    """Every enrolled terminal's public key; a revoked terminal's key is listed as revoked (its
    old receipts are refused politely), as is any key revoked by id."""
    keyring = Keyring()
    revoked = RevocationList()
    rows = session.execute(
        select(Terminal.key_id, Terminal.public_key, Terminal.revoked_at).where(
            Terminal.key_id.is_not(None), Terminal.public_key.is_not(None)
        )
    ).all()
    for key_id, public_key, revoked_at in rows:
        try:
            keyring.add(VerifyKey.from_base64(str(key_id), str(public_key)))
        except ValueError:
            continue  # a bad stored key verifies nothing; enrolment validates keys anyway
        if revoked_at is not None:
            revoked.revoke_key(str(key_id))
    for (value,) in session.execute(select(Revocation.value).where(Revocation.kind == "key")):
        revoked.revoke_key(str(value))
    return keyring, revoked


def sale_from_core(session: Session, sale_id: uuid.UUID) -> SaleRef | None:
    row = session.execute(
        select(Sale.id, Sale.member_id, Sale.terminal_id, Sale.store_id).where(Sale.id == sale_id)
    ).first()
    if row is None:
        return None
    return SaleRef(sale_id=row[0], member_id=row[1], terminal_id=row[2], store_id=row[3])


def key_owner_from_core(session: Session, key_id: str) -> tuple[str, str] | None:
    """The (terminal, store) enrolled with ``key_id``: a feedback token must name them."""
    row = session.execute(select(Terminal.id, Terminal.store_id).where(Terminal.key_id == key_id)).first()
    return None if row is None else (str(row[0]), str(row[1]))


def _surviving_member(session: Session, member_id: uuid.UUID) -> uuid.UUID:
    """A merged-away member id resolves to the member that survived the merge."""
    try:
        member = resolve_member(session, member_id)
    except MergeChainTooLong:
        return member_id  # damaged links: the entry stays with the id the sale named
    return member_id if member is None else member.id


def write_compensation(session: Session, comp: Compensation, now: datetime) -> None:
    """The compensation's points as an HQ ledger entry (kind ``compensate``) and its coupon as a
    member coupon, each with its pull change, in the caller's transaction."""
    member_id = _surviving_member(session, comp.member_id)
    if comp.points and comp.ledger_entry_id is not None:
        entry = LedgerEntry(
            id=comp.ledger_entry_id,
            member_id=member_id,
            kind=str(EntryKind.COMPENSATE),
            points=comp.points,
            at=now,
            expires_at=comp.points_expire_at,
            sale_id=None,
            refund_id=None,
            note=comp.reason,
            terminal_id=None,
            event_id=None,
        )
        session.add(entry)
        session.flush()
        ledger_added(session, entry, now)
    if comp.coupon_amount and comp.coupon_id is not None and comp.coupon_code and comp.coupon_valid_to:
        coupon = Coupon(
            id=comp.coupon_id,
            code=comp.coupon_code,
            name="Sorry",
            kind="amount_off",
            amount=comp.coupon_amount,
            percent="0",
            cap=None,
            threshold=comp.coupon_threshold,
            multiplier="1",
            gift_sku=None,
            categories=[],
            skus=[],
            stackable=False,
            member_only=True,
            member_id=member_id,
            store_id=None,
            valid_from=now,
            valid_to=comp.coupon_valid_to,
            status="issued",
            issued_reason=comp.reason,
            issued_at=now,
            redeemed_sale_id=None,
            terminal_id=None,
        )
        session.add(coupon)
        session.flush()
        coupon_changed(session, coupon, now)


def program_expiry(s: Session, store_id: str, at: datetime) -> datetime:
    """When points given at `at` to a member of `store_id` expire: the program in force then,
    in the store's zone (as push does for the points it writes)."""
    return Programs.load(s).at(at).expires_at(at, store_zone(s, store_id))


# The ledger entry a receipt's answer earns is named by the sale: one per receipt, whatever
# path (the answer's own request, a later join) writes it, and a retry finds it written.
_FEEDBACK_POINTS_NS = uuid.UUID("5d0b6f4e-2b7a-4c1e-9a55-0f1d2c3b4a50")


def feedback_entry_id(sale_id: uuid.UUID) -> uuid.UUID:
    return uuid.uuid5(_FEEDBACK_POINTS_NS, f"feedback:{sale_id}")


def write_feedback_points(session: Session, fb: Feedback, now: datetime) -> int:
    """Points for interaction: the program in force when the answer came names how many
    (`feedback_points`); an `earn` entry for the sale's member (the survivor of a merge), once
    per receipt, with its pull change so the member's tills get it. Returns the points (0: the
    program gives none, or the receipt earned them already)."""
    if fb.member_id is None:
        return 0
    program = Programs.load(session).at(fb.submitted_at)
    points = program.feedback_points
    entry_id = feedback_entry_id(fb.linked_sale_id or fb.sale_id)
    if points <= 0 or session.get(LedgerEntry, entry_id) is not None:
        return 0
    entry = LedgerEntry(
        id=entry_id,
        member_id=_surviving_member(session, fb.member_id),
        kind=str(EntryKind.EARN),
        points=points,
        at=now,
        expires_at=program.expires_at(now, store_zone(session, fb.store_id)),
        sale_id=None,
        refund_id=None,
        note=f"feedback:{fb.receipt_no}"[:200],
        terminal_id=None,
        event_id=None,
    )
    session.add(entry)
    session.flush()
    ledger_added(session, entry, now)
    return points


def core_ports(**kw: object) -> FeedbackPorts:
    """Ports on the core's tables; keyword arguments override the policy fields (``rules``,
    ``tz``, ``feedback_open_for``, ``coupon_valid_for``)."""
    return FeedbackPorts(
        keys=keys_from_core,
        find_sale=sale_from_core,
        key_owner=key_owner_from_core,
        compensate=write_compensation,
        points_expiry=program_expiry,
        reward=write_feedback_points,
        **kw,  # type: ignore[arg-type]
    )
