"""Shared fixtures: a till on a real SQLite file in a temporary home, through the migrations."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from app.domain.staff import PinHasher, Role
from app.services.context import TillContext, open_till

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# In CI the examples are fixed (derandomized), so a run is repeatable; locally they vary, so
# that new counter-examples keep turning up during development.
settings.register_profile("ci", derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")

# Argon2 at its cheapest: the tests check behaviour, not the hash's cost.
FAST_HASHER = PinHasher(time_cost=1, memory_cost=8, parallelism=1)


class FrozenClock:
    """A clock the test moves by hand."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at

    def advance(self, **kw: float) -> None:
        self.at += timedelta(**kw)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(datetime(2026, 11, 22, 2, 30, tzinfo=UTC))


@pytest.fixture
def till(tmp_path: Path, clock: FrozenClock) -> Iterator[TillContext]:
    ctx = open_till(tmp_path / "home", clock=clock, hasher=FAST_HASHER)
    yield ctx
    ctx.close()


@pytest.fixture
def staff(till: TillContext) -> dict[str, object]:
    from app.services.staff import add_staff

    return {
        "cashier": add_staff(till, "1001", "Li Na", Role.CASHIER, "1234"),
        "supervisor": add_staff(till, "2001", "Wang Wei", Role.SUPERVISOR, "5678"),
        "manager": add_staff(till, "3001", "Zhao Min", Role.MANAGER, "9999"),
    }


@pytest.fixture
def products(till: TillContext) -> dict[str, str]:
    """A few products: sku -> category."""
    from app.domain.ids import new_id
    from app.store import orm

    rows = [
        ("6901234567892", "牛奶 Milk 1L", "Milk 1L", "dairy", 1290, 1190),
        ("6902345678901", "酸奶 Yogurt", "Yogurt", "dairy", 650, None),
        ("6903456789012", "大米 5kg", "Rice 5kg", "grain", 4990, 4590),
        ("6904567890123", "红酒 Red wine", "Red wine", "wine", 12800, None),
    ]
    with till.uow() as uow:
        for sku, zh, en, cat, price, member in rows:
            uow.session.add(
                orm.Product(
                    id=new_id(),
                    sku=sku,
                    name_zh=zh,
                    name_en=en,
                    category=cat,
                    unit_price=price,
                    member_price=member,
                    active=True,
                )
            )
        uow.commit()
    return {r[0]: r[3] for r in rows}
