"""Identifiers: UUIDv7, made where the record is born (on the till), typed per kind."""

from __future__ import annotations

import uuid
from typing import NewType

import uuid6

MemberId = NewType("MemberId", uuid.UUID)
SaleId = NewType("SaleId", uuid.UUID)
RefundId = NewType("RefundId", uuid.UUID)
CouponId = NewType("CouponId", uuid.UUID)
StaffId = NewType("StaffId", uuid.UUID)
EntryId = NewType("EntryId", uuid.UUID)
EventId = NewType("EventId", uuid.UUID)
ShiftId = NewType("ShiftId", uuid.UUID)
ProductId = NewType("ProductId", uuid.UUID)


def new_id() -> uuid.UUID:
    """A fresh UUIDv7: time-ordered, so ids made later sort later and index well."""
    value: uuid.UUID = uuid6.uuid7()
    return uuid.UUID(bytes=value.bytes)
