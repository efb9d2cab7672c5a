"""An older till reads a newer server's answers: fields it does not know are ignored, at every
level of every answer (`sync.protocol`, "Added fields"). A real HTTP server on loopback
answers as a newer server might; the till's own client (`sync.client.ServerClient`) reads it."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from sync.client import Credentials, Refused, ServerClient
from sync.protocol import EnrolRequest, EnrolResponse, PullRequest

NOW = datetime(2026, 12, 3, 6, 0, tzinfo=UTC).isoformat()
EVENT = str(uuid.uuid4())
NEW = {"motd": "a field this till has never heard of", "limits": {"push": 500}}

ANSWERS: dict[str, tuple[int, dict[str, Any]]] = {
    "/api/v1/enrol": (
        200,
        {
            "store_id": "S001",
            "terminal_id": "T01",
            "token": "tok-" + "x" * 40,
            "epoch": "e1",
            "server_time": NOW,
            "feedback_base_url": "https://fb.example.com",
            **NEW,
        },
    ),
    "/api/v1/sync/push": (
        200,
        {
            "results": [{"id": EVENT, "status": "applied", "result": {"ok": True}, "checked_by": "v2"}],
            "server_time": NOW,
            "epoch": "e1",
            "audit_ack_seq": 3,
            **NEW,
        },
    ),
    "/api/v1/sync/pull": (
        200,
        {
            "changes": [
                {
                    "seq": 7,
                    "entity": "product",
                    "op": "upsert",
                    "key": "k",
                    "data": {"sku": "1", "colour": "red"},
                    "at": NOW,
                }
            ],
            "cursor": 7,
            "more": False,
            "epoch": "e1",
            "watermark": 9,
        },
    ),
    "/api/v1/members/lookup": (200, {"found": False, "ledger": [], "coupons": [], "intel": None, **NEW}),
    "/api/v1/refused": (409, {"code": "device_conflict", "message": "Another device.", "hint": "x"}),
}


class _Newer(BaseHTTPRequestHandler):
    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        status, body = ANSWERS.get(self.path.split("?")[0], (404, {"code": "not_found", "message": "no"}))
        raw = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    do_GET = do_POST = _answer

    def log_message(self, *_: object) -> None:
        pass


@pytest.fixture
def newer_server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Newer)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


def test_an_older_till_reads_a_newer_servers_answers(newer_server: str) -> None:
    creds = Credentials(newer_server, "S001", "T01", "tok-" + "x" * 40, "dev-0123456789")
    with ServerClient(newer_server, creds) as client:
        enrolled = client.enrol(
            EnrolRequest(code="123456", device_id="dev-0123456789", key_id="k1", public_key="A" * 44)
        )
        assert enrolled.terminal_id == "T01" and enrolled.feedback_base_url == "https://fb.example.com"
        assert not hasattr(enrolled, "motd")
        pushed = client.push([], datetime.now(UTC))
        assert [r.status for r in pushed.results] == ["applied"] and pushed.audit_ack_seq == 3
        pulled = client.pull(0, "e1", 10)
        assert pulled.cursor == 7 and pulled.changes[0].data == {"sku": "1", "colour": "red"}
        assert client.lookup(phone="+8613800138000").found is False
        with pytest.raises(Refused) as refused:
            client._call("GET", "/refused", EnrolResponse, auth=False)
        assert refused.value.code == "device_conflict" and refused.value.status == 409


def test_what_a_till_sends_stays_strict() -> None:
    """The request models refuse an unknown field (the server's 422, tests/server)."""
    with pytest.raises(ValueError, match="extra"):
        PullRequest.model_validate({"cursor": 0, "limit": 10, "since": 5})
