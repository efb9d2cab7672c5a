"""The sync worker against a real HTTP stand-in server: exactly-once delivery through lost
answers, duplicate batches, crashes, 500s and a restored server; backoff on the timer."""

from __future__ import annotations

import itertools
import threading
import time
from typing import Any

import pytest
from sqlalchemy import select, update

from app.services.context import TillContext
from app.services.outbox import pending_count
from app.store import orm
from sync import worker as worker_mod
from sync.client import Offline, ServerError
from sync.protocol import WireEvent
from sync.state import get_cursor, get_epoch
from sync.worker import SyncStatus, SyncWorker, WorkerSettings
from tests.sync.conftest import FAST, member_data, register, sell
from tests.sync.standin import StandIn, StandInState


def outbox(till: TillContext) -> list[orm.OutboxEvent]:
    with till.uow(write=False) as uow:
        rows = list(uow.session.execute(select(orm.OutboxEvent).order_by(orm.OutboxEvent.seq)).scalars())
        uow.session.expunge_all()
        return rows


def wait_for(cond: Any, timeout: float = 10.0) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return
        time.sleep(0.01)
    raise AssertionError("condition not met in time")


def test_one_round_drains_the_outbox_in_seq_order_in_batches(
    enrolled: TillContext, server: StandIn, staff: Any, products: Any
) -> None:
    for i in range(7):
        sell(enrolled, staff, member_id=register(enrolled, staff, f"1380013800{i}").member.id)
    w = SyncWorker(enrolled, WorkerSettings(batch_size=4))
    report = w.run_once()
    w.stop()
    assert report.ok, report.describe()
    rows = outbox(enrolled)
    assert len(rows) == 14 and report.pushed == 14 and report.batches == 4
    assert [seq for _, seq in server.state.arrival] == [r.seq for r in rows]
    assert all(r.sent_at is not None and r.result == "applied" for r in rows)
    assert w.status.online and w.status.pending == 0 and w.status.last_success is not None
    for req in server.pushes():
        assert req.headers["Authorization"] == f"Bearer {server.state.token}"
        assert req.headers["X-Device-Id"] == server.state.device_id


def test_answer_lost_after_the_server_committed_then_retry_one_sale_one_set_of_points(
    enrolled: TillContext, server: StandIn, staff: Any, products: Any
) -> None:
    member = register(enrolled, staff).member
    done = sell(enrolled, staff, lines=(("6903456789012", 3),), member_id=member.id)
    server.faults.drop_push = 1
    w = SyncWorker(enrolled, FAST)
    first = w.run_once()
    assert isinstance(first.error, Offline)
    assert w.status.state == "offline" and w.status.pending == 2
    assert "answer was lost" in (w.status.last_error or "")
    assert len(server.state.of_type("sale.completed")) == 1  # committed on the server
    second = w.run_once()
    w.stop()
    assert second.ok and second.duplicate == 2 and second.applied == 0
    assert len(server.state.of_type("sale.completed")) == 1
    assert server.state.points_earned(member.id) == done.points_earned > 0
    assert {r.result for r in outbox(enrolled)} == {"duplicate"}
    assert w.status.pending == 0


def test_the_same_batch_twice_is_applied_once(
    enrolled: TillContext, server: StandIn, staff: Any, products: Any
) -> None:
    for _ in range(3):
        sell(enrolled, staff)
    w = SyncWorker(enrolled, FAST)
    assert w.run_once().applied == 3
    with enrolled.uow() as uow:  # as if the till had crashed before writing the results
        uow.session.execute(update(orm.OutboxEvent).values(sent_at=None, result=None))
        uow.commit()
    again = w.run_once()
    w.stop()
    assert again.duplicate == 3 and again.applied == 0
    assert len(server.state.events) == 3


def test_results_out_of_order_and_partial_are_matched_by_id(
    enrolled: TillContext, server: StandIn, staff: Any, products: Any
) -> None:
    for _ in range(8):
        sell(enrolled, staff)
    server.faults.shuffle_results = True
    server.faults.partial_results = True
    w = SyncWorker(enrolled, WorkerSettings(batch_size=8))
    report = w.run_once()
    w.stop()
    assert report.ok
    assert all(r.sent_at is not None for r in outbox(enrolled))
    assert len(server.state.events) == 8
    # Events the server answered for were marked; the others went again (as duplicates or new).
    assert report.pushed == 8 and report.batches > 1


def test_events_reach_the_server_in_seq_order_whatever_their_ids(
    enrolled: TillContext, server: StandIn, staff: Any, products: Any
) -> None:
    for _ in range(5):
        sell(enrolled, staff)
    rows = outbox(enrolled)
    with enrolled.uow() as uow:  # reverse the seqs: ids (time-ordered) now run against them
        for r, seq in zip(rows, range(1005, 1000, -1), strict=True):
            uow.session.execute(update(orm.OutboxEvent).where(orm.OutboxEvent.id == r.id).values(seq=seq))
        uow.commit()
    w = SyncWorker(enrolled, WorkerSettings(batch_size=2))
    assert w.run_once().ok
    w.stop()
    assert [seq for _, seq in server.state.arrival] == [1001, 1002, 1003, 1004, 1005]


def test_server_crash_mid_batch_then_restart(
    enrolled: TillContext, server: StandIn, staff: Any, products: Any
) -> None:
    for _ in range(5):
        sell(enrolled, staff)
    server.faults.crash_after = 2
    statuses: list[SyncStatus] = []
    w = SyncWorker(enrolled, FAST, listener=statuses.append)
    first = w.run_once()
    assert isinstance(first.error, Offline)
    server.stop()  # down for a while: the timer retries, with backoff
    w.start()
    wait_for(lambda: w.status.failures >= 3)
    assert w.status.state == "offline"
    server.restart()
    wait_for(lambda: w.status.state == "online")
    w.stop()
    assert len(server.state.events) == 5
    assert sorted(r.result or "" for r in outbox(enrolled)) == ["applied"] * 3 + ["duplicate"] * 2
    assert statuses[-1].pending == 0 and statuses[-1].online


def test_server_500_backs_off_on_the_timer_and_recovers_without_a_new_sale(
    enrolled: TillContext, server: StandIn, staff: Any, products: Any
) -> None:
    sell(enrolled, staff)
    server.faults.push_500 = 3
    statuses: list[SyncStatus] = []
    w = SyncWorker(
        enrolled, WorkerSettings(interval_s=30, backoff_base_s=0.1, backoff_max_s=2), listener=statuses.append
    )
    w.start()
    wait_for(lambda: w.status.state == "online")
    w.stop()
    errors = [s for s in statuses if s.state == "error"]
    assert errors and "Server error 500" in (errors[0].last_error or "")
    assert "database is unavailable" in (errors[0].last_error or "")
    times = [r.at for r in server.pushes()]
    assert len(times) == 4
    gaps = [b - a for a, b in itertools.pairwise(times)]
    # Equal jitter: each wait is between half and all of 0.1, 0.2, 0.4 s.
    assert gaps[0] >= 0.05 and gaps[1] >= 0.1 and gaps[2] >= 0.2
    assert statuses[-1].failures == 0 and statuses[-1].last_success is not None


def test_backoff_grows_with_jitter_and_is_capped() -> None:
    import random

    s = WorkerSettings(backoff_base_s=1, backoff_max_s=10)
    rng = random.Random(7)
    waits = [s.backoff(n, rng) for n in range(1, 8)]
    for n, wait in enumerate(waits, start=1):
        step = min(10, 2 ** (n - 1))
        assert step / 2 <= wait <= step
    assert len({round(w, 6) for w in waits}) == len(waits)


def test_a_restored_server_makes_the_till_resync_from_scratch(
    enrolled: TillContext, server: StandIn, staff: Any, products: Any
) -> None:
    for _ in range(3):
        sell(enrolled, staff)
    server.state.add_change("member", "m1", member_data(phone="+8613900139001", serial=1))
    w = SyncWorker(enrolled, FAST)
    assert w.run_once().ok
    with enrolled.uow(write=False) as uow:
        assert get_cursor(uow.session) == 1 and get_epoch(uow.session) == "epoch-1"
    # The server is restored from a backup taken before the till's events arrived.
    restored = StandInState(epoch="epoch-2", token=server.state.token, device_id=server.state.device_id)
    restored.add_change("member", "m1", member_data(phone="+8613900139001", serial=1))
    restored.add_change("member", "m2", member_data(phone="+8613900139002", serial=2))
    server.restart(restored)
    report = w.run_once()
    w.stop()
    assert report.ok and report.epoch_reset, report.describe()
    assert len(server.state.events) == 3 and report.applied == 3
    assert report.changes == 2
    with enrolled.uow(write=False) as uow:
        assert get_cursor(uow.session) == 2 and get_epoch(uow.session) == "epoch-2"
        assert pending_count(uow.session) == 0


def test_rejected_events_are_acknowledged_and_never_retried(
    enrolled: TillContext, server: StandIn, staff: Any, products: Any
) -> None:
    sell(enrolled, staff)
    server.state.reject_types.add("sale.completed")
    w = SyncWorker(enrolled, FAST)
    report = w.run_once()
    assert report.rejected == 1 and w.status.rejected == 1 and w.status.pending == 0
    row = outbox(enrolled)[0]
    assert row.result == "rejected" and "not accepted" in (row.last_error or "")
    assert w.run_once().pushed == 0
    w.stop()
    assert len(server.pushes()) == 1
    assert "1 rejected" in w.status.describe("en")


def test_not_enrolled_and_bad_token_are_reported_in_words(
    till: TillContext, server: StandIn, staff: Any, products: Any
) -> None:
    w = SyncWorker(till, FAST)
    assert w.run_once().error is not None
    assert w.status.state == "not_enrolled"
    assert "未登记" in w.status.describe("zh")
    from sync.enrol import enrol

    enrol(till, server.url, "ENROL-123456")
    server.state.token = "tok_other"
    sell(till, staff)
    report = w.run_once()
    w.stop()
    assert report.error is not None and report.error.status == 401
    assert w.status.state == "error" and "bad or missing terminal token" in (w.status.last_error or "")


def test_a_slow_push_never_blocks_a_sale(
    enrolled: TillContext, server: StandIn, staff: Any, products: Any
) -> None:
    for _ in range(3):
        sell(enrolled, staff)
    server.faults.push_delay_s = 1.0
    w = SyncWorker(enrolled, FAST)
    t = threading.Thread(target=w.run_once)
    t.start()
    wait_for(lambda: len(server.pushes()) == 1)
    started = time.monotonic()
    sell(enrolled, staff)  # while the push is in flight
    assert time.monotonic() - started < 0.5
    t.join(10)
    w.stop()
    assert len(server.state.events) == 4  # the new sale went in the same round's next batch


def test_trigger_runs_a_round_now_and_stop_joins(
    worker: SyncWorker, server: StandIn, staff: Any, products: Any, enrolled: TillContext
) -> None:
    seen: list[SyncStatus] = []
    worker.listener = seen.append
    worker.start()
    wait_for(lambda: worker.status.state == "online")
    sell(enrolled, staff)
    worker.poke()
    wait_for(lambda: len(server.state.events) == 1)
    wait_for(lambda: worker.status.pending == 0)
    worker.trigger()
    wait_for(lambda: len(server.pushes()) + 0 >= 1 and worker.status.busy is False)
    worker.stop()
    assert worker._thread is None


def test_pull_500_keeps_the_cursor(enrolled: TillContext, server: StandIn) -> None:
    server.state.add_change("member", "m1", member_data())
    server.faults.pull_500 = 1
    w = SyncWorker(enrolled, FAST)
    report = w.run_once()
    assert isinstance(report.error, ServerError)
    with enrolled.uow(write=False) as uow:
        assert get_cursor(uow.session) == 0
    assert w.run_once().ok
    w.stop()
    with enrolled.uow(write=False) as uow:
        assert get_cursor(uow.session) == 1


@pytest.mark.parametrize("limit", [1, 3])
def test_pull_pages_until_no_more(enrolled: TillContext, server: StandIn, limit: int) -> None:
    for i in range(5):
        server.state.add_change("member", f"m{i}", member_data(phone=f"+861390013900{i}", serial=i))
    w = SyncWorker(enrolled, WorkerSettings(pull_limit=limit))
    report = w.run_once()
    w.stop()
    assert report.changes == 5 and report.pull.applied == 5
    assert report.pages == -(-5 // limit)
    with enrolled.uow(write=False) as uow:
        assert uow.session.query(orm.Member).count() == 5


def test_wire_events_round_trip(enrolled: TillContext, staff: Any, products: Any) -> None:
    sell(enrolled, staff)
    row = outbox(enrolled)[0]
    ev = WireEvent(
        id=row.id,
        terminal_id=row.terminal_id,
        seq=row.seq,
        type=row.type,
        schema_version=row.schema_version,
        payload=row.payload,
        created_at=row.created_at,
    )
    assert WireEvent.model_validate_json(ev.model_dump_json()) == ev


def test_the_next_page_is_fetched_while_one_is_applied(
    enrolled: TillContext, server: StandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    for i in range(4):
        server.state.add_change("member", f"m{i}", member_data(phone=f"+861390013900{i}", serial=i))
    real = worker_mod.apply_page
    overlapped: list[bool] = []

    def pulls() -> int:
        return sum(r.path.endswith("/sync/pull") for r in server.requests)

    def apply_waiting_for_the_next_request(ctx: TillContext, changes: Any, cursor: int) -> Any:
        # One change a page: the page ending at `cursor` came with pull number `cursor`, so the
        # request for the page after it is pull number cursor + 1, whether it reached the server
        # before or after this call (counting from here raced with a quick prefetch).
        if cursor < 4:  # the request for the page after this one arrives while this one waits
            try:
                wait_for(lambda: pulls() > cursor, timeout=5)
                overlapped.append(True)
            except AssertionError:
                overlapped.append(False)
        return real(ctx, changes, cursor)

    monkeypatch.setattr(worker_mod, "apply_page", apply_waiting_for_the_next_request)
    w = SyncWorker(enrolled, WorkerSettings(pull_limit=1))
    report = w.run_once()
    w.stop()
    assert report.ok and report.pages == 4 and report.pull.applied == 4
    assert overlapped == [True, True, True]
    with enrolled.uow(write=False) as uow:
        assert get_cursor(uow.session) == 4


def test_a_failed_fetch_of_the_next_page_keeps_the_pages_applied_before_it(
    enrolled: TillContext, server: StandIn
) -> None:
    for i in range(5):
        server.state.add_change("member", f"m{i}", member_data(phone=f"+861390013900{i}", serial=i))
    server.faults.pull_500_from = 2
    w = SyncWorker(enrolled, WorkerSettings(pull_limit=1))
    report = w.run_once()
    assert isinstance(report.error, ServerError)
    assert report.pages == 2 and report.pull.applied == 2
    with enrolled.uow(write=False) as uow:
        assert get_cursor(uow.session) == 2
        assert uow.session.query(orm.Member).count() == 2
    server.faults.pull_500_from = None
    report = w.run_once()
    w.stop()
    assert report.ok and report.pages == 3
    with enrolled.uow(write=False) as uow:
        assert get_cursor(uow.session) == 5
        assert uow.session.query(orm.Member).count() == 5
