"""Applying a member merge decided by the server: the same phone registered offline at two
stores becomes one member; the other id stays as an alias that still resolves."""

from __future__ import annotations

from sqlalchemy import update

from app.domain.ids import MemberId
from app.domain.merges import merged_card, merged_phone
from app.services.audit import append_audit
from app.services.context import TillContext
from app.services.errors import Invalid
from app.store import orm


def apply_merge(ctx: TillContext, survivor_id: MemberId, merged_id: MemberId) -> None:
    """Move the merged member's ledger entries, coupons and sales to the survivor and keep
    the merged id as an alias. Idempotent: applying the same merge again changes nothing.
    The merged member's row stays (marked `merged_into`) so old receipts still name it."""
    if survivor_id == merged_id:
        raise Invalid("A member cannot be merged into itself.", code="self_merge")
    now = ctx.now()
    with ctx.uow() as uow:
        s = uow.session
        if s.get(orm.MemberAlias, merged_id) is not None:
            return
        merged = s.get(orm.Member, merged_id)
        survivor = s.get(orm.Member, survivor_id)
        if survivor is None:
            raise Invalid("The surviving member is not known at this till yet.", code="unknown_member")
        for table in (orm.LedgerEntry, orm.Coupon, orm.Sale):
            s.execute(update(table).where(table.member_id == merged_id).values(member_id=survivor_id))
        s.execute(
            update(orm.MemberAlias)
            .where(orm.MemberAlias.member_id == merged_id)
            .values(member_id=survivor_id)
        )
        if merged is not None:
            merged.merged_into = survivor_id
            # The phone and card now belong to the survivor; free the unique slots.
            merged.phone = merged_phone(merged_id)
            merged.card_no = merged_card(merged_id)
        s.add(orm.MemberAlias(alias_id=merged_id, member_id=survivor_id, merged_at=now))
        append_audit(s, ctx, None, None, "member.merge", str(survivor_id), {"merged_id": str(merged_id)}, now)
        uow.commit()
