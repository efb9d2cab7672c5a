"""A store that starts seeing a member (a look-up, a sale with a verified member code) gets
the member's current state once, as a till needs it, and none of the member's older change
rows, even those still above its tills' cursors: not the registration's profile (household
notes, favourite categories), not an older name, not used coupons. The member's points and
usable coupons still reach it, each once, and so do its later changes."""

from __future__ import annotations

import json
import uuid
from collections import Counter
from datetime import UTC, datetime
from typing import Any

import pytest
import requests
from sqlalchemy import select

from app.domain.codes import issue_member_code
from server.models import ChangeRow, Coupon, LedgerEntry, Member, MemberStore
from server.pull import member_changed
from tests.server.evil.support import balance, enrolled, results
from tests.server.support import ServerProcess, Till, random_phone, session_for

pytestmark = pytest.mark.postgres

FAMILY, FAVOURITE, OLD_NAME, NEW_NAME = "spouse, twins, a cat", "baby-food", "Zhang Old", "Zhang New"


def _registered_with_history(home: Till, db_url: str) -> tuple[uuid.UUID, str, str]:
    """A member registered at `home` with a profile, who bought twice (the welcome coupon used
    on the first), and whose name HQ corrected afterwards; returns (id, phone, a usable
    coupon's code)."""
    phone, mid = random_phone(), uuid.uuid4()
    reg = home.registration(phone, mid, name=OLD_NAME)
    reg["payload"].update(family=FAMILY, favourite_categories=[FAVOURITE])
    welcome = reg["payload"]["welcome_coupon"]
    out = results(home, [reg, home.sale(mid, 6000, coupons=[(welcome, 1000)]), home.sale(mid, 3000)])
    assert [r["status"] for r in out] == ["applied"] * 3
    usable = home.coupon_issued(mid)
    assert results(home, [usable])[0]["status"] == "applied"
    db, s = session_for(db_url)
    with s:  # HQ corrects the name: a later profile change of the member
        m = s.get_one(Member, mid)
        m.name = NEW_NAME
        member_changed(s, m, datetime.now(UTC))
        s.commit()
    db.dispose()
    return mid, phone, str(usable["payload"]["code"])


def _of(changes: list[dict[str, Any]], mid: uuid.UUID) -> list[dict[str, Any]]:
    """The pulled changes about the member: its row, its ledger and coupons."""
    key = str(mid)
    return [c for c in changes if c["key"] == key or c["data"].get("member_id") == key]


def _server_state(db_url: str, mid: uuid.UUID) -> tuple[set[str], set[str]]:
    """The member's ledger entry ids and usable coupon ids on the server."""
    db, s = session_for(db_url)
    with s:
        entries = {
            str(i) for i in s.execute(select(LedgerEntry.id).where(LedgerEntry.member_id == mid)).scalars()
        }
        coupons = {
            str(i)
            for i in s.execute(
                select(Coupon.id).where(Coupon.member_id == mid, Coupon.status == "issued")
            ).scalars()
        }
    db.dispose()
    return entries, coupons


def _older_rows_above(db_url: str, mid: uuid.UUID, cursor: int) -> int:
    """How many of the member's own rows are above a cursor (what today's pull would send)."""
    db, s = session_for(db_url)
    with s:
        n = len(
            s.execute(select(ChangeRow.seq).where(ChangeRow.member_id == mid, ChangeRow.seq > cursor)).all()
        )
    db.dispose()
    return n


def _assert_current_state_once(got: list[dict[str, Any]], db_url: str, mid: uuid.UUID, code: str) -> None:
    mine = _of(got, mid)
    text = json.dumps(mine, ensure_ascii=False)
    assert FAMILY not in text and FAVOURITE not in text and OLD_NAME not in text
    members = [c for c in mine if c["entity"] == "member"]
    assert len(members) == 1, members  # the current state, once
    assert members[0]["data"]["name"] == NEW_NAME
    assert "family" not in members[0]["data"] and "favourite_categories" not in members[0]["data"]
    entries, coupons = _server_state(db_url, mid)
    pulled_entries = Counter(c["key"] for c in mine if c["entity"] == "ledger_entry")
    assert set(pulled_entries) == entries and set(pulled_entries.values()) == {1}
    assert sum(c["data"]["points"] for c in mine if c["entity"] == "ledger_entry") == balance(db_url, mid)
    pulled_coupons = Counter(c["key"] for c in mine if c["entity"] == "coupon")
    assert set(pulled_coupons) == coupons and set(pulled_coupons.values()) == {1}  # not the used welcome one
    assert code in {c["data"]["code"] for c in mine if c["entity"] == "coupon"}


def test_a_lookup_sends_the_current_state_not_the_older_rows(
    server: ServerProcess, db_url: str, store_id: str
) -> None:
    home = enrolled(server, db_url, store_id)
    asking = enrolled(server, db_url, store_id + "b")
    colleague = Till(server.url, db_url, asking.store_id)  # another till of the asking store
    colleague.enrol()
    asking.pull_all()
    colleague.pull_all()
    cursor = colleague.cursor
    mid, phone, code = _registered_with_history(home, db_url)
    assert _older_rows_above(db_url, mid, cursor) >= 5  # registration, sales, coupons, the new name

    r = requests.get(
        asking.base + "/members/lookup", params={"phone": phone}, headers=asking.headers(), timeout=10
    )
    assert r.status_code == 200 and r.json()["found"] is True

    for till in (asking, colleague):
        _assert_current_state_once(till.pull_all(), db_url, mid, code)
    # Its later changes reach the store, once; nothing older comes again.
    later = home.sale(mid, 2000)
    assert results(home, [later])[0]["status"] == "applied"
    again = _of(colleague.pull_all(), mid)
    assert [c["entity"] for c in again if c["entity"] == "ledger_entry"] == ["ledger_entry"]
    assert FAMILY not in json.dumps(again, ensure_ascii=False)  # its later rows neither
    assert not [c for c in again if c["entity"] == "coupon"]
    assert not _of(colleague.pull_all(), mid)
    # A till of that store pulling from the start gets the same: the state once, then the sale.
    fresh = Till(server.url, db_url, asking.store_id)
    fresh.enrol()
    everything = _of(fresh.pull_all(), mid)
    assert FAMILY not in json.dumps(everything, ensure_ascii=False)
    assert len([c for c in everything if c["entity"] == "member"]) == 1 + len(
        [c for c in again if c["entity"] == "member"]
    )


def test_a_sale_with_a_verified_code_sends_the_points_and_coupons_once(
    server: ServerProcess, db_url: str, store_id: str
) -> None:
    home = enrolled(server, db_url, store_id)
    selling = enrolled(server, db_url, store_id + "c")
    colleague = Till(server.url, db_url, selling.store_id)
    colleague.enrol()
    selling.pull_all()
    colleague.pull_all()
    mid, _, code = _registered_with_history(home, db_url)

    sale = selling.sale(mid, 5000)
    sale["payload"]["member_code"] = issue_member_code(mid, home.key, datetime.now(UTC))
    assert results(selling, [sale])[0]["status"] == "applied"
    db, s = session_for(db_url)
    with s:
        sight = s.get_one(MemberStore, (mid, selling.store_id))
        assert sight.since_seq is not None
        assert s.get_one(MemberStore, (mid, store_id)).since_seq is None  # its own store: everything
    db.dispose()

    _assert_current_state_once(colleague.pull_all(), db_url, mid, code)  # the sale's points too
    # The selling till holds its own sale's entry already: it gets the others, once each.
    own = _of(selling.pull_all(), mid)
    assert FAMILY not in json.dumps(own, ensure_ascii=False)
    db, s = session_for(db_url)
    with s:
        others = {
            str(i)
            for i in s.execute(
                select(LedgerEntry.id).where(
                    LedgerEntry.member_id == mid, LedgerEntry.terminal_id != selling.terminal_id
                )
            ).scalars()
        }
    db.dispose()
    pulled = Counter(c["key"] for c in own if c["entity"] == "ledger_entry")
    assert set(pulled) == others and set(pulled.values()) == {1}
