"""What each pulled change does to the till's store, decided once for both paths: the rules of
`sync.apply` (rows with an unsent local change kept, the append-only ledger, the server's
catalogue wins, trust changes) against the `app.ports.PulledRows` port, which the per-change
path answers from the session and the bulk path from what it fetched for the run (both in
`app.store.pulled`). Nothing here touches the store's mapping.

A handler reads and checks everything before it stores anything, so a change it refuses
(BadChange, or any ValueError) has stored nothing: the bulk path can report it and go on."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from app.domain.codes import RevocationList, VerifyKey
from app.domain.merges import UNKNOWN, follow_merges, is_merged_away
from app.domain.program import ProgramError
from app.ports import PulledRows
from app.services.context import TillContext
from app.store.pulled import BadChange, Dirty, coerce
from sync.apply.report import ApplyReport
from sync.protocol import ENTITIES, Change


class Applier:
    def __init__(self, ctx: TillContext, rows: PulledRows, dirty: Dirty, report: ApplyReport) -> None:
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

    def _values(self, entity: str, ch: Change) -> tuple[uuid.UUID, dict[str, Any]]:
        values = self.rows.convert(entity, ch.data)
        return values.pop("id", None) or uuid.UUID(ch.key), values

    # -- members, ledger, coupons (through Rows)

    def _member(self, ch: Change) -> str:
        if ch.op == "delete":
            return "skipped"  # members are never deleted at a till (old receipts name them)
        member_id, values = self._values("member", ch)
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
        entry_id, values = self._values("ledger_entry", ch)
        if self.rows.entry_held(entry_id):
            return "skipped"  # held already; ledger rows never change
        member_id = self.survivor(values.get("member_id"))
        if member_id is None:
            self.report.note(f"change {ch.seq}: ledger entry of a member not cached here")
            return "skipped"
        values["member_id"] = member_id
        kind = values.get("kind")
        for col, own in (("sale_id", "sale"), ("refund_id", "refund")):
            ref = values.get(col)
            if ref is None:
                continue
            if not self.rows.own(own, ref):
                values[col] = None  # another till's sale: not in this store
            elif self.rows.own_entry_held(col, ref, kind):
                return "skipped"  # this till's own sale or refund: written here at the time
        self.rows.store_entry(entry_id, values)
        return "applied"

    def _coupon(self, ch: Change) -> str:
        coupon_id, values = self._values("coupon", ch)
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
        if sale is not None and not self.rows.own("sale", sale):
            values["redeemed_sale_id"] = None
        self.rows.store_coupon(row, coupon_id, values)
        return "applied"

    # -- the rest (few changes; the rows answer them through the session)

    def _product(self, ch: Change) -> str:
        if ch.op == "delete":
            self.rows.delete_product(uuid.UUID(ch.key))
            return "applied"
        product_id, values = self._values("product", ch)
        self.rows.store_product(product_id, values)  # the server's catalogue wins (a moved barcode)
        return "applied"

    def _promotion(self, ch: Change) -> str:
        if ch.op == "delete":
            self.rows.delete_promotion(ch.key)
            return "applied"
        values = self.rows.convert("promotion", ch.data)
        self.rows.store_promotion(values.pop("id", None) or ch.key, values)
        return "applied"

    def _program(self, ch: Change) -> str:
        if ch.op == "delete":
            return "skipped"  # a published version is never withdrawn: HQ publishes another
        try:
            self.rows.store_program(ch.data, self.ctx.now())
        except ProgramError as exc:
            raise BadChange(f"program version {ch.key}: {exc}") from exc
        return "applied"

    def _member_intel(self, ch: Change) -> str:
        if ch.op == "delete":
            return "skipped"  # intel is replaced, never withdrawn
        member_id, values = self._values("member_intel", ch)
        local = self.survivor(member_id)
        if local is None:
            self.report.note(f"change {ch.seq}: member intel of a member not cached here")
            return "skipped"
        for key in ("tags", "suggestions"):
            if not isinstance(values.get(key, []), list):
                raise BadChange(f"member_intel.{key}: not a list")
        self.rows.store_member_intel(local, values)
        return "applied"

    def _gift(self, ch: Change) -> str:
        if ch.op == "delete":
            return "skipped"  # HQ marks a gift inactive instead
        values = self.rows.convert("gift", ch.data)
        gift_id = str(values.pop("id", None) or ch.key)
        if gift_id in self.dirty.gifts:
            # A redemption or reversal made here is not acknowledged yet: the server's count
            # does not include it, so this till keeps its own until the server's next one.
            values.pop("stock", None)
        self.rows.store_gift(gift_id, values)
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
        if self.rows.add_revocation(kind, value, at):
            self.report.trust_changed = True
        return "applied"

    def _points_outcome(self, ch: Change) -> str:
        """HQ approved or rejected one of this till's held adjustments or compensations."""
        if ch.op == "delete" or str(ch.data.get("terminal_id")) != self.ctx.terminal_id:
            return "skipped"  # another till's: it holds the entry, this one does not
        status = str(ch.data.get("status"))
        if status not in ("approved", "rejected"):
            raise BadChange(f"points outcome {ch.key}: status {status!r}")
        try:
            event_id = uuid.UUID(str(ch.data.get("event_id")))
        except ValueError as exc:
            raise BadChange(f"points outcome {ch.key}: event id") from exc
        at = coerce(datetime, ch.data.get("decided_at")) or self.ctx.now()
        reason, note = str(ch.data.get("reason") or ""), str(ch.data.get("note") or "")
        self.rows.store_points_outcome(event_id, ch.data, status, reason, note, at)
        return "applied"

    def _public_key(self, ch: Change) -> str:
        key_id = str(ch.data.get("key_id") or ch.key)
        if key_id == self.ctx.signer.key_id:
            return "skipped"  # the till's own key is its own
        self.report.trust_changed = True
        if ch.op == "delete":
            self.rows.delete_public_key(key_id)
            return "applied"
        public = ch.data.get("public_key")
        try:
            VerifyKey.from_base64(key_id, str(public or ""))
        except (ValueError, TypeError) as exc:
            raise BadChange(f"public key {key_id}: {exc}") from exc
        terminal = ch.data.get("terminal_id")
        self.rows.store_public_key(key_id, str(public), str(terminal) if terminal else None, self.ctx.now())
        return "applied"
