"""Segments HQ defines as rules over what intel knows of a member.

A rule is a JSON object; every key given must hold (AND), lists mean "any of":

| key | meaning |
|---|---|
| `r_min` `r_max` `f_min` `f_max` `m_min` `m_max` | RFM scores 1-5 (none without a purchase: fails) |
| `tiers` | member tier in the list (`basic`, `silver`, `gold`, `black`) |
| `lifecycle` | stage in the list (`new`, `active`, `dormant`, `lost`) |
| `tags_any` / `tags_all` | the member has any / all of these tags |
| `spend_min` `spend_max` | 12-month spend, integer fen |
| `visits_min` `visits_max` | purchases in the 12-month window |
| `stores_any` | bought at any of these stores in the window |
| `categories_any` | bought in any of these categories in the window |

`compile_rules` turns the rules into one SQL expression per segment, with bound parameters
only (no rule text reaches the SQL), evaluated in the scoring query (server/intel/scores.py).
"""

from __future__ import annotations

import logging
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from sqlalchemy import select
from sqlalchemy.orm import Session

from server.intel.models import IntelSegment

log = logging.getLogger("server.intel")

Score = Field(default=None, ge=1, le=5)
# No NUL (PostgreSQL text cannot hold one).
Word = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[^\x00]+$")]


class SegmentRule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    r_min: int | None = Score
    r_max: int | None = Score
    f_min: int | None = Score
    f_max: int | None = Score
    m_min: int | None = Score
    m_max: int | None = Score
    tiers: list[Literal["basic", "silver", "gold", "black"]] | None = Field(default=None, max_length=4)
    lifecycle: list[Literal["new", "active", "dormant", "lost"]] | None = Field(default=None, max_length=4)
    tags_any: list[Word] | None = Field(default=None, max_length=50)
    tags_all: list[Word] | None = Field(default=None, max_length=50)
    spend_min: int | None = Field(default=None, ge=0, le=10**12)
    spend_max: int | None = Field(default=None, ge=0, le=10**12)
    visits_min: int | None = Field(default=None, ge=0, le=10**6)
    visits_max: int | None = Field(default=None, ge=0, le=10**6)
    stores_any: list[Word] | None = Field(default=None, max_length=200)
    categories_any: list[Word] | None = Field(default=None, max_length=200)


# column (in the scoring query's `tagged` rows) and SQL operator for each bound
_BOUNDS: dict[str, tuple[str, str]] = {
    "r_min": ("r", ">="),
    "r_max": ("r", "<="),
    "f_min": ("f", ">="),
    "f_max": ("f", "<="),
    "m_min": ("m", ">="),
    "m_max": ("m", "<="),
    "spend_min": ("spend", ">="),
    "spend_max": ("spend", "<="),
    "visits_min": ("visits", ">="),
    "visits_max": ("visits", "<="),
}
_LISTS: dict[str, str] = {
    "tiers": "tier = ANY(CAST(:{p} AS text[]))",
    "lifecycle": "lifecycle = ANY(CAST(:{p} AS text[]))",
    "tags_any": "tags && CAST(:{p} AS text[])",
    "tags_all": "tags @> CAST(:{p} AS text[])",
    "stores_any": "stores ?| CAST(:{p} AS text[])",
    "categories_any": "categories ?| CAST(:{p} AS text[])",
}


def compile_rule(rule: SegmentRule, prefix: str) -> tuple[str, dict[str, Any]]:
    """One segment's condition over the `tagged` rows and its parameters (`prefix`_key)."""
    parts: list[str] = []
    params: dict[str, Any] = {}
    for key, value in rule.model_dump(exclude_none=True).items():
        p = f"{prefix}_{key}"
        params[p] = value
        if key in _BOUNDS:
            col, op = _BOUNDS[key]
            parts.append(f"COALESCE({col} {op} :{p}, false)")
        else:
            parts.append(_LISTS[key].format(p=p))
    return (" AND ".join(parts) or "true"), params


def compile_rules(rules: list[tuple[str, SegmentRule]]) -> tuple[str, dict[str, Any]]:
    """`to_jsonb(array[...])` of the ids of the segments a row is in, and all parameters."""
    if not rules:
        return "'[]'::jsonb", {}
    cases: list[str] = []
    params: dict[str, Any] = {}
    for i, (seg_id, rule) in enumerate(rules):
        cond, p = compile_rule(rule, f"seg{i}")
        params.update(p)
        params[f"seg{i}_id"] = seg_id
        cases.append(f"CASE WHEN {cond} THEN CAST(:seg{i}_id AS text) END")
    return f"to_jsonb(array_remove(ARRAY[{', '.join(cases)}], NULL))", params


def load_rules(s: Session) -> list[tuple[str, SegmentRule]]:
    """HQ's segments in id order (a stored rule that no longer validates is skipped)."""
    out: list[tuple[str, SegmentRule]] = []
    for seg_id, rule in s.execute(select(IntelSegment.id, IntelSegment.rule).order_by(IntelSegment.id)):
        try:
            out.append((seg_id, SegmentRule.model_validate(rule)))
        except ValueError:
            log.warning("segment %s has a rule that no longer validates; skipped", seg_id)
    return out
