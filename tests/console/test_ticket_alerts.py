"""The escalation alert on every console page: the tickets past their SLA or escalated that the
signed-in user may work, counted in its stores only, linking to that queue."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from server.feedback.models import Ticket
from tests.console.test_sqlite_and_bad_input import _signed_in, sqlite_server  # noqa: F401 (fixture)

_COUNT = re.compile(r'class="alert-link" href="/console/tickets\?view=attention" data-count="(\d+)"')


def _count(page: str) -> int:
    found = _COUNT.findall(page)
    return int(found[0]) if found else 0


def _needs_attention(t: Ticket, now: datetime) -> bool:
    return t.status != "closed" and (t.due_at < now or t.escalated_to is not None)


def test_alert_counts_and_scoping(sqlite_server) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    proc, db = sqlite_server
    now = datetime.now(UTC)
    with db.sessions() as s:
        # Whatever the small demo made: one open ticket of S001 past its deadline, one of S003
        # escalated but not yet due.
        late, escalated = s.execute(select(Ticket).order_by(Ticket.opened_at).limit(2)).scalars().all()
        late.store_id, late.status, late.due_at = "S001", "open", now - timedelta(hours=1)
        escalated.store_id, escalated.status = "S003", "in_progress"
        escalated.due_at, escalated.escalated_to = now + timedelta(days=2), "area_manager"
        s.commit()
        tickets = s.execute(select(Ticket)).scalars().all()
        expected = {
            "admin": sum(_needs_attention(t, now) for t in tickets),
            "area": sum(_needs_attention(t, now) for t in tickets if t.store_id in ("S001", "S002")),
            "store1": sum(_needs_attention(t, now) for t in tickets if t.store_id == "S001"),
            "store2": sum(_needs_attention(t, now) for t in tickets if t.store_id == "S002"),
            "agent": sum(_needs_attention(t, now) for t in tickets),
        }
    assert 0 < expected["store1"] <= expected["area"] < expected["admin"]
    base = proc.url + "/console"
    for user, n in expected.items():
        http, _ = _signed_in(proc.url, user)
        for path in ("/dashboard" if user != "agent" else "/members", "/tickets", "/members?q=x"):
            assert _count(http.get(base + path, timeout=20).text) == n, (user, path)
        queue = http.get(base + "/tickets?view=attention", timeout=20).text
        listed = set(re.findall(r'href="/console/tickets/([0-9a-f-]{36})"', queue))
        assert len(listed) == n, user
        with db.sessions() as s:
            rows = s.execute(select(Ticket).where(Ticket.id.in_([uuid.UUID(x) for x in listed]))).scalars()
            assert all(_needs_attention(t, now) for t in rows)
        fragment = http.get(base + "/alerts", headers={"HX-Request": "true"}, timeout=20).text
        assert _count(fragment) == n and "<html" not in fragment
    # Marketing does not work tickets: no alert, and the fragment is refused.
    http, _ = _signed_in(proc.url, "marketing")
    page = http.get(base + "/dashboard", timeout=20).text
    assert 'id="ticket-alert"' not in page and _count(page) == 0
    assert http.get(base + "/alerts", timeout=20).status_code == 403


def test_an_escalated_ticket_counts_before_its_deadline(sqlite_server) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    proc, db = sqlite_server
    http, _ = _signed_in(proc.url, "store2")
    with db.sessions() as s:
        t = s.execute(select(Ticket).order_by(Ticket.opened_at.desc()).limit(1)).scalar_one()
        t.store_id, t.status, t.escalated_to = "S002", "open", None
        t.due_at = datetime.now(UTC) + timedelta(days=3)
        s.commit()
    not_yet = _count(http.get(proc.url + "/console/tickets", timeout=20).text)
    with db.sessions() as s:
        row = s.get(Ticket, t.id)
        assert row is not None
        row.escalated_to = "area_manager"
        s.commit()
    page = http.get(proc.url + "/console/tickets?view=attention", timeout=20).text
    assert _count(page) == not_yet + 1 and f"/console/tickets/{t.id}" in page
    with db.sessions() as s:
        row = s.get(Ticket, t.id)
        assert row is not None
        row.status = "closed"
        s.commit()
    assert _count(http.get(proc.url + "/console/tickets", timeout=20).text) == not_yet  # closed: gone
