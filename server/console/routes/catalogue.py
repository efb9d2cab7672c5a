"""Catalogue: the products (search, edit one) and promotions, and importing a CSV or JSON file
exactly as `till-server product import` does (server/catalogue.py: every row checked first, one
bad row imports nothing). Tills get what changed on their next pull."""

from __future__ import annotations

import tempfile
from datetime import datetime
from pathlib import Path
from typing import Final

from fastapi import APIRouter, Response
from fastapi.responses import HTMLResponse
from sqlalchemy import func, or_, select
from starlette.datastructures import UploadFile

from server.catalogue import (
    PROMOTION_KINDS,
    CatalogueError,
    import_products,
    promotion_data,
    read_rows,
    save_promotions,
)
from server.console.forms import local_time, text, yuan_to_fen
from server.console.web import (
    PREFIX,
    ActionCtx,
    ConsoleRoute,
    Ctx,
    PageCtx,
    Refused,
    chain_zone,
    go,
    render,
    zone_label,
)
from server.models import Product, Promotion

router = APIRouter(prefix=PREFIX, route_class=ConsoleRoute)

PAGE: Final = 50
MAX_UPLOAD: Final = 2_000_000


def _list(ctx: Ctx, q: str, offset: int) -> tuple[list[Product], int]:
    query = select(Product)
    if q:
        like = "%" + q.lower().replace("%", "").replace("_", "") + "%"
        query = query.where(
            or_(
                func.lower(Product.sku).like(like),
                func.lower(Product.name_zh).like(like),
                func.lower(Product.name_en).like(like),
            )
        )
    total = int(ctx.s.execute(select(func.count()).select_from(query.subquery())).scalar_one())
    rows = ctx.s.execute(query.order_by(Product.sku).limit(PAGE).offset(offset)).scalars().all()
    return list(rows), total


@router.get("/catalogue")
def catalogue(ctx: PageCtx, q: str = "", offset: int = 0) -> HTMLResponse:
    ctx.require("catalogue")
    offset = max(0, min(offset, 10**7))
    rows, total = _list(ctx, q.strip()[:60], offset)
    promos = ctx.s.execute(select(Promotion).order_by(Promotion.id)).scalars().all()
    return render(
        ctx,
        "catalogue.html",
        products=rows,
        total=total,
        q=q[:60],
        offset=offset,
        page=PAGE,
        promos=promos,
        result=None,
    )


@router.post("/catalogue/import")
def catalogue_import(ctx: ActionCtx) -> Response:
    ctx.require("catalogue")
    upload = ctx.form.get("file") if ctx.form is not None else None
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise Refused(400, "err_no_file")
    suffix = Path(upload.filename).suffix.lower()
    if suffix not in (".csv", ".json"):
        raise Refused(400, "err_file_kind")
    data = upload.file.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        raise Refused(400, "err_file_big")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"import{suffix}"
        path.write_bytes(data)
        try:
            added, updated, same = import_products(ctx.s, read_rows(path), ctx.now)
        except (CatalogueError, ValueError, UnicodeDecodeError) as exc:
            raise Refused(400, "err_import", why=str(exc).replace(str(path), upload.filename[:80])) from None
    ctx.audit("catalogue_imported", "catalogue", file=upload.filename[:80], added=added, updated=updated)
    rows, total = _list(ctx, "", 0)
    promos = ctx.s.execute(select(Promotion).order_by(Promotion.id)).scalars().all()
    return render(
        ctx,
        "catalogue.html",
        products=rows,
        total=total,
        q="",
        offset=0,
        page=PAGE,
        promos=promos,
        result={"added": added, "updated": updated, "same": same},
    )


@router.get("/catalogue/products/{sku}")
def product_page(sku: str, ctx: PageCtx) -> HTMLResponse:
    ctx.require("catalogue")
    row = ctx.s.execute(select(Product).where(Product.sku == sku[:32])).scalar_one_or_none()
    if row is None:
        raise Refused(404, "err_not_found")
    return render(ctx, "product.html", p=row)


@router.post("/catalogue/products/{sku}")
def product_save(sku: str, ctx: ActionCtx) -> Response:
    ctx.require("catalogue")
    row = ctx.s.execute(select(Product).where(Product.sku == sku[:32])).scalar_one_or_none()
    if row is None:
        raise Refused(404, "err_not_found")
    member_price = ctx.field("member_price_yuan", 20)
    values = {
        "sku": row.sku,
        "name_zh": text(ctx, "name_zh", limit=120),
        "name_en": text(ctx, "name_en", limit=120, required=False),
        "category": text(ctx, "category", limit=40),
        "unit_price": yuan_to_fen(ctx, "unit_price_yuan"),
        "member_price": yuan_to_fen(ctx, "member_price_yuan") if member_price else None,
        "active": ctx.field("active") == "on",
    }
    try:
        import_products(ctx.s, [values], ctx.now)
    except CatalogueError as exc:
        raise Refused(400, "err_import", why=str(exc)) from None
    ctx.audit("product_saved", f"product:{row.sku}", unit_price=values["unit_price"])
    return go(ctx, f"{PREFIX}/catalogue/products/{row.sku}")


# ---------------------------------------------------------------- promotions


def _local_input(at: datetime | None) -> str:
    """A UTC time as a ``datetime-local`` value in the chain's zone (how it is entered)."""
    return at.astimezone(chain_zone()).replace(tzinfo=None).isoformat(timespec="minutes") if at else ""


def _promotion_form(
    ctx: Ctx,
    row: Promotion | None,
    values: dict[str, object] | None = None,
    fault: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    """The form, filled from the promotion (or, after a refused save, from what was sent, with
    the fault named above it)."""
    v = values if values is not None else (promotion_data(row) if row else {})
    starts, ends = v.get("starts"), v.get("ends")
    return render(
        ctx,
        "promotion.html",
        status_code=status_code,
        pr=row,
        v=v,
        fault=fault,
        kinds=PROMOTION_KINDS,
        zone=zone_label(datetime.now(chain_zone())),
        starts=_local_input(starts if isinstance(starts, datetime) else None),
        ends=_local_input(ends if isinstance(ends, datetime) else None),
    )


@router.get("/catalogue/promotions/new")
def promotion_new(ctx: PageCtx) -> HTMLResponse:
    ctx.require("catalogue")
    return _promotion_form(ctx, None)


@router.get("/catalogue/promotions/{promo_id}")
def promotion_page(promo_id: str, ctx: PageCtx) -> HTMLResponse:
    ctx.require("catalogue")
    row = ctx.s.get(Promotion, promo_id[:40])
    if row is None:
        raise Refused(404, "err_not_found")
    return _promotion_form(ctx, row)


def _optional_time(ctx: Ctx, name: str) -> datetime | None:
    return local_time(ctx, name) if ctx.field(name, 20) else None


def _list_field(ctx: Ctx, name: str) -> list[str]:
    """Comma- or space-separated values (categories, skus)."""
    raw = ctx.field(name, 4000).replace("，", ",").replace(",", " ")
    return [v for v in raw.split() if v]


def _save_promotion(
    ctx: Ctx, values: dict[str, object], action: str, row: Promotion | None = None
) -> Response:
    """Checked and written by server/catalogue.save_promotions, as the CLI's import (the change
    log row it writes is what the tills pull). A fault is answered 400 with the form as sent."""
    try:
        save_promotions(ctx.s, [values], ctx.now)
    except CatalogueError as exc:
        fault = ctx.t("err_promotion", why=str(exc).removeprefix("row 1: "))
        return _promotion_form(ctx, row, values, fault, status_code=400)
    ctx.audit(action, f"promotion:{values['id']}", kind=values["kind"], multiplier=values["multiplier"])
    return go(ctx, f"{PREFIX}/catalogue/promotions/{values['id']}")


@router.post("/catalogue/promotions")
def promotion_add(ctx: ActionCtx) -> Response:
    ctx.require("catalogue")
    promo_id = text(ctx, "id", limit=40)
    if ctx.s.get(Promotion, promo_id) is not None:
        raise Refused(409, "err_promotion_exists", id=promo_id)
    return _save_promotion(ctx, _promotion_values(ctx, promo_id), "promotion_added")


@router.post("/catalogue/promotions/{promo_id}")
def promotion_save(promo_id: str, ctx: ActionCtx) -> Response:
    ctx.require("catalogue")
    row = ctx.s.get(Promotion, promo_id[:40])
    if row is None:
        raise Refused(404, "err_not_found")
    return _save_promotion(ctx, _promotion_values(ctx, row.id), "promotion_saved", row)


def _promotion_values(ctx: Ctx, promo_id: str) -> dict[str, object]:
    return {
        "id": promo_id,
        "name": text(ctx, "name", limit=120),
        "kind": text(ctx, "kind", limit=40),
        "multiplier": text(ctx, "multiplier", limit=16),
        "categories": _list_field(ctx, "categories"),
        "skus": _list_field(ctx, "skus"),
        "starts": _optional_time(ctx, "starts"),
        "ends": _optional_time(ctx, "ends"),
    }


@router.post("/catalogue/promotions/{promo_id}/end")
def promotion_end(promo_id: str, ctx: ActionCtx) -> Response:
    """End a promotion now (one not started yet ends as it would start: it never runs)."""
    ctx.require("catalogue")
    row = ctx.s.get(Promotion, promo_id[:40])
    if row is None:
        raise Refused(404, "err_not_found")
    if row.ends is not None and (row.ends <= ctx.now or (row.starts is not None and row.ends <= row.starts)):
        raise Refused(409, "err_promotion_ended")
    values = promotion_data(row)
    values["ends"] = max(ctx.now, row.starts) if row.starts else ctx.now
    return _save_promotion(ctx, values, "promotion_ended", row)
