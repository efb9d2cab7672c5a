"""Identifiers: UUIDv7, made where the record is born (on the till), typed per kind."""

from __future__ import annotations

import os
import threading
import time
import uuid
from typing import NewType

MemberId = NewType("MemberId", uuid.UUID)
SaleId = NewType("SaleId", uuid.UUID)
RefundId = NewType("RefundId", uuid.UUID)
CouponId = NewType("CouponId", uuid.UUID)
StaffId = NewType("StaffId", uuid.UUID)
EntryId = NewType("EntryId", uuid.UUID)
EventId = NewType("EventId", uuid.UUID)
ShiftId = NewType("ShiftId", uuid.UUID)
ProductId = NewType("ProductId", uuid.UUID)

_lock = threading.Lock()
_last_ms = 0
_counter = 0


def new_id() -> uuid.UUID:
    """A fresh UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, then 12 bits that count up
    within one millisecond (so ids made later in this process sort later), then 62 random
    bits. Time-ordered ids keep the store's indexes append-mostly.

    (Python 3.14 has uuid.uuid7; this is the same layout for 3.11, without a dependency that
    would cost start-up time.)"""
    global _last_ms, _counter
    with _lock:
        ms = time.time_ns() // 1_000_000
        if ms > _last_ms:
            _last_ms, _counter = ms, int.from_bytes(os.urandom(2), "big") & 0x3FF
        else:  # same millisecond (or the clock stepped back): keep counting from the last id
            _counter += 1
            if _counter > 0xFFF:  # 4096 ids in one millisecond: borrow the next millisecond
                _last_ms, _counter = _last_ms + 1, 0
        ms, counter = _last_ms, _counter
    rand = int.from_bytes(os.urandom(8), "big") & ((1 << 62) - 1)
    value = (ms & ((1 << 48) - 1)) << 80 | 0x7 << 76 | counter << 64 | 0b10 << 62 | rand
    return uuid.UUID(int=value)
