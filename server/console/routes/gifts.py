"""Gifts for points (积分兑换): the catalogue (threshold points, names, on or off), the stock of
each gift per store, and the redemptions tills reported. Saved through server/gifts (the same
`save_gift` and `set_stock` as `till-server gift` and the HQ API), so every store's tills get a
changed gift, and a store's tills its stock, on their next pull.

HQ (and marketing) edit the catalogue and any store's stock; a store or area manager sets the
stock of its own stores only and sees their redemptions only.
"""

from __future__ import annotations

from typing import Final

from fastapi import APIRouter, Response
from fastapi.responses import HTMLResponse
from pydantic import ValidationError
from sqlalchemy import select

from server.console.forms import text, whole
from server.console.web import PREFIX, ActionCtx, ConsoleRoute, Ctx, PageCtx, Refused, go, render
from server.gifts.models import Gift, GiftRedemption, GiftStock
from server.gifts.service import MAX_GIFT_POINTS, MAX_STOCK, GiftError, GiftIn, check_id, save_gift, set_stock
from server.models import Store

router = APIRouter(prefix=PREFIX, route_class=ConsoleRoute)

REDEMPTIONS: Final = 100


def _stores(ctx: Ctx) -> list[Store]:
    rows = ctx.s.execute(select(Store).order_by(Store.id)).scalars().all()
    return [st for st in rows if ctx.may_see_store(st.id)]


def _stock(ctx: Ctx, store_ids: list[str], gift_id: str | None = None) -> dict[tuple[str, str], int]:
    q = select(GiftStock).where(GiftStock.store_id.in_(store_ids))
    if gift_id is not None:
        q = q.where(GiftStock.gift_id == gift_id)
    return {(r.gift_id, r.store_id): r.stock for r in ctx.s.execute(q).scalars()}


def _redemptions(ctx: Ctx, store_ids: list[str], gift_id: str | None = None) -> list[GiftRedemption]:
    q = select(GiftRedemption).where(GiftRedemption.store_id.in_(store_ids))
    if gift_id is not None:
        q = q.where(GiftRedemption.gift_id == gift_id)
    return list(ctx.s.execute(q.order_by(GiftRedemption.at.desc()).limit(REDEMPTIONS)).scalars())


@router.get("/gifts")
def gifts(ctx: PageCtx) -> HTMLResponse:
    ctx.require("gifts")
    stores = _stores(ctx)
    ids = [st.id for st in stores]
    rows = ctx.s.execute(select(Gift).order_by(Gift.points, Gift.id)).scalars().all()
    return render(
        ctx,
        "gifts.html",
        gifts=rows,
        names={g.id: g for g in rows},
        stores=stores,
        stock=_stock(ctx, ids),
        redemptions=_redemptions(ctx, ids),
        max_points=MAX_GIFT_POINTS,
        max_stock=MAX_STOCK,
    )


@router.get("/gifts/{gift_id}")
def gift_page(gift_id: str, ctx: PageCtx) -> HTMLResponse:
    ctx.require("gifts")
    g = _gift(ctx, gift_id)
    stores = _stores(ctx)
    ids = [st.id for st in stores]
    return render(
        ctx,
        "gift.html",
        g=g,
        names={g.id: g},
        stores=stores,
        stock=_stock(ctx, ids, g.id),
        redemptions=_redemptions(ctx, ids, g.id),
        max_points=MAX_GIFT_POINTS,
        max_stock=MAX_STOCK,
    )


def _gift(ctx: Ctx, gift_id: str) -> Gift:
    g = ctx.s.get(Gift, gift_id[:40])
    if g is None:
        raise Refused(404, "err_not_found")
    return g


def _body(ctx: Ctx) -> GiftIn:
    try:
        return GiftIn(
            name_zh=text(ctx, "name_zh", limit=120),
            name_en=text(ctx, "name_en", limit=120),
            points=whole(ctx, "points", low=1, high=MAX_GIFT_POINTS, blank=None),
            active=ctx.field("active", 3) == "on",
        )
    except ValidationError as exc:
        raise Refused(400, "err_gift", why=str(exc.errors()[0]["msg"])) from None


@router.post("/gifts")
def gift_add(ctx: ActionCtx) -> Response:
    ctx.require("gifts.edit")
    gift_id = text(ctx, "gift_id", limit=40)
    try:
        check_id(gift_id)
    except GiftError as exc:
        raise Refused(400, "err_gift", why=str(exc)) from None
    if gift_id == "stock":  # the console's own path (/console/gifts/stock)
        raise Refused(400, "err_gift", why="id: stock")
    if ctx.s.get(Gift, gift_id) is not None:
        raise Refused(409, "err_gift_exists", id=gift_id)
    body = _body(ctx)
    save_gift(ctx.s, gift_id, body, ctx.now)
    ctx.audit("gift_added", f"gift:{gift_id}", points=body.points, active=body.active)
    return go(ctx, f"{PREFIX}/gifts/{gift_id}")


@router.post("/gifts/stock")
def gift_stock_from_list(ctx: ActionCtx) -> Response:
    """The list page's stock form (the gift is one of its fields)."""
    return _set_stock(ctx, ctx.field("gift_id", 40))


@router.post("/gifts/{gift_id}/stock")
def gift_stock(gift_id: str, ctx: ActionCtx) -> Response:
    return _set_stock(ctx, gift_id)


def _set_stock(ctx: Ctx, gift_id: str) -> Response:
    """Set (not add to) a store's count of a gift; a scoped user only for its stores."""
    ctx.require("gifts")
    g = _gift(ctx, gift_id)
    store_id = text(ctx, "store_id", limit=40)
    if not ctx.may_see_store(store_id) or ctx.s.get(Store, store_id) is None:
        raise Refused(404, "err_not_found")
    stock = whole(ctx, "stock", low=0, high=MAX_STOCK, blank=None)
    before = ctx.s.get(GiftStock, (g.id, store_id))
    was = before.stock if before is not None else 0
    set_stock(ctx.s, g.id, store_id, stock, ctx.now)
    ctx.audit("gift_stock_set", f"gift:{g.id}", store=store_id, stock=[was, stock])
    back = ctx.field("back", 20)
    return go(ctx, f"{PREFIX}/gifts" if back == "list" else f"{PREFIX}/gifts/{g.id}")


@router.post("/gifts/{gift_id}")
def gift_edit(gift_id: str, ctx: ActionCtx) -> Response:
    ctx.require("gifts.edit")
    g = _gift(ctx, gift_id)
    before = {"name_zh": g.name_zh, "name_en": g.name_en, "points": g.points, "active": g.active}
    body = _body(ctx)
    save_gift(ctx.s, g.id, body, ctx.now)
    after = body.model_dump()
    changed = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
    ctx.audit("gift_changed", f"gift:{g.id}", changed=changed)
    return go(ctx, f"{PREFIX}/gifts/{g.id}")
