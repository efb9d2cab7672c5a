"""The "same phone at two stores" merge reaching a till that sold to the merged-away member
between a sync round's push and its pull: real tills (SQLite files) and a real `till-server
serve` process on PostgreSQL, over HTTP on loopback.

Store S002's till registers the phone first, S001's till later and offline; S001's push makes
the server merge S001's member into S002's. Before that round's pull, S001 sells to the member
it still knows by the merged-away id. The till must end with the survivor, the alias and the
server's balance."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from app.config import DEFAULT_CONFIG_TEXT
from app.domain.ids import new_id
from app.domain.staff import Role
from app.services.context import TillContext, open_till
from app.services.members import identify
from app.services.staff import add_staff
from app.store import orm
from server import models as srv
from server.migrate import upgrade
from server.settings import ServerSettings
from sync.enrol import enrol
from sync.worker import SyncWorker
from tests.conftest import FAST_HASHER
from tests.server.conftest import create_database, drop_database, require_postgres
from tests.server.support import ServerProcess, enrol_code, session_for
from tests.sync.conftest import FAST, RICE, register, sell

pytestmark = pytest.mark.postgres

PHONE = "138 0013 8555"


@pytest.fixture(scope="module")
def pg_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    admin = require_postgres()
    url = create_database(admin, prefix="lt_merge_")
    try:
        upgrade(ServerSettings(database_url=url))
        proc = ServerProcess(url, tmp_path_factory.mktemp("server")).start()
        try:
            yield proc
        finally:
            proc.stop()
    finally:
        drop_database(admin, url)


def _till(home: Path, terminal_id: str, clock: Any, server: ServerProcess, store_id: str) -> TillContext:
    home.mkdir(parents=True)
    (home / "till.toml").write_text(
        DEFAULT_CONFIG_TEXT.replace('terminal_id = "T01"', f'terminal_id = "{terminal_id}"')
    )
    ctx = open_till(home, clock=clock, hasher=FAST_HASHER)
    with ctx.uow() as uow:
        uow.session.add(
            orm.Product(
                id=new_id(),
                sku=RICE,
                name_zh="大米",
                name_en="Rice",
                category="grain",
                unit_price=4990,
                member_price=4590,
                active=True,
            )
        )
        uow.commit()
    enrol(ctx, server.url, enrol_code(server.database_url, store_id, terminal_id))
    return ctx


def _server_balance(server: ServerProcess, member_id: uuid.UUID) -> int:
    db, s = session_for(server.database_url)
    try:
        return int(
            s.execute(
                select(func.coalesce(func.sum(srv.LedgerEntry.points), 0)).where(
                    srv.LedgerEntry.member_id == member_id
                )
            ).scalar_one()
        )
    finally:
        s.close()
        db.dispose()


def _alias(till: TillContext, alias_id: uuid.UUID) -> uuid.UUID | None:
    with till.uow(write=False) as uow:
        row = uow.session.get(orm.MemberAlias, alias_id)
        return None if row is None else row.member_id


def test_a_merge_reaches_a_till_that_sold_to_the_merged_member_between_push_and_pull(
    pg_server: ServerProcess, tmp_path: Path, clock: Any
) -> None:
    early = _till(tmp_path / "early", "T21", clock, pg_server, "S002")
    late = _till(tmp_path / "late", "T11", clock, pg_server, "S001")
    w_early, w_late = SyncWorker(early, FAST), SyncWorker(late, FAST)
    try:
        staff_early = {"cashier": add_staff(early, "1001", "Li Na", Role.CASHIER, "1234")}
        staff_late = {"cashier": add_staff(late, "1001", "Wang Wei", Role.CASHIER, "1234")}
        survivor = register(early, staff_early, PHONE).member.id
        clock.advance(minutes=5)
        merged = register(late, staff_late, PHONE).member.id  # offline: S001 has not heard of it
        assert w_early.run_once().ok

        # The late till's round: its push makes the server merge; then, before the pull, a sale.
        real_pull = w_late._pull
        sold: list[Any] = []

        def sale_then_pull(client: Any, report: Any) -> None:
            clock.advance(minutes=1)
            sold.append(sell(late, staff_late, lines=((RICE, 2),), member_id=merged))
            real_pull(client, report)

        w_late._pull = sale_then_pull  # type: ignore[method-assign]
        first = w_late.run_once()
        assert first.ok, first.describe()
        assert sold and sold[0].points_earned > 0
        w_late._pull = real_pull  # type: ignore[method-assign]

        # The merge is applied although the sale is still unsent.
        assert _alias(late, merged) == survivor, first.pull.problems
        assert identify(late, PHONE).id == survivor

        second = w_late.run_once()  # pushes the sale; the server books it to the survivor
        assert second.ok and second.pushed >= 1, second.describe()
        assert w_early.run_once().ok

        expected = _server_balance(pg_server, survivor)
        assert expected > 0 and _server_balance(pg_server, merged) == 0
        view = identify(late, PHONE)
        assert view.id == survivor and view.points_balance == expected
        assert _alias(late, merged) == survivor
        assert identify(early, PHONE).points_balance == expected
    finally:
        w_early.stop()
        w_late.stop()
        early.close()
        late.close()
