"""Which tills have received each loyalty program version.

A pull names the cursor the till continues after (`PullRequest.cursor`): everything up to it
is applied in the till's store, since a till moves its cursor in the same transaction as it
applies a page (sync/worker.py). `note_pull` keeps that figure on the terminal
(`terminals.pull_cursor`, written only when it moves). A program version was received by a
till once that cursor has passed the version's change-log row (`changes` with entity
`program`: every store pulls it). The last page of a round is acknowledged by the till's next
pull, so a till shows a version as received one sync round after it applied it.

What a till says of its own cursor is its own claim: it only changes what the console shows
for that till.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from server.models import ChangeRow, Store, Terminal
from sync.protocol import PullRequest


def acknowledged(req: PullRequest, epoch: str) -> int:
    """The change-log position a pull request says the till has applied (0 when the till
    speaks of another epoch of the log: its cursor means nothing in this one)."""
    if req.epoch is not None and req.epoch != epoch:
        return 0
    return max(0, int(req.cursor))


def note_pull(s: Session, terminal_id: str, cursor: int) -> bool:
    """Keep `cursor` as the terminal's pull cursor; True when it moved (the caller commits).
    On PostgreSQL the commit does not wait for the WAL flush (`synchronous_commit` off for
    this transaction only): a note lost in a crash is harmless, the next pull writes it
    again, and a first pull of 200 pages must not wait for 200 flushes."""
    if s.get_bind().dialect.name == "postgresql":
        s.execute(text("SET LOCAL synchronous_commit TO OFF"))
    result = s.execute(
        update(Terminal)
        .where(Terminal.id == terminal_id, Terminal.pull_cursor != cursor)
        .values(pull_cursor=cursor)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


@dataclass(frozen=True, slots=True)
class TillReach:
    terminal_id: str
    store_id: str
    store_name: str
    last_seen_at: datetime | None
    received: bool


@dataclass(frozen=True, slots=True)
class VersionReach:
    version: int
    seq: int | None  # the change-log row; None if it is not in the log (should not happen)
    tills: tuple[TillReach, ...]

    @property
    def received(self) -> tuple[TillReach, ...]:
        return tuple(t for t in self.tills if t.received)

    @property
    def waiting(self) -> tuple[TillReach, ...]:
        return tuple(t for t in self.tills if not t.received)


def program_rows(s: Session) -> dict[int, int]:
    """Each published version's change-log seq (the partial index `ix_changes_program`)."""
    rows = s.execute(select(ChangeRow.key, ChangeRow.seq).where(ChangeRow.entity == "program")).all()
    out: dict[int, int] = {}
    for key, seq in rows:
        if str(key).isdigit():
            out[int(key)] = min(int(seq), out.get(int(key), int(seq)))
    return out


def reach(s: Session, versions: list[int], stores: list[str] | None = None) -> dict[int, VersionReach]:
    """For each version: every enrolled, unrevoked till (of `stores`, None: all), by store,
    and whether its pull has passed the version's row."""
    seqs = program_rows(s)
    q = (
        select(Terminal.id, Terminal.store_id, Store.name, Terminal.last_seen_at, Terminal.pull_cursor)
        .join(Store, Store.id == Terminal.store_id, isouter=True)
        .where(Terminal.enrolled_at.is_not(None), Terminal.revoked_at.is_(None))
        .order_by(Terminal.store_id, Terminal.id)
    )
    if stores is not None:
        q = q.where(Terminal.store_id.in_(stores))
    terms = s.execute(q).all()
    out: dict[int, VersionReach] = {}
    for v in versions:
        seq = seqs.get(v)
        out[v] = VersionReach(
            version=v,
            seq=seq,
            tills=tuple(
                TillReach(
                    terminal_id=tid,
                    store_id=sid,
                    store_name=name or sid,
                    last_seen_at=seen,
                    received=seq is not None and int(cursor or 0) >= seq,
                )
                for tid, sid, name, seen, cursor in terms
            ),
        )
    return out
