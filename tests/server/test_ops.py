"""Operations endpoints of a real server process on PostgreSQL: health, readiness, the
Prometheus metrics (one process and `--workers 2`), and the request log line."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import create_engine, text

from server.migrate import upgrade
from server.settings import ServerSettings
from tests.server.conftest import create_database, drop_database
from tests.server.support import ServerProcess, Till, random_phone

pytestmark = pytest.mark.postgres


def scrape(url: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    r = requests.get(url + "/metrics", timeout=10)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    out = {}
    for fam in text_string_to_metric_families(r.text):
        for sample in fam.samples:
            out[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return out


def value(m: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str, **labels: str) -> float:
    want = set(labels.items())
    return sum(v for (n, ls), v in m.items() if n == name and want <= set(ls))


def test_health_and_readiness(server: ServerProcess) -> None:
    assert requests.get(server.url + "/healthz", timeout=5).json() == {"status": "ok"}
    r = requests.get(server.url + "/readyz", timeout=5)
    assert r.status_code == 200 and r.json() == {"status": "ready"}


@pytest.fixture
def own_db(pg_admin: str) -> Iterator[str]:
    url = create_database(pg_admin, prefix="lt_ops_")
    upgrade(ServerSettings(database_url=url))
    try:
        yield url
    finally:
        drop_database(pg_admin, url)


def test_not_ready_when_the_schema_is_behind_or_the_database_is_gone(
    own_db: str, pg_admin: str, tmp_path: Path
) -> None:
    proc = ServerProcess(own_db, tmp_path).start()
    try:
        engine = create_engine(own_db)
        with engine.begin() as conn:
            conn.execute(text("UPDATE server_alembic_version SET version_num = 's0001'"))
        engine.dispose()
        r = requests.get(proc.url + "/readyz", timeout=5)
        assert r.status_code == 503
        assert "s0001" in r.json()["problems"][0] and "db upgrade" in r.json()["problems"][0]
        assert requests.get(proc.url + "/healthz", timeout=5).status_code == 200  # alive all the same
        drop_database(pg_admin, own_db)
        r = requests.get(proc.url + "/readyz", timeout=10)
        assert r.status_code == 503 and "not reachable" in r.json()["problems"][0]
    finally:
        proc.stop()


def test_metrics_count_pushes_conflicts_pulls_and_tills_seen(
    server: ServerProcess, db_url: str, store_id: str
) -> None:
    before = scrape(server.url)
    till = Till(server.url, db_url, store_id)
    till.enrol()
    mid = uuid.uuid4()
    reg = till.registration(random_phone(), mid)
    sale = till.sale(mid, total=5000, coupons=[("CNEVERSEEN01", 500)])  # coupon_unknown conflict
    till.push([reg, sale])
    till.push([sale])  # a retry: duplicate
    till.pull_all()
    after = scrape(server.url)

    def delta(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert delta("lt_push_events_total", result="applied") == 2
    assert delta("lt_push_events_total", result="duplicate") == 1
    assert delta("lt_push_batch_events_count") == 2 and delta("lt_push_batch_events_sum") == 3
    assert delta("lt_push_batch_seconds_count") == 2
    assert delta("lt_conflicts_opened_total", kind="coupon_unknown") == 1
    assert delta("lt_http_request_duration_seconds_count", route="/api/v1/sync/push", status="200") == 2
    assert value(after, "lt_pull_caught_up_timestamp_seconds", store=store_id) > 0
    assert value(after, "lt_till_last_seen_timestamp_seconds", terminal=till.terminal_id) > 0


def test_metrics_add_up_over_two_workers_and_each_request_is_one_log_line(
    db_url: str, tmp_path: Path, store_id: str
) -> None:
    proc = ServerProcess(
        db_url,
        tmp_path,
        LT_SERVER_WORKERS="2",
        LT_SERVER_LOG_LEVEL="info",
        PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "metrics"),
    ).start(timeout=120)
    try:
        till = Till(proc.url, db_url, store_id)
        till.enrol()
        phone = random_phone()
        mid = uuid.uuid4()
        till.push([till.registration(phone, mid, name="Wang Fang")])
        for _ in range(6):
            till.http = requests.Session()  # a new connection each time: either worker may answer
            till.push([till.sale(mid, total=1000)])
        r = till.http.get(
            proc.url + "/api/v1/members/lookup", params={"phone": phone}, headers=till.headers(), timeout=10
        )
        assert r.status_code == 200
        pids = {requests.get(proc.url + "/metrics", timeout=5).status_code for _ in range(4)}
        assert pids == {200}
        m = scrape(proc.url)
        assert value(m, "lt_push_events_total", result="applied") == 7
        assert value(m, "lt_push_batch_events_count") == 7
    finally:
        proc.stop()
    log = proc.log.read_text()
    lines = [ln for ln in log.splitlines() if " server.request " in ln]
    assert sum("POST /api/v1/sync/push 200" in ln for ln in lines) == 7
    lookup = [ln for ln in lines if "GET /api/v1/members/lookup 200" in ln]
    assert len(lookup) == 1 and "ms" in lookup[0]
    for secret in (phone, phone[3:], till.token, "Wang Fang"):
        assert secret not in log
