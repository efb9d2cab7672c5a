"""Member merges: following a merged-away member id to the member that survived.

The same phone registered offline at two stores becomes one member on the server; the other id
stays as an alias (and its row, if held, is marked `merged_into`). Till, server and feedback
all resolve an id through `follow_merges`, each with its own way of reading the links."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Hashable
from typing import Final, TypeVar

K = TypeVar("K", bound=Hashable)

# Merges do not chain deeply (a merge re-points the aliases of the merged member); a longer
# chain is a cycle or damaged data, not a reason to loop.
MAX_MERGE_STEPS: Final = 8


class Unknown:
    __slots__ = ()

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Final = Unknown()
"""What a `next_id` function returns for an id that names no member known here."""


class MergeChainTooLong(ValueError):
    """Following merges did not end within `MAX_MERGE_STEPS` (a cycle or damaged links)."""


def follow_merges(
    member_id: K, next_id: Callable[[K], K | Unknown | None], limit: int = MAX_MERGE_STEPS
) -> K | None:
    """The surviving member's id for `member_id`, or None when the chain reaches an id not known
    here. `next_id(id)` says where `id` leads: None when it is a live member (the survivor),
    the id it was merged into (its row's `merged_into`, or its alias when the row is not held),
    or `UNKNOWN`. Raises MergeChainTooLong after `limit` steps."""
    current = member_id
    for _ in range(limit + 1):
        step = next_id(current)
        if isinstance(step, Unknown):
            return None
        if step is None:
            return current
        current = step
    raise MergeChainTooLong(f"member merges do not end within {limit} steps")


def merged_phone(member_id: uuid.UUID) -> str:
    """The phone a merged-away member's row holds instead of its own, which now belongs to the
    survivor (the till's unique index on phones allows one holder)."""
    return f"merged:{member_id.hex[:16]}"


def merged_card(member_id: uuid.UUID) -> str:
    """The card number a merged-away member's row holds instead of its own (see merged_phone)."""
    return f"M{member_id.hex[:19]}"


def is_merged_away(member_id: uuid.UUID, phone: object) -> bool:
    """Whether a member row with `phone` is the server's row of a member it merged into
    another: the server sends it first, so the survivor's row can take the phone and card."""
    return phone == merged_phone(member_id)
