"""HQ's gift API over real HTTP (`till-server serve` on PostgreSQL): add and change gifts, set a
store's stock, list them; bad input is a 4xx naming the field, never a 5xx; every change is a
`gift` change for the stores' tills."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from sqlalchemy import select

from server import models as srv
from server.migrate import upgrade
from server.settings import ServerSettings
from tests.server.conftest import create_database, drop_database, require_postgres
from tests.server.support import ServerProcess, enrol_code, session_for

pytestmark = pytest.mark.postgres
TOKEN = "gift-admin-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    admin = require_postgres()
    url = create_database(admin, prefix="lt_giftapi_")
    try:
        upgrade(ServerSettings(database_url=url))
        enrol_code(url, "S061", "T61")  # two stores
        enrol_code(url, "S062", "T62")
        proc = ServerProcess(url, tmp_path_factory.mktemp("server"), LT_SERVER_ADMIN_TOKEN=TOKEN).start()
        try:
            yield proc
        finally:
            proc.stop()
    finally:
        drop_database(admin, url)


def _changes(url: str, key: str) -> list[tuple[str | None, dict[str, object]]]:
    db, s = session_for(url)
    try:
        rows = s.execute(
            select(srv.ChangeRow.store_id, srv.ChangeRow.data)
            .where(srv.ChangeRow.entity == "gift", srv.ChangeRow.key == key)
            .order_by(srv.ChangeRow.seq)
        ).all()
        return [(store, dict(data)) for store, data in rows]
    finally:
        s.close()
        db.dispose()


def test_gift_catalogue_api(server: ServerProcess, tmp_path: Path) -> None:
    api = f"{server.url}/api/v1/gifts"
    assert requests.get(api, timeout=10).status_code == 401
    body = {"name_zh": "礼盒", "name_en": "Gift box", "points": 1000}
    r = requests.put(f"{api}/BOX1000", json=body, headers=AUTH, timeout=10)
    assert r.status_code == 201, r.text
    assert r.json()["points"] == 1000 and r.json()["stock"] == {}
    assert sorted(store for store, _ in _changes(server.database_url, "BOX1000")) == ["S061", "S062"]

    r = requests.put(f"{api}/BOX1000", json={**body, "points": 1200}, headers=AUTH, timeout=10)
    assert r.status_code == 200 and r.json()["points"] == 1200
    r = requests.put(f"{api}/BOX1000/stock/S061", json={"stock": 7}, headers=AUTH, timeout=10)
    assert r.status_code == 200 and r.json()["stock"] == {"S061": 7}
    store, data = _changes(server.database_url, "BOX1000")[-1]
    assert store == "S061" and data["stock"] == 7 and data["points"] == 1200

    listed = requests.get(api, headers=AUTH, timeout=10).json()["gifts"]
    assert [(g["id"], g["stock"]) for g in listed] == [("BOX1000", {"S061": 7})]
    r = requests.put(f"{api}/BOX1000", json={**body, "active": False}, headers=AUTH, timeout=10)
    assert requests.get(api, params={"active": "true"}, headers=AUTH, timeout=10).json()["gifts"] == []
    assert requests.get(f"{api}/redemptions", headers=AUTH, timeout=10).json() == {"redemptions": []}

    enrol_code(server.database_url, "S063", "T63")  # a store added later gets the catalogue
    store, data = _changes(server.database_url, "BOX1000")[-1]
    assert store == "S063" and data["stock"] == 0 and data["active"] is False


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("put", "/G1", {"name_zh": "a", "name_en": "a", "points": 0}, 422),
        ("put", "/G1", {"name_zh": "a", "name_en": "a", "points": 10**8}, 422),
        ("put", "/G1", {"name_zh": "", "name_en": "a", "points": 10}, 422),
        ("put", "/G1", {"name_zh": "a\u0000", "name_en": "a", "points": 10}, 422),
        ("put", "/G1", {"name_zh": "a", "name_en": "a", "points": 10, "extra": 1}, 422),
        ("put", "/G1", {"name_zh": "a", "name_en": "a", "points": "many"}, 422),
        ("put", "/-bad", {"name_zh": "a", "name_en": "a", "points": 10}, 422),
        ("put", "/" + "G" * 41, {"name_zh": "a", "name_en": "a", "points": 10}, 422),
        ("put", "/NOPE/stock/S061", {"stock": 1}, 404),
        ("put", "/BOX1000/stock/S999", {"stock": 1}, 404),
        ("put", "/BOX1000/stock/S061", {"stock": -1}, 422),
        ("put", "/BOX1000/stock/S061", {"stock": 10**7}, 422),
        ("get", "/redemptions?member_id=not-a-uuid", None, 422),
        ("get", "/redemptions?limit=0", None, 422),
    ],
)
def test_bad_input_is_a_4xx(server: ServerProcess, method: str, path: str, body: object, status: int) -> None:
    requests.put(
        f"{server.url}/api/v1/gifts/BOX1000",
        json={"name_zh": "礼盒", "name_en": "Gift box", "points": 1000},
        headers=AUTH,
        timeout=10,
    )
    r = requests.request(method, f"{server.url}/api/v1/gifts{path}", json=body, headers=AUTH, timeout=10)
    assert r.status_code == status, r.text
    assert "code" in r.json()
