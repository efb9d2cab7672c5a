"""A batch redone event by event (something unexpected failed) publishes only what the
applied events changed: the change rows a failed event had queued before it failed go with
its savepoint, so no till pulls a change of something that was never stored, and those of the
events applied before it stay. (It holds because SQLAlchemy runs the session's
`before_commit` and `after_rollback` hooks of server/pull.py for each savepoint too: an
applied event's queue is written when its savepoint is released, a failed one's dropped.)"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from server.db import Database
from server.models import ChangeRow, Coupon
from server.pull import record_change
from server.push import push
from server.push.context import Batch
from server.push.handlers import HANDLERS
from server.settings import ServerSettings
from sync.protocol import PushRequest, WireEvent
from tests.server.support import Till, enrol_in_process, random_phone

pytestmark = pytest.mark.postgres


def _broken(b: Batch, ev: WireEvent) -> dict[str, Any]:
    """A handler with a bug: it queues a change for the tills, then fails."""
    record_change(b.s, "product", "POISON", {"sku": "POISON"}, at=b.now)
    raise RuntimeError("a bug after queueing a change")


def test_a_failed_events_queued_changes_are_not_published(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = Database(ServerSettings(database_url=db_url))
    store = f"SR{uuid.uuid4().hex[:6]}"
    till = Till("http://unused", db_url, store)
    enrol_in_process(db, till)
    monkeypatch.setitem(HANDLERS, "test.broken", _broken)
    member, other = uuid.uuid4(), uuid.uuid4()
    events = [till.registration(random_phone(), member), till.registration(random_phone(), other)]
    broken = till.registration(random_phone(), uuid.uuid4())  # the last in seq order
    broken["type"] = "test.broken"
    events.append(broken)
    req = PushRequest.model_validate({"events": events, "till_time": datetime.now(UTC)})
    out = push(db, till.terminal_id, req, "test")
    assert [r.status for r in out.results] == ["applied", "applied", "rejected"]
    assert out.results[2].reason == "cannot_process:RuntimeError"
    with db.sessions() as s:
        keys = set(s.execute(select(ChangeRow.entity, ChangeRow.key)).all())
        issued = {
            str(c)
            for c in s.execute(select(Coupon.id).where(Coupon.member_id.in_([member, other]))).scalars()
        }
        coupons = s.execute(  # the welcome coupons, queued while their registrations applied
            select(ChangeRow.key).where(
                ChangeRow.entity == "coupon", ChangeRow.member_id.in_([member, other])
            )
        ).all()
    assert ("product", "POISON") not in keys  # it was queued by the event that failed
    assert {k for (k,) in coupons} == issued  # every coupon the applied events stored, published
    assert {("member", str(member)), ("member", str(other))} <= keys  # the applied events' changes
    db.dispose()
