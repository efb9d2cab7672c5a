"""Largest-remainder allocation: split an integer total over weights so the parts sum exactly.

Integer arithmetic throughout (the pricing engine calls these on every quote); Fractions are
accepted and brought to a common denominator first.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction


def allocate(total: int, weights: Sequence[int | Fraction]) -> list[int]:
    """Split `total` (>= 0) in proportion to non-negative `weights`, by largest remainder.

    Each part is floor(total * w / sum(w)); the units left over go one each to the parts with
    the largest fractional remainders, ties to the earlier part. The parts always sum to
    `total`. With all weights zero, nothing can be allocated and ValueError is raised unless
    `total` is zero too.
    """
    if total < 0:
        raise ValueError("cannot allocate a negative total")
    ints = _as_integers(weights)
    if any(w < 0 for w in ints):
        raise ValueError("weights must not be negative")
    weight_sum = sum(ints)
    if weight_sum == 0:
        if total:
            raise ValueError("cannot allocate a non-zero total over zero weights")
        return [0] * len(ints)
    parts: list[int] = []
    rems: list[int] = []
    for w in ints:
        q, r = divmod(total * w, weight_sum)
        parts.append(q)
        rems.append(r)
    return _spread(total - sum(parts), parts, rems)


def allocate_ratio(numerators: Sequence[int], denominator: int) -> tuple[int, list[int]]:
    """Round the sum of the amounts numerators[i] / denominator (all >= 0) down once, and
    spread that total by largest remainder: (total, parts), parts summing to total."""
    total = sum(numerators) // denominator
    parts: list[int] = []
    rems: list[int] = []
    for n in numerators:
        q, r = divmod(n, denominator)
        parts.append(q)
        rems.append(r)
    return total, _spread(total - sum(parts), parts, rems)


def _as_integers(weights: Sequence[int | Fraction]) -> list[int]:
    if all(isinstance(w, int) for w in weights):
        return [int(w) for w in weights]
    fracs = [Fraction(w) for w in weights]
    denominator = math.lcm(*(f.denominator for f in fracs))
    return [int(f * denominator) for f in fracs]


def _spread(left: int, parts: list[int], rems: list[int]) -> list[int]:
    """One more unit to each of the `left` largest remainders, ties to the earlier part."""
    if left:
        # sorted() is stable: equal remainders keep their order, so ties go to the earlier part
        order = sorted(range(len(rems)), key=lambda i: -rems[i])
        for i in order[:left]:
            parts[i] += 1
    return parts
