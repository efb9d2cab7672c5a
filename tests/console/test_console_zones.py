"""Times on the console are shown in the zone they belong to, with its offset: a store's
ticket, sale and till in the store's zone, chain-wide things (the audit trail, campaigns) in
the chain's. One demo store is moved to New York for this."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select, update

from server.console.models import ConsoleAudit
from server.console.web import zone_label
from server.feedback.models import Ticket
from server.models import Sale, Store, Terminal
from tests.console.test_sqlite_and_bad_input import _signed_in, sqlite_server  # noqa: F401 (fixture)

NY = ZoneInfo("America/New_York")
SH = ZoneInfo("Asia/Shanghai")


def _shown(at: datetime, zone: ZoneInfo) -> str:
    local = at.astimezone(zone)
    return f"{local:%Y-%m-%d %H:%M} {zone_label(local)}"


def test_zone_labels() -> None:
    winter = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
    summer = datetime(2026, 7, 3, 12, 0, tzinfo=UTC)
    assert zone_label(winter.astimezone(SH)) == "UTC+8"
    assert zone_label(winter.astimezone(NY)) == "UTC-5"
    assert zone_label(summer.astimezone(NY)) == "UTC-4"
    assert zone_label(winter.astimezone(ZoneInfo("Asia/Kolkata"))) == "UTC+5:30"
    assert zone_label(winter) == "UTC+0"


def test_a_store_in_another_zone(sqlite_server) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    proc, db = sqlite_server
    with db.sessions() as s:
        s.execute(update(Store).where(Store.id == "S004").values(timezone="America/New_York"))
        s.commit()
        ticket = s.execute(
            select(Ticket).where(Ticket.store_id == "S004", Ticket.status != "closed").limit(1)
        ).scalar_one()
        sale = s.execute(
            select(Sale).where(Sale.store_id == "S004", Sale.member_id.is_not(None)).limit(1)
        ).scalar_one()
        till = (
            s.execute(select(Terminal).where(Terminal.store_id == "S004", Terminal.last_seen_at.is_not(None)))
            .scalars()
            .first()
        )
    http, _ = _signed_in(proc.url)
    base = proc.url + "/console"
    page = http.get(f"{base}/tickets/{ticket.id}", timeout=20).text
    assert _shown(ticket.opened_at, NY) in page and _shown(ticket.due_at, NY) in page
    assert _shown(ticket.opened_at, SH) not in page
    queue = http.get(f"{base}/tickets?store=S004", timeout=20).text
    assert _shown(ticket.opened_at, NY) in queue and "UTC+8" not in queue.split('id="queues"')[1]
    member = http.get(f"{base}/members/{sale.member_id}", timeout=20).text
    assert _shown(sale.at, NY) in member and _shown(sale.at, SH) not in member
    if till is not None:
        stores = http.get(f"{base}/stores", timeout=20).text
        assert _shown(till.last_seen_at, NY) in stores
    # Another store's ticket stays in Shanghai time; the audit trail is in the chain's zone.
    with db.sessions() as s:
        other = s.execute(select(Ticket).where(Ticket.store_id == "S001").limit(1)).scalar_one()
        signed = s.execute(select(ConsoleAudit).order_by(ConsoleAudit.at.desc()).limit(1)).scalar_one()
    assert _shown(other.opened_at, SH) in http.get(f"{base}/tickets/{other.id}", timeout=20).text
    assert _shown(signed.at, SH) in http.get(f"{base}/audit", timeout=20).text
