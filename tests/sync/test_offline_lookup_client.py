"""Offline rules and the redeem cap, the online member lookup (1.5 s at most), the client's
credentials and errors, and the `till sync` / `till enrol` commands."""

from __future__ import annotations

import logging
import stat
import time
import uuid
from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import update

from app.services.context import TillContext
from app.services.errors import NotFound
from app.services.members import identify
from app.store import orm
from sync.apply import apply_page
from sync.client import (
    Credentials,
    NotEnrolled,
    Offline,
    Refused,
    ServerClient,
    ServerError,
    load_credentials,
)
from sync.lookup import identify_online, lookup_member
from sync.offline import coupon_usable_offline, describe, load_rules, offline_redeem_cap
from sync.protocol import Change, LookupResponse
from sync.settings import SettingsError
from sync.worker import SyncWorker
from tests.sync.conftest import FAST, coupon_data, ledger_data, member_data, sell
from tests.sync.standin import StandIn
from till.cli import main

# ------------------------------------------------------------------------------ offline rules


def test_offline_rules_default_load_and_describe(tmp_path: Any) -> None:
    rules = load_rules(tmp_path)
    assert rules.sales and rules.redeem_points_cached and rules.allows("register_members")
    assert not rules.allows("lookup_unknown_member")
    (tmp_path / "sync.toml").write_text("[offline]\nredeem_points_cached = false\n")
    rules = load_rules(tmp_path)
    assert not rules.allows("redeem_points_cached")
    en, zh = describe(rules, "en"), describe(rules, "zh")
    assert "While offline you can:" in en and "Needs the server:" in en
    assert en.index("Redeeming points for members known") > en.index("Needs the server:")
    assert "离线时可以" in zh and "需要连接服务器" in zh and "收银" in zh
    (tmp_path / "sync.toml").write_text("[offline]\nsales = 1\n")
    with pytest.raises(SettingsError, match="sales: must be bool"):
        load_rules(tmp_path)


def test_redeem_cap_is_the_last_known_balance_minus_what_this_till_redeemed_since(
    till: TillContext, staff: Any, products: Any
) -> None:
    m = member_data()
    mid = uuid.UUID(m["id"])
    apply_page(
        till,
        [
            Change(seq=1, entity="member", op="upsert", key=m["id"], data=m),
            Change(seq=2, entity="ledger_entry", op="upsert", key="e", data=ledger_data(mid, 1000)),
        ],
        2,
    )
    cap = offline_redeem_cap(till, mid)  # type: ignore[arg-type]
    assert (cap.last_known_balance, cap.redeemed_since, cap.cap) == (1000, 0, 1000)
    done = sell(till, staff, lines=(("6904567890123", 1),), member_id=mid, redeem_points=300)
    assert done.points_earned > 0
    cap = offline_redeem_cap(till, mid)  # type: ignore[arg-type]
    # Earned offline: not redeemable until the server has it; redeemed offline: counted.
    assert (cap.last_known_balance, cap.redeemed_since, cap.cap) == (1000, 300, 700)
    with till.uow() as uow:
        uow.session.execute(update(orm.OutboxEvent).values(sent_at=till.now(), result="applied"))
        uow.commit()
    cap = offline_redeem_cap(till, mid)  # type: ignore[arg-type]
    assert cap.redeemed_since == 0 and cap.last_known_balance == 700 + done.points_earned
    assert cap.cap == (700 + done.points_earned) // 100 * 100
    assert offline_redeem_cap(till, uuid.uuid4()).cap == 0  # type: ignore[arg-type]


def test_coupons_usable_offline_are_the_ones_held_here(till: TillContext) -> None:
    apply_page(
        till, [Change(seq=1, entity="coupon", op="upsert", key="c", data=coupon_data("CSTORE0001"))], 1
    )
    assert coupon_usable_offline(till, "CSTORE0001")
    assert not coupon_usable_offline(till, "COTHER0001")


# ------------------------------------------------------------------------------ lookup


def test_online_lookup_caches_the_member_and_identify_finds_it(
    enrolled: TillContext, server: StandIn
) -> None:
    m = member_data(phone="+8613900139123")
    server.state.lookups["+8613900139123"] = LookupResponse(
        found=True, member=m, ledger=[ledger_data(m["id"], 900)], coupons=[coupon_data("CLOOKUP001", m["id"])]
    )
    with pytest.raises(NotFound):
        identify(enrolled, "139 0013 9123")
    view = identify_online(enrolled, "139 0013 9123")
    assert str(view.id) == m["id"] and view.points_balance == 900
    assert [c.code for c in view.coupons] == ["CLOOKUP001"]
    assert identify(enrolled, "13900139123").id == view.id  # cached: now found offline
    with pytest.raises(NotFound):
        identify_online(enrolled, "139 0013 9999")  # the server does not know it either


def test_lookup_waits_at_most_the_configured_timeout(enrolled: TillContext, server: StandIn) -> None:
    server.faults.lookup_delay_s = 2.0
    enrolled = replace(
        enrolled,
        config=enrolled.config.model_copy(
            update={"server": enrolled.config.server.model_copy(update={"lookup_timeout_ms": 300})}
        ),
    )
    started = time.monotonic()
    outcome = lookup_member(enrolled, phone="+8613900139123")
    elapsed = time.monotonic() - started
    assert not outcome.found and not outcome.answered and elapsed < 0.8
    assert "did not answer within 0.3 s" in outcome.message


def test_lookup_default_timeout_is_1_5_s(enrolled: TillContext, server: StandIn) -> None:
    assert enrolled.config.server.lookup_timeout_ms == 1500
    server.faults.lookup_delay_s = 2.5
    started = time.monotonic()
    with pytest.raises(NotFound):
        identify_online(enrolled, "139 0013 9123")
    assert time.monotonic() - started < 1.9


def test_lookup_offline_and_not_enrolled(till: TillContext) -> None:
    outcome = lookup_member(till, phone="+8613900139123")
    assert not outcome.answered and "not enrolled" in outcome.message


# ------------------------------------------------------------------------------ client


def test_credentials_are_private_and_never_shown(
    enrolled: TillContext, server: StandIn, caplog: pytest.LogCaptureFixture, staff: Any, products: Any
) -> None:
    path = enrolled.home / "sync.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    creds = load_credentials(enrolled.home)
    assert creds is not None and creds.token == server.state.token
    assert server.state.token not in repr(creds) and server.state.token not in str(creds)
    caplog.set_level(logging.DEBUG)
    sell(enrolled, staff)
    server.faults.push_500 = 1
    w = SyncWorker(enrolled, FAST)
    w.run_once()
    w.run_once()
    w.stop()
    assert server.state.token not in caplog.text
    assert server.state.token not in w.status.describe()


def test_client_errors(server: StandIn) -> None:
    creds = Credentials(
        url=server.url, store_id="S001", terminal_id="T01", token="wrong", device_id="dev-123456"
    )
    with ServerClient(server.url, creds, connect_timeout_s=0.5, read_timeout_s=0.5) as c:
        with pytest.raises(Refused) as refused:
            c.pull(0, None, 10)
        assert refused.value.status == 401 and "bad or missing terminal token" in refused.value.message
        server.state.token = "wrong"
        server.faults.pull_500 = 1
        with pytest.raises(ServerError):
            c.pull(0, None, 10)
        assert c.pull(0, None, 10).epoch == "epoch-1"
    with ServerClient("http://127.0.0.1:9", creds, connect_timeout_s=0.5) as c, pytest.raises(Offline):
        c.pull(0, None, 10)
    with pytest.raises(NotEnrolled):
        ServerClient(server.url).pull(0, None, 10)


def test_enrolment_code_is_single_use(till: TillContext, server: StandIn, capsys: Any) -> None:
    home = str(till.home)
    assert main(["--home", home, "enrol", server.url, "ENROL-123456"]) == 0
    out = capsys.readouterr().out
    assert "enrolled as store S001, terminal T01" in out and server.state.token not in out
    assert main(["--home", home, "enrol", server.url, "ENROL-123456"]) == 1
    assert "unknown or used" in capsys.readouterr().err


def test_till_sync_command_prints_what_it_did(
    enrolled: TillContext, server: StandIn, staff: Any, products: Any, capsys: Any
) -> None:
    sell(enrolled, staff)
    server.state.add_change("member", "m", member_data())
    assert main(["--home", str(enrolled.home), "sync"]) == 0
    out = capsys.readouterr().out
    assert "pushed 1 events in 1 batches: 1 applied" in out
    assert "pulled 1 changes in 1 pages: 1 applied" in out
    assert "Online · 0 waiting" in out
    server.stop()
    sell(enrolled, staff)
    assert main(["--home", str(enrolled.home), "sync"]) == 1
    out = capsys.readouterr().out
    assert "error: The server cannot be reached" in out and "Offline · 1 waiting" in out
