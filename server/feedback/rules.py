"""Which feedback opens a ticket, how severe it is, which team gets it and when it is due.

Pure functions over a :class:`TicketRules` dataclass: no database, no clock of their own (the
caller passes ``now``). Every threshold is a default a store may change in configuration.

Default policy:

* a ticket opens when ``stars <= 2`` or ``nps <= 6`` (an NPS detractor), or when the comment
  mentions a safety word (whatever the scores: a safety report is never left unanswered);
* **major** (due at once, escalated to the area manager): a safety word in the comment, or
  1 star with category ``service`` or ``product_quality``;
* **urgent** (24 h): 1 star, or NPS <= 3;
* **normal** (48 h): any other low score;
* the team is chosen by category (``routes``), else ``default_team``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from types import MappingProxyType
from typing import Final

from app.domain.clock import require_aware

__all__ = [
    "CATEGORIES",
    "NPS_RANGE",
    "STAR_RANGE",
    "Score",
    "Severity",
    "TicketDecision",
    "TicketRules",
    "decide",
    "mentions_safety",
]

# The five categories of the feedback form, in the order the form shows them.
CATEGORIES: Final = ("product_quality", "service", "checkout_speed", "cleanliness", "stock")
STAR_RANGE: Final = range(1, 6)
NPS_RANGE: Final = range(0, 11)


class Severity(StrEnum):
    NORMAL = "normal"
    URGENT = "urgent"
    MAJOR = "major"


_DEFAULT_SLA: Final[Mapping[Severity, timedelta]] = MappingProxyType(
    {
        Severity.NORMAL: timedelta(hours=48),
        Severity.URGENT: timedelta(hours=24),
        Severity.MAJOR: timedelta(0),
    }
)
_DEFAULT_ROUTES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "product_quality": "quality",
        "service": "store_service",
        "checkout_speed": "front_end",
        "cleanliness": "facilities",
        "stock": "merchandising",
    }
)
_DEFAULT_SAFETY_WORDS: Final = (
    # English: matched as whole words, case-insensitively.
    "safety",
    "unsafe",
    "danger",
    "dangerous",
    "injury",
    "injured",
    "hurt",
    "poisoning",
    "poisoned",
    "sick",
    "allergic",
    "mould",
    "mold",
    "rotten",
    "glass",
    "fire",
    "fell",
    # Chinese: matched as substrings.
    "安全",
    "危险",
    "受伤",
    "中毒",
    "过敏",
    "发霉",
    "变质",
    "腐烂",
    "玻璃",
    "异物",
    "着火",
    "摔倒",
)


@dataclass(frozen=True, slots=True)
class TicketRules:
    """The store's ticket policy. Build one with keyword arguments to change a default."""

    ticket_max_stars: int = 2
    ticket_max_nps: int = 6
    urgent_max_stars: int = 1
    urgent_max_nps: int = 3
    major_max_stars: int = 1
    major_categories: frozenset[str] = frozenset({"service", "product_quality"})
    safety_words: tuple[str, ...] = _DEFAULT_SAFETY_WORDS
    sla: Mapping[Severity, timedelta] = field(default_factory=lambda: _DEFAULT_SLA)
    routes: Mapping[str, str] = field(default_factory=lambda: _DEFAULT_ROUTES)
    default_team: str = "store_manager"
    escalate: frozenset[Severity] = frozenset({Severity.MAJOR})
    escalate_to: str = "area_manager"

    def __post_init__(self) -> None:
        missing = [s for s in Severity if s not in self.sla]
        if missing:
            raise ValueError(f"sla has no deadline for {', '.join(missing)}")
        if any(v < timedelta(0) for v in self.sla.values()):
            raise ValueError("an SLA deadline cannot be negative")
        unknown = set(self.routes) - set(CATEGORIES)
        if unknown:
            raise ValueError(f"routes name unknown categories: {sorted(unknown)}")


@dataclass(frozen=True, slots=True)
class Score:
    """One customer's answer, as the form validated it."""

    stars: int
    nps: int
    category: str | None = None
    comment: str = ""

    def __post_init__(self) -> None:
        if self.stars not in STAR_RANGE:
            raise ValueError("stars must be 1 to 5")
        if self.nps not in NPS_RANGE:
            raise ValueError("nps must be 0 to 10")
        if self.category is not None and self.category not in CATEGORIES:
            raise ValueError(f"unknown category {self.category!r}")


@dataclass(frozen=True, slots=True)
class TicketDecision:
    severity: Severity
    team: str
    due_at: datetime
    escalate_to: str | None
    reasons: tuple[str, ...]


def _word_pattern(words: tuple[str, ...]) -> re.Pattern[str] | None:
    parts = [rf"\b{re.escape(w)}\b" if w.isascii() else re.escape(w) for w in words if w.strip()]
    return re.compile("|".join(parts), re.IGNORECASE) if parts else None


def mentions_safety(comment: str, rules: TicketRules) -> bool:
    pattern = _word_pattern(rules.safety_words)
    return bool(pattern and pattern.search(comment))


def decide(score: Score, now: datetime, rules: TicketRules | None = None) -> TicketDecision | None:
    """The ticket this answer opens, or None when it opens none."""
    require_aware(now, "now")
    rules = rules or TicketRules()
    reasons: list[str] = []
    if score.stars <= rules.ticket_max_stars:
        reasons.append(f"stars<={rules.ticket_max_stars}")
    if score.nps <= rules.ticket_max_nps:
        reasons.append(f"nps<={rules.ticket_max_nps}")
    safety = mentions_safety(score.comment, rules)
    if safety:
        reasons.append("safety")
    if not reasons:
        return None
    if safety or (score.stars <= rules.major_max_stars and score.category in rules.major_categories):
        severity = Severity.MAJOR
    elif score.stars <= rules.urgent_max_stars or score.nps <= rules.urgent_max_nps:
        severity = Severity.URGENT
    else:
        severity = Severity.NORMAL
    team = rules.routes.get(score.category or "", rules.default_team)
    return TicketDecision(
        severity=severity,
        team=team,
        due_at=now + rules.sla[severity],
        escalate_to=rules.escalate_to if severity in rules.escalate else None,
        reasons=tuple(reasons),
    )
