"""Feedback use cases: take an answer, open and route its ticket, join it to its sale, and
track the ticket to closure with an optional compensation for the member.

Functions take an open SQLAlchemy ``Session`` and never commit: the caller (a route, the sync
push handler) owns the transaction. What this package needs from the server core is passed in
as :class:`FeedbackPorts` (signing keys, the sale a token names, the sync change log), so the
package is testable alone and the core stays the only owner of its tables.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from typing import Any, Final

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from app.domain import points as ledger
from app.domain.clock import DEFAULT_TZ, require_aware
from app.domain.codes import CodeError, FeedbackClaims, Keyring, RevocationList, verify_feedback_token
from app.domain.coupons import new_coupon_code
from app.domain.ids import MemberId, new_id
from server.bounds import has_control
from server.feedback.alerts import queue_escalation
from server.feedback.i18n import LANGS
from server.feedback.models import Compensation, Feedback, Ticket, TicketEvent
from server.feedback.page import COMMENT_MAX
from server.feedback.rules import CATEGORIES, NPS_RANGE, STAR_RANGE, Score, TicketRules, decide
from sync.protocol import API_PREFIX

__all__ = [
    "AlreadyAnswered",
    "CannotCompensate",
    "CompensationRequest",
    "CompensationWriter",
    "FeedbackError",
    "FeedbackPorts",
    "InvalidTransition",
    "SaleRef",
    "Submitted",
    "TicketNotFound",
    "assign_ticket",
    "close_ticket",
    "find_feedback",
    "get_ticket",
    "link_pending",
    "link_sale",
    "list_tickets",
    "parse_answer",
    "publish_pending",
    "read_token",
    "set_in_progress",
    "submit_feedback",
    "ticket_json",
]

log = logging.getLogger(__name__)

TICKET_STATUSES: Final = ("open", "in_progress", "closed")


# ---------------------------------------------------------------- ports and errors


@dataclass(frozen=True, slots=True)
class SaleRef:
    """What the feedback loop needs to know of a synced sale."""

    sale_id: uuid.UUID
    member_id: uuid.UUID | None
    # The till that made the sale (None where the core does not say): a token may only name a
    # sale of the terminal that signed it.
    terminal_id: str | None = None
    store_id: str | None = None


# (session, compensation, now): write the points / coupon into the core's loyalty tables and
# its sync change log, in the caller's transaction.
CompensationWriter = Callable[[Session, Compensation, datetime], None]

# (session, answer joined to its member, now) -> points awarded for the answer (the program's
# points for interaction), written with its pull change in the caller's transaction; 0 when
# the program awards none or this receipt's answer earned them already.
RewardWriter = Callable[[Session, Feedback, datetime], int]


def _no_keys(session: Session) -> tuple[Keyring, RevocationList | None]:
    return Keyring(), None


def _no_sale(session: Session, sale_id: uuid.UUID) -> SaleRef | None:
    return None


# (session, key id) -> (terminal id, store id) of the terminal enrolled with that key, or None.
KeyOwner = Callable[[Session, str], tuple[str, str] | None]


@dataclass(frozen=True, slots=True)
class FeedbackPorts:
    """The server core's side of the feedback loop.

    * ``keys(session)``: the enrolled terminals' public keys and the revoked key ids;
    * ``key_owner(session, key_id)``: the (terminal, store) enrolled with that key; when set,
      a token is accepted only when it names that terminal and store (None: not checked, for
      the package's own tests);
    * ``find_sale(session, sale_id)``: the synced sale, or None while it has not arrived;
    * ``compensate(session, compensation, now)``: write the compensation's ledger entry and/or
      coupon into the core's tables and change log (so tills pull it), or None when not wired
      (the compensation is then stored unpublished and :func:`publish_pending` hands it over);
    * ``points_expiry(session, store_id, at)``: when points given at `at` to a member of that
      store expire: the loyalty program in force, in the store's zone (None: the default rule
      in ``tz``, for the package's own tests).
    """

    keys: Callable[[Session], tuple[Keyring, RevocationList | None]] = _no_keys
    find_sale: Callable[[Session, uuid.UUID], SaleRef | None] = _no_sale
    key_owner: KeyOwner | None = None
    compensate: CompensationWriter | None = None
    points_expiry: Callable[[Session, str, datetime], datetime] | None = None
    reward: RewardWriter | None = None
    rules: TicketRules = field(default_factory=TicketRules)
    tz: tzinfo = DEFAULT_TZ
    feedback_open_for: timedelta = timedelta(days=30)
    coupon_valid_for: timedelta = timedelta(days=30)
    public_base_url: str = ""  # where HQ reaches this server (for the ticket link in alerts)


class FeedbackError(Exception):
    code = "feedback_error"


class AlreadyAnswered(FeedbackError):
    code = "already_answered"


class FeedbackClosed(FeedbackError):
    code = "feedback_closed"


class TicketNotFound(FeedbackError):
    code = "ticket_not_found"


class InvalidTransition(FeedbackError):
    code = "invalid_transition"


class CannotCompensate(FeedbackError):
    code = "cannot_compensate"


# ---------------------------------------------------------------- the customer's answer


def read_token(session: Session, token: str, ports: FeedbackPorts) -> FeedbackClaims:
    """Verify the token by signature against the enrolled terminals' keys, and that it is bound
    to the terminal whose key signed it: it must name that terminal and its store, and a sale
    the server already holds must be that terminal's. Raises
    :class:`app.domain.codes.CodeError` (malformed, unknown_key, bad_signature, revoked;
    ``bad_signature`` with a detail for a token naming another terminal, store or sale)."""
    keyring, revoked = ports.keys(session)
    claims = verify_feedback_token(token, keyring, revoked)
    if ports.key_owner is not None:
        owner = ports.key_owner(session, claims.key_id)
        if owner is None or owner != (claims.terminal_id, claims.store_id):
            raise CodeError(
                "bad_signature",
                "this feedback link is not valid",
                f"key {claims.key_id} is not the key of terminal {claims.terminal_id} "
                f"of store {claims.store_id}",
            )
    sale = ports.find_sale(session, claims.sale_id)
    if (
        sale is not None
        and sale.terminal_id is not None
        and (sale.terminal_id != claims.terminal_id or sale.store_id != claims.store_id)
    ):
        raise CodeError(
            "bad_signature",
            "this feedback link is not valid",
            f"sale {claims.sale_id} was made by another terminal",
        )
    return claims


def find_feedback(session: Session, claims: FeedbackClaims) -> Feedback | None:
    """The answer already given for this receipt: the same sale from the same terminal, or the
    same receipt number (an answer naming the sale from another terminal's key is not this
    receipt's and blocks nothing)."""
    return (
        session.execute(
            select(Feedback).where(
                ((Feedback.sale_id == claims.sale_id) & (Feedback.terminal_id == claims.terminal_id))
                | (
                    (Feedback.store_id == claims.store_id)
                    & (Feedback.terminal_id == claims.terminal_id)
                    & (Feedback.receipt_no == claims.receipt_no)
                )
            )
        )
        .scalars()
        .first()
    )


def parse_answer(fields: Mapping[str, str]) -> Score | list[str]:
    """The form's fields -> a :class:`Score`, or the error keys (``stars``, ``nps``,
    ``category``, ``comment``) that the page shows back in the customer's language."""
    errors: list[str] = []

    def _int(name: str, allowed: range) -> int:
        raw = fields.get(name, "").strip()
        # Short before int(): a value of thousands of digits is a wrong answer, not work.
        if len(raw) <= 3 and raw.isascii() and raw.isdigit() and int(raw) in allowed:
            return int(raw)
        errors.append(name)
        return allowed.start

    stars = _int("stars", STAR_RANGE)
    nps = _int("nps", NPS_RANGE)
    category = fields.get("category", "").strip() or None
    if category is not None and category not in CATEGORIES:
        errors.append("category")
    comment = fields.get("comment", "").replace("\r\n", "\n").strip()
    if len(comment) > COMMENT_MAX or has_control(comment):
        errors.append("comment")
    if errors:
        return errors
    return Score(stars=stars, nps=nps, category=category, comment=comment)


@dataclass(frozen=True, slots=True)
class Submitted:
    feedback: Feedback
    ticket: Ticket | None
    points: int = 0  # earned for the answer (points for interaction)


def submit_feedback(
    session: Session,
    claims: FeedbackClaims,
    score: Score,
    lang: str,
    now: datetime,
    ports: FeedbackPorts,
) -> Submitted:
    """Store the one answer for this receipt and open its ticket when the rules say so.

    Works whether or not the sale has synced: when it has, the answer is joined to it at once;
    otherwise :func:`link_sale` joins it later. Raises :class:`AlreadyAnswered` for a second
    answer (also when two arrive at the same moment: the unique keys decide) and
    :class:`FeedbackClosed` when the receipt is older than ``ports.feedback_open_for``.
    """
    require_aware(now, "now")
    if now - claims.issued_at > ports.feedback_open_for:
        raise FeedbackClosed("feedback for this receipt is closed")
    if find_feedback(session, claims) is not None:
        raise AlreadyAnswered("this receipt has already been answered")
    fb = Feedback(
        id=new_id(),
        sale_id=claims.sale_id,
        store_id=claims.store_id,
        terminal_id=claims.terminal_id,
        receipt_no=claims.receipt_no,
        key_id=claims.key_id,
        token_nonce=claims.nonce.hex(),
        token_issued_at=claims.issued_at,
        stars=score.stars,
        nps=score.nps,
        category=score.category,
        comment=score.comment,
        lang=lang if lang in LANGS else "zh",
        submitted_at=now,
        sale_linked_at=None,
        member_id=None,
    )
    sale = ports.find_sale(session, claims.sale_id)
    if sale is not None and _same_till(sale, fb):
        _join(fb, sale.sale_id, sale.member_id, now)
    try:
        with session.begin_nested():
            session.add(fb)
            session.flush()
    except IntegrityError:
        raise AlreadyAnswered("this receipt has already been answered") from None
    ticket = _open_ticket(session, fb, score, now, ports)
    points = _reward(session, fb, now, ports)
    log.info(
        "feedback stored: store=%s terminal=%s receipt=%s stars=%d nps=%d ticket=%s",
        fb.store_id,
        fb.terminal_id,
        fb.receipt_no,
        fb.stars,
        fb.nps,
        f"{ticket.severity}:{ticket.id}" if ticket else "none",
    )
    return Submitted(fb, ticket, points)


def _reward(session: Session, fb: Feedback, now: datetime, ports: FeedbackPorts) -> int:
    """Points for the answer, once it is joined to a sale with a member (now, or when the sale
    arrives: :func:`link_pending`). The writer makes it once per receipt."""
    if ports.reward is None or fb.member_id is None:
        return 0
    return ports.reward(session, fb, now)


def _event(ticket: Ticket, at: datetime, actor: str, action: str, **detail: Any) -> None:
    ticket.history.append(TicketEvent(at=at, actor=actor, action=action, detail=detail))


def _open_ticket(
    session: Session, fb: Feedback, score: Score, now: datetime, ports: FeedbackPorts
) -> Ticket | None:
    decision = decide(score, now, ports.rules)
    if decision is None:
        return None
    ticket = Ticket(
        id=new_id(),
        feedback_id=fb.id,
        store_id=fb.store_id,
        severity=str(decision.severity),
        team=decision.team,
        status="open",
        assignee=None,
        escalated_to=decision.escalate_to,
        reasons=list(decision.reasons),
        opened_at=now,
        due_at=decision.due_at,
        updated_at=now,
        closed_at=None,
        resolution="",
        history=[],
    )
    _event(
        ticket,
        now,
        "system",
        "opened",
        severity=ticket.severity,
        team=ticket.team,
        due_at=ticket.due_at.isoformat(),
        reasons=list(decision.reasons),
    )
    if decision.escalate_to:
        _event(ticket, now, "system", "escalated", to=decision.escalate_to)
        log.warning(
            "major feedback ticket %s escalated to %s (store %s, team %s)",
            ticket.id,
            decision.escalate_to,
            fb.store_id,
            ticket.team,
        )
    session.add(ticket)
    session.flush()
    if decision.escalate_to:  # announced at once, by the alert sender (alerts.py)
        base = ports.public_base_url.rstrip("/")
        queue_escalation(session, ticket, fb, now, f"{base}{API_PREFIX}/tickets/{ticket.id}" if base else "")
        session.flush()
    return ticket


# ---------------------------------------------------------------- joining the sale


def _same_till(sale: SaleRef, fb: Feedback) -> bool:
    """An answer joins only a sale of the terminal that signed its token."""
    return sale.terminal_id is None or (sale.terminal_id == fb.terminal_id and sale.store_id == fb.store_id)


def _join(fb: Feedback, sale_id: uuid.UUID, member_id: uuid.UUID | None, now: datetime) -> None:
    fb.linked_sale_id = sale_id
    fb.member_id = member_id
    fb.sale_linked_at = now


def link_sale(
    session: Session,
    sale_id: uuid.UUID,
    member_id: uuid.UUID | None,
    now: datetime,
    terminal_id: str | None = None,
    reward: RewardWriter | None = None,
) -> bool:
    """Join the answer for ``sale_id`` (if any) to its sale, now that the sale has arrived.

    The sync push handler calls this for each ``sale.completed`` it applies, in its own
    transaction, with the terminal that made the sale: only an answer whose token that
    terminal signed is joined. It is idempotent (a second call changes nothing) and cheap when
    there is no answer. Returns True when an answer was joined by this call. The member then
    earns the program's points for the answer (``reward``; by default the core's writer,
    :func:`server.feedback.core.write_feedback_points`), in the same transaction.
    """
    require_aware(now, "now")
    q = select(Feedback).where(Feedback.sale_id == sale_id, Feedback.sale_linked_at.is_(None))
    if terminal_id is not None:
        q = q.where(Feedback.terminal_id == terminal_id)
    fb = session.execute(q.order_by(Feedback.submitted_at).limit(1)).scalar_one_or_none()
    if fb is None:
        return False
    _join(fb, sale_id, member_id, now)
    session.flush()
    if member_id is not None:
        (reward or _core_reward())(session, fb, now)
    return True


def _core_reward() -> RewardWriter:
    from server.feedback.core import write_feedback_points  # the core's ledger (imports this module)

    return write_feedback_points


def link_pending(session: Session, ports: FeedbackPorts, now: datetime, limit: int = 500) -> int:
    """Join answers whose sale has arrived since (a sweep, for a push handler that did not
    call :func:`link_sale`). Returns how many were joined."""
    pending = (
        session.execute(
            select(Feedback)
            .where(Feedback.sale_linked_at.is_(None))
            .order_by(Feedback.submitted_at)
            .limit(limit)
        )
        .scalars()
        .all()
    )
    joined = 0
    for fb in pending:
        sale = ports.find_sale(session, fb.sale_id)
        if sale is not None and _same_till(sale, fb):
            _join(fb, sale.sale_id, sale.member_id, now)
            joined += 1
            _reward(session, fb, now, ports)
    session.flush()
    return joined


# ---------------------------------------------------------------- tickets (HQ)


def get_ticket(session: Session, ticket_id: uuid.UUID) -> Ticket:
    ticket = session.execute(
        select(Ticket)
        .where(Ticket.id == ticket_id)
        .options(
            selectinload(Ticket.history), selectinload(Ticket.feedback), selectinload(Ticket.compensation)
        )
    ).scalar_one_or_none()
    if ticket is None:
        raise TicketNotFound(f"no ticket {ticket_id}")
    return ticket


def list_tickets(
    session: Session,
    now: datetime,
    *,
    status: str | None = None,
    team: str | None = None,
    store_id: str | None = None,
    severity: str | None = None,
    overdue: bool | None = None,
    limit: int = 100,
    offset: int = 0,
) -> Sequence[Ticket]:
    """Tickets, most urgent first (earliest due), filtered as asked."""
    q = select(Ticket).options(selectinload(Ticket.feedback), selectinload(Ticket.compensation))
    if status:
        q = q.where(Ticket.status == status)
    if team:
        q = q.where(Ticket.team == team)
    if store_id:
        q = q.where(Ticket.store_id == store_id)
    if severity:
        q = q.where(Ticket.severity == severity)
    if overdue is True:
        q = q.where(overdue_clause(now))
    elif overdue is False:
        q = q.where((Ticket.status == "closed") | (Ticket.due_at >= now))
    q = q.order_by(Ticket.due_at, Ticket.id).limit(max(1, min(limit, 500))).offset(max(0, offset))
    return session.execute(q).scalars().all()


def overdue_clause(now: datetime) -> ColumnElement[bool]:
    """An open ticket past its SLA deadline."""
    return and_(Ticket.status != "closed", Ticket.due_at < now)


def attention_clause(now: datetime) -> ColumnElement[bool]:
    """An open ticket that needs someone now: past its SLA, or escalated by the rules
    (`TicketRules.escalate`, a major one to the area manager)."""
    return and_(Ticket.status != "closed", or_(Ticket.due_at < now, Ticket.escalated_to.is_not(None)))


def count_attention(session: Session, now: datetime, store_ids: Sequence[str] | None = None) -> int:
    """How many tickets need attention (`attention_clause`), in these stores (None: all)."""
    q = select(func.count()).select_from(Ticket).where(attention_clause(now))
    if store_ids is not None:
        q = q.where(Ticket.store_id.in_(list(store_ids)))
    return int(session.execute(q).scalar_one())


def count_open(session: Session) -> int:
    return int(
        session.execute(
            select(func.count()).select_from(Ticket).where(Ticket.status != "closed")
        ).scalar_one()
    )


def _not_closed(ticket: Ticket) -> None:
    if ticket.status == "closed":
        raise InvalidTransition("the ticket is closed")


def assign_ticket(
    session: Session, ticket_id: uuid.UUID, assignee: str, actor: str, now: datetime, team: str | None = None
) -> Ticket:
    """Give the ticket to a person (and optionally another team); an open ticket becomes
    in_progress."""
    ticket = get_ticket(session, ticket_id)
    _not_closed(ticket)
    assignee = assignee.strip()
    if not assignee:
        raise InvalidTransition("an assignee is needed")
    ticket.assignee = assignee[:80]
    detail: dict[str, Any] = {"assignee": ticket.assignee}
    if team and team != ticket.team:
        detail["team"] = {"from": ticket.team, "to": team[:40]}
        ticket.team = team[:40]
    if ticket.status == "open":
        ticket.status = "in_progress"
        detail["status"] = "in_progress"
    ticket.updated_at = now
    _event(ticket, now, actor, "assigned", **detail)
    session.flush()
    return ticket


def set_in_progress(
    session: Session, ticket_id: uuid.UUID, actor: str, now: datetime, note: str = ""
) -> Ticket:
    ticket = get_ticket(session, ticket_id)
    _not_closed(ticket)
    if ticket.status != "in_progress":
        ticket.status = "in_progress"
        ticket.updated_at = now
        _event(ticket, now, actor, "status", status="in_progress", note=note[:500])
    elif note:
        ticket.updated_at = now
        _event(ticket, now, actor, "note", note=note[:500])
    session.flush()
    return ticket


@dataclass(frozen=True, slots=True)
class CompensationRequest:
    """Points and/or an amount-off coupon (fen) for the member of the ticket's sale."""

    points: int = 0
    coupon_amount: int = 0
    coupon_threshold: int = 0

    def __post_init__(self) -> None:
        if self.points < 0 or self.coupon_amount < 0 or self.coupon_threshold < 0:
            raise ValueError("compensation values cannot be negative")
        if self.points == 0 and self.coupon_amount == 0:
            raise ValueError("a compensation gives points, a coupon, or both")


def _prepare(
    session: Session, comp: Compensation, store_id: str, now: datetime, ports: FeedbackPorts
) -> None:
    """Fix the ids, code and dates of what the compensation gives, before the core writes it."""
    if comp.points:
        expires = ports.points_expiry(session, store_id, now) if ports.points_expiry is not None else None
        entry = ledger.compensate(
            MemberId(comp.member_id), comp.points, now, note=comp.reason, tz=ports.tz, expires_at=expires
        )
        comp.ledger_entry_id = entry.id
        comp.points_expire_at = entry.expires_at
    if comp.coupon_amount:
        comp.coupon_id = new_id()
        comp.coupon_code = new_coupon_code()
        comp.coupon_valid_to = now + ports.coupon_valid_for


def publish_pending(session: Session, ports: FeedbackPorts, now: datetime) -> int:
    """Hand compensations stored while no ``ports.compensate`` was wired to the core."""
    if ports.compensate is None:
        return 0
    rows = session.execute(select(Compensation).where(Compensation.published_at.is_(None))).scalars().all()
    for comp in rows:
        ports.compensate(session, comp, now)
        comp.published_at = now
    session.flush()
    return len(rows)


def close_ticket(
    session: Session,
    ticket_id: uuid.UUID,
    actor: str,
    now: datetime,
    ports: FeedbackPorts,
    resolution: str = "",
    compensation: CompensationRequest | None = None,
) -> Ticket:
    """Close the ticket, optionally compensating the member of the ticket's sale.

    The compensation is recorded here and handed to ``ports.compensate`` in the same
    transaction, which writes the core's ledger entry / coupon and its pull changes, so it
    reaches the member's tills by sync. Raises
    :class:`CannotCompensate` when the sale has not arrived yet or had no member (the ticket
    then stays as it was), :class:`InvalidTransition` when it is already closed.
    """
    require_aware(now, "now")
    ticket = get_ticket(session, ticket_id)
    _not_closed(ticket)
    if compensation is not None:
        fb = ticket.feedback
        if fb.sale_linked_at is None:
            sale = ports.find_sale(session, fb.sale_id)
            if sale is not None and _same_till(sale, fb):
                _join(fb, sale.sale_id, sale.member_id, now)
        if fb.sale_linked_at is None:
            raise CannotCompensate("the sale has not reached the server yet; try again after it syncs")
        if fb.member_id is None:
            raise CannotCompensate("the sale had no member to compensate")
        comp = Compensation(
            id=new_id(),
            ticket_id=ticket.id,
            member_id=fb.member_id,
            points=compensation.points,
            coupon_amount=compensation.coupon_amount,
            coupon_threshold=compensation.coupon_threshold,
            reason=f"compensation:{ticket.id}",
            at=now,
            actor=actor[:80],
            published_at=None,
        )
        _prepare(session, comp, fb.store_id, now, ports)
        session.add(comp)
        ticket.compensation = comp
        session.flush()
        if ports.compensate is not None:
            ports.compensate(session, comp, now)
            comp.published_at = now
        _event(
            ticket,
            now,
            actor,
            "compensated",
            points=comp.points,
            coupon_amount=comp.coupon_amount,
            coupon_code=comp.coupon_code,
            published=comp.published_at is not None,
        )
        log.info(
            "ticket %s compensation: points=%d coupon=%d fen", ticket.id, comp.points, comp.coupon_amount
        )
    ticket.status = "closed"
    ticket.closed_at = now
    ticket.updated_at = now
    ticket.resolution = resolution[:2000]
    _event(ticket, now, actor, "closed", resolution=ticket.resolution, within_sla=now <= ticket.due_at)
    session.flush()
    return ticket


def ticket_json(ticket: Ticket, now: datetime) -> dict[str, Any]:
    """A ticket for the HQ API (no member phone or name: the member is an id)."""
    fb = ticket.feedback
    comp = ticket.compensation
    return {
        "id": str(ticket.id),
        "store_id": ticket.store_id,
        "severity": ticket.severity,
        "team": ticket.team,
        "status": ticket.status,
        "assignee": ticket.assignee,
        "escalated_to": ticket.escalated_to,
        "reasons": list(ticket.reasons),
        "opened_at": ticket.opened_at.isoformat(),
        "due_at": ticket.due_at.isoformat(),
        "overdue": ticket.status != "closed" and ticket.due_at < now,
        "closed_at": ticket.closed_at.isoformat() if ticket.closed_at else None,
        "resolution": ticket.resolution,
        "feedback": {
            "id": str(fb.id),
            "sale_id": str(fb.sale_id),
            "terminal_id": fb.terminal_id,
            "receipt_no": fb.receipt_no,
            "stars": fb.stars,
            "nps": fb.nps,
            "category": fb.category,
            "comment": fb.comment,
            "lang": fb.lang,
            "submitted_at": fb.submitted_at.isoformat(),
            "sale_linked": fb.sale_linked_at is not None,
            "member_id": str(fb.member_id) if fb.member_id else None,
        },
        "compensation": None
        if comp is None
        else {
            "points": comp.points,
            "coupon_amount": comp.coupon_amount,
            "coupon_threshold": comp.coupon_threshold,
            "coupon_code": comp.coupon_code,
            "at": comp.at.isoformat(),
            "published": comp.published_at is not None,
        },
    }


def history_json(ticket: Ticket) -> list[dict[str, Any]]:
    return [
        {"at": e.at.isoformat(), "actor": e.actor, "action": e.action, "detail": e.detail}
        for e in ticket.history
    ]
