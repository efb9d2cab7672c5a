"""Finding a product without its barcode: by name (Chinese or English), by the pinyin
initials of its Chinese name, as Chinese tills do ("nn" finds 牛奶, "ylcnn" 伊利纯牛奶), by
full pinyin ("niunai") and by sku. The index of names is built once and rebuilt when it is
older than `INDEX_TTL_S` (the catalogue changes by sync, rarely); prices are read fresh."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from pypinyin import lazy_pinyin
from sqlalchemy import select

from app.services.context import TillContext
from app.store import orm

INDEX_TTL_S = 300.0
MAX_HITS = 20


@dataclass(frozen=True, slots=True)
class ProductHit:
    sku: str
    name_zh: str
    name_en: str
    unit_price: int
    member_price: int | None


@dataclass(frozen=True, slots=True)
class _Entry:
    sku: str
    names: str  # both names, lower case
    initials: str  # pinyin initials of the Chinese characters
    spelled: str  # full pinyin of the Chinese characters, no spaces


def pinyin_keys(name: str) -> tuple[str, str]:
    """The pinyin initials and the full pinyin of the Chinese characters in `name`."""
    syllables = lazy_pinyin(name, errors="ignore")
    return "".join(s[0] for s in syllables if s), "".join(syllables)


def _rank(e: _Entry, q: str, words: str) -> int | None:
    """Lower is better; None: no match. `q` has no spaces, `words` is as typed."""
    order = [
        e.sku == q,
        e.sku.startswith(q),
        e.initials.startswith(q),
        e.spelled.startswith(q),
        e.names.startswith(words),
        q in e.initials,
        words in e.names,
        q in e.sku,
    ]
    return next((i for i, hit in enumerate(order) if hit), None)


class ProductIndex:
    """Per till; thread-safe (the UI's worker searches, sync may change the catalogue)."""

    def __init__(self) -> None:
        self._entries: list[_Entry] = []
        self._built_at = -INDEX_TTL_S
        self._lock = threading.Lock()

    def _fresh(self, ctx: TillContext) -> list[_Entry]:
        with self._lock:
            if time.monotonic() - self._built_at > INDEX_TTL_S:
                with ctx.uow(write=False) as uow:
                    rows = uow.session.execute(
                        select(orm.Product.sku, orm.Product.name_zh, orm.Product.name_en).where(
                            orm.Product.active.is_(True)
                        )
                    ).all()
                entries = []
                for sku, zh, en in rows:
                    initials, spelled = pinyin_keys(zh)
                    entries.append(_Entry(sku, f"{zh} {en}".lower(), initials, spelled))
                self._entries, self._built_at = entries, time.monotonic()
            return self._entries

    def search(self, ctx: TillContext, text: str, limit: int = MAX_HITS) -> list[ProductHit]:
        words = " ".join(text.lower().split())
        q = words.replace(" ", "")
        if not q:
            return []
        ranked = sorted((r, e.sku) for e in self._fresh(ctx) if (r := _rank(e, q, words)) is not None)
        skus = [sku for _, sku in ranked[:limit]]
        if not skus:
            return []
        with ctx.uow(write=False) as uow:
            rows = {
                p.sku: p
                for p in uow.session.execute(select(orm.Product).where(orm.Product.sku.in_(skus))).scalars()
            }
            return [
                ProductHit(s, rows[s].name_zh, rows[s].name_en, rows[s].unit_price, rows[s].member_price)
                for s in skus
                if s in rows
            ]
