"""Largest-remainder allocation: split an integer total over weights so the parts sum exactly."""

from __future__ import annotations

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
    if any(w < 0 for w in weights):
        raise ValueError("weights must not be negative")
    weight_sum = sum(weights, Fraction(0))
    if weight_sum == 0:
        if total:
            raise ValueError("cannot allocate a non-zero total over zero weights")
        return [0] * len(weights)
    exact = [Fraction(total) * w / weight_sum for w in weights]
    parts = [int(e) for e in exact]  # floor: every e >= 0
    left = total - sum(parts)
    order = sorted(range(len(exact)), key=lambda i: (-(exact[i] - parts[i]), i))
    for i in order[:left]:
        parts[i] += 1
    return parts


def allocate_exact(exact: Sequence[Fraction]) -> tuple[int, list[int]]:
    """Round a sum of exact non-negative amounts down once and spread it by largest remainder.

    Returns (floor(sum(exact)), parts) where parts sum to that floor and each part is the floor
    of its exact amount plus at most one.
    """
    total = int(sum(exact, Fraction(0)))
    parts = [int(e) for e in exact]
    left = total - sum(parts)
    order = sorted(range(len(exact)), key=lambda i: (-(exact[i] - parts[i]), i))
    for i in order[:left]:
        parts[i] += 1
    return total, parts
