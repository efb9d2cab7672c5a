"""Enrolment, push and pull (sync.protocol)."""

from __future__ import annotations

import time
from contextlib import nullcontext
from datetime import timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi.concurrency import run_in_threadpool

from server.auth import AuthDep, enrol
from server.db import DatabaseDep, SessionDep
from server.errors import ApiError
from server.lookup import LookupLimit, lookup
from server.metrics import observe_pull, observe_push
from server.pull import pull_body
from server.push import push
from server.reach import acknowledged, note_pull
from sync.protocol import (
    EnrolRequest,
    EnrolResponse,
    ErrorBody,
    LookupResponse,
    PullRequest,
    PullResponse,
    PushRequest,
    PushResponse,
)

_ERRORS: dict[int | str, dict[str, object]] = {
    401: {"model": ErrorBody, "description": "no, unknown or expired credentials"},
    403: {"model": ErrorBody, "description": "the terminal is revoked"},
    409: {"model": ErrorBody, "description": "another device presents this terminal's credentials"},
    413: {"model": ErrorBody, "description": "body too large"},
    422: {"model": ErrorBody, "description": "malformed request"},
}

router = APIRouter()
LookupReason = Literal["checkout", "refund", "register", "support"]  # server.lookup.LOOKUP_REASONS


@router.post("/enrol", response_model=EnrolResponse, responses=_ERRORS)
def post_enrol(body: EnrolRequest, s: SessionDep, request: Request) -> EnrolResponse:
    resp = enrol(s, body)
    s.commit()
    return resp.model_copy(update={"feedback_base_url": feedback_base_url(request)})


FEEDBACK_PAGE_PREFIX = "/f/"  # server.feedback.routes.make_router's page prefix


def feedback_base_url(request: Request) -> str:
    """The feedback page's base as a customer's phone reaches it: the configured
    `public_base_url`, else the address this request came to."""
    settings = getattr(request.app.state, "settings", None)
    public = str(getattr(settings, "public_base_url", "") or "")
    base = public or str(request.base_url)
    return base.rstrip("/") + FEEDBACK_PAGE_PREFIX


@router.post("/sync/push", response_model=PushResponse, responses=_ERRORS)
def post_push(body: PushRequest, term: AuthDep, db: DatabaseDep, request: Request) -> PushResponse:
    started = time.perf_counter()
    resp = push(db, term.id, body, request.app.state.epoch)
    observe_push(body, resp, time.perf_counter() - started)
    return resp


@router.post("/sync/pull", response_model=PullResponse, responses=_ERRORS)
def post_pull(body: PullRequest, term: AuthDep, s: SessionDep, db: DatabaseDep, request: Request) -> Response:
    # Written straight from the change log (server/pull.py), in the shape of PullResponse.
    epoch = request.app.state.epoch
    page = pull_body(s, body, term.store_id, term.id, epoch)
    observe_pull(term.store_id, page)
    # What the till says it has applied, for the console's "which tills have the program".
    s.rollback()  # the page's read is done; the note is its own short write
    with db.write_lock if not db.is_postgres else nullcontext(), db.sessions() as w:
        if note_pull(w, term.id, acknowledged(body, epoch)):
            w.commit()
    return Response(page, media_type="application/json")


_LOOKUP_ERRORS: dict[int | str, dict[str, object]] = {
    **_ERRORS,
    429: {"model": ErrorBody, "description": "this till made too many look-ups; see Retry-After"},
}


@router.get("/members/lookup", response_model=LookupResponse, responses=_LOOKUP_ERRORS)
def get_lookup(
    term: AuthDep,
    s: SessionDep,
    db: DatabaseDep,
    phone: Annotated[str | None, Query(max_length=40)] = None,
    code: Annotated[str | None, Query(max_length=400)] = None,
    reason: Annotated[LookupReason, Query(description="why the till asks")] = "checkout",
) -> LookupResponse:
    """Recorded (which till, when, why, which member) and limited per till (429)."""
    if phone and code:
        raise ApiError(422, "lookup_needs_phone_or_code", "Give a phone number or a member code, not both.")
    st = db.settings
    limit = LookupLimit(st.lookup_limit, timedelta(seconds=st.lookup_window_s))
    return lookup(s, term.id, term.store_id, phone, code, st.lookup_ledger_limit, limit, reason)


__all__ = ["router", "run_in_threadpool"]
