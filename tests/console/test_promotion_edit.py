"""Promotions added, edited and ended in the console: checked by server/catalogue's
save_promotions (as the CLI's import), times entered in the chain's zone and kept in UTC, the
change log written (what tills pull), audited, CSRF, the catalogue's roles only; a bad value is
answered 400 with the fault named."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import select

from server.console.i18n import t
from server.console.models import ConsoleAudit
from server.models import ChangeRow, Promotion
from tests.console.test_sqlite_and_bad_input import _signed_in, sqlite_server  # noqa: F401 (fixture)


def _changes(db, key: str) -> list[ChangeRow]:  # type: ignore[no-untyped-def]
    with db.sessions() as s:
        q = select(ChangeRow).where(ChangeRow.entity == "promotion", ChangeRow.key == key)
        return list(s.execute(q.order_by(ChangeRow.seq)).scalars())


def test_add_edit_end_a_promotion(sqlite_server) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    proc, db = sqlite_server
    base = proc.url + "/console/catalogue/promotions"
    http, csrf = _signed_in(proc.url, "marketing")
    for lang in ("en", "zh_CN"):
        page = http.get(base + f"/new?lang={lang}", timeout=20)
        assert page.status_code == 200 and t(lang, "promo_new") in page.text
        assert t(lang, "promo_starts", zone="UTC+8") in page.text  # the chain's zone, named
    form = {
        "csrf": csrf,
        "id": "DEC-FRUIT",
        "name": "十二月水果双倍积分",
        "kind": "points_multiplier",
        "multiplier": "2",
        "categories": "fruit, 饮料",
        "skus": "",
        "starts": "2026-12-10T08:00",
        "ends": "2026-12-20T22:00",
    }
    # CSRF refused: nothing written.
    r = http.post(base, data={**form, "csrf": "wrong"}, timeout=20, allow_redirects=False)
    assert r.status_code == 403
    assert _changes(db, "DEC-FRUIT") == []
    # Bad values: the fault named, 4xx, nothing written.
    for bad, words in (
        ({"multiplier": "two"}, "must be a decimal such as 2 or 1.5"),
        ({"multiplier": "-1"}, "must be positive"),
        ({"kind": "bogo"}, "must be one of points_multiplier, birthday_multiplier"),
        ({"ends": "2026-12-01T00:00"}, "ends before it starts"),
        ({"starts": "soon"}, t("en", "err_time", field="starts")),
    ):
        r = http.post(base + "?lang=en", data={**form, **bad}, timeout=20)
        assert r.status_code == 400, bad
        assert words in r.text, (bad, r.text[-500:])
    # A fault of the promotion's rules comes back as the form, as sent, with the fault above it.
    r = http.post(base + "?lang=en", data={**form, "multiplier": "two"}, timeout=20)
    assert 'id="promo-fault"' in r.text and 'value="two"' in r.text and 'value="DEC-FRUIT"' in r.text
    assert 'value="2026-12-10T08:00"' in r.text and 'value="fruit, 饮料"' in r.text
    assert _changes(db, "DEC-FRUIT") == []

    r = http.post(base, data=form, timeout=20)
    assert r.status_code == 200 and r.url.endswith("/promotions/DEC-FRUIT")
    with db.sessions() as s:
        row = s.get(Promotion, "DEC-FRUIT")
        assert row is not None
        assert row.starts is not None and row.starts.astimezone(UTC) == datetime(
            2026, 12, 10, 0, 0, tzinfo=UTC
        )
        assert row.categories == ["fruit", "饮料"] and row.skus == [] and row.multiplier == "2"
    rows = _changes(db, "DEC-FRUIT")
    assert len(rows) == 1 and rows[0].data["multiplier"] == "2" and rows[0].store_id is None
    # The form shows the saved times back in the chain's zone; the list links to it.
    assert 'value="2026-12-10T08:00"' in r.text and 'value="2026-12-20T22:00"' in r.text
    cat = http.get(proc.url + "/console/catalogue?lang=en", timeout=20).text
    assert 'href="/console/catalogue/promotions/DEC-FRUIT"' in cat and "2026-12-10 08:00 UTC+8" in cat
    # The same id again is refused.
    assert http.post(base, data=form, timeout=20).status_code == 409

    # Edit: a new multiplier, a sku; a bad one first.
    edit = {**form, "multiplier": "1.5", "skus": "6900000000001"}
    edit.pop("id")
    r = http.post(base + "/DEC-FRUIT?lang=en", data={**edit, "name": ""}, timeout=20)
    assert r.status_code == 400 and t("en", "err_required", field="name") in r.text
    r = http.post(base + "/DEC-FRUIT", data=edit, timeout=20)
    assert r.status_code == 200
    rows = _changes(db, "DEC-FRUIT")
    assert [c.data["multiplier"] for c in rows] == ["2", "1.5"] and rows[1].data["skus"] == ["6900000000001"]
    assert http.post(base + "/NOPE", data=edit, timeout=20).status_code == 404

    # End it now: not started yet, so it ends as it would start (it never runs).
    r = http.post(base + "/DEC-FRUIT/end", data={"csrf": csrf}, timeout=20)
    assert r.status_code == 200
    with db.sessions() as s:
        row = s.get(Promotion, "DEC-FRUIT")
        assert row is not None and row.ends == row.starts
    assert len(_changes(db, "DEC-FRUIT")) == 3
    assert http.post(base + "/DEC-FRUIT/end", data={"csrf": csrf}, timeout=20).status_code == 409
    with db.sessions() as s:
        actions = [
            a.action
            for a in s.execute(
                select(ConsoleAudit)
                .where(ConsoleAudit.target == "promotion:DEC-FRUIT")
                .order_by(ConsoleAudit.at)
            ).scalars()
        ]
        assert actions == ["promotion_added", "promotion_saved", "promotion_ended"]


def test_only_the_catalogue_roles_edit_promotions(sqlite_server) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    proc, _db = sqlite_server
    store1, csrf = _signed_in(proc.url, "store1")
    base = proc.url + "/console/catalogue/promotions"
    assert store1.get(base + "/new", timeout=20).status_code == 403
    data = {"csrf": csrf, "id": "X1", "name": "x", "kind": "points_multiplier", "multiplier": "2"}
    assert store1.post(base, data=data, timeout=20).status_code == 403
    admin, admin_csrf = _signed_in(proc.url)
    r = admin.post(base, data={**data, "csrf": admin_csrf, "id": "NOW-1"}, timeout=20)
    assert r.status_code == 200
    # Running (no start): ended now, and so no longer running.
    before = datetime.now(UTC)
    assert admin.post(base + "/NOW-1/end", data={"csrf": admin_csrf}, timeout=20).status_code == 200
    page = admin.get(base + "/NOW-1?lang=en", timeout=20).text
    assert re.search(r"Ends \d{4}-\d\d-\d\d \d\d:\d\d UTC\+8", page)
    with _db.sessions() as s:
        row = s.get(Promotion, "NOW-1")
        assert (
            row is not None
            and row.ends is not None
            and row.ends.astimezone(UTC) >= before.replace(microsecond=0)
        )
