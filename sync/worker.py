"""The background sync worker: drains the outbox and pulls changes, on a timer and on demand.

A round pushes the unsent outbox in sequence order, in batches, then pulls pages until the
server has no more. Network calls never hold SQLite's write lock: a batch is read in a read
transaction, sent with no transaction open, and its results are written in one short write
transaction; a pulled page is fetched first and then applied with its cursor in one write
transaction (sync/apply/). A failed round is retried on the timer with exponential backoff
and jitter, so retries do not wait for the next sale. The status (online or offline, events
waiting, last success, last error in words) goes to a listener after each round.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, fields, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from app.services.context import TillContext
from app.services.outbox import mark_rejected, mark_sent, pending_count, rejected_count, unsent_events
from app.store.outcomes import BY_HAND, OutcomeCounts, outcome_counts, record_outcome
from sync.apply import ApplyReport, apply_page
from sync.client import NotEnrolled, Offline, ServerClient, SyncError, client_for
from sync.protocol import (
    MAX_BODY_BYTES,
    MAX_PULL_LIMIT,
    MAX_PUSH_EVENTS,
    EventResult,
    PullResponse,
    PushRequest,
    WireEvent,
)
from sync.settings import SETTINGS_FILE, SettingsError, read_section
from sync.state import adopt_epoch, audit_anchor, get_cursor, get_epoch, set_audit_ack, set_cursor

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

MAX_PAGES_PER_ROUND = 10_000


# What each [worker] setting may be (the server takes at most MAX_PUSH_EVENTS a push).
_WORKER_RANGES: dict[str, tuple[float, float]] = {
    "interval_s": (1, 86_400),
    "backoff_base_s": (0.1, 3600),
    "backoff_max_s": (1, 86_400),
    "batch_size": (1, MAX_PUSH_EVENTS),
    "pull_limit": (1, MAX_PULL_LIMIT),
    "connect_timeout_s": (0.1, 600),
    "read_timeout_s": (0.1, 600),
}


@dataclass(frozen=True)
class WorkerSettings:
    interval_s: float = 30.0
    backoff_base_s: float = 2.0
    backoff_max_s: float = 300.0
    batch_size: int = 200
    pull_limit: int = 500
    connect_timeout_s: float = 3.0
    read_timeout_s: float = 15.0

    @classmethod
    def load(cls, home: Path) -> WorkerSettings:
        """`[worker]` of `sync.toml`; SettingsError naming the file and setting for a value of
        the wrong type or outside its range."""
        types: dict[str, type] = {f.name: (float if f.type in ("float", float) else int) for f in fields(cls)}
        values = read_section(home, "worker", types)
        for key, value in values.items():
            low, high = _WORKER_RANGES[key]
            if not low <= value <= high:  # (also refuses nan)
                raise SettingsError(
                    f"{home / SETTINGS_FILE}: [worker] {key}: must be from {low} to {high}, not {value}"
                )
        return replace(cls(), **values)

    def backoff(self, failures: int, rng: random.Random) -> float:
        """Exponential backoff with jitter: half the step fixed, half random ("equal jitter")."""
        step = min(self.backoff_max_s, self.backoff_base_s * 2.0 ** max(0, failures - 1))
        return step / 2 + rng.uniform(0, step / 2)


State = Literal["starting", "online", "offline", "error", "not_enrolled"]


@dataclass(frozen=True)
class SyncStatus:
    state: State = "starting"
    pending: int = 0  # outbox events not yet acknowledged by the server
    rejected: int = 0  # events the server refused (acknowledged, parked for review there)
    held: int = 0  # points adjustments/compensations the server holds for HQ's approval
    rejected_by_hq: int = 0  # held ones HQ then rejected (not in the members' balances)
    last_success: datetime | None = None
    last_error: str | None = None
    last_error_at: datetime | None = None
    next_attempt_at: datetime | None = None
    failures: int = 0  # consecutive failed rounds
    busy: bool = False

    @property
    def online(self) -> bool:
        return self.state == "online"

    def describe(self, lang: Literal["en", "zh"] = "en") -> str:
        """One line for the status bar."""
        at = self.last_success.astimezone().strftime("%H:%M") if self.last_success else None
        if lang == "zh":
            head = {
                "starting": "同步启动中",
                "online": "在线",
                "offline": "离线",
                "error": "同步出错",
                "not_enrolled": "未登记到服务器",
            }[self.state]
            parts = [head, f"待上传 {self.pending} 条"]
            if at:
                parts.append(f"上次同步 {at}")
            if self.rejected:
                parts.append(f"{self.rejected} 条被服务器拒收")
            if self.held:
                parts.append(f"{self.held} 笔积分调整待总部审批")
            if self.rejected_by_hq:
                parts.append(f"{self.rejected_by_hq} 笔积分调整被总部驳回")
            if self.last_error and not self.online:
                parts.append(self.last_error)
            return " · ".join(parts)
        head = {
            "starting": "Sync starting",
            "online": "Online",
            "offline": "Offline",
            "error": "Sync error",
            "not_enrolled": "Not enrolled with a server",
        }[self.state]
        parts = [head, f"{self.pending} waiting"]
        if at:
            parts.append(f"last sync {at}")
        if self.rejected:
            parts.append(f"{self.rejected} rejected by the server")
        for n, what in ((self.held, "held for HQ"), (self.rejected_by_hq, "rejected by HQ")):
            if n:
                parts.append(f"{n} points adjustment{'s' if n > 1 else ''} {what}")
        if self.last_error and not self.online:
            parts.append(self.last_error)
        return " · ".join(parts)


@dataclass
class RoundReport:
    pushed: int = 0
    applied: int = 0
    duplicate: int = 0
    rejected: int = 0
    batches: int = 0
    pages: int = 0
    changes: int = 0
    pull: ApplyReport = field(default_factory=ApplyReport)
    epoch_reset: bool = False
    error: SyncError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def describe(self) -> str:
        lines = [
            f"pushed {self.pushed} events in {self.batches} batches: {self.applied} applied, "
            f"{self.duplicate} already on the server, {self.rejected} rejected",
            f"pulled {self.changes} changes in {self.pages} pages: {self.pull.applied} applied, "
            f"{self.pull.kept_local} kept (unsent local change), {self.pull.skipped} skipped, "
            f"{self.pull.failed} failed, {self.pull.merges} member merges",
        ]
        if self.epoch_reset:
            lines.append("the server was restored from a backup: everything is being sent and fetched again")
        lines.extend(f"  {p}" for p in self.pull.problems[:10])
        if self.error is not None:
            lines.append(f"error: {self.error.message}")
        return "\n".join(lines)


Listener = Callable[[SyncStatus], None]


class SyncWorker:
    """`start()` runs rounds in a thread; `trigger()` asks for one now; `stop()` joins.

    `run_once()` runs one round in the caller's thread (the `till sync` command). The listener
    is called from the worker's thread: a GUI must hand the status over to its own thread.
    """

    def __init__(
        self,
        ctx: TillContext,
        settings: WorkerSettings | None = None,
        listener: Listener | None = None,
        client_factory: Callable[[], ServerClient] | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.ctx = ctx
        self.settings = settings or WorkerSettings.load(ctx.home)
        self.listener = listener
        self._client_factory = client_factory or self._default_client
        self._client: ServerClient | None = None
        self._rng = rng or random.Random()
        self._round_lock = threading.Lock()
        self._status_lock = threading.Lock()
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._status = SyncStatus()

    # --------------------------------------------------------------------- control

    def _default_client(self) -> ServerClient:
        return client_for(
            self.ctx.home,
            self.ctx.config.server.url,
            connect_timeout_s=self.settings.connect_timeout_s,
            read_timeout_s=self.settings.read_timeout_s,
        )

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stopping.clear()
        self._thread = threading.Thread(target=self._loop, name="till-sync", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop after the call in flight (network calls have timeouts) and join the thread."""
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        if self._client is not None:
            self._client.close()
            self._client = None

    def trigger(self) -> None:
        """Run a round now (the "sync now" button), even while backing off."""
        self._wake.set()

    def poke(self) -> None:
        """New local events: run a round soon, unless the worker is backing off after a
        failure (then the timer's retry comes first; a sale must not hammer a failing server)."""
        if self.status.failures == 0:
            self._wake.set()

    @property
    def status(self) -> SyncStatus:
        with self._status_lock:
            return self._status

    def reachable(self) -> bool:
        """`app.ports.ServerLink`: the offline rules apply to the till unless this is True."""
        return self.status.online

    def _publish(self, **changes: object) -> None:
        with self._status_lock:
            self._status = replace(self._status, **changes)  # type: ignore[arg-type]
            status = self._status
        if self.listener is not None:
            try:
                self.listener(status)
            except Exception:
                log.exception("sync status listener failed")

    def _loop(self) -> None:
        while not self._stopping.is_set():
            report = self.run_once()
            if self._stopping.is_set():
                break
            st = self.status
            delay = self.settings.interval_s if report.ok else self.settings.backoff(st.failures, self._rng)
            self._publish(next_attempt_at=self.ctx.now() + timedelta(seconds=delay))
            self._wake.wait(delay)
            self._wake.clear()

    # --------------------------------------------------------------------- a round

    def run_once(self) -> RoundReport:
        """Push everything unsent, then pull until the server has nothing more. Never raises
        for a server or network problem: the report and the status carry it."""
        with self._round_lock:
            self._publish(busy=True)
            report = RoundReport()
            try:
                client = self._get_client()
                self._push(client, report)
                if not self._stopping.is_set():
                    self._pull(client, report)
                if report.epoch_reset and not self._stopping.is_set():
                    self._push(client, report)  # what the restored server lost goes again
            except SyncError as exc:
                report.error = exc
            except Exception as exc:  # a bug or a locked store: report it, keep the thread
                log.exception("sync round failed")
                report.error = SyncError(f"Sync failed: {type(exc).__name__}: {exc}", code="internal")
            self._finish(report)
            return report

    def _get_client(self) -> ServerClient:
        if self._client is None:
            self._client = self._client_factory()
        return self._client

    def _finish(self, report: RoundReport) -> None:
        now = self.ctx.now()
        pending, rejected, outcomes = self._counts()
        err = report.error
        if err is None:
            self._publish(
                state="online",
                pending=pending,
                rejected=rejected,
                held=outcomes.held,
                rejected_by_hq=outcomes.rejected,
                last_success=now,
                failures=0,
                busy=False,
            )
            return
        state: State = (
            "not_enrolled"
            if isinstance(err, NotEnrolled)
            else "offline"
            if isinstance(err, Offline)
            else "error"
        )
        if isinstance(err, NotEnrolled):
            self._client = None  # read the credentials again next time
        log.info("sync round failed: %s", err.message)
        self._publish(
            state=state,
            pending=pending,
            rejected=rejected,
            held=outcomes.held,
            rejected_by_hq=outcomes.rejected,
            last_error=err.message,
            last_error_at=now,
            failures=self.status.failures + 1,
            busy=False,
        )

    def _counts(self) -> tuple[int, int, OutcomeCounts]:
        with self.ctx.uow(write=False) as uow:
            s = uow.session
            return pending_count(s), rejected_count(s), outcome_counts(s)

    def refresh_counts(self) -> SyncStatus:
        """Re-read the waiting and rejected counts (e.g. after a sale) and publish them."""
        pending, rejected, outcomes = self._counts()
        self._publish(
            pending=pending, rejected=rejected, held=outcomes.held, rejected_by_hq=outcomes.rejected
        )
        return self.status

    # --------------------------------------------------------------------- push

    def _read_batch(self, limit: int) -> list[WireEvent]:
        with self.ctx.uow(write=False) as uow:
            rows = unsent_events(uow.session, limit)
            return [
                WireEvent(
                    id=r.id,
                    terminal_id=r.terminal_id,
                    seq=r.seq,
                    type=r.type,
                    schema_version=r.schema_version,
                    payload=r.payload,
                    created_at=r.created_at,
                )
                for r in rows
            ]

    def _push(self, client: ServerClient, report: RoundReport) -> None:
        limit = max(1, min(self.settings.batch_size, MAX_PUSH_EVENTS))
        while not self._stopping.is_set():
            events = self._read_batch(limit)
            if not events:
                return
            while (
                len(events) > 1
                and len(PushRequest(events=events, till_time=self.ctx.now()).model_dump_json())
                > MAX_BODY_BYTES * 0.9
            ):
                events = events[: len(events) // 2]
            with self.ctx.uow(write=False) as uow:
                anchor = audit_anchor(uow.session)
            resp = client.push(events, self.ctx.now(), anchor)  # no transaction is open here
            sent = {e.id for e in events}
            done = [r for r in resp.results if r.id in sent]
            now = self.ctx.now()
            with self.ctx.uow() as uow:
                s = uow.session
                if adopt_epoch(s, resp.epoch):
                    report.epoch_reset = True
                set_audit_ack(s, resp.audit_ack_seq)
                for status in ("applied", "duplicate"):
                    mark_sent(s, [r.id for r in done if r.status == status], status, now)
                for r in done:
                    if r.status == "rejected":
                        mark_rejected(s, r.id, r.reason or "rejected", now)
                _record_outcomes(s, events, done, now)
                uow.commit()
            report.batches += 1
            report.pushed += len({r.id for r in done})
            report.applied += sum(r.status == "applied" for r in done)
            report.duplicate += sum(r.status == "duplicate" for r in done)
            report.rejected += sum(r.status == "rejected" for r in done)
            rejected = [r for r in done if r.status == "rejected"]
            if rejected:
                log.warning(
                    "server rejected %d events (first: seq of %s: %s)",
                    len(rejected),
                    rejected[0].id,
                    rejected[0].reason,
                )
            if not done:
                raise SyncError("The server acknowledged none of the events sent.", code="no_progress")

    # --------------------------------------------------------------------- pull

    def _pull(self, client: ServerClient, report: RoundReport) -> None:
        """Pull pages until the server has no more. While one page is applied (a SQLite
        transaction with its cursor), the next is already being fetched and parsed on a second
        thread: the server's time and the till's overlap. Only one request is ever in flight,
        and a page is applied only after the one before it has committed."""
        limit = max(1, min(self.settings.pull_limit, MAX_PULL_LIMIT))
        with self.ctx.uow(write=False) as uow:
            cursor, epoch = get_cursor(uow.session), get_epoch(uow.session)
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="till-sync-fetch") as fetcher:
            ahead: Future[PullResponse] | None = None
            for _ in range(MAX_PAGES_PER_ROUND):
                if self._stopping.is_set():
                    return  # leaving the block waits for a fetch in flight (it has timeouts)
                resp = ahead.result() if ahead is not None else client.pull(cursor, epoch, limit)
                ahead = None
                if resp.reset or resp.epoch != epoch:
                    with self.ctx.uow() as uow:
                        if adopt_epoch(uow.session, resp.epoch):
                            report.epoch_reset = True
                        if resp.reset or epoch is not None:
                            set_cursor(uow.session, 0)
                        uow.commit()
                    if resp.reset or epoch is not None:
                        cursor, epoch = 0, resp.epoch
                        continue  # pull again from the start of the new epoch
                    epoch = resp.epoch
                if resp.more:
                    ahead = fetcher.submit(client.pull, resp.cursor, epoch, limit)
                applied = apply_page(self.ctx, resp.changes, resp.cursor)
                report.pages += 1
                report.changes += len(resp.changes)
                report.pull.add(applied)
                cursor = resp.cursor
                if not resp.more:
                    return
        raise SyncError("The server kept sending more pages than expected.", code="too_many_pages")


def _record_outcomes(s: Session, events: list[WireEvent], done: list[EventResult], now: datetime) -> None:
    """A points adjustment or compensation the push answer held for HQ or refused: kept
    (`app.services.points.record_outcome`), so the member's balance here leaves it out and the
    status line says so."""
    by_id = {e.id: e for e in events if e.type in BY_HAND}
    for r in done:
        ev = by_id.get(r.id)
        if ev is None:
            continue
        if r.status == "rejected":
            record_outcome(s, ev.id, ev.payload, "refused", r.reason or "rejected", "", now)
        elif r.result and r.result.get("held_for_approval"):
            record_outcome(s, ev.id, ev.payload, "held", str(r.result.get("reason") or ""), "", now)
