"""The intel and KPI API over real HTTP (a `till-server serve` process on loopback) on the
hand-worked chain: the answers carry the figures of tests/server_intel/test_hand.py."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from sqlalchemy.orm import Session, sessionmaker

from server.intel.config import IntelConfig
from server.intel.recompute import recompute
from tests.server.conftest import HQ_TOKEN
from tests.server.support import ServerProcess
from tests.server_intel.chain import T0, Chain
from tests.server_intel.fixture import build

pytestmark = pytest.mark.postgres
AUTH = {"Authorization": f"Bearer {HQ_TOKEN}"}


def _get(server: ServerProcess, path: str, **params: Any) -> requests.Response:
    return requests.get(server.url + path, params=params, headers=AUTH, timeout=10)


def test_kpi_and_member_api(
    chain: Chain, sessions: sessionmaker[Session], intel_server: ServerProcess
) -> None:
    fx = build(chain)
    with sessions() as s:
        recompute(s, IntelConfig(), full=True, as_of=T0)
    cat = _get(intel_server, "/api/v1/kpi").json()
    assert {k["name"] for k in cat["kpis"]} >= {"average_ticket", "repurchase_rate", "nps", "retention"}
    r = _get(
        intel_server,
        "/api/v1/kpi/average_ticket",
        store="S1",
        period="month",
        **{"from": "2026-05-01", "to": "2026-06-30"},
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["as_of"] == T0.isoformat() and body["unit"] == "fen"
    # May at S1: A on 18 and 26 May (9500 each); June: 204500 over 5 sales -> 40900 fen.
    assert [(p["bucket"], p["num"], p["den"], p["value"]) for p in body["points"]] == [
        ("2026-05-01", 19000, 2, 9500),
        ("2026-06-01", 204500, 5, 40900),
    ]
    june = {"from": "2026-06-01", "to": "2026-06-30"}
    nps = _get(intel_server, "/api/v1/kpi/nps", store="S1", **june).json()
    assert nps["points"][0]["value"] == 0.0 and nps["points"][0]["extra"] == {"promoters": 1, "detractors": 1}
    rep = _get(
        intel_server,
        "/api/v1/kpi/repurchase_rate",
        period="week",
        **{"from": "2026-06-08", "to": "2026-06-14"},
    ).json()
    assert [(p["bucket"], p["value"]) for p in rep["points"]] == [("2026-06-08", round(1 / 3, 4))]
    member = _get(intel_server, f"/api/v1/intel/members/{fx.a}").json()
    assert (member["rfm"], member["segment"], member["tags"][0]) == (
        {"r": 5, "f": 5, "m": 4},
        "core",
        "scene:birthday_month",
    )


def test_bad_requests_are_4xx(chain: Chain, intel_server: ServerProcess) -> None:
    assert _get(intel_server, "/api/v1/kpi/nope").json()["code"] == "unknown_kpi"
    assert _get(intel_server, "/api/v1/kpi/nps", period="year").status_code == 422
    assert _get(intel_server, "/api/v1/kpi/retention", period="day").status_code == 422
    assert _get(intel_server, "/api/v1/kpi/nps", period="day", **{"from": "2000-01-01"}).status_code == 422
    assert _get(intel_server, "/api/v1/kpi/nps", **{"from": "2026-13-01"}).status_code == 422
    assert requests.get(intel_server.url + "/api/v1/kpi", timeout=5).status_code == 401
    bad = requests.put(
        intel_server.url + "/api/v1/intel/segments/x1",
        headers=AUTH,
        timeout=5,
        json={"name": "x", "rule": {"r_min": 9}},
    )
    assert bad.status_code == 422 and "r_min" in bad.json()["message"]
    bad = requests.put(
        intel_server.url + "/api/v1/intel/segments/x1",
        headers=AUTH,
        timeout=5,
        json={"name": "x", "rule": {"colour": "red"}},
    )
    assert bad.status_code == 422
    ok = requests.put(
        intel_server.url + "/api/v1/intel/segments/gold_s1",
        headers=AUTH,
        timeout=5,
        json={"name": "Gold at S1", "rule": {"tiers": ["gold"], "stores_any": ["S1"]}},
    )
    assert ok.status_code == 200 and ok.json()["rule"] == {"tiers": ["gold"], "stores_any": ["S1"]}
    zone = requests.put(
        intel_server.url + "/api/v1/intel/stores/S9/zone",
        headers=AUTH,
        timeout=5,
        json={"tz": "Mars/Olympus"},
    )
    assert zone.status_code == 422 and zone.json()["code"] == "invalid_zone"
    unknown = requests.put(
        intel_server.url + "/api/v1/intel/stores/S9/zone", headers=AUTH, timeout=5, json={"tz": "UTC"}
    )
    assert unknown.status_code == 404 and unknown.json()["code"] == "unknown_store"
    assert _get(intel_server, "/api/v1/intel/members/not-a-uuid").status_code == 422
