"""Following a merged member to its survivor (app/domain/merges.py)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from app.domain.merges import MAX_MERGE_STEPS, UNKNOWN, MergeChainTooLong, Unknown, follow_merges


def links(**to: str | None) -> Callable[[str], str | Unknown | None]:
    """`next_id` over a table of names: None is a live member, a name not in the table unknown."""
    return lambda key: to.get(key, UNKNOWN)


def test_a_live_member_is_its_own_survivor() -> None:
    assert follow_merges("a", links(a=None)) == "a"


def test_a_chain_of_merges_ends_at_the_live_member() -> None:
    assert follow_merges("a", links(a="b", b="c", c=None)) == "c"


def test_a_chain_into_an_unknown_member_resolves_to_none() -> None:
    assert follow_merges("a", links(a="b")) is None
    assert follow_merges("x", links()) is None


def test_a_cycle_stops_with_an_error_instead_of_looping() -> None:
    with pytest.raises(MergeChainTooLong):
        follow_merges("a", links(a="b", b="a"))


def test_the_chain_is_bounded() -> None:
    chain: dict[str, str | None] = {f"m{i}": f"m{i + 1}" for i in range(MAX_MERGE_STEPS)}
    chain[f"m{MAX_MERGE_STEPS}"] = None
    assert follow_merges("m0", links(**chain)) == f"m{MAX_MERGE_STEPS}"
    chain[f"m{MAX_MERGE_STEPS}"] = f"m{MAX_MERGE_STEPS + 1}"
    chain[f"m{MAX_MERGE_STEPS + 1}"] = None
    with pytest.raises(MergeChainTooLong):
        follow_merges("m0", links(**chain))
