"""HQ's catalogue reaches tills by pull; the welcome coupon's terms from the till; several
server processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.server.support import ROOT, ServerProcess, Till, random_phone

pytestmark = pytest.mark.postgres


def till_server(db_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LT_SERVER_DATABASE_URL": db_url}
    return subprocess.run(
        [sys.executable, "-m", "server.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_product_imported_after_first_pull_reaches_the_till(
    server: ServerProcess, db_url: str, store_id: str, tmp_path: Path
) -> None:
    till = Till(server.url, db_url, store_id)
    till.enrol()
    till.pull_all()
    sku = "69" + uuid.uuid4().hex[:11]
    csv_file = tmp_path / "products.csv"
    csv_file.write_text(
        "sku,name_zh,name_en,category,unit_price,member_price,active\n"
        f"{sku},测试牛奶,Test milk,dairy,1290,1190,true\n",
        encoding="utf-8",
    )
    out = till_server(db_url, "product", "import", str(csv_file))
    assert out.returncode == 0, out.stderr
    assert "1 added" in out.stdout
    got = [c for c in till.pull_all() if c["entity"] == "product"]
    assert [c["data"]["sku"] for c in got] == [sku]
    assert got[0]["data"]["unit_price"] == 1290 and got[0]["data"]["member_price"] == 1190
    # The same file again changes nothing; a new price is one change with the same id.
    assert "1 unchanged" in till_server(db_url, "product", "import", str(csv_file)).stdout
    json_file = tmp_path / "products.json"
    json_file.write_text(
        json.dumps(
            [
                {
                    "sku": sku,
                    "name_zh": "测试牛奶",
                    "name_en": "Test milk",
                    "category": "dairy",
                    "unit_price": 1350,
                }
            ]
        ),
        encoding="utf-8",
    )
    assert "1 updated" in till_server(db_url, "product", "import", str(json_file)).stdout
    again = [c for c in till.pull_all() if c["entity"] == "product"]
    assert [(c["key"], c["data"]["unit_price"]) for c in again] == [(got[0]["key"], 1350)]
    bad = tmp_path / "bad.csv"
    bad.write_text("sku,name_zh,category,unit_price\nX1,名,cat,-5\n", encoding="utf-8")
    refused = till_server(db_url, "product", "import", str(bad))
    assert refused.returncode == 2 and "row 1: unit_price" in refused.stderr


def test_promotion_added_reaches_the_till(server: ServerProcess, db_url: str, store_id: str) -> None:
    till = Till(server.url, db_url, store_id)
    till.enrol()
    till.pull_all()
    pid = "P" + uuid.uuid4().hex[:8]
    out = till_server(
        db_url,
        "promotion",
        "add",
        pid,
        "--name",
        "Double points",
        "--kind",
        "points_multiplier",
        "--multiplier",
        "2",
        "--categories",
        "dairy,bakery",
        "--starts",
        "2026-01-01T00:00:00+08:00",
        "--ends",
        "2026-02-01T00:00:00+08:00",
    )
    assert out.returncode == 0, out.stderr
    got = [c for c in till.pull_all() if c["entity"] == "promotion"]
    assert [c["key"] for c in got] == [pid]
    assert got[0]["data"]["categories"] == ["dairy", "bakery"] and got[0]["data"]["multiplier"] == "2"
    wrong = till_server(
        db_url, "promotion", "add", pid, "--name", "x", "--kind", "cashback", "--multiplier", "2"
    )
    assert wrong.returncode == 2 and "kind" in wrong.stderr


def test_welcome_coupon_terms_are_held_to_the_programs(
    server: ServerProcess, db_url: str, store_id: str
) -> None:
    """The till's terms count only as far as the program's go (DOMAIN.md, "Trust"): never a larger
    amount, a lower threshold or a longer validity than the program gives, nor than the till printed."""
    a, b = Till(server.url, db_url, store_id), Till(server.url, db_url, store_id)
    a.enrol()
    b.enrol()
    b.pull_all()
    now = datetime.now(UTC).replace(microsecond=0)
    with_terms = a.registration(random_phone(), uuid.uuid4())
    with_terms["payload"]["welcome_coupon_terms"] = {
        "kind": "amount_off",
        "amount": 2000,
        "threshold": 8000,
        "valid_from": now.isoformat(),
        "valid_to": (now + timedelta(days=7)).isoformat(),
    }
    old_till = a.registration(random_phone(), uuid.uuid4())  # no terms: the server's settings
    assert [r["status"] for r in a.push([with_terms, old_till])["results"]] == ["applied", "applied"]
    coupons = {c["data"]["code"]: c["data"] for c in b.pull_all() if c["entity"] == "coupon"}
    new = coupons[with_terms["payload"]["welcome_coupon"]]
    assert (new["amount"], new["threshold"]) == (1000, 8000)  # the program's 1000, the till's 8000
    assert datetime.fromisoformat(new["valid_to"]) == now + timedelta(days=7)
    old = coupons[old_till["payload"]["welcome_coupon"]]
    assert (old["amount"], old["threshold"]) == (1000, 5000)


def test_two_worker_processes_share_the_work(db_url: str, tmp_path: Path, store_id: str) -> None:
    from concurrent.futures import ThreadPoolExecutor

    proc = ServerProcess(db_url, tmp_path, LT_SERVER_WORKERS="2").start()
    try:
        tills = [Till(proc.url, db_url, store_id) for _ in range(6)]
        for t in tills:
            t.enrol()
        shared = uuid.uuid4()
        tills[0].push([tills[0].registration(random_phone(), shared)])

        def run(t: Till) -> None:
            for _ in range(3):
                out = t.push([t.sale(shared, total=1000, earned=10) for _ in range(5)])
                assert all(r["status"] == "applied" for r in out["results"])

        with ThreadPoolExecutor(6) as pool:
            list(pool.map(run, tills))
        reader = Till(proc.url, db_url, store_id)
        reader.enrol()
        entries = [
            c
            for c in reader.pull_all()
            if c["entity"] == "ledger_entry" and c["data"]["member_id"] == str(shared)
        ]
        assert len(entries) == 6 * 3 * 5
        seqs = [c["seq"] for c in reader.pull_all()]
        assert seqs == sorted(seqs)
    finally:
        proc.stop()
