"""HTTP: the customer's feedback page (``/f/{token}``, no login: the signed token is the key)
and the HQ tickets API (``/api/v1/tickets``, admin bearer token; :mod:`.tickets_api`).

``router`` (module level) is what the core's ``create_app`` includes: it finds its database
and settings on ``request.app.state`` (``db``, ``settings``; ``settings.admin_token`` guards the
tickets API) and the core's tables through :func:`server.feedback.core.core_ports`. An app may
set ``app.state.feedback_config`` to a :class:`FeedbackConfig` of its own (other rules, a test
clock). :func:`make_router` with an explicit config serves apps without the core's state.
Form bodies are parsed here (url-encoded, at most :data:`MAX_FORM_BYTES` and
:data:`MAX_FORM_FIELDS`), so the page needs no multipart library; a form that cannot be read
gets a 400 page in the customer's language before the token is even looked at.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any, Final
from urllib.parse import parse_qsl

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from app.domain.clock import utcnow
from app.domain.codes import CodeError, FeedbackClaims
from server.feedback import service
from server.feedback.core import core_ports
from server.feedback.i18n import Lang, pick_language
from server.feedback.page import SECURITY_HEADERS, FormValues, page_path, render_form, render_message
from server.feedback.tickets_api import AssignIn, CloseIn, StartIn, session_for, tickets_router

__all__ = ["AssignIn", "CloseIn", "FeedbackConfig", "StartIn", "config_from_app", "make_router", "router"]

log = logging.getLogger(__name__)

MAX_FORM_BYTES: Final = 16 * 1024
MAX_FORM_FIELDS: Final = 20  # the form has 5; a few more are tolerated, not read
MAX_TOKEN_CHARS: Final = 512  # a real token is ~200


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


class BadForm(Exception):
    """The posted form cannot be read (too large, too many fields, not UTF-8)."""


# ---------------------------------------------------------------- helpers


def _html(body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(body, status_code=status, headers=dict(SECURITY_HEADERS))


async def read_form(request: Request) -> dict[str, str]:
    """The url-encoded form, first value of each field. Raises :class:`BadForm`."""
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            raise BadForm("form too large")
    try:
        pairs = parse_qsl(
            body.decode("utf-8"),
            keep_blank_values=True,
            strict_parsing=False,
            max_num_fields=MAX_FORM_FIELDS,
            errors="strict",
        )
    except (UnicodeDecodeError, ValueError) as exc:  # max_num_fields: ValueError
        raise BadForm(str(exc)) from None
    fields: dict[str, str] = {}
    for key, value in pairs:
        fields.setdefault(key, value)
    return fields


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


def _refused(lang: Lang, exc: CodeError) -> HTMLResponse:
    # The reason goes to the log only (never the token): a customer learns nothing about why.
    log.info("feedback token refused: %s (%s)", exc.reason, exc.detail)
    return _html(render_message(lang, "refused"), 404)


def _claims(session: Session, token: str, c: FeedbackConfig) -> FeedbackClaims:
    if len(token) > MAX_TOKEN_CHARS:
        raise CodeError("malformed", "this feedback link is not valid", f"token of {len(token)} chars")
    return service.read_token(session, token, c.ports)


# ---------------------------------------------------------------- the customer's page


def show_page(c: FeedbackConfig, token: str, chosen: Lang, path: str) -> HTMLResponse:
    with session_for(c) as session:
        try:
            claims = _claims(session, token, c)
        except CodeError as exc:
            return _refused(chosen, exc)
        if service.find_feedback(session, claims) is not None:
            return _html(render_message(chosen, "already", path))
        if c.clock() - claims.issued_at > c.ports.feedback_open_for:
            return _html(render_message(chosen, "closed", path), 410)
        return _html(render_form(chosen, path, claims.receipt_no))


def _form_again(
    chosen: Lang, path: str, claims: FeedbackClaims, fields: dict[str, str], errors: list[str]
) -> HTMLResponse:
    values = FormValues(
        stars=fields.get("stars", "")[:8],
        nps=fields.get("nps", "")[:8],
        category=fields.get("category", "")[:40],
        comment=fields.get("comment", "")[:2000],
        errors=tuple(errors),
    )
    return _html(render_form(chosen, path, claims.receipt_no, values), 422)


def submit(c: FeedbackConfig, token: str, fields: dict[str, str], chosen: Lang, path: str) -> HTMLResponse:
    with session_for(c, write=True) as session:
        try:
            claims = _claims(session, token, c)
        except CodeError as exc:
            return _refused(chosen, exc)
        answer = service.parse_answer(fields)
        if isinstance(answer, list):
            return _form_again(chosen, path, claims, fields, answer)
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


# ---------------------------------------------------------------- the router

LangQuery = Annotated[str | None, Query(max_length=16)]


def make_router(cfg: FeedbackConfig | None = None, page_prefix: str = "/f") -> APIRouter:
    """The page and the tickets API; with ``cfg`` None the config comes from the app's state."""

    def get_cfg(request: Request) -> FeedbackConfig:
        return cfg if cfg is not None else config_from_app(request)

    router = APIRouter()

    @router.get(f"{page_prefix}/{{token}}", response_class=HTMLResponse, include_in_schema=False)
    def feedback_page(token: str, request: Request, lang: LangQuery = None) -> HTMLResponse:
        chosen = pick_language(lang, request.headers.get("accept-language"))
        return show_page(get_cfg(request), token, chosen, page_path(token, page_prefix))

    @router.post(f"{page_prefix}/{{token}}", response_class=HTMLResponse, include_in_schema=False)
    async def feedback_submit(token: str, request: Request, lang: LangQuery = None) -> HTMLResponse:
        accept = request.headers.get("accept-language")
        try:
            fields = await read_form(request)
        except BadForm:
            return _html(render_message(pick_language(lang, accept), "bad_form"), 400)
        chosen = pick_language(fields.get("lang") or lang, accept)
        # Blocking database work in a worker thread, as FastAPI does for sync routes.
        return await run_in_threadpool(
            submit, get_cfg(request), token, fields, chosen, page_path(token, page_prefix)
        )

    router.include_router(tickets_router(get_cfg))
    return router


# What the core's create_app includes (it looks for a module-level ``router``).
router = make_router()
