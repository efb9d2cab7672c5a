"""HQ's catalogue: products and promotions, written with change-log entries so every till
receives them on its next pull (global rows: no store, no member).

`till-server product import FILE.csv|FILE.json` and `till-server promotion add|import`.
A product is matched by `sku` (the barcode): an existing one keeps its id and is updated, a
new one gets an id derived from the sku, so importing the same file twice changes nothing
twice. Money is integer fen.
"""

from __future__ import annotations

import csv
import json
import uuid
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from fractions import Fraction
from pathlib import Path
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError, field_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from server.models import Product, Promotion
from server.pull import record_change

PROMOTION_KINDS = ("points_multiplier", "birthday_multiplier")  # the till's pricing engine knows these
_NS = uuid.UUID("0b6d7c2e-4f0e-4d55-9a43-2f4c6c8f1e10")


class CatalogueError(ValueError):
    """A row that cannot be imported; the message names the row and the field."""


class ProductIn(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)
    sku: str = Field(min_length=1, max_length=32)
    name_zh: str = Field(min_length=1, max_length=120)
    name_en: str = Field(default="", max_length=120)
    category: str = Field(min_length=1, max_length=40)
    unit_price: int = Field(ge=0, le=10**10)
    member_price: int | None = Field(default=None, ge=0, le=10**10)
    active: bool = True

    @field_validator("member_price", mode="before")
    @classmethod
    def _blank_none(cls, v: Any) -> Any:
        return None if v == "" else v


class PromotionIn(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)
    id: str = Field(min_length=1, max_length=40)
    name: str = Field(min_length=1, max_length=120)
    kind: str
    multiplier: str = Field(max_length=16)
    categories: list[str] = Field(default_factory=list)
    skus: list[str] = Field(default_factory=list)
    starts: AwareDatetime | None = None
    ends: AwareDatetime | None = None

    @field_validator("kind")
    @classmethod
    def _kind(cls, v: str) -> str:
        if v not in PROMOTION_KINDS:
            raise ValueError(f"must be one of {', '.join(PROMOTION_KINDS)}")
        return v

    @field_validator("multiplier")
    @classmethod
    def _multiplier(cls, v: str) -> str:
        try:
            value = Fraction(v)
        except (ValueError, ZeroDivisionError):
            raise ValueError("must be a decimal such as 2 or 1.5") from None
        if value <= 0:
            raise ValueError("must be positive")
        return v


def product_data(p: Product) -> dict[str, Any]:
    return {
        "id": str(p.id),
        "sku": p.sku,
        "name_zh": p.name_zh,
        "name_en": p.name_en,
        "category": p.category,
        "unit_price": p.unit_price,
        "member_price": p.member_price,
        "active": p.active,
    }


def promotion_data(p: Promotion) -> dict[str, Any]:
    return {
        "id": p.id,
        "name": p.name,
        "kind": p.kind,
        "multiplier": p.multiplier,
        "categories": list(p.categories or []),
        "skus": list(p.skus or []),
        "starts": p.starts,
        "ends": p.ends,
    }


def read_rows(path: Path) -> list[dict[str, Any]]:
    """A .csv with a header row, or a .json list of objects."""
    if path.suffix.lower() == ".json":
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
            raise CatalogueError(f"{path}: expected a JSON list of objects")
        return data
    if path.suffix.lower() == ".csv":
        with path.open(newline="", encoding="utf-8-sig") as fh:
            return [dict(r) for r in csv.DictReader(fh)]
    raise CatalogueError(f"{path}: expected a .csv or .json file")


def _checked(model: type[BaseModel], rows: Iterable[Mapping[str, Any]]) -> list[Any]:
    out = []
    for n, raw in enumerate(rows, start=1):
        try:
            out.append(model.model_validate(dict(raw)))
        except ValidationError as exc:
            err = exc.errors()[0]
            where = ".".join(str(x) for x in err.get("loc", ()))
            raise CatalogueError(f"row {n}: {where}: {err['msg']}") from None
    return out


def import_products(
    s: Session, rows: Iterable[Mapping[str, Any]], now: datetime | None = None
) -> tuple[int, int, int]:
    """Upsert products by sku; returns (added, updated, unchanged). Every row is checked first:
    one bad row imports nothing."""
    now = now or datetime.now(UTC)
    items: list[ProductIn] = _checked(ProductIn, rows)
    skus = [p.sku for p in items]
    if len(set(skus)) != len(skus):
        raise CatalogueError("the same sku appears twice in the file")
    existing = {p.sku: p for p in s.execute(select(Product).where(Product.sku.in_(skus))).scalars()}
    added = updated = same = 0
    for item in items:
        values = item.model_dump()
        row = existing.get(item.sku)
        if row is None:
            row = Product(id=uuid.uuid5(_NS, f"product:{item.sku}"), **values)
            s.add(row)
            added += 1
        elif all(getattr(row, k) == v for k, v in values.items()):
            same += 1
            continue
        else:
            for k, v in values.items():
                setattr(row, k, v)
            updated += 1
        record_change(s, "product", str(row.id), product_data(row), at=now)
    return added, updated, same


def save_promotions(s: Session, rows: Iterable[Mapping[str, Any]], now: datetime | None = None) -> int:
    """Add or replace promotions by id; returns how many were written."""
    now = now or datetime.now(UTC)
    items: list[PromotionIn] = _checked(PromotionIn, rows)
    for item in items:
        if item.starts and item.ends and item.ends < item.starts:
            raise CatalogueError(f"promotion {item.id}: ends before it starts")
    for item in items:
        values = item.model_dump()
        row = s.get(Promotion, item.id)
        if row is None:
            row = Promotion(**values)
            s.add(row)
        else:
            for k, v in values.items():
                setattr(row, k, v)
        record_change(s, "promotion", row.id, promotion_data(row), at=now)
    return len(items)
