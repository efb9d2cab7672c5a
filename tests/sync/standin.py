"""A small stand-in for the central server: real HTTP on loopback, the sync protocol minimally.

It records pushed events (deduplicated by id, like the real server), serves canned pulls, and
can be told to misbehave: answer 500, drop the answer after recording (a response lost after
commit), crash part-way through a batch, answer slowly, or come back with a new epoch (a
server restored from a backup).
"""

from __future__ import annotations

import contextlib
import json
import random
import secrets
import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

from sync.protocol import (
    API_PREFIX,
    Change,
    EnrolRequest,
    EnrolResponse,
    EventResult,
    LookupResponse,
    PullRequest,
    PullResponse,
    PushRequest,
    PushResponse,
)


@dataclass
class Faults:
    push_500: int = 0  # the next N pushes answer 500 (nothing recorded)
    pull_500: int = 0
    pull_500_from: int | None = None  # pulls asking for changes after this cursor answer 500
    drop_push: int = 0  # the next N pushes record everything, then drop the connection
    crash_after: int | None = None  # the next push records this many events, then drops
    partial_results: bool = False  # answer for the first half of each batch only
    shuffle_results: bool = False
    push_delay_s: float = 0.0
    lookup_delay_s: float = 0.0


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    at: float


@dataclass
class StandInState:
    """What the server has committed; survives a restart of the HTTP front."""

    epoch: str = "epoch-1"
    token: str = field(default_factory=lambda: "tok_" + secrets.token_urlsafe(24))
    codes: set[str] = field(default_factory=lambda: {"ENROL-123456"})
    device_id: str | None = None
    events: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> event
    arrival: list[tuple[str, int]] = field(default_factory=list)  # (id, seq) in arrival order
    changes: list[Change] = field(default_factory=list)
    lookups: dict[str, LookupResponse] = field(default_factory=dict)  # phone or code -> answer
    reject_types: set[str] = field(default_factory=set)

    def add_change(self, entity: str, key: str, data: dict[str, Any], op: str = "upsert") -> int:
        seq = (self.changes[-1].seq if self.changes else 0) + 1
        self.changes.append(Change(seq=seq, entity=entity, op=op, key=key, data=data))  # type: ignore[arg-type]
        return seq

    def points_earned(self, member_id: object) -> int:
        return sum(
            int(e["payload"].get("points_earned") or 0)
            for e in self.events.values()
            if e["type"] == "sale.completed" and e["payload"].get("member_id") == str(member_id)
        )

    def of_type(self, event_type: str) -> list[dict[str, Any]]:
        return [e for e in self.events.values() if e["type"] == event_type]


class StandIn:
    def __init__(self, state: StandInState | None = None) -> None:
        self.state = state or StandInState()
        self.faults = Faults()
        self.requests: list[Request] = []
        self.lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> StandIn:
        standin = self

        class Handler(_Handler):
            server_ref = standin

        self._httpd = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="standin-server",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None

    def restart(self, state: StandInState | None = None) -> None:
        """Stop and start again on the same port, keeping what was committed (or `state`)."""
        self.stop()
        if state is not None:
            self.state = state
        self.start()

    def pushes(self) -> list[Request]:
        return [r for r in self.requests if r.path.endswith("/sync/push")]


class _Handler(BaseHTTPRequestHandler):
    server_ref: StandIn
    protocol_version = "HTTP/1.0"

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    # ----------------------------------------------------------------- plumbing

    def _body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _send(self, status: int, body: Any) -> None:
        data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _error(self, status: int, code: str, message: str) -> None:
        self._send(status, {"code": code, "message": message})

    def _drop(self) -> None:
        """Close the connection without an answer (the server 'crashed' after committing)."""
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def _authorised(self) -> bool:
        st = self.server_ref.state
        auth = self.headers.get("Authorization", "")
        device = self.headers.get("X-Device-Id", "")
        if auth != f"Bearer {st.token}" or not device:
            self._error(401, "unauthorised", "bad or missing terminal token")
            return False
        if st.device_id is not None and device != st.device_id:
            self._error(403, "other_device", "this token belongs to another device")
            return False
        return True

    def _record(self) -> None:
        with self.server_ref.lock:
            self.server_ref.requests.append(
                Request(self.command, urlparse(self.path).path, dict(self.headers.items()), time.monotonic())
            )

    # ----------------------------------------------------------------- routes

    def do_GET(self) -> None:
        self._record()
        url = urlparse(self.path)
        if url.path != API_PREFIX + "/members/lookup":
            self._error(404, "not_found", "no such endpoint")
            return
        if not self._authorised():
            return
        faults = self.server_ref.faults
        if faults.lookup_delay_s:
            time.sleep(faults.lookup_delay_s)
        q = parse_qs(url.query)
        key = (q.get("phone") or q.get("code") or [""])[0]
        answer = self.server_ref.state.lookups.get(key, LookupResponse(found=False))
        self._send(200, answer.model_dump_json())

    def do_POST(self) -> None:
        self._record()
        path = urlparse(self.path).path
        body = self._body()
        if path == API_PREFIX + "/enrol":
            self._enrol(body)
        elif path == API_PREFIX + "/sync/push":
            if self._authorised():
                self._push(body)
        elif path == API_PREFIX + "/sync/pull":
            if self._authorised():
                self._pull(body)
        else:
            self._error(404, "not_found", "no such endpoint")

    def _enrol(self, body: bytes) -> None:
        st = self.server_ref.state
        req = EnrolRequest.model_validate_json(body)
        if req.code not in st.codes:
            self._error(403, "bad_code", "this enrolment code is unknown or used")
            return
        st.codes.discard(req.code)
        st.device_id = req.device_id
        self._send(
            200,
            EnrolResponse(
                store_id="S001",
                terminal_id="T01",
                token=st.token,
                epoch=st.epoch,
                server_time=datetime.now(UTC),
            ).model_dump_json(),
        )

    def _push(self, body: bytes) -> None:
        stand, st, faults = self.server_ref, self.server_ref.state, self.server_ref.faults
        req = PushRequest.model_validate_json(body)
        if faults.push_delay_s:
            time.sleep(faults.push_delay_s)
        with stand.lock:
            if faults.push_500:
                faults.push_500 -= 1
                self._error(500, "internal", "the database is unavailable")
                return
            crash_after, faults.crash_after = faults.crash_after, None
            results = []
            for n, ev in enumerate(req.events):
                if crash_after is not None and n >= crash_after:
                    break
                key = str(ev.id)
                if key in st.events:
                    results.append(EventResult(id=ev.id, status="duplicate", result={"ok": True}))
                elif ev.type in st.reject_types:
                    st.events[key] = {**ev.model_dump(mode="json"), "rejected": True}
                    st.arrival.append((key, ev.seq))
                    results.append(
                        EventResult(id=ev.id, status="rejected", reason=f"{ev.type} is not accepted")
                    )
                else:
                    st.events[key] = ev.model_dump(mode="json")
                    st.arrival.append((key, ev.seq))
                    results.append(EventResult(id=ev.id, status="applied", result={"ok": True}))
            if crash_after is not None:
                self._drop()
                return
            if faults.drop_push:
                faults.drop_push -= 1
                self._drop()
                return
            if faults.partial_results:
                results = results[: max(1, len(results) // 2)]
            if faults.shuffle_results:
                random.shuffle(results)
        self._send(
            200,
            PushResponse(results=results, server_time=datetime.now(UTC), epoch=st.epoch).model_dump_json(),
        )

    def _pull(self, body: bytes) -> None:
        st, faults = self.server_ref.state, self.server_ref.faults
        req = PullRequest.model_validate_json(body)
        with self.server_ref.lock:
            if faults.pull_500 or (faults.pull_500_from is not None and req.cursor >= faults.pull_500_from):
                faults.pull_500 = max(0, faults.pull_500 - 1)
                self._error(500, "internal", "the database is unavailable")
                return
            if req.epoch is not None and req.epoch != st.epoch:
                resp = PullResponse(changes=[], cursor=0, more=False, epoch=st.epoch, reset=True)
            else:
                newer = [c for c in st.changes if c.seq > req.cursor]
                page = newer[: req.limit]
                resp = PullResponse(
                    changes=page,
                    cursor=page[-1].seq if page else req.cursor,
                    more=len(newer) > len(page),
                    epoch=st.epoch,
                )
        self._send(200, resp.model_dump_json())
