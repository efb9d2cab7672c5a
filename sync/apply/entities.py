"""What each pulled change does to the till's store, decided once for both paths: the rules of
`sync.apply` (rows with an unsent local change kept, the append-only ledger, the server's
catalogue wins, trust changes) against the `Rows` protocol, which the per-change path answers
from the session and the bulk path from what it fetched for the run.

A handler reads and checks everything before it stores anything, so a change it refuses
(BadChange, or any ValueError) has stored nothing: the bulk path can report it and go on."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import delete

from app.domain.codes import RevocationList, VerifyKey
from app.domain.merges import UNKNOWN, follow_merges, is_merged_away
from app.services.context import TillContext
from app.store import orm
from sync.apply.report import ApplyReport, Dirty
from sync.apply.rows import Rows
from sync.apply.values import BadChange, coerce, row_values
from sync.protocol import ENTITIES, Change


class Applier:
    def __init__(self, ctx: TillContext, rows: Rows, dirty: Dirty, report: ApplyReport) -> None:
        self.ctx = ctx
        self.rows = rows
        self.dirty = dirty
        self.report = report

    def apply(self, ch: Change) -> str:
        """Apply one change; returns 'applied', 'kept_local', 'skipped' or 'conflict'."""
        handler = getattr(self, "_" + ch.entity, None)
        if ch.entity not in ENTITIES or handler is None:
            self.report.note(f"change {ch.seq}: unknown entity {ch.entity!r}")
            return "skipped"
        return str(handler(ch))

    def survivor(self, member_id: uuid.UUID | None) -> uuid.UUID | None:
        """The local member id for `member_id` (following merges), or None if unknown here."""
        if member_id is None:
            return None

        def next_id(mid: uuid.UUID) -> Any:
            row = self.rows.member(mid)
            if row is None:
                alias = self.rows.alias(mid)
                return UNKNOWN if alias is None else alias
            return row.merged_into

        return follow_merges(member_id, next_id)

    def _values(self, model: type[orm.Base], ch: Change) -> tuple[uuid.UUID, dict[str, Any]]:
        values = row_values(model, ch.data, self.rows.uuids)
        return values.pop("id", None) or uuid.UUID(ch.key), values

    # -- members, ledger, coupons (through Rows)

    def _member(self, ch: Change) -> str:
        if ch.op == "delete":
            return "skipped"  # members are never deleted at a till (old receipts name them)
        member_id, values = self._values(orm.Member, ch)
        if member_id in self.dirty.members and not is_merged_away(member_id, values.get("phone")):
            # (A member the server merged away is never sent again once the till's events
            # reach it: they are booked to the survivor. Its row gives up its phone and card
            # now, or the survivor's would clash with it and the merge could not follow.)
            return "kept_local"
        merged_into = values.get("merged_into")
        if merged_into is not None and self.rows.member(merged_into) is None:
            values.pop("merged_into")  # the survivor is not cached here; the alias will come
        clash = self.rows.member_clash(member_id, values.get("phone", ""), values.get("card_no", ""))
        if clash is not None:
            return "kept_local" if clash in self.dirty.members else "conflict"
        self.rows.store_member(member_id, values)
        return "applied"

    def _ledger_entry(self, ch: Change) -> str:
        if ch.op == "delete":
            return "skipped"  # append-only
        entry_id, values = self._values(orm.LedgerEntry, ch)
        if self.rows.entry_held(entry_id):
            return "skipped"  # held already; ledger rows never change
        member_id = self.survivor(values.get("member_id"))
        if member_id is None:
            self.report.note(f"change {ch.seq}: ledger entry of a member not cached here")
            return "skipped"
        values["member_id"] = member_id
        kind = values.get("kind")
        for col, model in (("sale_id", orm.Sale), ("refund_id", orm.Refund)):
            ref = values.get(col)
            if ref is None:
                continue
            if not self.rows.own(model, ref):
                values[col] = None  # another till's sale: not in this store
            elif self.rows.own_entry_held(col, ref, kind):
                return "skipped"  # this till's own sale or refund: written here at the time
        self.rows.store_entry(entry_id, values)
        return "applied"

    def _coupon(self, ch: Change) -> str:
        coupon_id, values = self._values(orm.Coupon, ch)
        row = self.rows.find_coupon(coupon_id, values.get("code"))
        if row is not None and (row.id in self.dirty.coupon_ids or row.code in self.dirty.coupon_codes):
            return "kept_local"
        if ch.op == "delete":
            if row is None:
                return "skipped"
            row.status = "void"
            return "applied"
        if values.get("member_id") is not None:
            member_id = self.survivor(values["member_id"])
            if member_id is None:
                self.report.note(f"change {ch.seq}: coupon of a member not cached here")
                return "skipped"
            values["member_id"] = member_id
        sale = values.get("redeemed_sale_id")
        if sale is not None and not self.rows.own(orm.Sale, sale):
            values["redeemed_sale_id"] = None
        self.rows.store_coupon(row, coupon_id, values)
        return "applied"

    # -- the rest (straight through the session)

    def _product(self, ch: Change) -> str:
        s = self.rows.session()
        if ch.op == "delete":
            s.execute(delete(orm.Product).where(orm.Product.id == uuid.UUID(ch.key)))
            return "applied"
        product_id, values = self._values(orm.Product, ch)
        if "sku" in values:  # the server's catalogue wins: a barcode moved to another product
            s.execute(delete(orm.Product).where(orm.Product.sku == values["sku"],
                                                orm.Product.id != product_id))
        _upsert(s, orm.Product, product_id, values)
        return "applied"

    def _promotion(self, ch: Change) -> str:
        s = self.rows.session()
        if ch.op == "delete":
            s.execute(delete(orm.Promotion).where(orm.Promotion.id == ch.key))
            return "applied"
        values = row_values(orm.Promotion, ch.data, self.rows.uuids)
        _upsert(s, orm.Promotion, values.pop("id", None) or ch.key, values)
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
        at = coerce(datetime, ch.data.get("at")) or self.ctx.now()
        s = self.rows.session()
        if s.get(orm.Revocation, (kind, value)) is None:
            s.add(orm.Revocation(kind=kind, value=value, at=at))
            self.report.trust_changed = True
        return "applied"

    def _public_key(self, ch: Change) -> str:
        key_id = str(ch.data.get("key_id") or ch.key)
        if key_id == self.ctx.signer.key_id:
            return "skipped"  # the till's own key is its own
        self.report.trust_changed = True
        s = self.rows.session()
        if ch.op == "delete":
            s.execute(delete(orm.PublicKey).where(orm.PublicKey.key_id == key_id))
            return "applied"
        public = ch.data.get("public_key")
        try:
            VerifyKey.from_base64(key_id, str(public or ""))
        except (ValueError, TypeError) as exc:
            raise BadChange(f"public key {key_id}: {exc}") from exc
        row = s.get(orm.PublicKey, key_id)
        if row is None:
            s.add(orm.PublicKey(key_id=key_id, public_key=str(public),
                                terminal_id=str(ch.data.get("terminal_id") or ""), added_at=self.ctx.now()))
        else:
            row.public_key = str(public)
            row.terminal_id = str(ch.data.get("terminal_id") or row.terminal_id)
        return "applied"


def _upsert(s: Any, model: type[orm.Base], key: Any, values: dict[str, Any]) -> None:
    row = s.get(model, key)
    if row is None:
        s.add(model(id=key, **values))
    else:
        for k, v in values.items():
            setattr(row, k, v)
