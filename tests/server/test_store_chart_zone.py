"""The stores screen's daily sales chart counts each store's sales on its own calendar day
(`stores.timezone`), on PostgreSQL (SQL in the zone) and on the SQLite demo (in Python)."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy.orm import Session

from server.console.routes.stores import _chart
from server.db import Database
from server.migrate import upgrade
from server.models import Sale, Store
from server.settings import ServerSettings

NOW = datetime.now(UTC).replace(microsecond=0)
# 03:00 UTC two days ago: that day in Shanghai (11:00), the evening before in New York (22:00).
AT = (NOW - timedelta(days=2)).replace(hour=3, minute=0, second=0)


@pytest.fixture(params=["sqlite", "postgresql"])
def session(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Session]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'server.db'}"
    else:
        url = request.getfixturevalue("db_url")
    settings = ServerSettings(database_url=url)
    upgrade(settings)
    db = Database(settings)
    with db.sessions() as s:
        yield s
        s.rollback()
    db.dispose()


def _sale(store_id: str, total: int) -> Sale:
    return Sale(
        id=uuid.uuid4(),
        receipt_no=secrets.token_hex(4),
        store_id=store_id,
        terminal_id="T1",
        cashier_id="c",
        member_id=None,
        at=AT,
        subtotal=total,
        member_savings=0,
        coupon_discount=0,
        points_redeemed=0,
        points_value=0,
        total_due=total,
        points_earned=0,
        paid=total,
        change_due=0,
        event_id=uuid.uuid4(),
    )


def test_each_store_s_sales_fall_on_its_own_calendar_day(session: Session) -> None:
    sh, ny = f"SH{secrets.token_hex(3)}", f"NY{secrets.token_hex(3)}"
    session.add_all(
        [
            Store(id=sh, name="Shanghai", created_at=NOW, timezone="Asia/Shanghai"),
            Store(id=ny, name="New York", created_at=NOW, timezone="America/New_York"),
        ]
    )
    session.flush()
    session.add_all([_sale(sh, 12_300), _sale(ny, 45_600)])
    session.flush()
    chart = _chart(SimpleNamespace(now=NOW, s=session), [sh, ny])  # type: ignore[arg-type]
    days = chart["days"]
    by_store = {line["name"]: dict(zip(days, line["data"], strict=True)) for line in chart["series"]}
    shanghai_day = str(AT.date())
    new_york_day = str(AT.date() - timedelta(days=1))
    assert {d for d, v in by_store[sh].items() if v} == {shanghai_day}
    assert by_store[sh][shanghai_day] == 123.0
    assert {d for d, v in by_store[ny].items() if v} == {new_york_day}
    assert by_store[ny][new_york_day] == 456.0
