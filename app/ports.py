"""Ports: the small interfaces `app/` defines and `hardware/` and `sync/` implement.

The core never imports a device library; it talks to these protocols. Implementations live in
`hardware/scanner`, `hardware/printer` and `sync/`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol

from app.domain.receipt import Receipt

if TYPE_CHECKING:
    from app.domain.program import OfflineDefaults


class Symbology(StrEnum):
    QRCODE = "QRCODE"
    EAN13 = "EAN13"
    EAN8 = "EAN8"
    UPCA = "UPCA"
    CODE128 = "CODE128"
    OTHER = "OTHER"


class ScanSource(StrEnum):
    CAMERA = "camera"
    WEDGE = "wedge"
    SERIAL = "serial"
    FILE = "file"


@dataclass(frozen=True, slots=True)
class Scan:
    """One decoded code: what it says, how it was encoded, which reader saw it."""

    payload: str
    symbology: Symbology
    source: ScanSource
    at: datetime
    polygon: tuple[tuple[int, int], ...] = field(default_factory=tuple)


class DeviceState(StrEnum):
    READY = "ready"
    NO_DEVICE = "no_device"
    RECONNECTING = "reconnecting"
    ERROR = "error"


@dataclass(frozen=True, slots=True)
class DeviceStatus:
    """A reader's or printer's state with a reason a cashier can read."""

    state: DeviceState
    reason: str = ""


ScanHandler = Callable[[Scan], None]
StatusHandler = Callable[[DeviceStatus], None]


class Scanner(Protocol):
    """A reader of codes. `start` returns at once; scans and status changes arrive through the
    handlers, on the reader's own thread (the UI marshals them to the GUI thread)."""

    def start(self, on_scan: ScanHandler, on_status: StatusHandler) -> None: ...

    def stop(self) -> None: ...

    @property
    def status(self) -> DeviceStatus: ...


class PrinterState(StrEnum):
    ONLINE = "online"
    OFFLINE = "offline"
    PAPER_OUT = "paper_out"
    COVER_OPEN = "cover_open"
    UNKNOWN = "unknown"


class PrintError(Exception):
    """A print failed; `reason` (a PrinterState or "timeout") says why, for the cashier."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


class ReceiptPrinter(Protocol):
    """Prints receipt documents. May block for up to its timeout: call it off the GUI thread.
    Raises PrintError; a failed print never undoes the sale (the caller queues a reprint)."""

    def print_receipt(self, receipt: Receipt) -> None: ...

    def status(self) -> PrinterState: ...

    def kick_drawer(self) -> None: ...


class ServerLink(Protocol):
    """The till's link to the central server (`sync.worker.SyncWorker` implements it). A till
    with no server set up has none, and its own store is the whole truth."""

    def reachable(self) -> bool:
        """True while the last sync round reached the server; False offline, before the first
        round, and while the server answers with errors."""
        ...


@dataclass(frozen=True, slots=True)
class OfflineRules:
    """What the till may do while its `ServerLink` is not reachable (`sync.toml` `[offline]`,
    read by `sync.offline.load_rules`; shown to the cashier by `sync.offline.describe`).
    Enforced by the use cases (`app.services.offline`)."""

    sales: bool = True
    earn_points: bool = True  # off: sales made offline earn no points (the quote shows 0)
    register_members: bool = True
    refunds: bool = True
    redeem_points_cached: bool = True  # up to the last confirmed balance minus what was redeemed here since
    coupons_held_here: bool = True  # off: no coupon is taken offline
    points_adjustments: bool = True

    def allows(self, action: str) -> bool:
        """`action` is one of the field names; anything else needs the server."""
        return bool(getattr(self, action, False)) if action in _OFFLINE_ACTIONS else False

    @classmethod
    def of(cls, program: OfflineDefaults | None, overrides: Mapping[str, bool] | None = None) -> OfflineRules:
        """The rules of the program in force (`program`; every rule on when None), each one this
        till's `sync.toml` `[offline]` sets (`overrides`) replaced by the till's own value."""
        base = cls(**program.model_dump()) if program is not None else cls()
        return replace(base, **dict(overrides or {}))


_OFFLINE_ACTIONS = frozenset(OfflineRules.__dataclass_fields__)


# ------------------------------------------------------------------ pulled changes (sync/)


class PulledChange(Protocol):
    """One change pulled from the server (`sync.protocol.Change` is one)."""

    @property
    def entity(self) -> str: ...

    @property
    def key(self) -> str: ...

    @property
    def data(self) -> dict[str, Any]: ...


class PulledRows(Protocol):
    """How the rules for pulled changes (`sync.apply.entities`) read and write the till's
    store: `app.store.pulled.SessionRows` asks the session row by row, `BulkRows` answers a
    whole run from a few set-based queries and inserts new rows together. A member or coupon
    row is an ORM row or a stand-in with the same column attributes; rows are keyed by the
    till's own ids. Called on the thread that holds the session."""

    def convert(self, entity: str, data: dict[str, Any]) -> dict[str, Any]:
        """The entity's columns present in `data`, converted from JSON (other keys ignored).
        Raises ValueError for a value that cannot be read."""
        ...

    def member(self, member_id: uuid.UUID) -> Any | None: ...

    def alias(self, member_id: uuid.UUID) -> uuid.UUID | None:
        """The member an alias held here points to, or None."""
        ...

    def member_clash(self, member_id: uuid.UUID, phone: str | None, card: str | None) -> uuid.UUID | None:
        """Another member holding this phone or card here, if any."""
        ...

    def store_member(self, member_id: uuid.UUID, values: dict[str, Any]) -> None: ...

    def entry_held(self, entry_id: uuid.UUID) -> bool: ...

    def own(self, kind: str, key: uuid.UUID) -> bool:
        """Whether this till holds that `kind` ('sale' or 'refund'): it was made here."""
        ...

    def own_entry_held(self, col: str, ref: uuid.UUID, kind: Any) -> bool:
        """Whether this till's own sale or refund `ref` (`col`: sale_id or refund_id) already has
        its `kind` ledger entry here."""
        ...

    def store_entry(self, entry_id: uuid.UUID, values: dict[str, Any]) -> None: ...

    def find_coupon(self, coupon_id: uuid.UUID, code: str | None) -> Any | None:
        """The coupon by id, else by code (a welcome coupon made here has the server's id for it
        only once the server names it)."""
        ...

    def store_coupon(self, row: Any | None, coupon_id: uuid.UUID, values: dict[str, Any]) -> None:
        """Insert the coupon (`row` None) or change `row`."""
        ...

    def store_product(self, product_id: uuid.UUID, values: dict[str, Any]) -> None:
        """Upsert; another product holding the same sku gives it up (the server's catalogue wins)."""
        ...

    def delete_product(self, product_id: uuid.UUID) -> None: ...

    def store_promotion(self, promotion_id: str, values: dict[str, Any]) -> None: ...

    def delete_promotion(self, promotion_id: str) -> None: ...

    def store_program(self, data: dict[str, Any], at: datetime) -> None:
        """Keep a pulled loyalty program version (ProgramError when it cannot be used)."""
        ...

    def store_member_intel(self, member_id: uuid.UUID, values: dict[str, Any]) -> None:
        """Upsert what HQ's intel says of a member (segment, tags, suggestions), keyed by the
        till's id for the member (the survivor of a merge)."""
        ...

    def store_gift(self, gift_id: str, values: dict[str, Any]) -> None:
        """Upsert a gift of HQ's catalogue (`stock` left out: the till keeps its own count)."""
        ...

    def add_revocation(self, kind: str, value: str, at: datetime) -> bool:
        """Record a revocation; False when it was held already."""
        ...

    def store_points_outcome(
        self, event_id: uuid.UUID, payload: dict[str, Any], status: str, reason: str, note: str, at: datetime
    ) -> None:
        """HQ's decision on one of this till's held adjustments (`app.store.outcomes`)."""
        ...

    def store_public_key(
        self, key_id: str, public_key: str, terminal_id: str | None, at: datetime
    ) -> None: ...

    def delete_public_key(self, key_id: str) -> None: ...
