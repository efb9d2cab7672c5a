"""Helpers for the server tests: a server process on loopback, and a fake till that speaks
sync.protocol over real HTTP."""

from __future__ import annotations

import itertools
import os
import secrets
import signal
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import requests
from sqlalchemy.orm import Session

from app.domain.codes import SigningKey
from server.auth import add_store, issue_enrol_code
from server.db import Database
from server.settings import ServerSettings
from sync.protocol import API_PREFIX

ROOT = Path(__file__).resolve().parents[2]


class ServerProcess:
    """`till-server serve --port 0` in a child process, on 127.0.0.1."""

    def __init__(self, database_url: str, tmp: Path, **env: str) -> None:
        self.database_url = database_url
        self.tmp = tmp
        self.env = env
        self.proc: subprocess.Popen[bytes] | None = None
        self.port = 0
        self.log = tmp / f"server-{secrets.token_hex(3)}.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 20.0) -> ServerProcess:
        port_file = self.tmp / f"port-{secrets.token_hex(4)}"
        env = {
            **os.environ,
            "LT_SERVER_DATABASE_URL": self.database_url,
            "LT_SERVER_LOG_LEVEL": "warning",
            **self.env,
        }
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "server.cli", "serve", "--port", "0", "--port-file", str(port_file)],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.log.read_text()[-2000:]}")
            if port_file.exists() and port_file.read_text().strip():
                self.port = int(port_file.read_text())
                try:
                    if requests.get(self.url + "/health", timeout=2).ok:
                        return self
                except requests.ConnectionError:
                    pass
            time.sleep(0.05)
        raise RuntimeError("server did not start in time")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)


def enrol_code(database_url: str, store_id: str, terminal_id: str) -> str:
    db = Database(ServerSettings(database_url=database_url))
    try:
        with db.sessions() as s:
            add_store(s, store_id, store_id)
            code = issue_enrol_code(s, store_id, terminal_id, 3600)
            s.commit()
        return code
    finally:
        db.dispose()


def enrol_in_process(db: Database, till: Till) -> None:
    """Add `till`'s store and enrol it through the server's own functions (no HTTP), for
    tests and benches that call `server.push.push` in-process."""
    from server.auth import enrol
    from sync.protocol import EnrolRequest

    with db.sessions() as s:
        add_store(s, till.store_id, till.store_id)
        code = issue_enrol_code(s, till.store_id, till.terminal_id, 3600)
        s.commit()
        request = EnrolRequest(
            code=code, device_id="d" * 16, key_id=till.key.key_id, public_key=till.key.public().to_base64()
        )
        enrol(s, request)
        s.commit()


def session_for(database_url: str) -> tuple[Database, Session]:
    db = Database(ServerSettings(database_url=database_url))
    return db, db.sessions()


class Till:
    """A till's side of the protocol: its outbox, its credentials, its cursor."""

    def __init__(
        self, base_url: str, database_url: str, store_id: str, terminal_id: str | None = None
    ) -> None:
        self.base = base_url.rstrip("/") + API_PREFIX
        self.store_id = store_id
        self.terminal_id = terminal_id or f"T{secrets.token_hex(4)}"
        self.device_id = secrets.token_hex(8)
        self.key = SigningKey.generate(f"k{secrets.token_hex(4)}")
        self.token = ""
        self.epoch = ""
        self.cursor = 0
        self.seq = itertools.count(1)
        self.http = requests.Session()
        self.database_url = database_url

    # ------------------------------------------------------------ protocol
    def enrol(self) -> dict[str, Any]:
        code = enrol_code(self.database_url, self.store_id, self.terminal_id)
        r = self.http.post(
            self.base + "/enrol",
            json={
                "code": code,
                "device_id": self.device_id,
                "key_id": self.key.key_id,
                "public_key": self.key.public().to_base64(),
                "till_version": "test",
            },
            timeout=10,
        )
        r.raise_for_status()
        body = r.json()
        self.token, self.epoch = body["token"], body["epoch"]
        return dict(body)

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", "X-Device-Id": self.device_id}

    def push_raw(
        self, events: list[dict[str, Any]], till_time: datetime | None = None, timeout: float = 30
    ) -> requests.Response:
        body = {"events": events, "till_time": (till_time or datetime.now(UTC)).isoformat()}
        return self.http.post(self.base + "/sync/push", json=body, headers=self.headers(), timeout=timeout)

    def push(self, events: list[dict[str, Any]], **kw: Any) -> dict[str, Any]:
        r = self.push_raw(events, **kw)
        assert r.status_code == 200, r.text
        out: dict[str, Any] = r.json()
        return out

    def pull_all(self, limit: int = 500) -> list[dict[str, Any]]:
        changes: list[dict[str, Any]] = []
        while True:
            r = self.http.post(
                self.base + "/sync/pull",
                json={"cursor": self.cursor, "epoch": self.epoch, "limit": limit},
                headers=self.headers(),
                timeout=30,
            )
            assert r.status_code == 200, r.text
            body = r.json()
            if body["reset"]:
                changes.clear()
            changes.extend(body["changes"])
            self.cursor, self.epoch = body["cursor"], body["epoch"]
            if not body["more"]:
                return changes

    # ------------------------------------------------------------ outbox events
    def event(self, type_: str, payload: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": str(uuid.uuid4()),
            "terminal_id": self.terminal_id,
            "seq": next(self.seq),
            "type": type_,
            "schema_version": 1,
            "payload": payload,
            "created_at": datetime.now(UTC).isoformat(),
        }

    def registration(
        self,
        phone: str,
        member_id: uuid.UUID | None = None,
        at: datetime | None = None,
        name: str | None = None,
    ) -> dict[str, Any]:
        at = at or datetime.now(UTC)
        mid = member_id or uuid.uuid4()
        return self.event(
            "member.registered",
            {
                "member_id": str(mid),
                "phone": phone,
                "card_no": None,
                "name": name,
                "birthday": None,
                "family": None,
                "favourite_categories": [],
                "consent": {
                    "policy_version": "2025-01",
                    "accepted_at": at.isoformat(),
                    "marketing_opt_in": False,
                },
                "store_id": self.store_id,
                "registered_at": at.isoformat(),
                "welcome_coupon": "W" + secrets.token_hex(5).upper(),
            },
        )

    def sale(
        self,
        member_id: uuid.UUID | None = None,
        total: int = 10000,
        earned: int | None = None,
        redeemed: int = 0,
        coupons: list[tuple[str, int]] = (),  # type: ignore[assignment]
        sale_id: uuid.UUID | None = None,
        at: datetime | None = None,
    ) -> dict[str, Any]:
        at = at or datetime.now(UTC)
        sid = sale_id or uuid.uuid4()
        if earned is None:  # what an honest till earns: 1 point a yuan paid (a basic member)
            earned = max(0, total - sum(d for _, d in coupons) - redeemed) // 100 if member_id else 0
        return self.event(
            "sale.completed",
            {
                "sale_id": str(sid),
                "receipt_no": f"{self.store_id}-{self.terminal_id}-{secrets.token_hex(3)}",
                "store_id": self.store_id,
                "terminal_id": self.terminal_id,
                "cashier_id": str(uuid.uuid4()),
                "member_id": str(member_id) if member_id else None,
                "at": at.isoformat(),
                "subtotal": total,
                "member_savings": 0,
                "coupon_discount": sum(d for _, d in coupons),
                "points_redeemed": redeemed,
                "points_value": redeemed // 100,
                "total_due": total,
                "points_earned": earned,
                "paid": total,
                "change_due": 0,
                "feedback_token": "",
                "coupons": [{"code": c, "discount": d} for c, d in coupons],
                "payments": [{"tender": "cash", "amount": total, "reference": ""}],
                "lines": [
                    {
                        "line_no": 1,
                        "sku": "6901234567892",
                        "qty": 1,
                        "list_total": total,
                        "line_total": total,
                        "coupon_discount": 0,
                        "points_discount": 0,
                        "points_redeemed": 0,
                        "net": total,
                        "points_earned": earned,
                    }
                ],
            },
        )

    def coupon_issued(self, member_id: uuid.UUID | None, code: str | None = None) -> dict[str, Any]:
        """A coupon as the till's wake-up campaign issues it (a template tills may issue)."""
        now = datetime.now(UTC)
        return self.event(
            "coupon.issued",
            {
                "coupon_id": str(uuid.uuid4()),
                "code": code or "C" + secrets.token_hex(5).upper(),
                "member_id": str(member_id) if member_id else None,
                "kind": "amount_off",
                "reason": "wakeup:test",
                "amount": 500,
                "percent": "0",
                "cap": None,
                "threshold": 5000,
                "multiplier": "1",
                "categories": [],
                "valid_from": now.isoformat(),
                "valid_to": (now + timedelta(days=10)).isoformat(),
            },
        )

    def adjust(
        self, member_id: uuid.UUID, points: int, approver_id: uuid.UUID | None = None
    ) -> dict[str, Any]:
        return self.event(
            "points.adjusted",
            {
                "entry_id": str(uuid.uuid4()),
                "member_id": str(member_id),
                "points": points,
                "note": "test",
                "at": datetime.now(UTC).isoformat(),
                "expires_at": None,
                "staff_id": str(uuid.uuid4()),
                "approver_id": str(approver_id or uuid.uuid4()),
            },
        )


def random_phone() -> str:
    return "+86139" + "".join(str(secrets.randbelow(10)) for _ in range(8))
