"""Escalated tickets reach a webhook: a real HTTP receiver on loopback that refuses, then
takes the alert; PostgreSQL for the sender's passes; the whole server (create_app) for the
path from a customer's answer to the webhook."""

from __future__ import annotations

import hmac
import json
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session, sessionmaker

from server.feedback.alerts import AlertSender, signature
from server.feedback.models import Alert, Ticket
from server.migrate import upgrade
from server.settings import SettingsError, load_settings
from tests.server_feedback.conftest import ADMIN_TOKEN, Clock, LiveServer, enrol, serve

TIMEOUT = 10
SECRET = "alert-secret-for-tests"
MAJOR = {"stars": "1", "nps": "0", "category": "service", "comment": "店员态度很差 13800138000"}


class Receiver:
    """A webhook on loopback: answers with the next status of `statuses` (then 200) and keeps
    what it was sent."""

    def __init__(self, statuses: list[int]) -> None:
        self.statuses = statuses
        self.got: list[tuple[dict[str, str], bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                receiver.got.append(({k: v for k, v in self.headers.items()}, body))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/hooks/escalations"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver([500])
    yield r
    r.close()


def answer(base: str, token: str, data: dict[str, str]) -> None:
    r = requests.post(f"{base}/f/{token}", data={**data, "lang": "zh"}, timeout=TIMEOUT)
    assert r.status_code == 200, r.text


def alerts(sessions: sessionmaker[Session]) -> list[Alert]:
    with sessions() as s:
        return list(s.execute(select(Alert).order_by(Alert.created_at)).scalars())


@pytest.mark.postgres
def test_an_escalated_ticket_is_sent_to_the_webhook_and_retried_until_taken(
    live_server: LiveServer, receiver: Receiver
) -> None:
    term = enrol(live_server.sessions)
    token, _, receipt_no = term.receipt()
    answer(live_server.url, token, MAJOR)
    low, _, _ = term.receipt()
    answer(live_server.url, low, {"stars": "2", "nps": "5", "category": "stock", "comment": ""})
    with live_server.sessions() as s:
        tickets = {t.severity: t for t in s.execute(select(Ticket)).scalars()}
    assert set(tickets) == {"major", "normal"}  # only the major one is escalated
    [alert] = alerts(live_server.sessions)
    assert alert.ticket_id == tickets["major"].id and alert.sent_at is None

    clock = Clock(live_server.clock())
    sender = AlertSender(live_server.sessions, receiver.url, SECRET, clock=clock)
    try:
        assert (sender.run_once().sent, len(receiver.got)) == (0, 1)  # the webhook answered 500
        [alert] = alerts(live_server.sessions)
        assert alert.attempts == 1 and alert.sent_at is None and "HTTP 500" in alert.last_error
        assert alert.next_attempt_at == clock() + timedelta(seconds=10)
        sender.run_once()
        assert len(receiver.got) == 1  # not due yet: the retry waits its turn
        clock.at += timedelta(seconds=11)
        assert sender.run_once().sent == 1
        assert sender.run_once().sent == 0 and len(receiver.got) == 2  # sent once taken
    finally:
        sender.stop()
    [alert] = alerts(live_server.sessions)
    assert alert.sent_at is not None and alert.attempts == 2 and alert.last_error == ""

    (first_headers, first), (headers, body) = receiver.got
    assert first == body and first_headers["X-LT-Alert-Id"] == headers["X-LT-Alert-Id"] == str(alert.id)
    assert hmac.compare_digest(headers["X-LT-Signature"], signature(SECRET, body))
    sent = json.loads(body)
    assert sent["kind"] == "feedback.escalated" and sent["ticket_id"] == str(tickets["major"].id)
    assert (sent["severity"], sent["escalated_to"], sent["stars"]) == ("major", "area_manager", 1)
    assert sent["receipt_no"] == receipt_no and "重大客诉" in sent["text"]["zh"]
    assert "13800138000" not in body.decode() and "态度" not in body.decode()  # no member details

    r = requests.get(
        f"{live_server.url}/api/v1/tickets/{tickets['major'].id}",
        headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
        timeout=TIMEOUT,
    )
    assert r.status_code == 200
    assert [(a["kind"], a["attempts"], a["sent_at"] is not None) for a in r.json()["alerts"]] == [
        ("escalated", 2, True)
    ]


@pytest.mark.postgres
def test_an_unreachable_webhook_keeps_the_alert_with_the_reason(live_server: LiveServer) -> None:
    term = enrol(live_server.sessions)
    token, _, _ = term.receipt()
    answer(live_server.url, token, MAJOR)
    dead = Receiver([])
    dead.close()  # nothing listens on its port any more
    sender = AlertSender(live_server.sessions, dead.url, clock=Clock(live_server.clock()))
    try:
        assert sender.run_once().failed == 1
    finally:
        sender.stop()
    [alert] = alerts(live_server.sessions)
    assert alert.sent_at is None and "cannot reach the webhook" in alert.last_error


def test_the_server_announces_an_escalation_at_once(tmp_path: Path, receiver: Receiver) -> None:
    """`till-server`'s app: the sender starts with the app, and an escalating answer wakes it
    (the receiver's first 500 is retried 10 s later, so only the first attempt is waited for)."""
    from server.app import create_app

    url = f"sqlite:///{tmp_path / 'server.db'}"
    upgrade(load_settings(database_url=url))
    engine = create_engine(url)
    sessions = sessionmaker(engine, expire_on_commit=False)
    term = enrol(sessions)
    settings = load_settings(database_url=url, alert_webhook_url=receiver.url, alert_interval_s=60)
    try:
        with serve(create_app(settings)) as base:
            token, _, _ = term.receipt()
            requests.get(f"{base}/health", timeout=TIMEOUT)
            start = time.monotonic()
            answer(base, token, MAJOR)
            while not receiver.got and time.monotonic() - start < 10:
                time.sleep(0.02)
            assert receiver.got, "no alert within 10 s"
            assert time.monotonic() - start < 5  # woken by the answer, not the 60 s timer
        assert "X-LT-Signature" not in receiver.got[0][0]  # no secret set: unsigned
        [alert] = alerts(sessions)
        assert alert.attempts == 1 and "HTTP 500" in alert.last_error
    finally:
        engine.dispose()


def test_a_webhook_url_must_be_http() -> None:
    with pytest.raises(SettingsError, match="LT_SERVER_ALERT_WEBHOOK_URL"):
        load_settings(alert_webhook_url="ftp://hq.example/alerts")
    assert load_settings(alert_webhook_url="").alert_webhook_url == ""
