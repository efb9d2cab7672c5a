"""The hash-chained audit log."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.audit import (
    GENESIS,
    AuditRecord,
    canonical_bytes,
    check_details,
    next_record,
    record_fields,
    verify_chain,
)

T0 = datetime(2025, 3, 1, 10, 0, 0, tzinfo=UTC)
ACTOR = uuid.UUID(int=7)
APPROVER = uuid.UUID(int=8)


def make_chain(n: int) -> list[AuditRecord]:
    records: list[AuditRecord] = []
    prev = None
    for i in range(n):
        prev = next_record(
            prev,
            at=T0 + timedelta(seconds=i),
            terminal_id="T01",
            actor_id=ACTOR,
            approver_id=APPROVER if i % 3 == 0 else None,
            action="sale.refund" if i % 2 else "sale.commit",
            subject=f"sale:{i}",
            details={"total_fen": 1000 + i, "lines": [i, i + 1], "note": "退货"},
        )
        records.append(prev)
    return records


def kinds(problems: list[object]) -> list[tuple[int, str]]:
    return [(p.seq, p.kind) for p in problems]  # type: ignore[attr-defined]


def rehash(rec: AuditRecord, **changes: object) -> AuditRecord:
    """An attacker's edit that also recomputes the record's own hash."""
    edited = dataclasses.replace(rec, **changes)  # type: ignore[arg-type]
    return dataclasses.replace(edited, hash=edited.computed_hash())


# ---------------------------------------------------------------- building


def test_first_record_follows_genesis() -> None:
    first = make_chain(1)[0]
    assert first.seq == 1
    assert first.prev_hash == GENESIS == "0" * 64
    assert len(first.hash) == 64
    assert first.hash == hashlib.sha256(canonical_bytes(first)).hexdigest()


def test_records_link_to_the_previous_hash() -> None:
    a, b, c = make_chain(3)
    assert (b.seq, b.prev_hash) == (2, a.hash)
    assert (c.seq, c.prev_hash) == (3, b.hash)


def test_intact_chain_of_1000_verifies() -> None:
    records = make_chain(1000)
    assert verify_chain(records) == []
    assert verify_chain(records, expected_head=(1000, records[-1].hash)) == []
    assert verify_chain(iter(records)) == []


def test_empty_log() -> None:
    assert verify_chain([]) == []
    assert kinds(verify_chain([], expected_head=(3, "a" * 64))) == [(1, "deleted")]


# ---------------------------------------------------------------- canonical form


def test_canonical_bytes_are_sorted_compact_utf8_without_hash() -> None:
    rec = make_chain(1)[0]
    raw = canonical_bytes(rec)
    text = raw.decode("utf-8")
    assert "退货" in text  # ensure_ascii=False
    assert ", " not in text and ": " not in text
    data = json.loads(text)
    assert "hash" not in data
    assert list(data) == sorted(data)
    assert set(data) == {
        "seq",
        "id",
        "at",
        "terminal_id",
        "actor_id",
        "approver_id",
        "action",
        "subject",
        "details",
        "prev_hash",
    }
    assert data["at"] == "2025-03-01T10:00:00.000000Z"
    assert raw == json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def test_the_hash_covers_the_canonical_bytes_of_every_field_but_itself() -> None:
    for rec in make_chain(3):
        assert hashlib.sha256(canonical_bytes(record_fields(rec))).hexdigest() == rec.hash
    with pytest.raises(ValueError):
        canonical_bytes({"hash": "x"})


def test_same_instant_in_another_zone_hashes_the_same() -> None:
    rec = make_chain(1)[0]
    local = dataclasses.replace(rec, at=rec.at.astimezone(ZoneInfo("Asia/Shanghai")))
    assert local.computed_hash() == rec.hash
    assert verify_chain([local]) == []


def test_naive_time_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        next_record(None, at=datetime(2025, 3, 1), terminal_id="T01", actor_id=None, action="a", subject="")
    rec = make_chain(1)[0]
    with pytest.raises(ValueError, match="timezone-aware"):
        dataclasses.replace(rec, at=datetime(2025, 3, 1))


@pytest.mark.parametrize(
    "details",
    [{"x": {1, 2}}, {"x": float("nan")}, {"x": object()}, {1: "int key"}, {"x": b"bytes"}],
)
def test_details_must_be_json(details: dict[object, object]) -> None:
    with pytest.raises((TypeError, ValueError)):
        next_record(
            None,
            at=T0,
            terminal_id="T01",
            actor_id=None,
            action="a",
            subject="",
            details=details,  # type: ignore[arg-type]
        )


def test_details_are_copied() -> None:
    details: dict[str, object] = {"items": [1, 2]}
    rec = next_record(None, at=T0, terminal_id="T01", actor_id=None, action="a", subject="", details=details)
    details["items"].append(3)  # type: ignore[attr-defined]
    details["extra"] = True
    assert rec.details == {"items": [1, 2]}
    assert verify_chain([rec]) == []


@pytest.mark.parametrize(
    "details",
    [
        {"phone": "13812345678"},
        {"member": {"Member_Name": "张三"}},
        {"contacts": [{"mobile": "x"}]},
        {"note": "+86 138 1234 5678"},
        {"to": "+8613812345678"},
    ],
)
def test_personal_data_is_refused(details: dict[str, object]) -> None:
    with pytest.raises(ValueError, match=r"personal data|phone"):
        check_details(details)
    with pytest.raises(ValueError):
        next_record(None, at=T0, terminal_id="T01", actor_id=None, action="a", subject="", details=details)


def test_ids_and_amounts_are_fine_in_details() -> None:
    check_details(
        {
            "member_id": str(uuid.uuid4()),
            "points": 120,
            "receipt_no": "S001-T01-000123",
            "product_name": "Milk 1L",
        }
    )


def test_dict_round_trip() -> None:
    records = make_chain(5)
    again = [AuditRecord.from_dict(json.loads(json.dumps(r.to_dict()))) for r in records]
    assert again == records
    assert verify_chain(again) == []


# ---------------------------------------------------------------- tampering


def test_edited_entry_is_detected() -> None:
    records = make_chain(10)
    records[4] = dataclasses.replace(records[4], details={"total_fen": 1})
    assert kinds(verify_chain(records)) == [(5, "edited")]


def test_edited_entry_with_recomputed_hash_breaks_the_next_link() -> None:
    records = make_chain(10)
    records[4] = rehash(records[4], subject="sale:forged")
    assert kinds(verify_chain(records)) == [(6, "broken_link")]


def test_deletion_in_the_middle() -> None:
    records = make_chain(10)
    del records[4]
    problems = verify_chain(records)
    assert kinds(problems) == [(5, "deleted")]
    assert "5" in problems[0].message


def test_deletion_of_several_entries() -> None:
    records = make_chain(10)
    del records[3:6]
    problems = verify_chain(records)
    assert kinds(problems) == [(4, "deleted")]
    assert "4 to 6" in problems[0].message


def test_deletion_of_the_first_entry() -> None:
    records = make_chain(5)
    assert kinds(verify_chain(records[1:])) == [(1, "deleted")]


def test_deletion_and_renumbering_is_detected() -> None:
    records = make_chain(6)
    del records[2]
    renumbered = records[:2] + [rehash(r, seq=r.seq - 1) for r in records[2:]]
    assert (3, "broken_link") in kinds(verify_chain(renumbered))


def test_deletion_at_the_end_needs_the_expected_head() -> None:
    records = make_chain(10)
    head = (10, records[-1].hash)
    truncated = records[:-1]
    assert verify_chain(truncated) == []  # undetectable without a head kept elsewhere
    assert kinds(verify_chain(truncated, expected_head=head)) == [(10, "deleted")]
    problems = verify_chain(records[:7], expected_head=head)
    assert kinds(problems) == [(8, "deleted")]
    assert "8 to 10" in problems[0].message


def test_rewritten_last_entry_is_caught_by_the_expected_head() -> None:
    records = make_chain(10)
    head = (10, records[-1].hash)
    records[-1] = rehash(records[-1], details={"total_fen": 0})
    assert verify_chain(records) == []
    assert kinds(verify_chain(records, expected_head=head)) == [(10, "edited")]


def test_entries_after_the_recorded_head_are_fine() -> None:
    records = make_chain(10)
    assert verify_chain(records, expected_head=(6, records[5].hash)) == []


def test_reordering_is_detected() -> None:
    records = make_chain(10)
    records[3], records[4] = records[4], records[3]
    assert kinds(verify_chain(records)) == [(4, "reordered")]


def test_swapping_contents_keeping_seq_order_is_detected() -> None:
    records = make_chain(6)
    a, b = records[2], records[3]
    records[2] = dataclasses.replace(b, seq=3)
    records[3] = dataclasses.replace(a, seq=4)
    problems = kinds(verify_chain(records))
    assert (3, "edited") in problems and (4, "edited") in problems


def test_duplicate_seq_is_a_broken_link() -> None:
    records = make_chain(5)
    forged = rehash(records[2], subject="sale:other")
    problems = kinds(verify_chain([*records[:3], forged, *records[3:]]))
    assert (3, "broken_link") in problems


def test_bad_hash_format_is_an_edit() -> None:
    records = make_chain(3)
    records[1] = dataclasses.replace(records[1], hash=records[1].hash.upper())
    assert (2, "edited") in kinds(verify_chain(records))


def test_segment_after_archived_entries_verifies_from_an_anchor() -> None:
    records = make_chain(10)
    tail = records[5:]
    anchor = (5, records[4].hash)
    assert verify_chain(tail, anchor=anchor) == []
    assert kinds(verify_chain(tail)) == [(1, "deleted")]
    assert kinds(verify_chain(tail, anchor=(5, "f" * 64))) == [(6, "broken_link")]


# ---------------------------------------------------------------- property: any edit is detected

CHAIN = make_chain(8)

_hex64 = st.text(alphabet="0123456789abcdef", min_size=64, max_size=64)
_json_leaf = st.none() | st.booleans() | st.integers() | st.text(max_size=10)
FIELD_VALUES: dict[str, st.SearchStrategy[object]] = {
    "seq": st.integers(1, 10**6),
    "id": st.uuids(),
    "at": st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
    ),
    "terminal_id": st.text(max_size=12),
    "actor_id": st.none() | st.uuids(),
    "approver_id": st.none() | st.uuids(),
    "action": st.text(max_size=12),
    "subject": st.text(max_size=12),
    "details": st.dictionaries(st.text(max_size=6), _json_leaf, max_size=4),
    "prev_hash": _hex64,
    "hash": _hex64,
}


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_any_edit_to_any_field_is_detected(data: st.DataObject) -> None:
    index = data.draw(st.integers(0, len(CHAIN) - 1), label="index")
    field = data.draw(st.sampled_from(sorted(FIELD_VALUES)), label="field")
    old = getattr(CHAIN[index], field)
    new = data.draw(FIELD_VALUES[field].filter(lambda v: v != old), label="new")
    records = list(CHAIN)
    records[index] = dataclasses.replace(records[index], **{field: new})
    head = (CHAIN[-1].seq, CHAIN[-1].hash)
    assert verify_chain(records, expected_head=head) != []
    # an attacker who also recomputes the edited record's hash is still caught
    if field != "hash":
        records[index] = dataclasses.replace(records[index], hash=records[index].computed_hash())
        assert verify_chain(records, expected_head=head) != []
