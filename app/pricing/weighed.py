"""Weighed goods: a product sold by weight keeps its price per kilogram as its unit price
(fen per kg); a scale label gives the weight or the price of the weighed amount
(`app.domain.scan.Weighed`). The line is priced as the quote contract says: qty 1, its unit
price already the price of the weighed amount. Integer fen; rounded half up."""

from __future__ import annotations


def price_for_weight(per_kg: int, grams: int) -> int:
    """The price of `grams` at `per_kg` fen a kilogram, rounded half up to the fen."""
    if per_kg < 0 or grams <= 0:
        raise ValueError("a price per kg of at least 0 and a weight above 0 are expected")
    return (per_kg * grams * 2 + 1000) // 2000


def weight_for_price(per_kg: int, price: int) -> int | None:
    """The weight (grams, rounded half up) a label's price stands for, or None without a
    price per kg to divide by."""
    if per_kg <= 0 or price < 0:
        return None
    return (price * 1000 * 2 + per_kg) // (2 * per_kg)


def member_price_for_label(price: int, per_kg: int, member_per_kg: int | None) -> int | None:
    """The member price of a price label's weighed amount: the label's price scaled by the
    member's price per kg to the list's (rounded half up; never above the label's price), so
    a member pays for the label what they would for its weight. None when the product has
    no member price or no list price per kg to scale by."""
    if member_per_kg is None or per_kg <= 0 or price < 0:
        return None
    return min(price, (price * member_per_kg * 2 + per_kg) // (2 * per_kg))
