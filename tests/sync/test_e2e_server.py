"""End to end: tills against a real `till-server serve` process (SQLite database, loopback).

Enrolment with a one-time code, push with exactly-once delivery (a duplicate batch, an answer
lost after the server committed, through a proxy that drops it), pull to another till of the
store, online lookup, and a new server epoch making the till resync from scratch.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, func, select, update

from app.config import DEFAULT_CONFIG_TEXT
from app.domain.ids import new_id
from app.domain.staff import Role
from app.services.context import TillContext, open_till
from app.services.members import RegisterMember, identify, register_member
from app.services.staff import add_staff
from app.store import orm
from sync.enrol import enrol
from sync.lookup import identify_online
from sync.worker import SyncWorker, WorkerSettings
from tests.conftest import FAST_HASHER
from tests.sync.conftest import RICE, sell

BIN = Path(sys.executable).parent / "till-server"
pytestmark = pytest.mark.skipif(not BIN.exists(), reason="till-server is not installed")

SETTINGS = WorkerSettings(backoff_base_s=0.05, backoff_max_s=0.2, connect_timeout_s=2, read_timeout_s=10)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class RealServer:
    env: dict[str, str]
    port: int
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def run(self, *args: str) -> str:
        out = subprocess.run([str(BIN), *args], env=self.env, capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out.stderr
        return out.stdout

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [str(BIN), "serve", "--host", "127.0.0.1", "--port", str(self.port)],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        end = time.monotonic() + 30
        while time.monotonic() < end:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                assert self.proc.poll() is None, "till-server exited"
                time.sleep(0.05)
        raise AssertionError("till-server did not start")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
            self.proc = None

    def code(self, terminal_id: str) -> str:
        return self.run("terminal", "enroll", terminal_id, "--store", "S001").strip().splitlines()[-1]


@pytest.fixture(scope="module")
def real_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RealServer]:
    folder = tmp_path_factory.mktemp("server")
    env = {
        **os.environ,
        "LT_SERVER_DATABASE_URL": f"sqlite:///{folder / 'server.db'}",
        "LT_SERVER_LOG_LEVEL": "warning",
    }
    srv = RealServer(env, _free_port())
    srv.run("db", "upgrade")
    srv.run("store", "add", "S001", "--name", "Store 1")
    srv.start()
    yield srv
    srv.stop()


def _till(home: Path, terminal_id: str, clock: Any) -> TillContext:
    home.mkdir(parents=True)
    (home / "till.toml").write_text(
        DEFAULT_CONFIG_TEXT.replace('terminal_id = "T01"', f'terminal_id = "{terminal_id}"')
    )
    return open_till(home, clock=clock, hasher=FAST_HASHER)


class DropProxy:
    """A loopback TCP proxy that can swallow the server's next answer (a lost response)."""

    def __init__(self, target_port: int) -> None:
        self.target = target_port
        self.drop_next = 0
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, name="drop-proxy", daemon=True)
        self.running = True
        self.thread.start()

    def _serve(self) -> None:
        self.sock.settimeout(0.1)
        while self.running:
            try:
                client, _ = self.sock.accept()
            except OSError:
                continue
            with client, socket.create_connection(("127.0.0.1", self.target)) as upstream:
                client.settimeout(5)
                upstream.settimeout(10)
                request = self._read_http(client)
                upstream.sendall(request)
                answer = self._read_http(upstream)
                if self.drop_next:
                    self.drop_next -= 1
                    continue  # the server committed; the till never hears back
                client.sendall(answer)

    @staticmethod
    def _read_http(conn: socket.socket) -> bytes:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                return data
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":", 1)[1])
        while len(body) < length:
            chunk = conn.recv(65536)
            if not chunk:
                break
            body += chunk
        return head + b"\r\n\r\n" + body

    def close(self) -> None:
        self.running = False
        self.thread.join(5)
        self.sock.close()


def test_real_server_end_to_end(real_server: RealServer, tmp_path: Path, clock: Any) -> None:
    a = _till(tmp_path / "a", "T01", clock)
    b = _till(tmp_path / "b", "T02", clock)
    proxy = DropProxy(real_server.port)
    workers: list[SyncWorker] = []
    try:
        staff = {"cashier": add_staff(a, "1001", "Li Na", Role.CASHIER, "1234")}
        with a.uow() as uow:
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
        # Enrol both tills; A talks through the proxy that can lose an answer.
        done = enrol(a, f"http://127.0.0.1:{proxy.port}", real_server.code("T01"))
        assert (done.store_id, done.terminal_id, done.mismatch) == ("S001", "T01", None)
        enrol(b, real_server.url, real_server.code("T02"))
        wa, wb = SyncWorker(a, SETTINGS), SyncWorker(b, SETTINGS)
        workers += [wa, wb]
        reg = register_member(
            a, RegisterMember(phone="138 0013 8000", consent_given=True, staff_id=staff["cashier"].id)
        )
        sale = sell(a, staff, lines=((RICE, 3),), member_id=reg.member.id)
        assert sale.points_earned > 0

        # The server commits the push but its answer is lost; the retry finds duplicates.
        proxy.drop_next = 1
        first = wa.run_once()
        assert first.error is not None and first.error.offline, first.describe()
        second = wa.run_once()
        assert second.ok, second.describe()
        assert second.pushed == 2 and second.duplicate == 2 and second.applied == 0

        # The same batch again (as if the till had crashed before recording the answers).
        with a.uow() as uow:
            uow.session.execute(update(orm.OutboxEvent).values(sent_at=None, result=None))
            uow.commit()
        third = wa.run_once()
        assert third.ok and third.duplicate == 2 and third.applied == 0

        # Till B of the same store pulls the member with one set of points.
        pulled = wb.run_once()
        assert pulled.ok, pulled.describe()
        view = identify(b, "13800138000")
        assert view.id == reg.member.id
        expected = identify(a, "13800138000").points_balance
        assert view.points_balance == expected == sale.points_earned

        # Online lookup from B of a member it has not cached (registered at A after B's pull).
        reg2 = register_member(
            a, RegisterMember(phone="139 0013 9000", consent_given=True, staff_id=staff["cashier"].id)
        )
        assert wa.run_once().ok
        found = identify_online(b, "139 0013 9000")
        assert found.id == reg2.member.id

        # The server is restored in place with a new epoch: A resyncs from scratch.
        real_server.stop()
        assert "new epoch" in real_server.run("db", "new-epoch")
        real_server.start()
        reset = wa.run_once()
        assert reset.ok and reset.epoch_reset, reset.describe()
        assert reset.pushed >= 3 and reset.applied == 0  # the server still had them all
        assert wa.status.pending == 0
    finally:
        for w in workers:
            w.stop()
        proxy.close()
        a.close()
        b.close()


def _audit_conflicts(real_server: RealServer, terminal_id: str) -> list[dict[str, Any]]:
    from sqlalchemy import create_engine, select

    from server.models import Conflict

    engine = create_engine(real_server.env["LT_SERVER_DATABASE_URL"])
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                select(Conflict.details).where(
                    Conflict.kind == "audit_mismatch", Conflict.terminal_id == terminal_id
                )
            ).all()
        return [r[0] for r in rows]
    finally:
        engine.dispose()


def test_a_till_whose_audit_log_was_rewritten_is_flagged_on_the_server(
    real_server: RealServer, tmp_path: Path, clock: Any
) -> None:
    """The till sends its audit head with each push and checks the head the server holds: an
    audit record deleted on the till (by hand, in its SQLite file) is an `audit_mismatch`."""
    till = _till(tmp_path / "c", "T03", clock)
    worker = SyncWorker(till, SETTINGS)
    try:
        staff = {"cashier": add_staff(till, "1001", "Li Na", Role.CASHIER, "1234")}
        enrol(till, real_server.url, real_server.code("T03"))
        for phone in ("138 0013 8101", "138 0013 8102"):
            register_member(
                till, RegisterMember(phone=phone, consent_given=True, staff_id=staff["cashier"].id)
            )
        assert worker.run_once().ok
        register_member(
            till, RegisterMember(phone="138 0013 8103", consent_given=True, staff_id=staff["cashier"].id)
        )
        assert worker.run_once().ok  # the log grew: the server's head still matches
        assert _audit_conflicts(real_server, "T03") == []

        with till.uow() as uow:  # someone cuts the tail of the log in the till's file
            s = uow.session
            last = s.execute(select(func.max(orm.AuditRow.seq))).scalar_one()
            s.execute(delete(orm.AuditRow).where(orm.AuditRow.seq >= last - 1))
            uow.commit()
        register_member(
            till, RegisterMember(phone="138 0013 8104", consent_given=True, staff_id=staff["cashier"].id)
        )
        assert worker.run_once().ok  # the sale data still syncs; the server flags the till
        [details] = _audit_conflicts(real_server, "T03")
        assert "record_changed_or_gone" in {p["problem"] for p in details["problems"]}
        register_member(
            till, RegisterMember(phone="138 0013 8105", consent_given=True, staff_id=staff["cashier"].id)
        )
        assert worker.run_once().ok
        assert len(_audit_conflicts(real_server, "T03")) == 1  # one open conflict, not one a push
        # What HQ's operator sees from the command line.
        [row] = [line for line in real_server.run("terminal", "list").splitlines() if "\tT03\t" in line]
        assert "enrolled" in row and "AUDIT LOG MISMATCH" in row
        out = real_server.run("conflicts", "--kind", "audit_mismatch", "--terminal", "T03")
        [listed] = [json.loads(line) for line in out.splitlines()]
        assert listed["kind"] == "audit_mismatch" and listed["resolved_at"] is None
    finally:
        worker.stop()
        till.close()
