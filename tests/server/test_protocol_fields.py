"""The server reads what a till sends strictly (`sync.protocol`, "Added fields"): an unknown
field anywhere in a request is refused with 422 `invalid_request` and a clear body, never a
5xx and never dropped silently. A real `till-server serve` on PostgreSQL."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest
import requests

from tests.server.support import ServerProcess, Till, enrol_code, random_phone

pytestmark = pytest.mark.postgres


def _refused(r: requests.Response) -> None:
    assert r.status_code == 422, (r.status_code, r.text)
    body = r.json()
    assert body["code"] == "invalid_request" and body["message"]


def test_an_unknown_field_in_a_request_is_a_422(server: ServerProcess, db_url: str, store_id: str) -> None:
    till = Till(server.url, db_url, store_id)
    enrol = {
        "code": enrol_code(db_url, store_id, till.terminal_id),
        "device_id": till.device_id,
        "key_id": till.key.key_id,
        "public_key": till.key.public().to_base64(),
        "till_version": "test",
    }
    _refused(requests.post(till.base + "/enrol", json={**enrol, "wants_admin": True}, timeout=10))
    till.enrol()  # the same code, without the field: enrolled (the refused call used nothing)

    event = till.registration(random_phone())
    push = {"events": [event], "till_time": datetime.now(UTC).isoformat()}
    in_event: dict[str, Any] = copy.deepcopy(push)
    in_event["events"][0]["priority"] = "high"
    in_audit = {**push, "audit": {"head_seq": 0, "head_hash": "0" * 64, "trusted": True}}
    for body in ({**push, "dry_run": True}, in_event, in_audit):
        _refused(requests.post(till.base + "/sync/push", json=body, headers=till.headers(), timeout=10))
    pull = {"cursor": 0, "epoch": till.epoch, "limit": 10}
    _refused(
        requests.post(
            till.base + "/sync/pull", json={**pull, "all_stores": True}, headers=till.headers(), timeout=10
        )
    )
    # The same requests without the added fields are answered.
    assert till.push([event])["results"][0]["status"] == "applied"
    r = requests.post(till.base + "/sync/pull", json=pull, headers=till.headers(), timeout=10)
    assert r.status_code == 200 and r.json()["changes"]
