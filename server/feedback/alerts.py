"""Escalation alerts: a major ticket is announced at once, outside the HQ API.

When the rules escalate a ticket (``TicketRules.escalate``: major, to the area manager), an
``Alert`` row is written in the same transaction as the ticket, so it cannot be lost. A
sender thread in each server process (:class:`AlertSender`, started by ``server.app`` when
``LT_SERVER_ALERT_WEBHOOK_URL`` is set) POSTs each due alert as JSON to that URL: HQ's own
endpoint, or a relay to a WeCom/DingTalk group robot. Delivery is at least once: a failed
POST (an error status, a timeout, no connection) is retried with growing delays (10 s, 20 s,
... up to an hour), and the receiver can drop repeats by the ``X-LT-Alert-Id`` header. With
several server processes, ``FOR UPDATE SKIP LOCKED`` keeps two of them from sending one alert.

The body names the ticket, store, severity, team, category and scores, never the member (no
phone, name or comment: the ticket API has the details for those allowed to see them). With
``LT_SERVER_ALERT_WEBHOOK_SECRET`` set, ``X-LT-Signature: sha256=<hex>`` is the HMAC-SHA256
of the body under that secret.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import requests
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app.domain.ids import new_id
from server.feedback.models import Alert, Feedback, Ticket

log = logging.getLogger(__name__)

BACKOFF_FIRST = timedelta(seconds=10)
BACKOFF_MAX = timedelta(hours=1)
BATCH = 20

_SEVERITY_ZH = {"major": "重大", "urgent": "紧急", "normal": "一般"}


def queue_escalation(
    session: Session, ticket: Ticket, fb: Feedback, now: datetime, ticket_url: str = ""
) -> Alert:
    """Write the alert for an escalated ticket (in the caller's transaction)."""
    severity = ticket.severity
    category = fb.category or ""
    text_en = (
        f"{severity.capitalize()} customer complaint at store {ticket.store_id}: "
        f"{fb.stars} star(s), NPS {fb.nps}, {category or 'no category'}; team {ticket.team}, "
        f"due {ticket.due_at.isoformat()}."
    )
    text_zh = (
        f"【{_SEVERITY_ZH.get(severity, severity)}客诉】门店 {ticket.store_id}："
        f"{fb.stars} 星，NPS {fb.nps}，{category or '未选类别'}；处理团队 {ticket.team}，"
        f"期限 {ticket.due_at.isoformat()}。"
    )
    payload = {
        "kind": "feedback.escalated",
        "ticket_id": str(ticket.id),
        "store_id": ticket.store_id,
        "severity": severity,
        "team": ticket.team,
        "escalated_to": ticket.escalated_to,
        "category": fb.category,
        "stars": fb.stars,
        "nps": fb.nps,
        "reasons": list(ticket.reasons),
        "terminal_id": fb.terminal_id,
        "receipt_no": fb.receipt_no,
        "opened_at": ticket.opened_at.isoformat(),
        "due_at": ticket.due_at.isoformat(),
        "ticket_url": ticket_url,
        "text": {"zh": text_zh, "en": text_en},
    }
    alert = Alert(
        id=new_id(),
        ticket_id=ticket.id,
        kind="escalated",
        to=ticket.escalated_to or "",
        payload=payload,
        created_at=now,
        attempts=0,
        next_attempt_at=now,
        sent_at=None,
        last_error="",
    )
    session.add(alert)
    return alert


def alerts_json(session: Session, ticket_id: uuid.UUID) -> list[dict[str, Any]]:
    """A ticket's alerts for the HQ API: whether each went out, and why not yet."""
    rows = session.execute(
        select(Alert).where(Alert.ticket_id == ticket_id).order_by(Alert.created_at)
    ).scalars()
    return [
        {
            "id": str(a.id),
            "kind": a.kind,
            "to": a.to,
            "attempts": a.attempts,
            "sent_at": a.sent_at.isoformat() if a.sent_at else None,
            "next_attempt_at": None if a.sent_at else a.next_attempt_at.isoformat(),
            "last_error": a.last_error,
        }
        for a in rows
    ]


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@dataclass
class SendReport:
    sent: int = 0
    failed: int = 0


class AlertSender:
    """Sends due alerts to the webhook: `run_once` for one pass, `start` for a thread that
    passes every `interval_s` (and at once after `wake`)."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        url: str,
        secret: str = "",
        interval_s: float = 2.0,
        timeout_s: float = 5.0,
        is_postgres: bool = True,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.sessions = sessions
        self.url = url
        self.secret = secret
        self.interval_s = interval_s
        self.timeout_s = timeout_s
        self.is_postgres = is_postgres
        self.clock = clock
        self._http = requests.Session()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_once(self) -> SendReport:
        report = SendReport()
        now = self.clock()
        with self.sessions() as s:
            query = (
                select(Alert)
                .where(Alert.sent_at.is_(None), Alert.next_attempt_at <= now)
                .order_by(Alert.created_at)
                .limit(BATCH)
            )
            if self.is_postgres:
                query = query.with_for_update(skip_locked=True)
            for alert in s.execute(query).scalars():
                error = self._post(alert)
                alert.attempts += 1
                if error is None:
                    alert.sent_at = self.clock()
                    alert.last_error = ""
                    report.sent += 1
                else:
                    delay = min(BACKOFF_MAX, BACKOFF_FIRST * 2 ** (alert.attempts - 1))
                    alert.next_attempt_at = self.clock() + delay
                    alert.last_error = error
                    report.failed += 1
                    log.warning(
                        "escalation alert %s for ticket %s not delivered (attempt %d): %s",
                        alert.id,
                        alert.ticket_id,
                        alert.attempts,
                        error,
                    )
            s.commit()
        return report

    def _post(self, alert: Alert) -> str | None:
        """None when the webhook took the alert, else why not, in words."""
        body = json.dumps(alert.payload, ensure_ascii=False, separators=(",", ":")).encode()
        headers = {"Content-Type": "application/json; charset=utf-8", "X-LT-Alert-Id": str(alert.id)}
        if self.secret:
            headers["X-LT-Signature"] = signature(self.secret, body)
        try:
            resp = self._http.post(self.url, data=body, headers=headers, timeout=self.timeout_s)
        except requests.Timeout:
            return f"no answer within {self.timeout_s:g} s"
        except requests.RequestException as exc:
            return f"cannot reach the webhook: {type(exc).__name__}"
        if 200 <= resp.status_code < 300:
            return None
        return f"the webhook answered HTTP {resp.status_code}"

    # -- the thread

    def start(self) -> None:
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._loop, name="feedback-alerts", daemon=True)
            self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        self._http.close()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.run_once()
            except Exception:  # the database is down, say: try again on the next pass
                log.exception("escalation alerts: a pass failed")
            self._wake.wait(self.interval_s)
            self._wake.clear()
