"""Online lookup of a member the till has not cached (by phone or member code).

The till waits at most `server.lookup_timeout_ms` (1.5 s by default), wall clock, then
carries on offline. A member found is cached in the store (member, ledger, coupons), so the
next identification is local.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass

from app.domain.codes import looks_like_member_code
from app.domain.ids import MemberId
from app.domain.members import is_valid_card_number, normalize_phone
from app.services.context import TillContext
from app.services.errors import NotFound
from app.services.members import MemberView, identify
from sync.apply import ApplyReport, cache_rows
from sync.client import ServerClient, SyncError, client_for
from sync.protocol import Change, LookupResponse

log = logging.getLogger(__name__)

# Why a till asks the server for a member (the server's `reason`, recorded with the look-up).
REASONS = ("checkout", "refund", "register", "support")

_executor: ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()


def _pool() -> ThreadPoolExecutor:
    global _executor
    with _executor_lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="till-lookup")
        return _executor


def shutdown(wait: bool = True) -> None:
    """Stop the lookup threads (at exit, and in tests); a later lookup starts them again."""
    global _executor
    with _executor_lock:
        pool, _executor = _executor, None
    if pool is not None:
        pool.shutdown(wait=wait, cancel_futures=True)


@dataclass(frozen=True)
class LookupOutcome:
    found: bool
    answered: bool  # the server answered within the time allowed
    member_id: MemberId | None = None
    message: str = ""
    cached: ApplyReport | None = None


def _changes(resp: LookupResponse) -> list[Change]:
    assert resp.member is not None
    out = [Change(seq=1, entity="member", op="upsert", key=str(resp.member.get("id", "")), data=resp.member)]
    out += [
        Change(seq=1, entity="ledger_entry", op="upsert", key=str(r.get("id", "")), data=r)
        for r in resp.ledger
    ]
    out += [
        Change(seq=1, entity="coupon", op="upsert", key=str(r.get("id", "")), data=r) for r in resp.coupons
    ]
    return out


def lookup_member(
    ctx: TillContext,
    *,
    phone: str | None = None,
    code: str | None = None,
    client_factory: Callable[[float], ServerClient] | None = None,
    reason: str = "checkout",
) -> LookupOutcome:
    """Ask the server for a member; never waits longer than the configured lookup timeout.
    `reason` is why (one of REASONS); the server records it with the look-up."""
    if reason not in REASONS:
        raise ValueError(f"unknown look-up reason {reason!r}")
    timeout = ctx.config.server.lookup_timeout_ms / 1000

    def factory(t: float) -> ServerClient:
        return client_for(ctx.home, ctx.config.server.url, connect_timeout_s=t, read_timeout_s=t)

    make = client_factory or factory

    def ask() -> LookupResponse:
        with make(timeout) as client:  # its own session: the worker's is not shared
            return client.lookup(phone=phone, code=code, timeout_s=timeout, reason=reason)

    future: Future[LookupResponse] = _pool().submit(ask)
    try:
        resp = future.result(timeout=timeout)
    except FutureTimeout:
        future.cancel()
        return LookupOutcome(False, False, message=f"The server did not answer within {timeout:g} s.")
    except SyncError as exc:  # the client's own timeout of the same length may come first
        late = exc.code == "timeout"
        message = f"The server did not answer within {timeout:g} s." if late else exc.message
        return LookupOutcome(False, False, message=message)
    if not resp.found or resp.member is None:
        return LookupOutcome(False, True, message="The server knows no such member.")
    report = cache_rows(ctx, _changes(resp))
    try:
        member_id = MemberId(uuid.UUID(str(resp.member["id"])))
    except (KeyError, ValueError):
        return LookupOutcome(False, True, message="The server's answer named no member id.", cached=report)
    return LookupOutcome(True, True, member_id, "Found on the server.", cached=report)


def identify_online(
    ctx: TillContext,
    text: str,
    client_factory: Callable[[float], ServerClient] | None = None,
    reason: str = "checkout",
) -> MemberView:
    """`identify`, and when the till has nobody for a phone or code, ask the server (waiting at
    most the lookup timeout) and identify again from what it sent. Raises the local NotFound
    when the server does not know the member or does not answer in time."""
    try:
        return identify(ctx, text)
    except NotFound:
        text = text.strip()
        if looks_like_member_code(text):
            outcome = lookup_member(ctx, code=text, client_factory=client_factory, reason=reason)
        elif is_valid_card_number(text):
            raise
        else:
            outcome = lookup_member(
                ctx, phone=normalize_phone(text), client_factory=client_factory, reason=reason
            )
        if not outcome.found:
            log.info("online lookup: %s", outcome.message)
            raise
        return identify(ctx, text)
