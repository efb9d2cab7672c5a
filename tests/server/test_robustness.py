"""Exactly once through lost responses, retries, concurrent pushes, a killed server; pulls that
never skip a row while writes commit; a restored server's new epoch; malformed input is 4xx."""

from __future__ import annotations

import json
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlparse

import pytest
import requests
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from server.migrate import upgrade
from server.models import Event, LedgerEntry, Sale
from server.settings import ServerSettings
from tests.server.conftest import create_database, drop_database
from tests.server.support import ServerProcess, Till, random_phone, session_for

pytestmark = pytest.mark.postgres


def _till(server: ServerProcess, db_url: str, store_id: str) -> Till:
    t = Till(server.url, db_url, store_id)
    t.enrol()
    return t


def _count(db_url: str, stmt: object) -> int:
    db, s = session_for(db_url)
    with s:
        n = int(s.execute(stmt).scalar_one())  # type: ignore[call-overload]
    db.dispose()
    return n


def _send_and_hang_up(till: Till, events: list[dict[str, object]]) -> None:
    """Send a push and close the connection without reading the answer (a lost response)."""
    body = json.dumps({"events": events, "till_time": "2026-01-01T00:00:00+00:00"}).encode()
    url = urlparse(till.base)
    head = (
        f"POST {url.path}/sync/push HTTP/1.1\r\nHost: {url.netloc}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nAuthorization: Bearer {till.token}\r\n"
        f"X-Device-Id: {till.device_id}\r\nConnection: close\r\n\r\n"
    ).encode()
    with socket.create_connection((url.hostname, url.port), timeout=5) as sock:
        sock.sendall(head + body)


def test_response_lost_after_commit_then_retry(server: ServerProcess, db_url: str, store_id: str) -> None:
    t = _till(server, db_url, store_id)
    mid = uuid.uuid4()
    t.push([t.registration(random_phone(), mid)])
    sale = t.sale(mid, total=8800, earned=88)
    _send_and_hang_up(t, [sale])
    deadline = time.monotonic() + 10
    stored = select(func.count()).select_from(Event).where(Event.id == uuid.UUID(sale["id"]))
    while _count(db_url, stored) == 0:
        assert time.monotonic() < deadline, "the server never applied the push"
        time.sleep(0.05)
    retry = t.push([sale])["results"][0]
    assert retry["status"] == "duplicate" and retry["result"]["points_balance"] == 88
    sid = uuid.UUID(sale["payload"]["sale_id"])
    assert _count(db_url, select(func.count()).select_from(Sale).where(Sale.id == sid)) == 1
    assert _count(db_url, select(func.sum(LedgerEntry.points)).where(LedgerEntry.member_id == mid)) == 88


def test_same_batch_twice_at_once(server: ServerProcess, db_url: str, store_id: str) -> None:
    t = _till(server, db_url, store_id)
    mid = uuid.uuid4()
    batch = [t.registration(random_phone(), mid)] + [t.sale(mid, total=1000, earned=10) for _ in range(30)]
    with ThreadPoolExecutor(3) as pool:
        outs = list(pool.map(lambda _: t.push(batch), range(3)))
    for out in outs:
        assert {r["status"] for r in out["results"]} <= {"applied", "duplicate"}
    assert _count(db_url, select(func.sum(LedgerEntry.points)).where(LedgerEntry.member_id == mid)) == 300
    assert t.push(batch)["results"][5]["status"] == "duplicate"


@pytest.mark.slow
def test_server_killed_mid_batch(db_url: str, store_id: str, tmp_path: Path) -> None:
    proc = ServerProcess(db_url, tmp_path).start()
    try:
        t = _till(proc, db_url, store_id)
        mid = uuid.uuid4()
        t.push([t.registration(random_phone(), mid)])
        batch = [t.sale(mid, total=1000, earned=10) for _ in range(500)]
        errors: list[BaseException] = []

        def push() -> None:
            try:
                t.push(batch)
            except BaseException as exc:
                errors.append(exc)

        th = threading.Thread(target=push)
        th.start()
        time.sleep(0.25)
        proc.kill()
        th.join(30)
        proc.start()  # same database, new port
        t.base = proc.url + t.base[t.base.index("/api") :]
        out = t.push(batch)
        assert {r["status"] for r in out["results"]} <= {"applied", "duplicate"}
        assert _count(db_url, select(func.count()).select_from(Sale).where(Sale.member_id == mid)) == 500
        points = select(func.sum(LedgerEntry.points)).where(LedgerEntry.member_id == mid)
        assert _count(db_url, points) == 5000
    finally:
        proc.stop()


@pytest.mark.slow
def test_many_tills_push_while_pulls_never_skip(server: ServerProcess, db_url: str, store_id: str) -> None:
    writers = [_till(server, db_url, store_id) for _ in range(8)]
    reader = _till(server, db_url, store_id)
    members = []
    for w in writers:
        mid = uuid.uuid4()
        w.push([w.registration(random_phone(), mid)])
        members.append(mid)
    stop = threading.Event()
    seen: list[int] = []

    def read() -> None:
        while not stop.is_set():
            seen.extend(c["seq"] for c in reader.pull_all(limit=7))

    def write(i: int) -> None:
        w = writers[i]
        for _ in range(6):
            # Everyone buys with everyone's members, so batches contend on the same rows.
            w.push([w.sale(members[(i + k) % len(members)], total=500, earned=5) for k in range(10)])

    th = threading.Thread(target=read)
    th.start()
    with ThreadPoolExecutor(len(writers)) as pool:
        list(pool.map(write, range(len(writers))))
    stop.set()
    th.join(30)
    seen.extend(c["seq"] for c in reader.pull_all())
    auditor = _till(server, db_url, store_id)
    everything = [c["seq"] for c in auditor.pull_all() if c["entity"] != "public_key"]
    mine = {c for c in seen}
    assert len(seen) == len(mine), "a change was served twice"
    assert set(everything) <= mine, f"skipped {sorted(set(everything) - mine)[:10]}"
    total = _count(db_url, select(func.sum(LedgerEntry.points)).where(LedgerEntry.member_id.in_(members)))
    assert total == 8 * 6 * 10 * 5


@pytest.fixture
def own_db(pg_admin: str) -> Iterator[str]:
    url = create_database(pg_admin, "lt_test_epoch_")
    upgrade(ServerSettings(database_url=url))
    yield url
    drop_database(pg_admin, url)


@pytest.mark.slow
def test_restored_server_makes_tills_resync(
    own_db: str, pg_admin: str, store_id: str, tmp_path: Path
) -> None:
    proc = ServerProcess(own_db, tmp_path).start()
    t = _till(proc, own_db, store_id)
    t.push([t.registration(random_phone(), uuid.uuid4())])
    other = _till(proc, own_db, store_id)
    assert other.pull_all()
    old_epoch, old_cursor = other.epoch, other.cursor
    proc.stop()
    # "Restore the backup": a new database made from the old one's contents.
    restored = make_url(own_db).set(database=make_url(own_db).database + "_r").render_as_string(False)
    admin = create_engine(pg_admin, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(
            text(f'CREATE DATABASE "{make_url(restored).database}" TEMPLATE "{make_url(own_db).database}"')
        )
    admin.dispose()
    try:
        proc2 = ServerProcess(restored, tmp_path).start()
        try:
            other.base = proc2.url + other.base[other.base.index("/api") :]
            r = other.http.post(
                other.base + "/sync/pull",
                json={"cursor": old_cursor, "epoch": old_epoch},
                headers=other.headers(),
                timeout=10,
            )
            body = r.json()
            assert body["reset"] is True and body["epoch"] != old_epoch
            assert body["changes"] and body["changes"][0]["seq"] == min(c["seq"] for c in body["changes"])
        finally:
            proc2.stop()
    finally:
        drop_database(pg_admin, restored)


def test_malformed_and_oversized_are_4xx(server: ServerProcess, db_url: str, store_id: str) -> None:
    t = _till(server, db_url, store_id)
    push = t.base + "/sync/push"
    h = {**t.headers(), "Content-Type": "application/json"}
    assert requests.post(push, data=b"{not json", headers=h, timeout=5).status_code == 422
    assert requests.post(push, data=b"[]", headers=h, timeout=5).status_code == 422
    big = b'{"events": [], "till_time": "' + b"x" * (5 * 1024 * 1024) + b'"}'
    r = requests.post(push, data=big, headers=h, timeout=20)
    assert r.status_code == 413 and r.json()["code"] == "too_large"
    too_many = [t.sale(None) for _ in range(501)]
    assert t.push_raw(too_many).status_code == 422
    naive = t.sale(None)
    naive["created_at"] = "2026-01-01T00:00:00"
    assert t.push_raw([naive]).status_code == 422
    bad_payload = t.event("sale.completed", {"sale_id": "nope"})
    unknown = t.event("sale.teleported", {})
    wrong_version = {**t.sale(None), "schema_version": 9}
    res = t.push([bad_payload, unknown, wrong_version])["results"]
    assert [r["status"] for r in res] == ["rejected"] * 3
    assert res[0]["reason"].startswith("invalid_payload")
    assert res[1]["reason"].startswith("unknown_event_type")
    # Rejected events are answered the same way again, never retried for ever.
    assert t.push([bad_payload])["results"][0]["status"] == "rejected"
    pull = t.base + "/sync/pull"
    assert requests.post(pull, json={"cursor": -1}, headers=h, timeout=5).status_code == 422
    assert requests.post(pull, json={"cursor": 0, "limit": 100000}, headers=h, timeout=5).status_code == 422
    lookup = t.base + "/members/lookup"
    assert requests.get(lookup, params={"phone": "12"}, headers=h, timeout=5).status_code == 422
    assert requests.get(lookup, params={"code": "LTM1.xx.yy"}, headers=h, timeout=5).status_code == 422
    assert requests.get(lookup, headers=h, timeout=5).status_code == 422
