"""The push's text check answered from the event's hashed JSON (`server.push.record.
event_digest`): an event it calls clean has no NUL or lone surrogate anywhere (the full walk,
`text_fault`, agrees), and the hash is the one retries have always been compared with."""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from server.push.record import event_digest, event_hash, text_fault
from sync.protocol import WireEvent


def _event(payload: dict[str, Any]) -> WireEvent:
    return WireEvent(
        id=uuid.uuid4(),
        terminal_id="T1",
        seq=1,
        type="sale.completed",
        schema_version=1,
        payload=payload,
        created_at=datetime(2026, 12, 3, tzinfo=UTC),
    )


@pytest.mark.parametrize(
    "payload",
    [
        {"a": "x\x00"},
        {"k\x00": 1},
        {"a": "\ud800"},
        {"\udc00": 1},
        {"a": ["b", {"c": "\x00"}]},
        {"a": [{"d": ["\udfff"]}]},
    ],
)
def test_a_nul_or_a_lone_surrogate_anywhere_is_never_called_clean(payload: dict[str, Any]) -> None:
    ev = _event(payload)
    assert event_digest(ev)[1] is False
    assert text_fault(ev.payload) is not None


@pytest.mark.parametrize("payload", [{"a": "ok", "n": [1, 2.5, None, True]}, {"名": "王小明"}])
def test_ordinary_text_is_clean(payload: dict[str, Any]) -> None:
    assert event_digest(_event(payload))[1] is True


def test_a_literal_backslash_u0000_is_walked_and_passes() -> None:
    ev = _event({"a": "\\u0000 as text"})
    assert event_digest(ev)[1] is False and text_fault(ev.payload) is None


def test_the_hash_is_unchanged() -> None:
    ev = _event({"a": "\ud800", "b": "ok"})
    body = {
        "terminal_id": "T1",
        "seq": 1,
        "type": "sale.completed",
        "schema_version": 1,
        "payload": ev.payload,
        "created_at": ev.created_at.astimezone(UTC).isoformat(),
    }
    raw = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    assert event_hash(ev) == hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()
    assert event_digest(ev)[0] == event_hash(ev)
