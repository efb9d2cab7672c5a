"""Applying what tills push (their outbox), exactly once.

* Deduplication is permanent: every event id is kept in ``events`` with a hash of what it
  carried and its result. The same id again gets the first result back (``duplicate``); the
  same id with another payload is ``rejected`` and parked (`record.py`).
* A batch is applied in one transaction, each event whole: a sale with its ledger entries,
  coupon redemptions and conflicts together. If anything unexpected fails the batch is redone
  with a savepoint per event, so one bad event is rejected (and parked) without the others.
  Deadlocks and serialisation failures redo the whole batch; nothing is committed twice
  (`batch.py`; what the batch reads up front: `prefetch.py`; what it knows: `context.py`).
* Rejected events are acknowledged and parked (``parked_events``) for review, never retried.
* One handler per event type (`handlers/`); the conflict rules of server/README.md, one
  function each (`rules.py`; a merge's mechanics in `merge.py`); members sold to under a
  shared lock get their tier and last purchase after the commit (`touch.py`).
"""

from __future__ import annotations

from server.push.batch import push
from server.push.context import Rejected, resolve_member

__all__ = ["Rejected", "push", "resolve_member"]
