"""The gifts screen over HTTP on the SQLite demo: HQ adds and edits gifts and sets any store's
stock; a store manager sets its own store's stock only and sees its redemptions only; every
change is audited and queued for the tills; bad input is a clear 4xx, a form without its CSRF
token is refused."""

from __future__ import annotations

import re

from markupsafe import escape
from sqlalchemy import select

from server.console.i18n import t
from server.console.models import ConsoleAudit
from server.gifts.models import Gift, GiftRedemption, GiftStock
from server.models import ChangeRow
from tests.console.test_sqlite_and_bad_input import _signed_in, sqlite_server  # noqa: F401 (fixture)


def _redemption_stores(page: str) -> set[str]:
    table = page.split('id="redemptions"', 1)[1].split("</table>", 1)[0]
    return set(re.findall(r"</td><td>(S\d{3})</td><td>S\d{3}-T", table))


def test_hq_adds_and_edits_a_gift_and_sets_stock(sqlite_server) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    proc, db = sqlite_server
    http, csrf = _signed_in(proc.url, "admin")
    base = proc.url + "/console"
    page = http.get(base + "/gifts?lang=en", timeout=20).text
    for store in ("S001", "S002", "S003", "S004"):
        assert t("en", "stock_at", store=store) in page
    assert "Travel mug" in page and "Nut gift box" in page and t("en", "gift_off") in page
    with db.sessions() as s:
        stores = {r.store_id for r in s.execute(select(GiftRedemption)).scalars()}
    assert _redemption_stores(page) == stores and len(stores) >= 1

    r = http.post(
        base + "/gifts",
        data={
            "csrf": csrf,
            "gift_id": "G2000",
            "name_zh": "电饭煲",
            "name_en": "Rice cooker",
            "points": "2000",
            "active": "on",
        },
        timeout=20,
    )
    assert r.status_code == 200 and r.url.endswith("/console/gifts/G2000")
    r = http.post(
        base + "/gifts/G2000",
        data={"csrf": csrf, "name_zh": "电饭煲", "name_en": "Rice cooker", "points": "1800"},
        timeout=20,
    )
    assert r.status_code == 200
    r = http.post(
        base + "/gifts/stock",
        data={"csrf": csrf, "gift_id": "G2000", "store_id": "S003", "stock": "12", "back": "list"},
        timeout=20,
    )
    assert r.status_code == 200 and r.url.endswith("/console/gifts")
    with db.sessions() as s:
        g = s.get(Gift, "G2000")
        assert g is not None and (g.points, g.active) == (1800, False)
        stock = s.get(GiftStock, ("G2000", "S003"))
        assert stock is not None and stock.stock == 12
        actions = [
            (a.action, a.detail)
            for a in s.execute(
                select(ConsoleAudit).where(ConsoleAudit.target == "gift:G2000").order_by(ConsoleAudit.at)
            ).scalars()
        ]
        assert [a for a, _ in actions] == ["gift_added", "gift_changed", "gift_stock_set"]
        assert actions[1][1]["changed"] == {"points": [2000, 1800], "active": [True, False]}
        assert actions[2][1] == {"store": "S003", "stock": [0, 12]}
        changes = (
            s.execute(select(ChangeRow).where(ChangeRow.entity == "gift", ChangeRow.key == "G2000"))
            .scalars()
            .all()
        )
        s003 = [c for c in changes if c.store_id == "S003"]
        assert len({c.store_id for c in changes}) == 4 and s003[-1].data["stock"] == 12
        assert s003[-1].data["points"] == 1800 and s003[-1].data["active"] is False

    bad = [
        ({"gift_id": "bad id!", "name_zh": "x", "name_en": "x", "points": "5"}, 400, "id:"),
        ({"gift_id": "G2000", "name_zh": "x", "name_en": "x", "points": "5"}, 409, "G2000"),
        ({"gift_id": "G9", "name_zh": "x", "name_en": "x", "points": "abc"}, 400, "points"),
        ({"gift_id": "G9", "name_zh": "", "name_en": "x", "points": "5"}, 400, ""),
        ({"gift_id": "stock", "name_zh": "x", "name_en": "x", "points": "5"}, 400, "stock"),
    ]
    for form, status, words in bad:
        r = http.post(base + "/gifts?lang=en", data={"csrf": csrf, **form}, timeout=20, allow_redirects=False)
        assert r.status_code == status and words in r.text and "Traceback" not in r.text, form
    r = http.post(
        base + "/gifts/G2000/stock", data={"csrf": csrf, "store_id": "S003", "stock": "-4"}, timeout=20
    )
    assert r.status_code == 400
    r = http.post(
        base + "/gifts/NOPE/stock", data={"csrf": csrf, "store_id": "S003", "stock": "4"}, timeout=20
    )
    assert r.status_code == 404
    r = http.post(base + "/gifts/G2000", data={"name_zh": "x", "name_en": "x", "points": "9"}, timeout=20)
    assert r.status_code == 403 and escape(t("en", "err_csrf")) in r.text
    with db.sessions() as s:
        g = s.get(Gift, "G2000")
        assert g is not None and g.points == 1800 and s.get(Gift, "G9") is None


def test_a_store_manager_sets_only_its_stores_stock(sqlite_server) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    proc, db = sqlite_server
    http, csrf = _signed_in(proc.url, "store1")
    base = proc.url + "/console"
    page = http.get(base + "/gifts?lang=en", timeout=20).text
    assert t("en", "stock_at", store="S001") in page and t("en", "stock_at", store="S002") not in page
    assert 'id="add-gift"' not in page  # the catalogue is HQ's
    assert _redemption_stores(page) <= {"S001"}
    detail = http.get(base + "/gifts/G500?lang=en", timeout=20).text
    assert 'id="stock-S001"' in detail and 'id="stock-S002"' not in detail and 'id="edit-gift"' not in detail
    r = http.post(
        base + "/gifts/G500/stock", data={"csrf": csrf, "store_id": "S001", "stock": "7"}, timeout=20
    )
    assert (
        r.status_code == 200
        and t("en", "stock_now", n=7) in http.get(base + "/gifts/G500?lang=en", timeout=20).text
    )
    with db.sessions() as s:
        before = s.get(GiftStock, ("G500", "S002"))
        was = before.stock if before else 0
    r = http.post(
        base + "/gifts/G500/stock", data={"csrf": csrf, "store_id": "S002", "stock": "99"}, timeout=20
    )
    assert r.status_code == 404
    r = http.post(
        base + "/gifts/G500", data={"csrf": csrf, "name_zh": "x", "name_en": "x", "points": "1"}, timeout=20
    )
    assert r.status_code == 403
    with db.sessions() as s:
        assert s.get(GiftStock, ("G500", "S001")).stock == 7  # type: ignore[union-attr]
        after = s.get(GiftStock, ("G500", "S002"))
        assert (after.stock if after else 0) == was
        g = s.get(Gift, "G500")
        assert g is not None and g.points == 500
    # A service agent has no gifts screen.
    agent, _ = _signed_in(proc.url, "agent")
    assert agent.get(base + "/gifts", timeout=20).status_code == 403
