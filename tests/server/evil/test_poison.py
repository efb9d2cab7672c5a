"""An evil (or broken) till cannot stall its own outbox or anyone's: an event the server cannot
process is rejected with its reason and parked by itself, the rest of the batch is applied, and
the push answers 200."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from tests.server.evil.support import balance, enrolled, parked_reason, results
from tests.server.support import ServerProcess, random_phone

pytestmark = pytest.mark.postgres

FAR = "9999-12-31T23:59:59-23:59"  # cannot even be converted to UTC


def test_poison_events_are_parked_alone_and_the_batch_lands(
    server: ServerProcess, db_url: str, store_id: str
) -> None:
    t = enrolled(server, db_url, store_id)
    mid = uuid.uuid4()
    t.push([t.registration(random_phone(), mid)])
    far_sale = t.sale(mid, total=1000, earned=10)
    far_sale["payload"]["at"] = FAR
    far_created = t.sale(mid, total=1000, earned=10)
    far_created["created_at"] = FAR
    far_expiry = t.adjust(mid, 5)
    far_expiry["payload"]["expires_at"] = "9999-12-31T23:59:59+00:00"
    surrogate = t.registration(random_phone(), uuid.uuid4(), name="x\ud800y")
    surrogate_key = t.sale(mid, total=1000, earned=10)
    surrogate_key["payload"]["lines"][0]["\udfff"] = 1
    nul = t.sale(mid, total=1000, earned=10)
    nul["payload"]["receipt_no"] = "R\x00"
    honest = t.sale(mid, total=3000, earned=30)
    batch = [far_sale, far_created, far_expiry, surrogate, surrogate_key, nul, honest]
    out = results(t, batch)
    assert [r["status"] for r in out] == ["rejected"] * 6 + ["applied"]
    assert out[0]["reason"] == "time_out_of_range:at"
    assert out[1]["reason"] == "time_out_of_range:created_at"
    assert out[2]["reason"] == "time_out_of_range:expires_at"
    assert out[3]["reason"] == out[4]["reason"] == "invalid_unicode"
    assert out[5]["reason"] == "nul_character"
    for ev, res in zip(batch[:6], out[:6], strict=True):
        assert parked_reason(db_url, ev) == res["reason"]
    assert balance(db_url, mid) == 30  # only the honest sale counted
    # The same batch again: the same answers, nothing applied twice.
    again = results(t, batch)
    assert [r["status"] for r in again] == ["rejected"] * 6 + ["duplicate"]
    assert balance(db_url, mid) == 30


def test_a_far_till_clock_is_flagged_not_fatal(server: ServerProcess, db_url: str, store_id: str) -> None:
    t = enrolled(server, db_url, store_id)
    r = t.push_raw([t.sale(None)], till_time=datetime(9999, 12, 31, tzinfo=UTC))
    assert r.status_code == 200 and r.json()["clock_skew_flagged"] is True
    assert r.json()["results"][0]["status"] == "applied"


def test_same_id_twice_in_a_batch_with_another_payload_parks_the_second(
    server: ServerProcess, db_url: str, store_id: str
) -> None:
    t = enrolled(server, db_url, store_id)
    mid = uuid.uuid4()
    t.push([t.registration(random_phone(), mid)])
    first = t.sale(mid, total=2000, earned=20)
    second = t.sale(mid, total=900000, earned=9000)
    second["id"] = first["id"]
    twin = dict(first)  # the very same event again in the batch: one answer for both
    out = results(t, [first, second, twin])
    assert out[0]["status"] == "applied" and out[2] == out[0]
    assert out[1]["status"] == "rejected" and out[1]["reason"] == "id_reused_with_different_payload"
    assert parked_reason(db_url, second) == "id_reused_with_different_payload"
    assert balance(db_url, mid) == 20
