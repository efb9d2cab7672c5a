from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from server.feedback.rules import CATEGORIES, Score, Severity, TicketRules, decide, mentions_safety

NOW = datetime(2026, 11, 22, 2, 30, tzinfo=UTC)


@pytest.mark.parametrize(("stars", "nps"), [(5, 10), (3, 7), (4, 9), (3, 10)])
def test_good_scores_open_no_ticket(stars: int, nps: int) -> None:
    assert decide(Score(stars, nps, "service", "nice staff"), NOW) is None


@pytest.mark.parametrize(
    ("score", "severity"),
    [
        (Score(2, 8), Severity.NORMAL),  # low stars alone
        (Score(4, 6), Severity.NORMAL),  # an NPS detractor alone
        (Score(2, 5, "stock"), Severity.NORMAL),
        (Score(1, 8, "cleanliness"), Severity.URGENT),  # 1 star, not service/product
        (Score(3, 3), Severity.URGENT),  # very low NPS
        (Score(1, 0, "service"), Severity.MAJOR),
        (Score(1, 9, "product_quality"), Severity.MAJOR),
        (Score(5, 10, None, "The floor was wet, someone fell"), Severity.MAJOR),  # safety beats scores
        (Score(4, 8, "product_quality", "牛奶过期变质了"), Severity.MAJOR),
    ],
)
def test_severity(score: Score, severity: Severity) -> None:
    decision = decide(score, NOW)
    assert decision is not None
    assert decision.severity is severity


def test_sla_deadlines_and_escalation() -> None:
    normal = decide(Score(2, 8, "stock"), NOW)
    urgent = decide(Score(1, 8, "checkout_speed"), NOW)
    major = decide(Score(1, 2, "service"), NOW)
    assert normal and urgent and major
    assert normal.due_at == NOW + timedelta(hours=48) and normal.escalate_to is None
    assert urgent.due_at == NOW + timedelta(hours=24) and urgent.escalate_to is None
    assert major.due_at == NOW and major.escalate_to == "area_manager"


def test_routing_by_category() -> None:
    teams = {c: decide(Score(2, 5, c), NOW) for c in CATEGORIES}
    assert {c: d.team for c, d in teams.items() if d} == {
        "product_quality": "quality",
        "service": "store_service",
        "checkout_speed": "front_end",
        "cleanliness": "facilities",
        "stock": "merchandising",
    }
    no_category = decide(Score(2, 5), NOW)
    assert no_category and no_category.team == "store_manager"


def test_rules_are_configurable() -> None:
    rules = TicketRules(
        ticket_max_stars=3,
        ticket_max_nps=4,
        urgent_max_stars=2,
        major_categories=frozenset({"stock"}),
        sla={
            Severity.NORMAL: timedelta(hours=72),
            Severity.URGENT: timedelta(hours=12),
            Severity.MAJOR: timedelta(hours=1),
        },
        routes={"stock": "warehouse"},
        default_team="duty_manager",
        escalate_to="regional_director",
        safety_words=("knife",),
    )
    d = decide(Score(3, 7, "cleanliness"), NOW, rules)
    assert d and d.severity is Severity.NORMAL and d.due_at == NOW + timedelta(hours=72)
    assert d.team == "duty_manager"
    d = decide(Score(2, 7, "service"), NOW, rules)
    assert d and d.severity is Severity.URGENT and d.due_at == NOW + timedelta(hours=12)
    d = decide(Score(1, 7, "stock"), NOW, rules)
    assert d and d.severity is Severity.MAJOR and d.team == "warehouse"
    assert d.escalate_to == "regional_director" and d.due_at == NOW + timedelta(hours=1)
    assert decide(Score(4, 5, None, "someone fell"), NOW, rules) is None  # not a safety word here
    assert decide(Score(5, 10, None, "a KNIFE on the shelf"), NOW, rules) is not None


def test_rules_validate() -> None:
    with pytest.raises(ValueError, match="sla"):
        TicketRules(sla={Severity.NORMAL: timedelta(hours=1)})
    with pytest.raises(ValueError, match="categories"):
        TicketRules(routes={"parking": "x"})
    with pytest.raises(ValueError):
        Score(0, 5)
    with pytest.raises(ValueError):
        Score(3, 11)
    with pytest.raises(ValueError):
        Score(3, 5, "parking")
    with pytest.raises(ValueError):
        decide(Score(3, 5), datetime(2026, 1, 1))  # naive


def test_safety_words_match_whole_english_words_and_chinese_substrings() -> None:
    rules = TicketRules()
    assert mentions_safety("There was GLASS in the bread", rules)
    assert not mentions_safety("glassy eyes of the fish looked fresh", rules)
    assert mentions_safety("孩子吃了以后过敏", rules)
    assert not mentions_safety("", rules)
