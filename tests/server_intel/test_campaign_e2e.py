"""A campaign coupon made on the server is redeemed at a till after a pull, and the campaign
report attributes the redemption: a real till (SQLite file) and a real `till-server serve`
on PostgreSQL, over HTTP on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from app.config import DEFAULT_CONFIG_TEXT
from app.domain.ids import new_id
from app.domain.staff import Role
from app.services.context import TillContext, open_till
from app.services.staff import add_staff
from app.store import orm
from server import models as srv
from server.intel.campaign_report import campaign_report
from server.intel.campaigns import CampaignIn, run_campaigns, save_campaign
from server.intel.config import IntelConfig
from server.intel.models import IntelCampaign
from server.migrate import upgrade
from server.settings import ServerSettings
from sync.enrol import enrol
from sync.worker import SyncWorker
from tests.conftest import FAST_HASHER, FrozenClock
from tests.server.conftest import create_database, drop_database, require_postgres
from tests.server.support import ServerProcess, enrol_code, session_for
from tests.sync.conftest import FAST, RICE, register, sell

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def pg_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    admin = require_postgres()
    url = create_database(admin, prefix="lt_campaign_")
    try:
        upgrade(ServerSettings(database_url=url))
        proc = ServerProcess(url, tmp_path_factory.mktemp("server")).start()
        try:
            yield proc
        finally:
            proc.stop()
    finally:
        drop_database(admin, url)


def _till(home: Path, clock: Any, server: ServerProcess) -> TillContext:
    home.mkdir(parents=True)
    (home / "till.toml").write_text(DEFAULT_CONFIG_TEXT.replace('terminal_id = "T01"', 'terminal_id = "T31"'))
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
    enrol(ctx, server.url, enrol_code(server.database_url, "S003", "T31"))
    return ctx


def test_campaign_coupon_pulled_redeemed_and_attributed(pg_server: ServerProcess, tmp_path: Path) -> None:
    clock = FrozenClock(datetime.now(UTC))  # the server runs the campaign on its own clock
    till = _till(tmp_path / "till", clock, pg_server)
    worker = SyncWorker(till, FAST)
    db, s = session_for(pg_server.database_url)
    try:
        staff = {"cashier": add_staff(till, "1001", "Li Na", Role.CASHIER, "1234")}
        member = register(till, staff, "138 0013 8777").member.id
        assert worker.run_once().ok  # the registration reaches the server
        now = clock()
        save_campaign(
            s,
            "welcome_s3",
            CampaignIn.model_validate(
                {
                    "name": "Welcome ¥5",
                    "kind": "welcome",
                    "params": {"days": 7},
                    "coupon": {"kind": "amount_off", "amount": 500, "threshold": 0, "valid_days": 14},
                    "starts_at": (now - timedelta(days=1)).isoformat(),
                    "ends_at": (now + timedelta(days=30)).isoformat(),
                }
            ),
        )
        runs = run_campaigns(s, IntelConfig(), now)
        s.commit()
        assert [(r.campaign_id, r.issued) for r in runs] == [("welcome_s3", 1)]
        code = s.execute(
            select(srv.Coupon.code).where(srv.Coupon.issued_reason == "campaign:welcome_s3")
        ).scalar_one()

        clock.advance(minutes=1)
        assert worker.run_once().ok  # the till pulls the coupon
        with till.uow(write=False) as uow:
            held = uow.session.execute(select(orm.Coupon).where(orm.Coupon.code == code)).scalar_one()
            assert held.member_id == member and held.amount == 500
        done = sell(till, staff, lines=((RICE, 2),), member_id=member, coupons=(code,))
        with till.uow(write=False) as uow:
            sale = uow.session.get(orm.Sale, done.sale_id)
            assert sale is not None and sale.coupon_discount == 500
        assert worker.run_once().ok  # the sale reaches the server: the coupon is redeemed there

        s.expire_all()
        coupon = s.execute(select(srv.Coupon).where(srv.Coupon.code == code)).scalar_one()
        assert coupon.status == "redeemed" and coupon.redeemed_sale_id == done.sale_id
        campaign = s.get(IntelCampaign, "welcome_s3")
        assert campaign is not None
        report = campaign_report(s, campaign)
        assert (report["issued"], report["redeemed"], report["coupon_cost"]) == (1, 1, 500)
        assert report["redeeming_sales_revenue"] == done.total_due
        assert report["treated"]["buyers"] == 1
    finally:
        s.close()
        db.dispose()
        worker.stop()
        till.close()
