"""Product search on a real store: by pinyin initials, full pinyin, either name and sku."""

from __future__ import annotations

from app.services.context import TillContext
from app.services.products import ProductIndex, pinyin_keys

MILK, YOGURT, RICE, WINE = "6901234567892", "6902345678901", "6903456789012", "6904567890123"


def _skus(till: TillContext, text: str) -> list[str]:
    return [h.sku for h in ProductIndex().search(till, text)]


def test_pinyin_keys_of_a_chinese_name() -> None:
    assert pinyin_keys("伊利纯牛奶 250ml×12") == ("ylcnn", "yilichunniunai")


def test_initials_find_the_chinese_name(till: TillContext, products) -> None:  # type: ignore[no-untyped-def]
    assert _skus(till, "nn") == [MILK]  # 牛奶
    assert _skus(till, "NN") == [MILK]
    assert _skus(till, "dm") == [RICE]  # 大米
    assert _skus(till, "niunai") == [MILK]
    assert _skus(till, "hj") == [WINE]  # 红酒


def test_names_and_skus(till: TillContext, products) -> None:  # type: ignore[no-untyped-def]
    assert _skus(till, "yogurt") == [YOGURT]
    assert _skus(till, "red wine") == [WINE]
    assert _skus(till, "酸奶") == [YOGURT]
    assert _skus(till, "6903") == [RICE]  # sku prefix first
    assert _skus(till, "69") == [MILK, YOGURT, RICE, WINE]
    assert _skus(till, "zzz") == [] and _skus(till, "  ") == []
    hit = ProductIndex().search(till, "nn")[0]
    assert (hit.name_zh, hit.unit_price, hit.member_price) == ("牛奶 Milk 1L", 1290, 1190)
