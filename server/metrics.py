"""Prometheus metrics of the server (prometheus-client), served at `/metrics`.

Counted as things happen (in each process): request latency by route (server/reqlog.py), push
batch sizes and times and the events applied / duplicate / rejected (the push route), the
conflicts opened (from what a committed session added, whoever added it), and when a store's
tills last pulled to the end of the change log. Read from the database at each scrape: when
each till was last seen, so every worker answers the same.

Several workers (`serve --workers N`): each worker is its own process with its own counters,
so `till-server serve` points ``PROMETHEUS_MULTIPROC_DIR`` at an empty folder before it starts
them (one it makes, unless set) and `/metrics` adds up what every worker wrote there
(prometheus-client's multiprocess mode: counters and histograms summed, gauges by their mode).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Iterator
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from server.db import Database
from server.models import Conflict, Terminal
from sync.protocol import PushRequest, PushResponse

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
_BATCH_SIZES = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000)

REQUEST_SECONDS = Histogram(
    "lt_http_request_duration_seconds", "HTTP request latency by route", ["method", "route", "status"]
)
PUSH_BATCH_EVENTS = Histogram("lt_push_batch_events", "events in one push batch", buckets=_BATCH_SIZES)
PUSH_BATCH_SECONDS = Histogram("lt_push_batch_seconds", "time to apply one push batch")
PUSH_EVENTS = Counter("lt_push_events", "pushed events by result", ["result"])
CONFLICTS_OPENED = Counter("lt_conflicts_opened", "conflicts recorded by the rules", ["kind"])
PULL_CAUGHT_UP = Gauge(
    "lt_pull_caught_up_timestamp_seconds",
    "when a till of the store last pulled to the end of its change log (pull lag: time() minus this)",
    ["store"],
    multiprocess_mode="max",
)
PULL_PAGES = Counter("lt_pull_pages", "pull pages answered, by store", ["store"])
_PENDING = "lt_metrics_conflicts"


def observe_push(req: PushRequest, resp: PushResponse, seconds: float) -> None:
    PUSH_BATCH_EVENTS.observe(len(req.events))
    PUSH_BATCH_SECONDS.observe(seconds)
    counts: dict[str, int] = {}
    for r in resp.results:
        counts[str(r.status)] = counts.get(str(r.status), 0) + 1
    for status, n in counts.items():
        PUSH_EVENTS.labels(status).inc(n)


def observe_pull(store_id: str, body: bytes) -> None:
    """A pull page answered; `body` ends with its `"more"` flag (server/pull.py writes it)."""
    PULL_PAGES.labels(store_id).inc()
    if body.rfind(b'"more":false') > body.rfind(b'"changes":['):
        PULL_CAUGHT_UP.labels(store_id).set(time.time())


@event.listens_for(Session, "after_flush")
def _conflicts_flushed(s: Session, _ctx: Any) -> None:
    kinds = [o.kind for o in s.new if isinstance(o, Conflict)]
    if kinds:
        s.info.setdefault(_PENDING, []).extend(kinds)


@event.listens_for(Session, "after_commit")
def _conflicts_committed(s: Session) -> None:
    for kind in s.info.pop(_PENDING, ()):
        CONFLICTS_OPENED.labels(kind).inc()


@event.listens_for(Session, "after_rollback")
def _conflicts_rolled_back(s: Session) -> None:
    s.info.pop(_PENDING, None)


@event.listens_for(Session, "after_soft_rollback")
def _conflicts_soft_rolled_back(s: Session, _previous: Any) -> None:
    s.info.pop(_PENDING, None)


class TillsSeen(Collector):
    """`lt_till_last_seen_timestamp_seconds{store, terminal}` from the terminals table."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def collect(self) -> Iterator[GaugeMetricFamily]:
        fam = GaugeMetricFamily(
            "lt_till_last_seen_timestamp_seconds",
            "when each enrolled till last talked to the server",
            labels=["store", "terminal"],
        )
        with self.db.sessions() as s:
            rows = s.execute(
                select(Terminal.store_id, Terminal.id, Terminal.last_seen_at).where(
                    Terminal.revoked_at.is_(None), Terminal.last_seen_at.is_not(None)
                )
            ).all()
        for store, terminal, seen in rows:
            if seen is not None:
                fam.add_metric([store, terminal], seen.timestamp())
        yield fam


def render(db: Database) -> tuple[bytes, str]:
    """The metrics page: this process's (or every worker's) metrics and the database's."""
    if os.environ.get(MULTIPROC_ENV):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        parts: Iterable[CollectorRegistry] = (registry,)
    else:
        parts = (REGISTRY,)
    seen = CollectorRegistry()
    seen.register(TillsSeen(db))
    return b"".join(generate_latest(r) for r in (*parts, seen)), CONTENT_TYPE_LATEST
