"""Applying a pulled page: its runs of ordinary changes (in bulk when it can, else change by
change), the merges between them, and the cursor (see the `sync.apply` docstring)."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from app.domain.ids import MemberId
from app.services.context import TillContext
from app.services.errors import TillError
from app.services.merges import apply_merge
from app.store.pulled import BulkRows, Dirty, SessionRows, parse_uuid, unsent_changes
from app.store.sync_state import set_cursor
from sync.apply.entities import Applier
from sync.apply.report import ApplyReport
from sync.protocol import Change

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

# A change its handler refuses (unreadable data): reported as failed, the rest goes on.
_REFUSED = (ValueError, TypeError, KeyError)


def _refused(report: ApplyReport, ch: Change, exc: Exception) -> str:
    report.note(f"change {ch.seq} ({ch.entity} {ch.key}): {exc}")
    return "failed"


def _bulk_run(
    ctx: TillContext, s: Session, dirty: Dirty, report: ApplyReport, changes: Sequence[Change]
) -> list[str]:
    """Every change of the run decided against `BulkRows`, stored in one flush at the end. A
    change the rules refuse has stored nothing (see `sync.apply.entities`) and is reported as
    the per-change path reports it; anything else raises."""
    rows = BulkRows(s, changes)
    applier = Applier(ctx, rows, dirty, report)
    outcomes = []
    for ch in changes:
        try:
            outcomes.append(applier.apply(ch))
        except _REFUSED as exc:
            outcomes.append(_refused(report, ch, exc))
    rows.flush()
    return outcomes


def apply_run(
    ctx: TillContext,
    s: Session,
    dirty: Dirty,
    report: ApplyReport,
    changes: Sequence[Change],
    *,
    bulk: bool = True,
) -> list[str]:
    """The outcome of each change of a run (no merge inside). The whole run is first tried in
    one SAVEPOINT through `BulkRows`; if anything in it raises (a constraint, a case the bulk
    path leaves alone), that savepoint is rolled back and the run is redone change by change.
    Outcomes and notes reach `report` only from the attempt that stands."""
    if bulk and len(changes) > 1:
        scratch = ApplyReport()
        try:
            with s.begin_nested():
                outcomes = _bulk_run(ctx, s, dirty, scratch, changes)
        except Exception as exc:  # redo it change by change, which reports what went wrong
            log.debug("pulled run of %d changes redone one by one: %s", len(changes), type(exc).__name__)
        else:
            for text in scratch.problems:
                report.note(text)
            report.trust_changed = report.trust_changed or scratch.trust_changed
            return outcomes
    applier = Applier(ctx, SessionRows(s), dirty, report)
    return [apply_one(applier, s, ch) for ch in changes]


def apply_one(applier: Applier, s: Session, ch: Change) -> str:
    """One change in its own SAVEPOINT: a change that fails is rolled back and reported."""
    try:
        with s.begin_nested():
            outcome = applier.apply(ch)
            s.flush()
        return outcome
    except _REFUSED as exc:
        return _refused(applier.report, ch, exc)
    except Exception as exc:  # an integrity error etc.: skip this change, keep the page
        applier.report.note(f"change {ch.seq} ({ch.entity} {ch.key}): {type(exc).__name__}")
        log.warning("pulled change %s (%s) not applied: %s", ch.seq, ch.entity, type(exc).__name__)
        return "failed"


def _segments(changes: Sequence[Change]) -> Iterable[tuple[list[Change], Change | None]]:
    """Runs of ordinary changes, each followed by the merge that ends it (or None)."""
    run: list[Change] = []
    for ch in changes:
        if ch.entity == "member_alias" and ch.op == "upsert":
            yield run, ch
            run = []
        else:
            run.append(ch)
    yield run, None


def _merge(ctx: TillContext, ch: Change, report: ApplyReport) -> None:
    alias_id = parse_uuid(ch.data.get("alias_id") or ch.key)
    member_id = parse_uuid(ch.data.get("member_id"))
    if alias_id is None or member_id is None or alias_id == member_id:
        report.failed += 1
        report.note(f"change {ch.seq}: unreadable member_alias")
        return
    with ctx.uow(write=False) as uow:
        rows = SessionRows(uow.session)
        survivor_known = rows.member(member_id) is not None
        merged_known = rows.member(alias_id) is not None
    if not survivor_known:
        report.skipped += 1
        if merged_known:
            report.note(f"change {ch.seq}: merge into member {member_id} not cached here")
        return
    try:
        apply_merge(ctx, MemberId(member_id), MemberId(alias_id))
    except TillError as exc:
        report.failed += 1
        report.note(f"change {ch.seq}: merge not applied: {exc.message}")
        return
    report.merges += 1
    report.applied += 1


def cache_rows(ctx: TillContext, changes: Sequence[Change]) -> ApplyReport:
    """Store rows the server sent outside a pull (an online member lookup): the same rules,
    one transaction, and the pull cursor untouched. Merges are not applied here."""
    report = ApplyReport()
    with ctx.uow() as uow:
        s = uow.session
        applier = Applier(ctx, SessionRows(s), unsent_changes(s), report)
        for ch in changes:
            if ch.entity == "member_alias":
                report.skipped += 1
                continue
            outcome = apply_one(applier, s, ch)
            report.count("failed" if outcome == "conflict" else outcome)
            if outcome == "conflict":
                report.note(f"{ch.entity} {ch.key}: phone or card held by another member here")
        uow.commit()
    if report.trust_changed:
        ctx.invalidate_trust()
    return report


def apply_page(ctx: TillContext, changes: Sequence[Change], cursor: int, *, bulk: bool = True) -> ApplyReport:
    """Apply one pulled page and store `cursor` with it (see the `sync.apply` docstring).
    `bulk=False` applies every change on its own (the reference the bulk path must equal)."""
    report = ApplyReport()
    deferred: list[Change] = []  # members whose phone or card another local row holds (a merge)
    for run, merge in _segments(changes):
        with ctx.uow() as uow:
            s = uow.session
            todo = [*deferred, *run]
            deferred = []
            outcomes = apply_run(ctx, s, unsent_changes(s), report, todo, bulk=bulk)
            for ch, outcome in zip(todo, outcomes, strict=True):
                if outcome == "conflict":
                    deferred.append(ch)
                else:
                    report.count(outcome)
            set_cursor(s, _cursor_after(report, deferred, merge, cursor))
            if merge is None:
                deferred = []
            uow.commit()
        if merge is not None:
            _merge(ctx, merge, report)
    if report.trust_changed:
        ctx.invalidate_trust()
    if any(ch.entity == "program" for ch in changes):
        ctx.reload_program()  # here, on the sync thread: the screens then read it ready
    return report


def _cursor_after(report: ApplyReport, deferred: list[Change], merge: Change | None, cursor: int) -> int:
    """Where the cursor stands after a run: past the page when no merge follows (what is still
    deferred then fails), else short of the merge and of anything deferred, so that a crash
    re-delivers them."""
    if merge is None:
        for ch in deferred:
            report.failed += 1
            report.note(f"change {ch.seq}: member {ch.key}: phone or card held by another member here")
        return cursor
    upto = merge.seq - 1
    if deferred:
        upto = min(upto, min(ch.seq for ch in deferred) - 1)
    return upto
