"""Applying pulled changes (sync/protocol.ENTITIES) to the till's store.

Rules:
- A page and its cursor commit in one SQLite transaction. A `member_alias` change is applied
  through `app.services.merges.apply_merge`, which runs its own transaction; the page is then
  split there: the changes before it commit with the cursor just before the merge, the merge
  commits (it is idempotent, so a crash in between only repeats it), and the rest follows.
- A row with a local change the server has not acknowledged yet (its outbox event is unsent)
  is never overwritten: a member registered or seen in an unsent event, a coupon redeemed or
  issued in one. The server sends the row again once it has applied the till's event.
- The ledger is append-only: an entry the till holds already is never changed, and entries of
  this till's own sales or refunds are not added twice.
- One bad change (unreadable data, unknown member) is skipped and reported; it does not stop
  the page (a poison change must not stall sync forever).
- `revocation` and `public_key` changes make the context drop its cached trust.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from app.domain.codes import RevocationList, VerifyKey
from app.domain.ids import MemberId
from app.services.context import TillContext
from app.services.errors import TillError
from app.services.merges import apply_merge
from app.store import orm
from sync.protocol import ENTITIES, Change
from sync.state import set_cursor

log = logging.getLogger(__name__)


@dataclass
class ApplyReport:
    applied: int = 0
    kept_local: int = 0  # not applied: the till has an unsent change to that row
    skipped: int = 0  # not applied: nothing to do, or not applicable at this till
    failed: int = 0  # not applied: the change could not be read or stored
    merges: int = 0
    trust_changed: bool = False
    problems: list[str] = field(default_factory=list)

    def add(self, other: ApplyReport) -> None:
        self.applied += other.applied
        self.kept_local += other.kept_local
        self.skipped += other.skipped
        self.failed += other.failed
        self.merges += other.merges
        self.trust_changed = self.trust_changed or other.trust_changed
        self.problems.extend(other.problems)

    def note(self, text: str) -> None:
        if len(self.problems) < 50:
            self.problems.append(text)


@dataclass
class Dirty:
    """Rows with a local change the server has not acknowledged (from the unsent outbox)."""

    members: set[uuid.UUID] = field(default_factory=set)
    coupon_ids: set[uuid.UUID] = field(default_factory=set)
    coupon_codes: set[str] = field(default_factory=set)


def _uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None


def unsent_changes(s: Session) -> Dirty:
    dirty = Dirty()
    rows = s.execute(select(orm.OutboxEvent.type, orm.OutboxEvent.payload)
                     .where(orm.OutboxEvent.sent_at.is_(None)))
    for _type, payload in rows:
        if not isinstance(payload, dict):
            continue
        mid = _uuid(payload.get("member_id"))
        if mid is not None:
            dirty.members.add(mid)
        cid = _uuid(payload.get("coupon_id"))
        if cid is not None:
            dirty.coupon_ids.add(cid)
        if isinstance(payload.get("code"), str):
            dirty.coupon_codes.add(payload["code"])
        if isinstance(payload.get("welcome_coupon"), str):
            dirty.coupon_codes.add(payload["welcome_coupon"])
        for c in payload.get("coupons") or ():
            if isinstance(c, dict) and isinstance(c.get("code"), str):
                dirty.coupon_codes.add(c["code"])
        for code in payload.get("coupons_returned") or ():
            if isinstance(code, str):
                dirty.coupon_codes.add(code)
    return dirty


# ------------------------------------------------------------------------------ values


class BadChange(ValueError):
    pass


def _coerce(python_type: type | None, value: Any) -> Any:
    if value is None or python_type is None:
        return value
    if python_type is uuid.UUID:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    if python_type is datetime:
        at = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
        return at if at.tzinfo is not None else at.replace(tzinfo=UTC)
    if python_type is date:
        return value if isinstance(value, date) else date.fromisoformat(str(value))
    if python_type is bool:
        if isinstance(value, str):
            return value.lower() in ("1", "true", "yes")
        return bool(value)
    if python_type is int:
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise BadChange(f"not an integer: {value!r}")
        return int(value)
    if python_type is str:
        return str(value)
    return value  # JSON columns: lists and dicts as they come


def _python_type(column: Any) -> type | None:
    kind = column.type
    for candidate in (kind, getattr(kind, "impl", None)):  # a TypeDecorator: its implementation
        if candidate is None:
            continue
        try:
            found = candidate.python_type
        except NotImplementedError:
            continue
        if found is not object:
            return found  # type: ignore[no-any-return]
    return None


def row_values(model: type[orm.Base], data: dict[str, Any]) -> dict[str, Any]:
    """The columns of `model` present in `data`, converted from JSON; other keys are ignored
    (a newer server may send more)."""
    out: dict[str, Any] = {}
    for column in model.__table__.columns:
        if column.key in data:
            try:
                out[column.key] = _coerce(_python_type(column), data[column.key])
            except (ValueError, TypeError) as exc:
                raise BadChange(f"{model.__tablename__}.{column.key}: {exc}") from exc
    return out


# ------------------------------------------------------------------------------ entities


class _Applier:
    def __init__(self, ctx: TillContext, s: Session, dirty: Dirty, report: ApplyReport) -> None:
        self.ctx = ctx
        self.s = s
        self.dirty = dirty
        self.report = report

    def _survivor(self, member_id: uuid.UUID | None) -> uuid.UUID | None:
        """The local member id for `member_id` (following aliases), or None if unknown."""
        if member_id is None:
            return None
        row = self.s.get(orm.Member, member_id)
        if row is None:
            alias = self.s.get(orm.MemberAlias, member_id)
            if alias is None:
                return None
            row = self.s.get(orm.Member, alias.member_id)
        while row is not None and row.merged_into is not None:
            row = self.s.get(orm.Member, row.merged_into)
        return None if row is None else row.id

    def _local(self, model: type[orm.Base], key: Any) -> Any:
        return None if key is None else self.s.get(model, key)

    def apply(self, ch: Change) -> str:
        """Apply one change; returns 'applied', 'kept_local', 'skipped' or 'conflict'."""
        handler = getattr(self, "_" + ch.entity, None)
        if ch.entity not in ENTITIES or handler is None:
            self.report.note(f"change {ch.seq}: unknown entity {ch.entity!r}")
            return "skipped"
        return str(handler(ch))

    def _member(self, ch: Change) -> str:
        if ch.op == "delete":
            return "skipped"  # members are never deleted at a till (old receipts name them)
        values = row_values(orm.Member, ch.data)
        member_id = values.pop("id", None) or uuid.UUID(ch.key)
        if member_id in self.dirty.members:
            return "kept_local"
        merged_into = values.get("merged_into")
        if merged_into is not None and self.s.get(orm.Member, merged_into) is None:
            values.pop("merged_into")  # the survivor is not cached here; the alias will come
        clash = self.s.execute(select(orm.Member).where(
            orm.Member.id != member_id,
            or_(orm.Member.phone == values.get("phone", ""),
                orm.Member.card_no == values.get("card_no", "")),
        )).scalars().first()
        if clash is not None:
            return "kept_local" if clash.id in self.dirty.members else "conflict"
        row = self.s.get(orm.Member, member_id)
        if row is None:
            self.s.add(orm.Member(id=member_id, **values))
        else:
            for k, v in values.items():
                setattr(row, k, v)
        return "applied"

    def _ledger_entry(self, ch: Change) -> str:
        if ch.op == "delete":
            return "skipped"  # append-only
        values = row_values(orm.LedgerEntry, ch.data)
        entry_id = values.pop("id", None) or uuid.UUID(ch.key)
        if self.s.get(orm.LedgerEntry, entry_id) is not None:
            return "skipped"  # held already; ledger rows never change
        member_id = self._survivor(values.get("member_id"))
        if member_id is None:
            self.report.note(f"change {ch.seq}: ledger entry of a member not cached here")
            return "skipped"
        values["member_id"] = member_id
        kind = values.get("kind")
        for col, model in (("sale_id", orm.Sale), ("refund_id", orm.Refund)):
            ref = values.get(col)
            if ref is None:
                continue
            if self._local(model, ref) is None:
                values[col] = None  # another till's sale: not in this store
                continue
            # This till's own sale or refund: its entries were written here at the time.
            held = self.s.execute(select(orm.LedgerEntry.id).where(
                getattr(orm.LedgerEntry, col) == ref, orm.LedgerEntry.kind == kind)).first()
            if held is not None:
                return "skipped"
        self.s.add(orm.LedgerEntry(id=entry_id, **values))
        return "applied"

    def _coupon(self, ch: Change) -> str:
        values = row_values(orm.Coupon, ch.data)
        coupon_id = values.pop("id", None) or uuid.UUID(ch.key)
        code = values.get("code")
        row = self.s.get(orm.Coupon, coupon_id)
        if row is None and code:
            # The same coupon under the id the server gave it (a welcome coupon made here).
            row = self.s.execute(select(orm.Coupon).where(orm.Coupon.code == code)).scalars().first()
        if row is not None and (row.id in self.dirty.coupon_ids or row.code in self.dirty.coupon_codes):
            return "kept_local"
        if ch.op == "delete":
            if row is None:
                return "skipped"
            row.status = "void"
            return "applied"
        if "member_id" in values and values["member_id"] is not None:
            member_id = self._survivor(values["member_id"])
            if member_id is None:
                self.report.note(f"change {ch.seq}: coupon of a member not cached here")
                return "skipped"
            values["member_id"] = member_id
        if values.get("redeemed_sale_id") is not None and \
                self._local(orm.Sale, values["redeemed_sale_id"]) is None:
            values["redeemed_sale_id"] = None
        if row is None:
            self.s.add(orm.Coupon(id=coupon_id, **values))
        else:
            for k, v in values.items():
                setattr(row, k, v)
        return "applied"

    def _product(self, ch: Change) -> str:
        product_id = uuid.UUID(ch.key) if ch.op == "delete" else None
        if ch.op == "delete":
            self.s.execute(delete(orm.Product).where(orm.Product.id == product_id))
            return "applied"
        values = row_values(orm.Product, ch.data)
        product_id = values.pop("id", None) or uuid.UUID(ch.key)
        if "sku" in values:  # the server's catalogue wins: a barcode moved to another product
            self.s.execute(delete(orm.Product).where(orm.Product.sku == values["sku"],
                                                     orm.Product.id != product_id))
        row = self.s.get(orm.Product, product_id)
        if row is None:
            self.s.add(orm.Product(id=product_id, **values))
        else:
            for k, v in values.items():
                setattr(row, k, v)
        return "applied"

    def _promotion(self, ch: Change) -> str:
        if ch.op == "delete":
            self.s.execute(delete(orm.Promotion).where(orm.Promotion.id == ch.key))
            return "applied"
        values = row_values(orm.Promotion, ch.data)
        promo_id = values.pop("id", None) or ch.key
        row = self.s.get(orm.Promotion, promo_id)
        if row is None:
            self.s.add(orm.Promotion(id=promo_id, **values))
        else:
            for k, v in values.items():
                setattr(row, k, v)
        return "applied"

    def _revocation(self, ch: Change) -> str:
        if ch.op == "delete":
            return "skipped"  # revocations are only ever added at a till
        kind, value = ch.data.get("kind"), ch.data.get("value")
        if not kind or not value:
            kind, _, value = ch.key.partition(":")
        kind, value = str(kind), str(value)
        try:
            RevocationList().add(kind, value)  # one that cannot be read must not poison trust
        except ValueError as exc:
            raise BadChange(f"revocation {kind}:{value}: {exc}") from exc
        at = _coerce(datetime, ch.data.get("at")) or self.ctx.now()
        if self.s.get(orm.Revocation, (kind, value)) is None:
            self.s.add(orm.Revocation(kind=kind, value=value, at=at))
            self.report.trust_changed = True
        return "applied"

    def _public_key(self, ch: Change) -> str:
        key_id = str(ch.data.get("key_id") or ch.key)
        if key_id == self.ctx.signer.key_id:
            return "skipped"  # the till's own key is its own
        self.report.trust_changed = True
        if ch.op == "delete":
            self.s.execute(delete(orm.PublicKey).where(orm.PublicKey.key_id == key_id))
            return "applied"
        public = ch.data.get("public_key")
        try:
            VerifyKey.from_base64(key_id, str(public or ""))
        except (ValueError, TypeError) as exc:
            raise BadChange(f"public key {key_id}: {exc}") from exc
        row = self.s.get(orm.PublicKey, key_id)
        if row is None:
            self.s.add(orm.PublicKey(key_id=key_id, public_key=str(public),
                                     terminal_id=str(ch.data.get("terminal_id") or ""),
                                     added_at=self.ctx.now()))
        else:
            row.public_key = str(public)
            row.terminal_id = str(ch.data.get("terminal_id") or row.terminal_id)
        return "applied"


def _apply_one(applier: _Applier, ch: Change) -> str:
    s = applier.s
    try:
        with s.begin_nested():
            outcome = applier.apply(ch)
            s.flush()
        return outcome
    except (BadChange, ValueError, TypeError, KeyError) as exc:
        applier.report.note(f"change {ch.seq} ({ch.entity} {ch.key}): {exc}")
        return "failed"
    except Exception as exc:  # an integrity error etc.: skip this change, keep the page
        applier.report.note(f"change {ch.seq} ({ch.entity} {ch.key}): {type(exc).__name__}")
        log.warning("pulled change %s (%s) not applied: %s", ch.seq, ch.entity, type(exc).__name__)
        return "failed"


def _count(report: ApplyReport, outcome: str) -> None:
    if outcome == "applied":
        report.applied += 1
    elif outcome == "kept_local":
        report.kept_local += 1
    elif outcome == "failed":
        report.failed += 1
    else:
        report.skipped += 1


def _segments(changes: Sequence[Change]) -> Iterable[tuple[list[Change], Change | None]]:
    """Runs of ordinary changes, each followed by the merge that ends it (or None)."""
    run: list[Change] = []
    for ch in changes:
        if ch.entity == "member_alias" and ch.op == "upsert":
            yield run, ch
            run = []
        else:
            run.append(ch)
    yield run, None


def _merge(ctx: TillContext, ch: Change, report: ApplyReport) -> None:
    alias_id = _uuid(ch.data.get("alias_id") or ch.key)
    member_id = _uuid(ch.data.get("member_id"))
    if alias_id is None or member_id is None or alias_id == member_id:
        report.failed += 1
        report.note(f"change {ch.seq}: unreadable member_alias")
        return
    with ctx.uow(write=False) as uow:
        s = uow.session
        survivor_known = s.get(orm.Member, member_id) is not None
        merged_known = s.get(orm.Member, alias_id) is not None
    if not survivor_known:
        report.skipped += 1
        if merged_known:
            report.note(f"change {ch.seq}: merge into member {member_id} not cached here")
        return
    try:
        apply_merge(ctx, MemberId(member_id), MemberId(alias_id))
    except TillError as exc:
        report.failed += 1
        report.note(f"change {ch.seq}: merge not applied: {exc.message}")
        return
    report.merges += 1
    report.applied += 1


def cache_rows(ctx: TillContext, changes: Sequence[Change]) -> ApplyReport:
    """Store rows the server sent outside a pull (an online member lookup): the same rules,
    one transaction, and the pull cursor untouched. Merges are not applied here."""
    report = ApplyReport()
    with ctx.uow() as uow:
        applier = _Applier(ctx, uow.session, unsent_changes(uow.session), report)
        for ch in changes:
            if ch.entity == "member_alias":
                report.skipped += 1
                continue
            outcome = _apply_one(applier, ch)
            _count(report, "failed" if outcome == "conflict" else outcome)
            if outcome == "conflict":
                report.note(f"{ch.entity} {ch.key}: phone or card held by another member here")
        uow.commit()
    if report.trust_changed:
        ctx.invalidate_trust()
    return report


def apply_page(ctx: TillContext, changes: Sequence[Change], cursor: int) -> ApplyReport:
    """Apply one pulled page and store `cursor` with it (see the module docstring)."""
    report = ApplyReport()
    deferred: list[Change] = []  # members whose phone or card another local row holds (a merge)
    for run, merge in _segments(changes):
        with ctx.uow() as uow:
            s = uow.session
            applier = _Applier(ctx, s, unsent_changes(s), report)
            retry, deferred = deferred, []
            for ch in [*retry, *run]:
                outcome = _apply_one(applier, ch)
                if outcome == "conflict":
                    deferred.append(ch)
                else:
                    _count(report, outcome)
            if merge is None:
                for ch in deferred:
                    report.failed += 1
                    report.note(f"change {ch.seq}: member {ch.key}: phone or card held by "
                                "another member here")
                deferred = []
                upto = cursor
            else:
                # Stop short of anything deferred so that a crash re-delivers it.
                upto = merge.seq - 1
                if deferred:
                    upto = min(upto, min(ch.seq for ch in deferred) - 1)
            set_cursor(s, upto)
            uow.commit()
        if merge is not None:
            _merge(ctx, merge, report)
    if report.trust_changed:
        ctx.invalidate_trust()
    return report
