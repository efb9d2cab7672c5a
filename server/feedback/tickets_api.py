"""HTTP: the HQ tickets API (``/api/v1/tickets``, admin bearer token), built by
:func:`tickets_router` for :func:`server.feedback.routes.make_router`.

Every route is a thin call into :mod:`server.feedback.service` inside :func:`run` (one
transaction, the service's errors as ``{code, message}`` 404/409). Query parameters are
bounded (``limit`` 1-500, ``offset`` at most :data:`MAX_OFFSET`), so no input reaches the
database as a value it cannot hold.
"""

from __future__ import annotations

import hmac
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from server.bounds import MAX_OFFSET, Text
from server.feedback import service
from server.feedback.alerts import alerts_json
from sync.protocol import API_PREFIX

if TYPE_CHECKING:
    from server.feedback.routes import FeedbackConfig

__all__ = ["AssignIn", "CloseIn", "StartIn", "run", "session_for", "tickets_router"]

hq_token = HTTPBearer(
    auto_error=False, scheme_name="hqToken", description="HQ's admin token (LT_SERVER_ADMIN_TOKEN)"
)


class _CompensationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    points: int = Field(default=0, ge=0, le=100_000)
    coupon_amount: int = Field(default=0, ge=0, le=1_000_000, description="fen off")
    coupon_threshold: int = Field(default=0, ge=0, le=100_000_000)


class AssignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    assignee: Text = Field(min_length=1, max_length=80)
    team: Text | None = Field(default=None, max_length=40)
    actor: Text = Field(default="hq", min_length=1, max_length=80)


class StartIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: Text = Field(default="", max_length=500)
    actor: Text = Field(default="hq", min_length=1, max_length=80)


class CloseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    resolution: Text = Field(default="", max_length=2000)
    compensation: _CompensationIn | None = None
    actor: Text = Field(default="hq", min_length=1, max_length=80)


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"code": code, "message": message}, status_code=status)


@contextmanager
def session_for(cfg: FeedbackConfig, write: bool = False) -> Iterator[Session]:
    """A session from the config's factory; with ``write``, under its write lock (SQLite)."""
    lock: AbstractContextManager[Any] = (
        cfg.write_lock if write and cfg.write_lock is not None else nullcontext()
    )
    with lock:
        session = cfg.session_factory()
        try:
            yield session
        finally:
            session.close()


def run(cfg: FeedbackConfig, fn: Callable[[Session, datetime], Any]) -> Any:
    """``fn(session, now)`` in one committed transaction; the service's errors as 404/409."""
    now = cfg.clock()
    with session_for(cfg, write=True) as session:
        try:
            result = fn(session, now)
            session.commit()
            return result
        except service.TicketNotFound as exc:
            session.rollback()
            return _error(404, exc.code, str(exc))
        except (service.InvalidTransition, service.CannotCompensate) as exc:
            session.rollback()
            return _error(409, exc.code, str(exc))


def _ticket_id(ticket_id: str) -> uuid.UUID:
    try:
        return uuid.UUID(ticket_id)
    except ValueError:
        raise HTTPException(404, "no such ticket") from None


def _check_admin(c: FeedbackConfig, credentials: HTTPAuthorizationCredentials | None) -> FeedbackConfig:
    if not c.admin_token:
        raise HTTPException(503, "the tickets API is not configured (no admin token)")
    given = credentials.credentials.strip() if credentials is not None else ""
    if not hmac.compare_digest(given.encode(), c.admin_token.encode()):
        raise HTTPException(401, "admin bearer token required", headers={"WWW-Authenticate": "Bearer"})
    return c


# ---------------------------------------------------------------- what each route does


def _list(c: FeedbackConfig, filters: dict[str, Any]) -> Any:
    def go(session: Session, now: datetime) -> dict[str, Any]:
        service.link_pending(session, c.ports, now)
        rows = service.list_tickets(session, now, **filters)
        return {"tickets": [service.ticket_json(t, now) for t in rows]}

    return run(c, go)


def _get(c: FeedbackConfig, tid: uuid.UUID) -> Any:
    def go(session: Session, now: datetime) -> dict[str, Any]:
        ticket = service.get_ticket(session, tid)
        return {
            **service.ticket_json(ticket, now),
            "history": service.history_json(ticket),
            "alerts": alerts_json(session, tid),
        }

    return run(c, go)


def _assign(c: FeedbackConfig, tid: uuid.UUID, body: AssignIn) -> Any:
    def go(session: Session, now: datetime) -> dict[str, Any]:
        ticket = service.assign_ticket(session, tid, body.assignee, body.actor, now, body.team)
        return service.ticket_json(ticket, now)

    return run(c, go)


def _start(c: FeedbackConfig, tid: uuid.UUID, body: StartIn) -> Any:
    def go(session: Session, now: datetime) -> dict[str, Any]:
        return service.ticket_json(service.set_in_progress(session, tid, body.actor, now, body.note), now)

    return run(c, go)


def _close(c: FeedbackConfig, tid: uuid.UUID, body: CloseIn) -> Any:
    comp = None
    if body.compensation is not None:
        try:
            comp = service.CompensationRequest(**body.compensation.model_dump())
        except ValueError as exc:
            return _error(422, "invalid_compensation", str(exc))

    def go(session: Session, now: datetime) -> dict[str, Any]:
        ticket = service.close_ticket(
            session, tid, body.actor, now, c.ports, resolution=body.resolution, compensation=comp
        )
        return {**service.ticket_json(ticket, now), "history": service.history_json(ticket)}

    return run(c, go)


# ---------------------------------------------------------------- the router


def tickets_router(get_cfg: Callable[[Request], FeedbackConfig]) -> APIRouter:
    """``/api/v1/tickets``: list, read, assign, start, close; behind the admin token."""

    def admin(
        request: Request,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(hq_token)] = None,
    ) -> FeedbackConfig:
        return _check_admin(get_cfg(request), credentials)

    # (A local Annotated alias would not resolve under postponed annotations, hence a default.)
    admin_cfg = Depends(admin)
    api = APIRouter(prefix=f"{API_PREFIX}/tickets", tags=["tickets"])

    @api.get("")
    def list_tickets(
        c: FeedbackConfig = admin_cfg,
        status: Annotated[str | None, Query(pattern="^(open|in_progress|closed)$")] = None,
        team: Annotated[str | None, Query(max_length=40, pattern=r"^[^\x00-\x1f\x7f]*$")] = None,
        store_id: Annotated[str | None, Query(max_length=64, pattern=r"^[^\x00-\x1f\x7f]*$")] = None,
        severity: Annotated[str | None, Query(pattern="^(normal|urgent|major)$")] = None,
        overdue: bool | None = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 100,
        offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
    ) -> Any:
        return _list(
            c,
            {
                "status": status,
                "team": team,
                "store_id": store_id,
                "severity": severity,
                "overdue": overdue,
                "limit": limit,
                "offset": offset,
            },
        )

    @api.get("/{ticket_id}")
    def get_ticket(ticket_id: str, c: FeedbackConfig = admin_cfg) -> Any:
        return _get(c, _ticket_id(ticket_id))

    @api.post("/{ticket_id}/assign")
    def assign(ticket_id: str, body: AssignIn, c: FeedbackConfig = admin_cfg) -> Any:
        return _assign(c, _ticket_id(ticket_id), body)

    @api.post("/{ticket_id}/start")
    def start(ticket_id: str, body: StartIn, c: FeedbackConfig = admin_cfg) -> Any:
        return _start(c, _ticket_id(ticket_id), body)

    @api.post("/{ticket_id}/close")
    def close(ticket_id: str, body: CloseIn, c: FeedbackConfig = admin_cfg) -> Any:
        return _close(c, _ticket_id(ticket_id), body)

    return api
