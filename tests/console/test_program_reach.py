"""Which tills have a program version (server/reach.py), on a migrated SQLite database: the
cursor a pull acknowledges (nothing from another epoch of the change log), noted only when it
moves, and a version received once a till's cursor has passed its change-log row; revoked
and never-enrolled tills are not listed; a scoped list keeps to its stores."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from app.domain.program import parse_program
from server.migrate import upgrade
from server.models import Store, Terminal
from server.program import publish
from server.pull import record_change
from server.reach import acknowledged, note_pull, program_rows, reach
from server.settings import load_settings
from sync.protocol import PullRequest

NOW = datetime(2026, 12, 3, 6, 0, tzinfo=UTC)


@pytest.fixture
def s(tmp_path: Path) -> Session:
    url = f"sqlite:///{tmp_path / 'server.db'}"
    upgrade(load_settings(database_url=url))
    session = Session(create_engine(url))
    for sid in ("S001", "S002"):
        session.add(Store(id=sid, name=f"store {sid}", created_at=NOW))
    for tid, sid, enrolled, revoked in (
        ("S001-T01", "S001", True, False),
        ("S001-T02", "S001", True, False),
        ("S002-T01", "S002", True, False),
        ("S002-T02", "S002", False, False),  # awaiting enrolment
        ("S002-T03", "S002", True, True),  # revoked
    ):
        session.add(
            Terminal(
                id=tid,
                store_id=sid,
                created_at=NOW,
                enrolled_at=NOW if enrolled else None,
                revoked_at=NOW if revoked else None,
                last_seen_at=NOW - timedelta(minutes=5),
            )
        )
    session.commit()
    return session


def test_the_acknowledged_cursor() -> None:
    assert acknowledged(PullRequest(cursor=41, epoch="e1"), "e1") == 41
    assert acknowledged(PullRequest(cursor=41, epoch=None), "e1") == 41  # a first pull
    assert acknowledged(PullRequest(cursor=41, epoch="old"), "e1") == 0  # another log's position


def test_a_version_is_received_once_a_pull_has_passed_its_row(s: Session) -> None:
    for n in range(3):  # changes before the program's: a till may have pulled up to them
        record_change(s, "product", f"SKU{n}", {"sku": f"SKU{n}"}, at=NOW)
    s.commit()
    v1 = publish(s, parse_program({"earn_points_per_yuan": 2}), NOW, NOW + timedelta(hours=1), by="t")
    s.commit()
    v2 = publish(s, parse_program({"earn_points_per_yuan": 3}), NOW, NOW + timedelta(days=1), by="t")
    s.commit()
    rows = program_rows(s)
    assert set(rows) == {v1.version, v2.version} and rows[v1.version] < rows[v2.version]

    got = reach(s, [v1.version, v2.version])
    assert [t.terminal_id for t in got[v1.version].tills] == ["S001-T01", "S001-T02", "S002-T01"]
    assert got[v1.version].received == () and got[v2.version].received == ()

    assert note_pull(s, "S001-T01", rows[v1.version]) is True
    assert note_pull(s, "S001-T01", rows[v1.version]) is False  # unchanged: not written again
    assert note_pull(s, "S002-T01", rows[v2.version] + 5) is True
    assert note_pull(s, "S001-T02", rows[v1.version] - 1) is True
    s.commit()
    got = reach(s, [v1.version, v2.version])
    assert {t.terminal_id for t in got[v1.version].received} == {"S001-T01", "S002-T01"}
    assert {t.terminal_id for t in got[v2.version].received} == {"S002-T01"}
    waiting = got[v1.version].waiting
    assert [(t.terminal_id, t.store_name, t.last_seen_at) for t in waiting] == [
        ("S001-T02", "store S001", NOW - timedelta(minutes=5))
    ]
    scoped = reach(s, [v1.version], stores=["S002"])
    assert [t.terminal_id for t in scoped[v1.version].tills] == ["S002-T01"]
    assert reach(s, [99])[99].seq is None and reach(s, [99])[99].received == ()
