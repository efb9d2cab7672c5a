"""A till learns what became of its points adjustments: held for HQ (the push answer), then
approved or rejected by HQ (a pulled `points_outcome`). Real tills (SQLite files) and a real
`till-server serve` process on PostgreSQL, over HTTP on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import select

from app.domain.staff import Role
from app.services.members import member_view
from app.services.points import AdjustPoints, adjust_points
from app.services.staff import add_staff
from app.store import orm
from server.migrate import upgrade
from server.settings import ServerSettings
from sync.worker import SyncWorker
from tests.server.conftest import HQ_TOKEN, create_database, drop_database, require_postgres
from tests.server.support import ServerProcess
from tests.sync.conftest import FAST, RICE, register, sell
from tests.sync.test_merge_e2e import _till

pytestmark = pytest.mark.postgres

HQ = {"Authorization": f"Bearer {HQ_TOKEN}"}


@pytest.fixture(scope="module")
def hq_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    admin = require_postgres()
    url = create_database(admin, prefix="lt_outcome_")
    try:
        upgrade(ServerSettings(database_url=url))
        proc = ServerProcess(url, tmp_path_factory.mktemp("server"), LT_SERVER_ADMIN_TOKEN=HQ_TOKEN).start()
        try:
            yield proc
        finally:
            proc.stop()
    finally:
        drop_database(admin, url)


def _outcomes(till: Any) -> dict[str, tuple[str, str]]:
    with till.uow(write=False) as uow:
        rows = uow.session.execute(select(orm.PointsOutcome)).scalars()
        return {str(r.entry_id): (r.status, r.reason) for r in rows}


def _adjust(till: Any, staff: dict[str, Any], member_id: Any, points: int) -> str:
    adjust_points(
        till,
        AdjustPoints(member_id, points, "goodwill", staff["cashier"].id, staff["supervisor"].id, "5678"),
    )
    with till.uow(write=False) as uow:
        row = uow.session.execute(
            select(orm.LedgerEntry)
            .where(orm.LedgerEntry.kind == "adjust")
            .order_by(orm.LedgerEntry.at.desc())
        ).scalars()
        return str(next(iter(row)).id)


def test_held_adjustments_leave_the_balance_until_hq_approves_and_the_status_says_so(
    hq_server: ServerProcess, tmp_path: Path, clock: Any
) -> None:
    till = _till(tmp_path / "till", "T51", clock, hq_server, "S005")
    worker = SyncWorker(till, FAST)
    try:
        staff = {
            "cashier": add_staff(till, "1001", "Li Na", Role.CASHIER, "1234"),
            "supervisor": add_staff(till, "2001", "Wang Wei", Role.SUPERVISOR, "5678"),
        }
        member = register(till, staff, "138 0013 8701").member.id
        sell(till, staff, lines=((RICE, 1),), member_id=member)
        assert worker.run_once().ok
        earned = member_view(till, member).points_balance
        assert earned > 0

        # HQ does not know this till's supervisor (no `store-staff` row): both are held.
        clock.advance(minutes=1)
        first = _adjust(till, staff, member, 500)
        clock.advance(seconds=1)
        second = _adjust(till, staff, member, 300)
        assert member_view(till, member).points_balance == earned + 800  # offline, as the till did it
        round1 = worker.run_once()
        assert round1.ok, round1.describe()
        assert _outcomes(till) == {first: ("held", "approver_unknown"), second: ("held", "approver_unknown")}
        assert member_view(till, member).points_balance == earned  # as the server counts it
        status = worker.status
        assert status.held == 2 and "2 points adjustments held for HQ" in status.describe()
        assert "2 笔积分调整待总部审批" in status.describe("zh")

        listed = requests.get(
            hq_server.url + "/api/v1/held-events", headers=HQ, timeout=10, params={"terminal_id": "T51"}
        ).json()["held_events"]
        by_entry = {h["payload"]["entry_id"]: h["id"] for h in listed}
        for entry, verb in ((first, "approve"), (second, "reject")):
            r = requests.post(
                f"{hq_server.url}/api/v1/held-events/{by_entry[entry]}/{verb}",
                headers=HQ,
                timeout=10,
                json={"actor": "hq-li", "note": "checked"},
            )
            assert r.status_code == 200, r.text

        round2 = worker.run_once()
        assert round2.ok, round2.describe()
        assert _outcomes(till) == {
            first: ("approved", "approver_unknown"),
            second: ("rejected", "approver_unknown"),
        }
        assert member_view(till, member).points_balance == earned + 500
        status = worker.status
        assert status.held == 0 and status.rejected_by_hq == 1
        assert "1 points adjustment rejected by HQ" in status.describe()
        assert "held for HQ" not in status.describe()
    finally:
        worker.stop()
        till.close()
