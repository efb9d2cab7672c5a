"""Registrations belong to the token's store and cannot claim to be first with an old date;
a till receives a member's profile only once it identified the member."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.domain.codes import issue_member_code
from server.models import LedgerEntry, Member, MemberAlias, MemberStore
from tests.server.evil.support import balance, enrolled, results
from tests.server.support import ServerProcess, random_phone, session_for

pytestmark = pytest.mark.postgres


def test_an_old_registration_date_does_not_take_over_a_member(
    server: ServerProcess, db_url: str, store_id: str
) -> None:
    home = enrolled(server, db_url, store_id)
    evil = enrolled(server, db_url, store_id + "e")
    phone, victim, attacker = random_phone(), uuid.uuid4(), uuid.uuid4()
    home.push(
        [home.registration(phone, victim, name="Victim")] + [home.sale(victim, total=1000) for _ in range(5)]
    )
    assert balance(db_url, victim) == 50
    forged = evil.registration(phone, attacker, at=datetime(2000, 1, 1, tzinfo=UTC), name="Attacker")
    forged["payload"]["store_id"] = store_id  # claims the victim's store
    honest = evil.registration(random_phone(), uuid.uuid4())
    out = results(evil, [forged, honest])
    assert [r["status"] for r in out] == ["applied", "applied"]
    assert out[0]["result"]["survivor_id"] == str(victim)
    db, s = session_for(db_url)
    with s:
        assert s.get_one(MemberAlias, attacker).member_id == victim
        moved = s.execute(select(LedgerEntry).where(LedgerEntry.member_id == attacker)).first()
        assert moved is None
        loser = s.get_one(Member, attacker)
        assert loser.store_id == evil.store_id  # the token's store, not the payload's
        # ordered by when the server received it, not by the year 2000 it claimed
        assert loser.registered_at is not None
        assert loser.registered_at > datetime.now(UTC) - timedelta(hours=1)
        assert s.get_one(Member, victim).phone is not None
    db.dispose()
    assert balance(db_url, victim) == 50


def _stores(db_url: str, member_id: uuid.UUID) -> set[str]:
    db, s = session_for(db_url)
    with s:
        out = set(s.execute(select(MemberStore.store_id).where(MemberStore.member_id == member_id)).scalars())
    db.dispose()
    return out


def test_a_sale_naming_a_member_id_does_not_send_the_member_to_the_store(
    server: ServerProcess, db_url: str, store_id: str
) -> None:
    home = enrolled(server, db_url, store_id)
    evil = enrolled(server, db_url, store_id + "e")
    mid = uuid.uuid4()
    home.push([home.registration(random_phone(), mid, name="Private Person")])
    evil.pull_all()
    out = results(evil, [evil.sale(mid, total=0), evil.sale(None, total=500)])
    assert [r["status"] for r in out] == ["applied", "applied"]
    assert _stores(db_url, mid) == {store_id}
    assert not [c for c in evil.pull_all() if c["entity"] == "member" and c["key"] == str(mid)]
    # A sale with a member code that verifies for that member identifies it: now it may.
    code = issue_member_code(mid, home.key, datetime.now(UTC))
    identified = evil.sale(mid, total=800)
    identified["payload"]["member_code"] = code
    assert results(evil, [identified])[0]["status"] == "applied"
    assert _stores(db_url, mid) == {store_id, evil.store_id}
    assert [c for c in evil.pull_all() if c["entity"] == "member" and c["key"] == str(mid)]


def test_a_member_code_for_another_member_identifies_nobody(
    server: ServerProcess, db_url: str, store_id: str
) -> None:
    home = enrolled(server, db_url, store_id)
    evil = enrolled(server, db_url, store_id + "e")
    mid, other = uuid.uuid4(), uuid.uuid4()
    home.push([home.registration(random_phone(), mid), home.registration(random_phone(), other)])
    sale = evil.sale(mid, total=800)
    sale["payload"]["member_code"] = issue_member_code(other, home.key, datetime.now(UTC))
    assert results(evil, [sale])[0]["status"] == "applied"
    assert _stores(db_url, mid) == {store_id}


def test_a_member_code_signed_by_the_pushing_stores_own_key_identifies_nobody(
    server: ServerProcess, db_url: str, store_id: str
) -> None:
    """A till holding its own signing key can sign a code for any member id: such a code
    proves nothing, so it does not send the member to that store."""
    home = enrolled(server, db_url, store_id)
    evil = enrolled(server, db_url, store_id + "e")
    mid = uuid.uuid4()
    home.push([home.registration(random_phone(), mid)])
    sale = evil.sale(mid, total=800)
    sale["payload"]["member_code"] = issue_member_code(mid, evil.key, datetime.now(UTC))
    assert results(evil, [sale])[0]["status"] == "applied"
    assert _stores(db_url, mid) == {store_id}
    assert not [c for c in evil.pull_all() if c["entity"] == "member" and c["key"] == str(mid)]


def test_a_merge_sends_the_other_store_what_it_needs_and_no_more(
    server: ServerProcess, db_url: str, store_id: str
) -> None:
    """The same phone registered at two stores: the store whose registration is merged away
    gets the survivor as a look-up answers it (no household notes, no favourite categories)
    and its usable coupons, not its used ones; the survivor's store gets nothing of the
    merged-away member's row, which it never held."""
    home = enrolled(server, db_url, store_id)
    other = enrolled(server, db_url, store_id + "m")
    phone, survivor, loser = random_phone(), uuid.uuid4(), uuid.uuid4()
    first = home.registration(phone, survivor, at=datetime.now(UTC) - timedelta(hours=1), name="Li Hua")
    first["payload"].update(family="two children, one dog", favourite_categories=["baby", "organic"])
    welcome = first["payload"]["welcome_coupon"]
    assert [
        r["status"] for r in results(home, [first, home.sale(survivor, 6000, coupons=[(welcome, 1000)])])
    ] == [
        "applied",
        "applied",
    ]
    # Another member registered at the other store moves its tills' cursor past what came
    # before (a cursor moves only with the changes the store sees; older ones of a member it
    # learns later would come along, which is not what this test is about).
    assert results(other, [other.registration(random_phone(), uuid.uuid4())])[0]["status"] == "applied"
    home.pull_all()
    other.pull_all()
    assert results(other, [other.registration(phone, loser)])[0]["status"] == "applied"
    assert _stores(db_url, survivor) == {store_id, other.store_id}

    got = other.pull_all()
    rows = {c["key"]: c["data"] for c in got if c["entity"] == "member"}
    assert rows[str(survivor)]["phone"] == phone and rows[str(survivor)]["name"] == "Li Hua"
    assert "family" not in rows[str(survivor)] and "favourite_categories" not in rows[str(survivor)]
    assert rows[str(loser)]["phone"] != phone  # its row frees the phone for the survivor
    assert welcome not in {c["data"]["code"] for c in got if c["entity"] == "coupon"}  # used already
    assert [c for c in got if c["entity"] == "member_alias" and c["key"] == str(loser)]

    seen = home.pull_all()
    assert not [c for c in seen if c["entity"] == "member" and c["key"] == str(loser)]
    assert [c for c in seen if c["entity"] == "member_alias" and c["key"] == str(loser)]


def test_a_code_lookup_with_a_code_the_asking_store_signed_itself_finds_nobody(
    server: ServerProcess, db_url: str, store_id: str
) -> None:
    """A till holding its own key signs a code for another store's member and looks it up:
    not found, recorded as such, and the member stays unknown at that store; the code the
    member's own store issued finds the member."""
    import requests

    from server.models import MemberLookup

    home = enrolled(server, db_url, store_id)
    evil = enrolled(server, db_url, store_id + "l")
    mid = uuid.uuid4()
    home.push([home.registration(random_phone(), mid, name="Private Person")])

    def ask(code: str) -> dict[str, object]:
        r = requests.get(
            f"{evil.base}/members/lookup", params={"code": code}, headers=evil.headers(), timeout=10
        )
        assert r.status_code == 200, r.text
        out: dict[str, object] = r.json()
        return out

    forged = ask(issue_member_code(mid, evil.key, datetime.now(UTC)))
    assert forged["found"] is False and forged.get("member") is None
    assert _stores(db_url, mid) == {store_id}
    genuine = ask(issue_member_code(mid, home.key, datetime.now(UTC)))
    assert genuine["found"] is True
    assert _stores(db_url, mid) == {store_id, evil.store_id}
    db, s = session_for(db_url)
    with s:
        rows = s.execute(
            select(MemberLookup.outcome)
            .where(MemberLookup.terminal_id == evil.terminal_id)
            .order_by(MemberLookup.id)
        ).scalars()
        assert list(rows) == ["self_signed", "found"]
    db.dispose()
