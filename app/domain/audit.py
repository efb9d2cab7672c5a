"""The append-only, hash-chained audit log: the pure part (records, hashing, verification).

Each record's ``hash`` is ``sha256(canonical_bytes(record))`` where the canonical bytes are the
canonical JSON (sorted keys, no spaces, ``ensure_ascii=False``, UTF-8) of every field except
``hash`` itself, including ``prev_hash``, the previous record's hash (:data:`GENESIS` for the
first record). So editing a record breaks its own hash; recomputing that hash breaks the next
record's ``prev_hash`` link; deleting a record leaves a gap in ``seq``; and removing or
rewriting the tail is caught by comparing with a head ``(seq, hash)`` kept elsewhere (the
server's acknowledgement, a printed shift report).

Privacy: ``details`` carries ids, amounts and codes only. Never a member's phone number,
name, e-mail or address: the log is kept for years and shipped to the server. Callers pass
``member_id`` / ``sale_id`` instead. :func:`next_record` refuses the obvious cases (keys such
as ``phone`` or ``member_name``, values that look like an E.164 phone number), but that guard
is a safety net, not a licence.

Canonical field forms: uuids as lowercase hyphenated strings, ``at`` as UTC
``YYYY-MM-DDTHH:MM:SS.ffffffZ`` (so the same instant hashes the same in any zone), ``None``
as JSON null. ``details`` must be JSON: str keys; None, bool, int, finite float, str, lists and
dicts. Prefer ints (fen, points) to floats.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, Final, Literal, TypeAlias

from app.domain.clock import require_aware
from app.domain.ids import new_id

__all__ = [
    "GENESIS",
    "JSON",
    "SYSTEM_ACTOR",
    "AuditRecord",
    "ChainProblem",
    "ProblemKind",
    "canonical_bytes",
    "check_details",
    "next_record",
    "record_fields",
    "verify_chain",
]

JSON: TypeAlias = "bool | int | float | str | list[JSON] | dict[str, JSON] | None"

GENESIS: Final = "0" * 64
"""The ``prev_hash`` of the first record."""

SYSTEM_ACTOR: Final = uuid.UUID(int=0)
"""Actor id for entries made by the till itself rather than a signed-in staff member."""

_HEX64: Final = re.compile(r"[0-9a-f]{64}")
_FORBIDDEN_KEYS: Final = frozenset(
    {
        "phone",
        "phonenumber",
        "phoneno",
        "mobile",
        "mobilephone",
        "tel",
        "telephone",
        "membername",
        "customername",
        "fullname",
        "firstname",
        "lastname",
        "realname",
        "email",
        "address",
        "idcard",
        "idnumber",
    }
)
_E164_RE: Final = re.compile(r"\+[0-9][0-9 \-]{6,18}[0-9]")


# ---------------------------------------------------------------- records


def _json_copy(value: Any, path: str) -> JSON:
    """A deep copy of ``value`` if it is JSON; ``TypeError``/``ValueError`` otherwise."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"audit details {path}: NaN and infinity are not JSON")
        return value
    if isinstance(value, list | tuple):
        return [_json_copy(v, f"{path}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, Mapping):
        out: dict[str, JSON] = {}
        for k, v in value.items():
            if not isinstance(k, str):
                raise TypeError(f"audit details {path}: keys must be str, got {k!r}")
            out[k] = _json_copy(v, f"{path}.{k}")
        return out
    raise TypeError(f"audit details {path}: {type(value).__name__} is not JSON")


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """One audit entry. Construct new ones with :func:`next_record`; the constructor itself
    accepts any ``hash`` so that stored (possibly tampered) records can be loaded and checked.
    ``details`` is deep-copied on construction, so later changes to the caller's dict do not
    leak in. ``actor_id`` None = no signed-in staff (or use :data:`SYSTEM_ACTOR`)."""

    seq: int
    id: uuid.UUID
    at: datetime
    terminal_id: str
    actor_id: uuid.UUID | None
    approver_id: uuid.UUID | None
    action: str
    subject: str
    details: dict[str, JSON]
    prev_hash: str
    hash: str

    def __post_init__(self) -> None:
        if not isinstance(self.seq, int) or isinstance(self.seq, bool) or self.seq < 1:
            raise ValueError(f"seq must be an integer >= 1, got {self.seq!r}")
        require_aware(self.at, "audit time")
        copied = _json_copy(self.details, "details")
        if not isinstance(copied, dict):
            raise TypeError("audit details must be a JSON object")
        object.__setattr__(self, "details", copied)

    def computed_hash(self) -> str:
        """The hash this record's content calls for (compare with ``hash``)."""
        return hashlib.sha256(canonical_bytes(self)).hexdigest()

    def to_dict(self) -> dict[str, JSON]:
        """Every field, JSON-able (for sync and export). Inverse: :meth:`from_dict`."""
        out = record_fields(self)
        out["hash"] = self.hash
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AuditRecord:
        at = datetime.fromisoformat(str(data["at"]).replace("Z", "+00:00"))
        return cls(
            seq=int(data["seq"]),
            id=uuid.UUID(str(data["id"])),
            at=at,
            terminal_id=str(data["terminal_id"]),
            actor_id=_opt_uuid(data.get("actor_id")),
            approver_id=_opt_uuid(data.get("approver_id")),
            action=str(data["action"]),
            subject=str(data["subject"]),
            details=dict(data.get("details") or {}),
            prev_hash=str(data["prev_hash"]),
            hash=str(data["hash"]),
        )


def _opt_uuid(value: Any) -> uuid.UUID | None:
    return None if value is None else uuid.UUID(str(value))


def _iso(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def record_fields(record: AuditRecord) -> dict[str, JSON]:
    """The canonical JSON form of every field except ``hash``."""
    return {
        "seq": record.seq,
        "id": str(record.id),
        "at": _iso(record.at),
        "terminal_id": record.terminal_id,
        "actor_id": None if record.actor_id is None else str(record.actor_id),
        "approver_id": None if record.approver_id is None else str(record.approver_id),
        "action": record.action,
        "subject": record.subject,
        "details": record.details,
        "prev_hash": record.prev_hash,
    }


def canonical_bytes(fields: AuditRecord | Mapping[str, JSON]) -> bytes:
    """Canonical JSON bytes (sorted keys, no spaces, ``ensure_ascii=False``, UTF-8) of a
    record's fields except ``hash``. Given a mapping, it must not contain ``hash``."""
    if isinstance(fields, AuditRecord):
        data: Mapping[str, JSON] = record_fields(fields)
    else:
        if "hash" in fields:
            raise ValueError("canonical bytes cover every field except 'hash'")
        data = fields
    return json.dumps(
        data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def check_details(details: Mapping[str, Any]) -> None:
    """Refuse details that obviously carry personal data (see the module docstring)."""

    def walk(value: Any, path: str) -> None:
        if isinstance(value, Mapping):
            for k, v in value.items():
                norm = str(k).lower().replace("_", "").replace("-", "").replace(" ", "")
                if norm in _FORBIDDEN_KEYS:
                    raise ValueError(f"audit details must not hold personal data ({path}.{k}); pass ids only")
                walk(v, f"{path}.{k}")
        elif isinstance(value, list | tuple):
            for i, v in enumerate(value):
                walk(v, f"{path}[{i}]")
        elif isinstance(value, str) and _E164_RE.fullmatch(value.strip()):
            raise ValueError(f"audit details must not hold phone numbers ({path}); pass the member id")

    walk(details, "details")


def next_record(
    prev: AuditRecord | None,
    *,
    at: datetime,
    terminal_id: str,
    actor_id: uuid.UUID | None,
    action: str,
    subject: str,
    details: Mapping[str, Any] | None = None,
    approver_id: uuid.UUID | None = None,
    id: uuid.UUID | None = None,
) -> AuditRecord:
    """The record that follows ``prev`` (or the first record, seq 1, after :data:`GENESIS`),
    with its hash computed. ``details`` must be JSON and free of personal data."""
    require_aware(at, "audit time")
    if not action:
        raise ValueError("an audit record needs an action")
    det = dict(details or {})
    check_details(det)
    seq = 1 if prev is None else prev.seq + 1
    prev_hash = GENESIS if prev is None else prev.hash
    draft = AuditRecord(
        seq=seq,
        id=new_id() if id is None else id,
        at=at,
        terminal_id=terminal_id,
        actor_id=actor_id,
        approver_id=approver_id,
        action=action,
        subject=subject,
        details=det,  # validated and copied in __post_init__
        prev_hash=prev_hash,
        hash="",
    )
    return replace(draft, hash=draft.computed_hash())


# ---------------------------------------------------------------- verification

ProblemKind = Literal["edited", "deleted", "reordered", "broken_link"]


@dataclass(frozen=True, slots=True)
class ChainProblem:
    """One thing wrong with the log. ``seq`` is where it shows: the edited record, the first
    missing seq of a gap, the out-of-place record, or the record whose link is broken."""

    seq: int
    kind: ProblemKind
    message: str


def verify_chain(
    records: Iterable[AuditRecord],
    expected_head: tuple[int, str] | None = None,
    anchor: tuple[int, str] = (0, GENESIS),
) -> list[ChainProblem]:
    """Check a log (normally the whole log, in stored order) and list every problem found;
    an empty list means intact.

    * ``edited``: a record's content no longer matches its own hash (or the hash is not
      64 lowercase hex digits); or the record at ``expected_head``'s seq has another hash.
    * ``deleted``: a gap in ``seq`` (in the middle, at the start after ``anchor``, or at the
      end when ``expected_head`` says the log reached further).
    * ``reordered``: records not in ascending ``seq`` order as given.
    * ``broken_link``: consecutive seqs whose ``prev_hash`` does not match the previous
      record's hash (a record was rewritten with a recomputed hash, or replaced), or a
      duplicate ``seq``.

    ``expected_head`` is the ``(seq, hash)`` of the newest record as recorded elsewhere
    (server acknowledgement, shift report); later records may follow it. ``anchor`` is the
    ``(seq, hash)`` of the record before the first one given, for checking a tail segment
    after older records have been archived.
    """
    given = list(records)
    ordered = sorted(given, key=lambda r: r.seq)
    problems = _reordered(given)
    problems += [
        ChainProblem(rec.seq, "edited", f"entry {rec.seq} was changed after it was written")
        for rec in ordered
        if not _HEX64.fullmatch(rec.hash) or rec.computed_hash() != rec.hash
    ]
    links, last_seq = _links(ordered, anchor)
    problems += links
    if expected_head is not None:
        problems += _head(ordered, expected_head, last_seq)
    return problems


def _reordered(given: list[AuditRecord]) -> list[ChainProblem]:
    """Each record that comes after a higher seq (the chain is then checked in seq order, so
    that one swap does not also read as gaps)."""
    problems = []
    highest: int | None = None
    for rec in given:
        if highest is not None and rec.seq < highest:
            problems.append(
                ChainProblem(rec.seq, "reordered", f"entry {rec.seq} is stored after entry {highest}")
            )
        highest = rec.seq if highest is None else max(highest, rec.seq)
    return problems


def _links(ordered: list[AuditRecord], anchor: tuple[int, str]) -> tuple[list[ChainProblem], int]:
    """Gaps, duplicates and broken links from `anchor` on; and the last seq seen."""
    problems = []
    prev_seq, prev_hash = anchor
    for rec in ordered:
        if rec.seq == prev_seq:
            problems.append(ChainProblem(rec.seq, "broken_link", f"entry {rec.seq} appears more than once"))
            continue
        if rec.seq > prev_seq + 1:
            problems.append(_gap(prev_seq + 1, rec.seq - 1))
        elif rec.prev_hash != prev_hash:
            problems.append(
                ChainProblem(
                    rec.seq,
                    "broken_link",
                    f"entry {rec.seq} does not follow entry {prev_seq}: an entry was rewritten or replaced",
                )
            )
        prev_seq, prev_hash = rec.seq, rec.hash
    return problems, prev_seq


def _head(ordered: list[AuditRecord], expected_head: tuple[int, str], last_seq: int) -> list[ChainProblem]:
    """The record at the head recorded elsewhere: missing (the log was cut short) or another."""
    head_seq, head_hash = expected_head
    at_head = [r for r in ordered if r.seq == head_seq]
    if not at_head:
        # (a head inside the log but missing: its gap has been reported already)
        return [_gap(last_seq + 1, head_seq)] if head_seq > last_seq else []
    if all(r.hash != head_hash for r in at_head):
        return [
            ChainProblem(
                head_seq,
                "edited",
                f"entry {head_seq} differs from the one recorded as the head: the log was rewritten",
            )
        ]
    return []


def _gap(first: int, last: int) -> ChainProblem:
    if first == last:
        return ChainProblem(first, "deleted", f"entry {first} is missing")
    return ChainProblem(first, "deleted", f"entries {first} to {last} are missing")
