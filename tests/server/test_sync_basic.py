"""Enrolment, push and pull against a real server process and PostgreSQL."""

from __future__ import annotations

import uuid

import pytest

from tests.server.support import ServerProcess, Till, random_phone

pytestmark = pytest.mark.postgres


@pytest.fixture
def till(server: ServerProcess, db_url: str, store_id: str) -> Till:
    t = Till(server.url, db_url, store_id)
    t.enrol()
    return t


def test_register_then_sale_applies_points_once(till: Till) -> None:
    mid = uuid.uuid4()
    reg = till.registration(random_phone(), mid)
    sale = till.sale(mid, total=12000, earned=120)
    out = till.push([reg, sale])
    assert [r["status"] for r in out["results"]] == ["applied", "applied"]
    assert out["results"][1]["result"]["points_balance"] == 120
    assert out["epoch"] == till.epoch
    again = till.push([reg, sale])
    assert [r["status"] for r in again["results"]] == ["duplicate", "duplicate"]
    assert again["results"][1]["result"] == out["results"][1]["result"]


def test_same_id_other_payload_is_rejected(till: Till) -> None:
    sale = till.sale(None, total=500)
    assert till.push([sale])["results"][0]["status"] == "applied"
    forged = {**sale, "payload": {**sale["payload"], "total_due": 1}}
    res = till.push([forged])["results"][0]
    assert res["status"] == "rejected"
    assert res["reason"] == "id_reused_with_different_payload"


def test_pull_sees_other_tills_changes_not_own_ledger(
    server: ServerProcess, db_url: str, store_id: str
) -> None:
    a = Till(server.url, db_url, store_id)
    b = Till(server.url, db_url, store_id)
    a.enrol()
    b.enrol()
    mid = uuid.uuid4()
    a.push([a.registration(random_phone(), mid), a.sale(mid, earned=50)])
    got_b = b.pull_all()
    entities = {c["entity"] for c in got_b}
    assert {"member", "ledger_entry", "coupon", "public_key"} <= entities
    got_a = a.pull_all()
    assert not [c for c in got_a if c["entity"] == "ledger_entry" and c["data"]["member_id"] == str(mid)]
    seqs = [c["seq"] for c in got_b]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
