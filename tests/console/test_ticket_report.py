"""The weekly ticket report: weeks counted Monday to Sunday in each store's zone, SLA and hours
to close, by category and by the close reason; the page and its CSV over HTTP for a signed-in
user (the SQLite demo server), a store manager seeing only their stores."""

from __future__ import annotations

import csv
import io
import secrets
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy.orm import Session

from server.console.routes.reports import cause_of, weekly
from server.db import Database
from server.feedback.models import Feedback, Ticket
from server.migrate import upgrade
from server.models import Store
from server.settings import ServerSettings
from tests.console.test_sqlite_and_bad_input import _signed_in, sqlite_server  # noqa: F401 (fixture)

# Wednesday 2026-11-25 12:00 UTC; the week of Monday 2026-11-23 in both zones.
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
# Monday 2026-11-23 03:00 UTC: that Monday in Shanghai (11:00), still Sunday 22:00 in New York.
EDGE = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Session]:
    settings = ServerSettings(database_url=f"sqlite:///{tmp_path / 'server.db'}")
    upgrade(settings)
    db = Database(settings)
    with db.sessions() as s:
        s.add_all(
            [
                Store(id="SH1", name="Shanghai", created_at=NOW, timezone="Asia/Shanghai"),
                Store(id="NY1", name="New York", created_at=NOW, timezone="America/New_York"),
            ]
        )
        s.flush()
        yield s
    db.dispose()


def _ticket(
    s: Session,
    store: str,
    opened: datetime,
    category: str | None,
    closed: datetime | None = None,
    due: timedelta = timedelta(hours=24),
    resolution: str = "",
) -> None:
    fb = Feedback(
        id=uuid.uuid4(),
        sale_id=uuid.uuid4(),
        store_id=store,
        terminal_id="T1",
        receipt_no=secrets.token_hex(4),
        key_id="k",
        token_nonce=secrets.token_hex(16),
        token_issued_at=opened,
        stars=1,
        nps=0,
        category=category,
        comment="",
        lang="zh_CN",
        submitted_at=opened,
    )
    s.add(fb)
    s.flush()
    s.add(
        Ticket(
            id=uuid.uuid4(),
            feedback_id=fb.id,
            store_id=store,
            severity="normal",
            team="store_service",
            status="closed" if closed else "open",
            reasons=["low_stars"],
            opened_at=opened,
            due_at=opened + due,
            updated_at=closed or opened,
            closed_at=closed,
            resolution=resolution,
        )
    )
    s.flush()


def test_weeks_follow_each_stores_zone_and_count_sla_and_causes(session: Session) -> None:
    _ticket(
        session, "SH1", EDGE, "stock", closed=EDGE + timedelta(hours=5), resolution="[explained] restocked"
    )
    _ticket(
        session, "NY1", EDGE, "service", closed=EDGE + timedelta(hours=30), resolution="[compensated] sorry"
    )
    _ticket(session, "SH1", NOW - timedelta(hours=1), None)  # open, no category
    _ticket(session, "SH1", NOW - timedelta(days=60), "stock")  # before the weeks asked for
    ctx = SimpleNamespace(s=session, now=NOW, stores=None)
    this, last = weekly(ctx, 2)  # type: ignore[arg-type]
    assert (str(this.start), str(last.start)) == ("2026-11-23", "2026-11-16")
    # The New York ticket opened on its Sunday: last week there; the Shanghai one this week.
    assert this.opened == 2 and this.categories == {"stock": 1, "none": 1}
    assert last.opened == 1 and last.categories == {"service": 1}
    # Both closed this week (the New York one on Tuesday 09:00 UTC, 04:00 there).
    assert this.closed == 2 and this.within_sla == 1 and this.sla_percent == 50
    assert this.causes == {"explained": 1, "compensated": 1}
    assert this.median_hours == 17.5
    scoped = SimpleNamespace(s=session, now=NOW, stores=["NY1"])
    mine = weekly(scoped, 2)  # type: ignore[arg-type]
    assert [w.opened for w in mine] == [0, 1]


def test_the_cause_is_the_reason_the_console_wrote_first() -> None:
    assert cause_of("[no_fault] the customer's own bag") == "no_fault"
    assert cause_of("[made-up] x") == cause_of("no reason") == cause_of("") == "other"


def test_the_page_and_its_csv_over_http(sqlite_server) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    proc, _db = sqlite_server
    http, _ = _signed_in(proc.url)
    page = http.get(proc.url + "/console/tickets-report?weeks=4&lang=en", timeout=20)
    assert page.status_code == 200 and "Tickets, week by week" in page.text
    assert 'id="report-csv"' in page.text
    assert http.get(proc.url + "/console/tickets?lang=en", timeout=20).text.count('id="to-report"') == 1
    got = http.get(proc.url + "/console/tickets-report.csv?weeks=4", timeout=20)
    assert got.status_code == 200 and got.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(got.text)))
    assert rows[0][:5] == ["week", "opened", "closed", "within_sla", "median_hours_to_close"]
    assert len(rows) == 1 + 4
    total_opened = sum(int(r[1]) for r in rows[1:])
    assert total_opened >= 1  # the demo chain has tickets in the last weeks
    for bad in ("?weeks=-5", "?weeks=100000", "?weeks=abc", "?store=%00", "?store=S1%27--"):
        for path in ("/console/tickets-report", "/console/tickets-report.csv"):
            r = http.get(proc.url + path + bad, timeout=20)
            assert r.status_code < 500, (bad, r.status_code)
    assert http.get(proc.url + "/console/tickets-report?store=%00", timeout=20).status_code == 400
