"""HTTP: the customer's feedback page (``/f/{token}``, no login: the signed token is the key)
and the HQ tickets API (``/api/v1/tickets``, admin bearer token).

``router`` (module level) is what the core's ``create_app`` includes: it finds its database
and settings on ``request.app.state`` (``db``, ``settings``; ``settings.admin_token`` guards the
tickets API) and the core's tables through :func:`server.feedback.core.core_ports`. An app may
set ``app.state.feedback_config`` to a :class:`FeedbackConfig` of its own (other rules, a test
clock). :func:`make_router` with an explicit config serves apps without the core's state.
Form bodies are parsed here (url-encoded, size-capped), so the page needs no multipart library.
"""

from __future__ import annotations

import hmac
import logging
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any, Final
from urllib.parse import parse_qsl

from fastapi import APIRouter, Depends, Header, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from app.domain.clock import utcnow
from app.domain.codes import CodeError
from server.feedback import service
from server.feedback.alerts import alerts_json
from server.feedback.core import core_ports
from server.feedback.i18n import Lang, pick_language
from server.feedback.page import SECURITY_HEADERS, FormValues, page_path, render_form, render_message
from sync.protocol import API_PREFIX

__all__ = ["FeedbackConfig", "config_from_app", "make_router", "router"]

log = logging.getLogger(__name__)

MAX_FORM_BYTES: Final = 16 * 1024


@dataclass(frozen=True, slots=True)
class FeedbackConfig:
    """What the routes need: a session factory (``sessionmaker``), the core's ports, the HQ
    admin token (empty: the tickets API answers 503) and a clock."""

    session_factory: Callable[[], Session]
    ports: service.FeedbackPorts = field(default_factory=service.FeedbackPorts)
    admin_token: str = ""
    clock: Callable[[], datetime] = utcnow
    # SQLite's single writer: the core's lock, taken around each write (None on PostgreSQL).
    write_lock: AbstractContextManager[Any] | None = None
    # Called after a submission that escalated a ticket committed (wakes the alert sender).
    on_escalation: Callable[[], None] | None = None


# ---------------------------------------------------------------- helpers


def _html(body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(body, status_code=status, headers=dict(SECURITY_HEADERS))


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"code": code, "message": message}, status_code=status)


async def _form(request: Request) -> dict[str, str]:
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            raise HTTPException(413, "form too large")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return {}
    fields: dict[str, str] = {}
    for key, value in parse_qsl(text, keep_blank_values=True, max_num_fields=20):
        fields.setdefault(key, value)
    return fields


class _CompensationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    points: int = Field(default=0, ge=0, le=100_000)
    coupon_amount: int = Field(default=0, ge=0, le=1_000_000, description="fen off")
    coupon_threshold: int = Field(default=0, ge=0, le=100_000_000)


class AssignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    assignee: str = Field(min_length=1, max_length=80)
    team: str | None = Field(default=None, max_length=40)
    actor: str = Field(default="hq", min_length=1, max_length=80)


class StartIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: str = Field(default="", max_length=500)
    actor: str = Field(default="hq", min_length=1, max_length=80)


class CloseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    resolution: str = Field(default="", max_length=2000)
    compensation: _CompensationIn | None = None
    actor: str = Field(default="hq", min_length=1, max_length=80)


# ---------------------------------------------------------------- configuration


def config_from_app(request: Request) -> FeedbackConfig:
    """The app's :class:`FeedbackConfig`: ``app.state.feedback_config`` if set, else one built
    (once) from the core's ``app.state.db`` and ``app.state.settings``."""
    state = request.app.state
    cfg: FeedbackConfig | None = getattr(state, "feedback_config", None)
    if cfg is None:
        db = state.db
        sender = getattr(state, "alert_sender", None)
        cfg = FeedbackConfig(
            session_factory=db.sessions,
            ports=core_ports(public_base_url=str(getattr(state.settings, "public_base_url", "") or "")),
            admin_token=str(getattr(state.settings, "admin_token", "") or ""),
            write_lock=None if db.is_postgres else db.write_lock,
            on_escalation=None if sender is None else sender.wake,
        )
        state.feedback_config = cfg
    return cfg


@contextmanager
def _session(cfg: FeedbackConfig, write: bool = False) -> Iterator[Session]:
    lock = cfg.write_lock if write and cfg.write_lock is not None else nullcontext()
    with lock:
        session = cfg.session_factory()
        try:
            yield session
        finally:
            session.close()


def _lang(request: Request, lang: str | None) -> Lang:
    return pick_language(lang, request.headers.get("accept-language"))


def _refused(lang: Lang, exc: CodeError) -> HTMLResponse:
    # The reason goes to the log only: a customer learns nothing about why a code fails.
    log.info("feedback token refused: %s (%s)", exc.reason, exc.detail)
    return _html(render_message(lang, "refused"), 404)


def _ticket_id(ticket_id: str) -> uuid.UUID:
    try:
        return uuid.UUID(ticket_id)
    except ValueError:
        raise HTTPException(404, "no such ticket") from None


def _run(cfg: FeedbackConfig, fn: Callable[[Session, datetime], Any]) -> Any:
    now = cfg.clock()
    with _session(cfg, write=True) as session:
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


# ---------------------------------------------------------------- the router


def make_router(cfg: FeedbackConfig | None = None, page_prefix: str = "/f") -> APIRouter:
    """The page and the tickets API; with ``cfg`` None the config comes from the app's state."""

    def _cfg(request: Request) -> FeedbackConfig:
        return cfg if cfg is not None else config_from_app(request)

    router = APIRouter()

    # ------------------------------------------------------------ customer page

    @router.get(f"{page_prefix}/{{token}}", response_class=HTMLResponse, include_in_schema=False)
    def feedback_page(token: str, request: Request, lang: str | None = None) -> HTMLResponse:
        c = _cfg(request)
        chosen = _lang(request, lang)
        path = page_path(token, page_prefix)
        with _session(c) as session:
            try:
                claims = service.read_token(session, token, c.ports)
            except CodeError as exc:
                return _refused(chosen, exc)
            if service.find_feedback(session, claims) is not None:
                return _html(render_message(chosen, "already", path))
            if c.clock() - claims.issued_at > c.ports.feedback_open_for:
                return _html(render_message(chosen, "closed", path), 410)
            return _html(render_form(chosen, path, claims.receipt_no))

    @router.post(f"{page_prefix}/{{token}}", response_class=HTMLResponse, include_in_schema=False)
    async def feedback_submit(token: str, request: Request, lang: str | None = None) -> HTMLResponse:
        c = _cfg(request)
        fields = await _form(request)
        chosen = _lang(request, fields.get("lang") or lang)
        path = page_path(token, page_prefix)
        # Blocking database work in a worker thread, as FastAPI does for sync routes.
        return await run_in_threadpool(_submit, c, token, fields, chosen, path)

    def _submit(c: FeedbackConfig, token: str, fields: dict[str, str], chosen: Lang,
                path: str) -> HTMLResponse:
        with _session(c, write=True) as session:
            try:
                claims = service.read_token(session, token, c.ports)
            except CodeError as exc:
                return _refused(chosen, exc)
            answer = service.parse_answer(fields)
            if isinstance(answer, list):
                values = FormValues(
                    stars=fields.get("stars", ""), nps=fields.get("nps", ""),
                    category=fields.get("category", ""), comment=fields.get("comment", "")[:2000],
                    errors=tuple(answer),
                )
                return _html(render_form(chosen, path, claims.receipt_no, values), 422)
            try:
                done = service.submit_feedback(session, claims, answer, chosen, c.clock(), c.ports)
                session.commit()
            except service.AlreadyAnswered:
                session.rollback()
                return _html(render_message(chosen, "already", path), 409)
            except service.FeedbackClosed:
                session.rollback()
                return _html(render_message(chosen, "closed", path), 410)
            if done.ticket is not None and done.ticket.escalated_to and c.on_escalation is not None:
                c.on_escalation()
            extra = "thanks_ticket" if done.ticket is not None else None
            return _html(render_message(chosen, "thanks", extra=extra))

    # ------------------------------------------------------------ HQ tickets API

    def _admin(request: Request, authorization: Annotated[str | None, Header()] = None) -> FeedbackConfig:
        c = _cfg(request)
        if not c.admin_token:
            raise HTTPException(503, "the tickets API is not configured (no admin token)")
        scheme, _, given = (authorization or "").partition(" ")
        ok = hmac.compare_digest(given.strip().encode(), c.admin_token.encode())
        if scheme.lower() != "bearer" or not ok:
            raise HTTPException(401, "admin bearer token required", headers={"WWW-Authenticate": "Bearer"})
        return c

    # (A local Annotated alias would not resolve under postponed annotations, hence a default.)
    admin_cfg = Depends(_admin)
    admin = APIRouter(prefix=f"{API_PREFIX}/tickets", tags=["tickets"])

    @admin.get("")
    def list_tickets(
        c: FeedbackConfig = admin_cfg,
        status: Annotated[str | None, Query(pattern="^(open|in_progress|closed)$")] = None,
        team: Annotated[str | None, Query(max_length=40)] = None,
        store_id: Annotated[str | None, Query(max_length=64)] = None,
        severity: Annotated[str | None, Query(pattern="^(normal|urgent|major)$")] = None,
        overdue: bool | None = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 100,
        offset: Annotated[int, Query(ge=0)] = 0,
    ) -> Any:
        def go(session: Session, now: datetime) -> dict[str, Any]:
            service.link_pending(session, c.ports, now)
            rows = service.list_tickets(session, now, status=status, team=team, store_id=store_id,
                                        severity=severity, overdue=overdue, limit=limit, offset=offset)
            return {"tickets": [service.ticket_json(t, now) for t in rows]}
        return _run(c, go)

    @admin.get("/{ticket_id}")
    def get_ticket(ticket_id: str, c: FeedbackConfig = admin_cfg) -> Any:
        tid = _ticket_id(ticket_id)

        def go(session: Session, now: datetime) -> dict[str, Any]:
            ticket = service.get_ticket(session, tid)
            return {**service.ticket_json(ticket, now), "history": service.history_json(ticket),
                    "alerts": alerts_json(session, tid)}
        return _run(c, go)

    @admin.post("/{ticket_id}/assign")
    def assign(ticket_id: str, body: AssignIn, c: FeedbackConfig = admin_cfg) -> Any:
        tid = _ticket_id(ticket_id)

        def go(session: Session, now: datetime) -> dict[str, Any]:
            ticket = service.assign_ticket(session, tid, body.assignee, body.actor, now, body.team)
            return service.ticket_json(ticket, now)
        return _run(c, go)

    @admin.post("/{ticket_id}/start")
    def start(ticket_id: str, body: StartIn, c: FeedbackConfig = admin_cfg) -> Any:
        tid = _ticket_id(ticket_id)

        def go(session: Session, now: datetime) -> dict[str, Any]:
            return service.ticket_json(service.set_in_progress(session, tid, body.actor, now, body.note), now)
        return _run(c, go)

    @admin.post("/{ticket_id}/close")
    def close(ticket_id: str, body: CloseIn, c: FeedbackConfig = admin_cfg) -> Any:
        tid = _ticket_id(ticket_id)
        comp = None
        if body.compensation is not None:
            try:
                comp = service.CompensationRequest(**body.compensation.model_dump())
            except ValueError as exc:
                return _error(422, "invalid_compensation", str(exc))

        def go(session: Session, now: datetime) -> dict[str, Any]:
            ticket = service.close_ticket(session, tid, body.actor, now, c.ports,
                                          resolution=body.resolution, compensation=comp)
            return {**service.ticket_json(ticket, now), "history": service.history_json(ticket)}
        return _run(c, go)

    router.include_router(admin)
    return router


# What the core's create_app includes (it looks for a module-level ``router``).
router = make_router()
