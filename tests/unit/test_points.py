from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.clock import DEFAULT_TZ
from app.domain.ids import EntryId, MemberId, RefundId, SaleId, new_id
from app.domain.points import (
    EntryKind,
    LedgerEntry,
    RedeemError,
    adjust,
    available,
    balance,
    compensate,
    debt,
    due_expiries,
    earn,
    expiring_total,
    expiring_within,
    expiry_for,
    give_back,
    lots,
    redeem,
    reverse,
)

M = MemberId(new_id())


def sh(y: int, mo: int, d: int, h: int = 12, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=DEFAULT_TZ)


# ---------------------------------------------------------------------- expiry


def test_expiry_at_year_boundary_in_shanghai() -> None:
    assert expiry_for(sh(2025, 12, 31, 23, 30)) == sh(2027, 1, 1, 0, 0)
    assert expiry_for(sh(2026, 1, 1, 0, 0)) == sh(2028, 1, 1, 0, 0)
    assert expiry_for(sh(2025, 1, 1, 0, 0)) == sh(2027, 1, 1, 0, 0)


def test_expiry_uses_the_store_zone_not_utc() -> None:
    # 2025-12-31 16:30 UTC is already 2026-01-01 00:30 in Shanghai.
    earned = datetime(2025, 12, 31, 16, 30, tzinfo=UTC)
    assert expiry_for(earned) == sh(2028, 1, 1, 0, 0)
    # 2025-12-31 15:30 UTC is still 2025 in Shanghai.
    assert expiry_for(datetime(2025, 12, 31, 15, 30, tzinfo=UTC)) == sh(2027, 1, 1, 0, 0)
    assert expiry_for(earned, UTC) == datetime(2027, 1, 1, tzinfo=UTC)


def test_expiry_needs_an_aware_time() -> None:
    with pytest.raises(ValueError):
        expiry_for(datetime(2025, 12, 31, 23, 30))


# ---------------------------------------------------------------------- entries


def test_entry_validation() -> None:
    at = sh(2026, 5, 1)
    with pytest.raises(ValueError):  # zero
        LedgerEntry(EntryId(new_id()), M, EntryKind.ADJUST, 0, at)
    with pytest.raises(ValueError):  # positive without expiry
        LedgerEntry(EntryId(new_id()), M, EntryKind.EARN, 10, at)
    with pytest.raises(ValueError):  # earn cannot be negative
        LedgerEntry(EntryId(new_id()), M, EntryKind.EARN, -10, at)
    with pytest.raises(ValueError):  # redeem cannot be positive
        LedgerEntry(EntryId(new_id()), M, EntryKind.REDEEM, 10, at, expires_at=expiry_for(at))
    with pytest.raises(ValueError):  # negative entries have no expiry
        LedgerEntry(EntryId(new_id()), M, EntryKind.REDEEM, -10, at, expires_at=expiry_for(at))
    with pytest.raises(ValueError):  # naive time
        LedgerEntry(EntryId(new_id()), M, EntryKind.REDEEM, -10, datetime(2026, 5, 1))
    with pytest.raises(ValueError):  # a lot must expire after it is made
        LedgerEntry(EntryId(new_id()), M, EntryKind.EARN, 10, at, expires_at=at)
    with pytest.raises(TypeError):  # no floats
        LedgerEntry(EntryId(new_id()), M, EntryKind.REDEEM, -1.5, at)  # type: ignore[arg-type]


def test_constructors() -> None:
    at = sh(2026, 5, 1)
    sale, refund = SaleId(new_id()), RefundId(new_id())
    e = earn(M, 120, at, sale_id=sale)
    assert (e.kind, e.points, e.expires_at, e.sale_id) == (
        EntryKind.EARN,
        120,
        sh(2028, 1, 1, 0),
        sale,
    )
    r = redeem(M, 100, at, entries=[e], sale_id=sale)
    assert (r.kind, r.points, r.expires_at) == (EntryKind.REDEEM, -100, None)
    rv = reverse(M, 20, at, sale_id=sale, refund_id=refund)
    assert (rv.kind, rv.points, rv.refund_id) == (EntryKind.REVERSE, -20, refund)
    c = compensate(M, 500, at, note="ticket T-1")
    assert (c.kind, c.points, c.expires_at) == (EntryKind.COMPENSATE, 500, sh(2028, 1, 1, 0))
    for bad in (0, -5):
        with pytest.raises(ValueError):
            earn(M, bad, at)
        with pytest.raises(ValueError):
            redeem(M, bad, at, entries=[e])
        with pytest.raises(ValueError):
            reverse(M, bad, at)
        with pytest.raises(ValueError):
            give_back(M, bad, at)
        with pytest.raises(ValueError):
            compensate(M, bad, at)


def test_adjust_needs_a_note_and_points() -> None:
    at = sh(2026, 5, 1)
    with pytest.raises(ValueError):
        adjust(M, 10, at, "")
    with pytest.raises(ValueError):
        adjust(M, 10, at, "   ")
    with pytest.raises(ValueError):
        adjust(M, 0, at, "typo")
    plus = adjust(M, 10, at, "missed scan")
    assert plus.expires_at == expiry_for(at)
    minus = adjust(M, -10, at, "double credit")
    assert minus.expires_at is None and minus.points == -10


def test_give_back_is_a_new_lot_expiring_from_the_refund() -> None:
    refund_at = sh(2027, 3, 5)
    g = give_back(M, 300, refund_at, sale_id=SaleId(new_id()), refund_id=RefundId(new_id()))
    assert g.kind == EntryKind.REVERSE
    assert g.points == 300
    assert g.expires_at == sh(2029, 1, 1, 0)


# ---------------------------------------------------------------------- lots and FIFO


def test_fifo_consumes_oldest_expiring_lots_first() -> None:
    a = earn(M, 100, sh(2025, 3, 1))  # expires 2027-01-01
    b = earn(M, 200, sh(2026, 5, 1))  # expires 2028-01-01
    c = earn(M, 50, sh(2025, 9, 1))  # expires 2027-01-01, earned after a
    spend = redeem(M, 120, sh(2026, 6, 1), entries=[a, b, c])
    ledger = [a, b, c, spend]
    got = lots(ledger, sh(2026, 6, 2))
    assert [(x.entry_id, x.remaining) for x in got] == [(c.id, 30), (b.id, 200)]
    assert balance(ledger) == 230
    all_lots = lots(ledger, sh(2026, 6, 2), include_spent=True)
    assert [(x.entry_id, x.original, x.remaining) for x in all_lots] == [
        (a.id, 100, 0),
        (c.id, 50, 30),
        (b.id, 200, 200),
    ]


def test_ledger_order_in_the_list_does_not_matter() -> None:
    a = earn(M, 100, sh(2025, 3, 1))
    b = earn(M, 200, sh(2026, 5, 1))
    spend = redeem(M, 150, sh(2026, 6, 1), entries=[a, b])
    at = sh(2026, 7, 1)
    assert lots([spend, b, a], at) == lots([a, b, spend], at)


def test_lots_as_of_a_time_ignore_later_entries() -> None:
    a = earn(M, 100, sh(2025, 3, 1))
    spend = redeem(M, 40, sh(2026, 6, 1), entries=[a])
    assert [x.remaining for x in lots([a, spend], sh(2026, 5, 1))] == [100]
    assert balance([a, spend], sh(2026, 5, 1)) == 100
    assert balance([a, spend]) == 60


def test_expiring_within_60_days() -> None:
    a = earn(M, 100, sh(2025, 3, 1))  # expires 2027-01-01
    c = earn(M, 50, sh(2025, 9, 1))  # expires 2027-01-01
    b = earn(M, 200, sh(2026, 5, 1))  # expires 2028-01-01
    spend = redeem(M, 120, sh(2026, 6, 1), entries=[a, b, c])
    ledger = [a, b, c, spend]
    assert expiring_within(ledger, sh(2026, 11, 15)) == [(sh(2027, 1, 1, 0), 30)]
    assert expiring_total(ledger, sh(2026, 11, 15)) == 30
    # 2026-10-01 12:00 + 60 days is before 2027-01-01: nothing yet.
    assert expiring_within(ledger, sh(2026, 10, 1)) == []
    assert expiring_total(ledger, sh(2026, 10, 1), days=100) == 30
    # Exactly 60 days before the expiry instant counts.
    assert expiring_total(ledger, sh(2026, 11, 2, 0, 0)) == 30
    assert expiring_total(ledger, sh(2026, 11, 1, 23, 59)) == 0
    # Once expired, points are no longer "expiring".
    assert expiring_total(ledger, sh(2027, 1, 1, 0, 0)) == 0


def test_due_expiries_at_the_year_boundary() -> None:
    late = earn(M, 70, sh(2025, 12, 31, 23, 30))
    next_year = earn(M, 40, sh(2026, 1, 1, 0, 30))
    ledger = [late, next_year]
    assert due_expiries(ledger, sh(2026, 12, 31, 23, 59), M) == []
    due = due_expiries(ledger, sh(2027, 1, 1, 0, 0), M)
    assert [(e.kind, e.points, e.at, e.member_id) for e in due] == [
        (EntryKind.EXPIRE, -70, sh(2027, 1, 1, 0, 0), M)
    ]
    ledger += due
    assert balance(ledger) == 40
    assert due_expiries(ledger, sh(2027, 1, 1, 0, 0), M) == []
    assert due_expiries(ledger, sh(2027, 6, 1), M) == []


def test_due_expiries_expire_only_what_is_left_and_are_idempotent() -> None:
    a = earn(M, 100, sh(2025, 3, 1))
    c = earn(M, 50, sh(2025, 9, 1))
    b = earn(M, 200, sh(2026, 5, 1))
    spend = redeem(M, 120, sh(2026, 6, 1), entries=[a, b, c])
    ledger = [a, b, c, spend]
    due = due_expiries(ledger, sh(2027, 2, 1), M)
    assert [e.points for e in due] == [-30]
    ledger += due
    assert balance(ledger) == 200
    assert [(x.entry_id, x.remaining) for x in lots(ledger, sh(2027, 2, 1))] == [(b.id, 200)]
    assert due_expiries(ledger, sh(2027, 2, 1), M) == []
    # Two years later b goes too, and again only once.
    due2 = due_expiries(ledger, sh(2028, 3, 1), M)
    assert [(e.points, e.at) for e in due2] == [(-200, sh(2028, 1, 1, 0))]
    ledger += due2
    assert balance(ledger) == 0
    assert due_expiries(ledger, sh(2028, 3, 1), M) == []


def test_due_expiries_for_several_years_at_once() -> None:
    ledger = [earn(M, 10, sh(2024, 6, 1)), earn(M, 20, sh(2025, 6, 1)), earn(M, 5, sh(2027, 1, 1))]
    due = due_expiries(ledger, sh(2027, 6, 1), M)
    assert [(e.points, e.at) for e in due] == [(-10, sh(2026, 1, 1, 0)), (-20, sh(2027, 1, 1, 0))]
    ledger += due
    assert balance(ledger) == 5
    assert due_expiries(ledger, sh(2027, 6, 1), M) == []


def test_expired_points_cannot_be_spent_before_the_expire_entry_is_written() -> None:
    old = earn(M, 100, sh(2025, 3, 1))  # expired 2027-01-01
    new = earn(M, 30, sh(2026, 3, 1))
    ledger = [old, new]
    at = sh(2027, 1, 5)
    assert balance(ledger) == 130
    assert available(ledger, at) == 30
    with pytest.raises(RedeemError) as err:
        redeem(M, 100, at, entries=ledger)
    assert (err.value.requested, err.value.available) == (100, 30)
    spend = redeem(M, 30, at, entries=ledger)
    ledger.append(spend)
    # The spend took the live lot; the expired one still expires in full.
    assert [e.points for e in due_expiries(ledger, at, M)] == [-100]


def test_redeem_refused_beyond_balance_unless_overdraw_allowed() -> None:
    a = earn(M, 100, sh(2026, 3, 1))
    at = sh(2026, 3, 2)
    with pytest.raises(RedeemError):
        redeem(M, 101, at, entries=[a])
    assert redeem(M, 100, at, entries=[a]).points == -100
    over = redeem(M, 150, at, entries=[a], allow_overdraw=True)
    assert balance([a, over]) == -50


def test_negative_balance_is_repaid_by_the_next_earn() -> None:
    a = earn(M, 100, sh(2026, 3, 1))
    till1 = redeem(M, 100, sh(2026, 3, 2, 10), entries=[a], allow_overdraw=True)
    till2 = redeem(M, 60, sh(2026, 3, 2, 11), entries=[a], allow_overdraw=True)
    ledger = [a, till1, till2]
    assert balance(ledger) == -60
    assert debt(ledger) == 60
    assert lots(ledger, sh(2026, 3, 3)) == []
    assert available(ledger, sh(2026, 3, 3)) == -60
    with pytest.raises(RedeemError):
        redeem(M, 1, sh(2026, 3, 3), entries=ledger)
    later = earn(M, 80, sh(2026, 4, 1))
    ledger.append(later)
    assert balance(ledger) == 20
    assert debt(ledger) == 0
    got = lots(ledger, sh(2026, 4, 2))
    assert [(x.entry_id, x.original, x.remaining) for x in got] == [(later.id, 80, 20)]
    # The repaid points do not expire again.
    assert expiring_total(ledger, sh(2027, 12, 1)) == 20


def test_reverse_and_give_back_of_a_refund_net_to_zero() -> None:
    sale = SaleId(new_id())
    base = earn(M, 1000, sh(2026, 1, 10))
    at = sh(2026, 2, 1)
    spent = redeem(M, 500, at, entries=[base], sale_id=sale)
    earned = earn(M, 51, at, sale_id=sale)
    refund_at = sh(2026, 2, 3)
    refund = RefundId(new_id())
    back = give_back(M, 500, refund_at, sale_id=sale, refund_id=refund)
    rev = reverse(M, 51, refund_at, sale_id=sale, refund_id=refund)
    ledger = [base, spent, earned, back, rev]
    assert balance(ledger) == 1000
    assert sum(e.points for e in ledger if e.sale_id == sale) == 0


# ---------------------------------------------------------------------- properties

START = sh(2025, 1, 1, 0, 0)

op = st.tuples(
    st.sampled_from(["earn", "redeem", "overdraw", "adjust", "reverse", "give_back", "expire"]),
    st.integers(min_value=1, max_value=500),
)


@st.composite
def ledgers(draw: st.DrawFn) -> tuple[list[LedgerEntry], datetime]:
    """A ledger written in time order by the constructors, with expiry runs mixed in."""
    n = draw(st.integers(min_value=0, max_value=25))
    hours = sorted(draw(st.lists(st.integers(0, 4 * 365 * 24), min_size=n, max_size=n, unique=True)))
    ledger: list[LedgerEntry] = []
    for h in hours:
        kind, pts = draw(op)
        at = START + timedelta(hours=h)
        if kind == "earn":
            ledger.append(earn(M, pts, at))
        elif kind == "redeem":
            can = available(ledger, at)
            if can > 0:
                ledger.append(redeem(M, min(pts, can), at, entries=ledger))
        elif kind == "overdraw":
            ledger.append(redeem(M, pts, at, entries=ledger, allow_overdraw=True))
        elif kind == "adjust":
            ledger.append(adjust(M, draw(st.sampled_from([pts, -pts])), at, "correction"))
        elif kind == "reverse":
            ledger.append(reverse(M, pts, at))
        elif kind == "give_back":
            ledger.append(give_back(M, pts, at))
        else:
            ledger.extend(due_expiries(ledger, at, M))
    end = START + timedelta(hours=draw(st.integers(0, 5 * 365 * 24)))
    return ledger, end


@settings(max_examples=150, deadline=None)
@given(ledgers())
def test_balance_is_the_sum_and_lots_stay_in_bounds(
    case: tuple[list[LedgerEntry], datetime],
) -> None:
    ledger, end = case
    at = max([end, *(e.at for e in ledger)])
    assert balance(ledger) == sum(e.points for e in ledger)
    every = lots(ledger, at, include_spent=True)
    assert all(0 <= x.remaining <= x.original for x in every)
    assert balance(ledger) == sum(x.remaining for x in every) - debt(ledger)
    assert debt(ledger) >= 0
    # Shuffling the stored order changes nothing (times are distinct).
    assert lots(list(reversed(ledger)), at, include_spent=True) == every


@settings(max_examples=150, deadline=None)
@given(ledgers())
def test_due_expiries_are_idempotent(case: tuple[list[LedgerEntry], datetime]) -> None:
    ledger, end = case
    at = max([end, *(e.at for e in ledger)])
    before = balance(ledger)
    due = due_expiries(ledger, at, M)
    expired = -sum(e.points for e in due)
    assert expired >= 0
    assert all(e.kind == EntryKind.EXPIRE and e.points < 0 and e.at <= at for e in due)
    after = ledger + due
    assert due_expiries(after, at, M) == []
    assert balance(after) == before - expired
    assert available(after, at) == balance(after)
    assert all(x.expires_at > at for x in lots(after, at))
