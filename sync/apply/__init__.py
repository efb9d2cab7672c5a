"""Applying pulled changes (sync/protocol.ENTITIES) to the till's store.

Rules:
- A page and its cursor commit in one SQLite transaction. A `member_alias` change is applied
  through `app.services.merges.apply_merge`, which runs its own transaction; the page is then
  split there: the changes before it commit with the cursor just before the merge, the merge
  commits (it is idempotent, so a crash in between only repeats it), and the rest follows.
- A row with a local change the server has not acknowledged yet (its outbox event is unsent)
  is never overwritten: a member registered or seen in an unsent event, a coupon redeemed or
  issued in one. The server sends the row again once it has applied the till's event.
  Except a member the server merged away (its row comes with the merge placeholder phone,
  `app.domain.merges.merged_phone`): the server books the till's events to the survivor and
  never sends that row again, so it is taken at once and the survivor and the alias follow.
- The ledger is append-only: an entry the till holds already is never changed, and entries of
  this till's own sales or refunds are not added twice.
- One bad change (unreadable data, unknown member) is skipped and reported; it does not stop
  the page (a poison change must not stall sync forever).
- `revocation` and `public_key` changes make the context drop its cached trust.

Where it lives: `entities` decides each change (once, for both paths) against the
`app.ports.PulledRows` port; its adapters are in the store (`app.store.pulled`):
`SessionRows` answers it change by change from the session, `BulkRows` for a whole run from a
few set-based queries, storing new rows in bulk. `page` splits a page into runs and merges and
keeps the cursor; `report` holds the outcome counts. sync/ does not import the store's mapping
(an import-linter contract).
"""

from __future__ import annotations

from app.store.pulled import BadChange, Dirty, row_values, unsent_changes
from sync.apply.page import apply_page, cache_rows
from sync.apply.report import ApplyReport

__all__ = ["ApplyReport", "BadChange", "Dirty", "apply_page", "cache_rows", "row_values", "unsent_changes"]
