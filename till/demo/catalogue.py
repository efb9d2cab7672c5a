"""The demo store's catalogue: categories and products read from `resources/demo/catalogue.json`,
barcodes (valid EAN-13, Chinese GS1 prefixes 690-699) and member prices made from their order,
and the demo's promotions."""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

CATALOGUE_FILE = Path(__file__).resolve().parents[2] / "resources" / "demo" / "catalogue.json"


@dataclass(frozen=True, slots=True)
class Category:
    id: str
    name_zh: str
    name_en: str
    everyday_weight: int  # how often it turns up in an everyday basket
    products: tuple[tuple[str, str, int], ...]  # zh name, en name, shelf price in fen


@dataclass(frozen=True, slots=True)
class Catalogue:
    categories: tuple[Category, ...]
    premium: tuple[str, ...]  # the categories that fill big baskets, in this order

    @property
    def ids(self) -> list[str]:
        return [c.id for c in self.categories]


@functools.cache
def catalogue() -> Catalogue:
    """The catalogue file, read once."""
    data = json.loads(CATALOGUE_FILE.read_text(encoding="utf-8"))
    categories = tuple(
        Category(
            c["id"],
            c["name_zh"],
            c["name_en"],
            int(c["everyday_weight"]),
            tuple((str(zh), str(en), int(price)) for zh, en, price in c["products"]),
        )
        for c in data["categories"]
    )
    return Catalogue(categories, tuple(data["premium_categories"]))


def ean13_check_digit(first12: str) -> int:
    """The EAN-13 check digit for 12 digits (weights 1,3,1,3,... from the left)."""
    if len(first12) != 12 or not first12.isdigit():
        raise ValueError("need exactly 12 digits")
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first12))
    return (10 - total % 10) % 10


def is_valid_ean13(code: str) -> bool:
    return (
        len(code) == 13
        and code.isascii()
        and code.isdigit()
        and ean13_check_digit(code[:12]) == int(code[12])
    )


@dataclass(frozen=True, slots=True)
class DemoProduct:
    sku: str
    name_zh: str
    name_en: str
    category: str
    unit_price: int
    member_price: int | None

    @property
    def member_or_list(self) -> int:
        return self.member_price if self.member_price is not None else self.unit_price


def _barcode(c: int, i: int) -> str:
    """The c-th category's i-th product: a GS1 China prefix, a 4-digit company number per
    category and brand group, a 5-digit item number and the check digit."""
    prefix = 690 + (c + i // 8) % 10
    company = 1000 + 173 * c + 7 * (i // 8)
    item = 10000 + 379 * i + c
    first12 = f"{prefix}{company:04d}{item:05d}"
    return first12 + str(ean13_check_digit(first12))


def _member_price(c: int, i: int, price: int) -> int | None:
    """Every third product has a member price (about 8-12% off, ending in 0 fen)."""
    if (i + c) % 3 != 0 or price < 500:
        return None
    off = 8 + (i * 7 + c) % 5  # 8..12 %
    return price * (100 - off) // 100 // 10 * 10


@functools.cache
def demo_products() -> tuple[DemoProduct, ...]:
    """The fixed catalogue with its barcodes and member prices."""
    out = [
        DemoProduct(_barcode(c, i), zh, en, cat.id, price, _member_price(c, i, price))
        for c, cat in enumerate(catalogue().categories)
        for i, (zh, en, price) in enumerate(cat.products)
    ]
    if len({p.sku for p in out}) != len(out):
        raise ValueError("demo barcodes must be unique")
    return tuple(out)


def promotions(now: datetime, products: Sequence[DemoProduct]) -> list[dict[str, Any]]:
    """The demo's promotions (past, running and coming), as `orm.Promotion` rows without ids."""
    day = timedelta(days=1)
    featured = [p.sku for p in products if p.category in ("snacks", "drinks")][3:40:6]

    def multiplier(
        name: str,
        times: str,
        categories: Sequence[str] = (),
        skus: Sequence[str] = (),
        starts: datetime | None = None,
        ends: datetime | None = None,
        kind: str = "points_multiplier",
    ) -> dict[str, Any]:
        return {
            "name": name,
            "kind": kind,
            "multiplier": times,
            "categories": list(categories),
            "skus": list(skus),
            "starts": starts,
            "ends": ends,
        }

    return [
        multiplier(
            "乳品周 双倍积分 Dairy week: double points",
            "2",
            ["dairy"],
            starts=now - 10 * day,
            ends=now + 20 * day,
        ),
        multiplier(
            "生鲜节 1.5倍积分 Fresh festival: 1.5x points",
            "1.5",
            ["produce", "meat", "seafood"],
            starts=now - 3 * day,
            ends=now + 4 * day,
        ),
        multiplier(
            "中秋酒水 三倍积分 Mid-Autumn wine: triple points",
            "3",
            ["wine_spirits"],
            starts=now - 75 * day,
            ends=now - 55 * day,
        ),
        multiplier(
            "母婴月 双倍积分 Baby month: double points",
            "2",
            ["baby"],
            starts=now + 5 * day,
            ends=now + 35 * day,
        ),
        multiplier(
            "精选单品 三倍积分 Featured items: triple points",
            "3",
            skus=featured,
            starts=now - 7 * day,
            ends=now + 7 * day,
        ),
        multiplier(
            "暑期零食饮料 双倍积分 Summer snacks & drinks: double points",
            "2",
            ["snacks", "drinks"],
            starts=now - 150 * day,
            ends=now - 120 * day,
        ),
        multiplier(
            "店庆周 全场1.5倍积分 Store anniversary: 1.5x on everything",
            "1.5",
            starts=now - 200 * day,
            ends=now - 193 * day,
        ),
        multiplier("生日月 双倍积分 Birthday month: double points", "2", kind="birthday_multiplier"),
    ]
