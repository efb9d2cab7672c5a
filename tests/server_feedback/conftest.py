"""Fixtures for the feedback loop: a fresh PostgreSQL database per session (SQLite for the
service tests) with the core's tables and ours, an enrolled terminal, and a real uvicorn on
loopback serving the feedback router wired to the core (``core_ports``)."""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
import uvicorn
from fastapi import FastAPI
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

import server.models as sm
from app.domain.codes import SigningKey, issue_feedback_token
from server.feedback import models  # noqa: F401  (registers the feedback tables on Base)
from server.feedback.core import core_ports
from server.feedback.routes import FeedbackConfig, make_router
from server.migrate import upgrade
from server.settings import load_settings

PG_ADMIN_URL = os.environ.get("LT_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
ADMIN_TOKEN = "test-admin-token-0123456789"
NOW = datetime(2026, 11, 22, 2, 30, tzinfo=UTC)


class Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


@dataclass
class Terminal:
    """A till enrolled on the server (its public key in the core's ``terminals`` table)."""

    key: SigningKey
    store_id: str = "S001"
    terminal_id: str = "T01"
    _n: int = 0

    def receipt(self, at: datetime = NOW) -> tuple[str, uuid.UUID, str]:
        """(token, sale id, receipt no) for a new sale on this till."""
        self._n += 1
        sale_id = uuid.uuid4()
        receipt_no = f"{self.store_id}-{self.terminal_id}-{self._n:06d}"
        token = issue_feedback_token(self.store_id, self.terminal_id, sale_id, receipt_no, self.key, at)
        return token, sale_id, receipt_no


def enrol(sessions: sessionmaker[Session], terminal_id: str = "T01", store_id: str = "S001") -> Terminal:
    key = SigningKey.generate(f"{terminal_id}-k1")
    with sessions.begin() as s:
        if s.get(sm.Store, store_id) is None:
            s.add(sm.Store(id=store_id, name="Test store", created_at=NOW))
        s.add(
            sm.Terminal(
                id=terminal_id,
                store_id=store_id,
                created_at=NOW,
                enrolled_at=NOW,
                key_id=key.key_id,
                public_key=key.public().to_base64(),
                device_id="dev-0001",
            )
        )
    return Terminal(key, store_id, terminal_id)


def add_sale(
    s: Session, term: Terminal, sale_id: uuid.UUID, receipt_no: str, member_id: uuid.UUID | None
) -> None:
    """What the core's push does when the sale.completed arrives (the parts feedback needs)."""
    if member_id is not None:
        if s.get(sm.Member, member_id) is None:
            s.add(sm.Member(id=member_id, store_id=term.store_id, updated_at=NOW, tier="basic"))
        if s.get(sm.MemberStore, (member_id, term.store_id)) is None:
            s.add(sm.MemberStore(member_id=member_id, store_id=term.store_id))
    s.add(
        sm.Sale(
            id=sale_id,
            receipt_no=receipt_no,
            store_id=term.store_id,
            terminal_id=term.terminal_id,
            cashier_id="1001",
            member_id=member_id,
            at=NOW,
            subtotal=1000,
            member_savings=0,
            coupon_discount=0,
            points_redeemed=0,
            points_value=0,
            total_due=1000,
            points_earned=10,
            paid=1000,
            change_due=0,
            feedback_token="",
            lines=[],
            payments=[],
            coupons=[],
            event_id=uuid.uuid4(),
        )
    )
    s.flush()


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW + timedelta(minutes=5))


# ---------------------------------------------------------------- databases


@pytest.fixture
def sqlite_engine() -> Iterator[Engine]:
    engine = create_engine("sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False})
    sm.Base.metadata.create_all(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def sqlite_sessions(sqlite_engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(sqlite_engine, expire_on_commit=False)


@pytest.fixture(scope="session")
def pg_engine() -> Iterator[Engine]:
    """A fresh database for this test session, made by the migrations, dropped at the end."""
    try:
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
        with admin.connect() as conn:
            conn.execute(text("select 1"))
    except Exception as exc:  # no server
        if os.environ.get("CI"):
            raise
        pytest.skip(f"PostgreSQL not reachable at {PG_ADMIN_URL} ({type(exc).__name__}); CI unset")
    name = f"lt_feedback_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    upgrade(load_settings(database_url=url))  # the core's migrations and ours (f0001)
    engine = create_engine(url, pool_size=5)
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def pg_sessions(pg_engine: Engine) -> Iterator[sessionmaker[Session]]:
    yield sessionmaker(pg_engine, expire_on_commit=False)
    with pg_engine.begin() as conn:
        for table in reversed(sm.Base.metadata.sorted_tables):
            if table.name != "server_meta":
                conn.execute(table.delete())


# ---------------------------------------------------------------- a real server on loopback


@dataclass
class LiveServer:
    url: str
    sessions: sessionmaker[Session]
    clock: Clock


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve(app: FastAPI) -> Iterator[str]:
    """Run ``app`` on uvicorn on a free loopback port in a thread; yields the base URL."""
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, name="uvicorn-feedback", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        assert not thread.is_alive(), "uvicorn thread left running"


@pytest.fixture
def live_server(pg_sessions: sessionmaker[Session], clock: Clock) -> Iterator[LiveServer]:
    app = FastAPI()
    app.include_router(
        make_router(
            FeedbackConfig(
                session_factory=pg_sessions,
                ports=core_ports(),
                admin_token=ADMIN_TOKEN,
                clock=clock,
            )
        )
    )
    with serve(app) as url:
        yield LiveServer(url, pg_sessions, clock)
