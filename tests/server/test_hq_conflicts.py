"""HQ reviews the conflicts the server settled (GET /api/v1/conflicts, POST .../resolve), over
real HTTP against the server process, behind the admin token."""

from __future__ import annotations

import uuid

import pytest
import requests

from tests.server.conftest import HQ_TOKEN
from tests.server.support import ServerProcess, Till

pytestmark = pytest.mark.postgres
HQ = {"Authorization": f"Bearer {HQ_TOKEN}"}


def test_hq_lists_and_resolves_conflicts(server: ServerProcess, db_url: str, store_id: str) -> None:
    till = Till(server.url, db_url, store_id)
    till.enrol()
    sale = till.sale(None, total=3000, coupons=[("CNEVERSEEN01", 500)])
    result = till.push([sale])["results"][0]
    assert result["result"]["conflicts"][0]["kind"] == "coupon_unknown"
    base = f"{server.url}/api/v1/conflicts"

    mine = {"kind": "coupon_unknown", "terminal_id": till.terminal_id}
    r = requests.get(base, params=mine, headers=HQ, timeout=10)
    assert r.status_code == 200, r.text
    [c] = r.json()["conflicts"]
    assert c["sale_id"] == sale["payload"]["sale_id"] and c["details"]["code"] == "CNEVERSEEN01"
    assert c["resolved_at"] is None

    r = requests.post(
        f"{base}/{c['id']}/resolve",
        json={"note": "cashier typed the code by hand", "actor": "hq.li"},
        headers=HQ,
        timeout=10,
    )
    assert r.status_code == 200, r.text
    assert r.json()["resolved_at"] is not None
    assert r.json()["details"]["resolution"]["actor"] == "hq.li"
    again = requests.post(
        f"{base}/{c['id']}/resolve", json={"note": "x", "actor": "y"}, headers=HQ, timeout=10
    )
    assert again.status_code == 409 and again.json()["code"] == "already_resolved"
    assert requests.get(base, params=mine, headers=HQ, timeout=10).json()["conflicts"] == []  # open only
    done = requests.get(base, params={**mine, "open": "false"}, headers=HQ, timeout=10).json()["conflicts"]
    assert [d["id"] for d in done] == [c["id"]]


def test_the_conflicts_api_needs_the_admin_token_and_good_input(server: ServerProcess) -> None:
    base = f"{server.url}/api/v1/conflicts"
    assert requests.get(base, timeout=10).status_code == 401
    assert requests.get(base, headers={"Authorization": "Bearer wrong"}, timeout=10).status_code == 401
    missing = requests.post(
        f"{base}/{uuid.uuid4()}/resolve", json={"note": "n", "actor": "a"}, headers=HQ, timeout=10
    )
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
    bad = requests.post(f"{base}/{uuid.uuid4()}/resolve", json={"note": ""}, headers=HQ, timeout=10)
    assert bad.status_code == 422
    assert requests.get(base, params={"limit": 0}, headers=HQ, timeout=10).status_code == 422
