"""The console's request machinery: who is signed in, CSRF on every form, rendering.

Every console route takes a :class:`Ctx` (``Depends(page)`` for GETs, ``Depends(action)`` for
POSTs, which also checks the CSRF token and reads the form). :class:`ConsoleRoute` turns the
console's exceptions into HTML pages (sign-in redirect, 403, 404, a form error) so no
traceback or JSON error reaches a person in a browser.
"""

from __future__ import annotations

import hmac
import logging
import time
import uuid
from collections.abc import Callable, Coroutine, Iterator
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Final
from zoneinfo import ZoneInfo

from fastapi import Depends, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context, select_autoescape
from jinja2.runtime import Context
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.domain.clock import DEFAULT_TZ, utcnow
from app.domain.ids import new_id
from app.domain.money import format_fen
from server.console import accounts
from server.console.i18n import LANGS, Lang, pick_lang, t
from server.console.models import ConsoleAudit, StaffSession, StaffUser
from server.feedback import service as fb_service
from server.intel.config import IntelConfig
from server.models import Store, Terminal

log = logging.getLogger(__name__)

PREFIX: Final = "/console"
SESSION_COOKIE: Final = "lt_console"
LANG_COOKIE: Final = "lt_lang"
TEMPLATES = Path(__file__).parent / "templates"

SECURITY_HEADERS: Final = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; "
        "base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
}


class Redirect(Exception):
    def __init__(self, to: str) -> None:
        super().__init__(to)
        self.to = to


class Refused(Exception):
    """403/404/400/409 shown as a page (or a fragment for htmx) with a translated message."""

    def __init__(self, status: int, key: str, **kw: object) -> None:
        super().__init__(key)
        self.status = status
        self.key = key
        self.kw = kw


@dataclass
class Ctx:
    request: Request
    s: Session
    now: datetime
    lang: Lang
    user: StaffUser | None = None
    session: StaffSession | None = None
    form: FormData | None = None
    perms: frozenset[str] = field(default_factory=frozenset)
    _zones: dict[str, ZoneInfo] | None = field(default=None, repr=False)
    _terminal_stores: dict[str, str] | None = field(default=None, repr=False)

    _attention: int | None = field(default=None, repr=False)

    @property
    def attention(self) -> int:
        """Tickets this user may work that are past their SLA or escalated, in its stores
        (the alert every page shows); 0 for a user who does not work tickets."""
        if not self.can("tickets.work"):
            return 0
        if self._attention is None:
            self._attention = fb_service.count_attention(self.s, self.now, self.stores)
        return self._attention

    def zone(self, store_id: str | None) -> ZoneInfo:
        """The store's zone (`stores.timezone`); the chain's for none or a store not known."""
        if store_id is None:
            return chain_zone()
        if self._zones is None:
            self._zones = {}
            for sid, name in self.s.execute(select(Store.id, Store.timezone)):
                try:
                    self._zones[sid] = ZoneInfo(name)
                except (ValueError, KeyError):
                    self._zones[sid] = DEFAULT_TZ
        return self._zones.get(store_id, DEFAULT_TZ)

    def terminal_zone(self, terminal_id: str | None) -> ZoneInfo:
        """The zone of the store a till belongs to (the chain's for none)."""
        if terminal_id is None:
            return chain_zone()
        if self._terminal_stores is None:
            rows = self.s.execute(select(Terminal.id, Terminal.store_id))
            self._terminal_stores = {tid: sid for tid, sid in rows}
        store = self._terminal_stores.get(terminal_id)
        return self.zone(store) if store else chain_zone()

    @property
    def htmx(self) -> bool:
        return self.request.headers.get("hx-request") == "true"

    def can(self, perm: str) -> bool:
        return perm in self.perms

    def require(self, perm: str) -> None:
        if perm not in self.perms:
            raise Refused(403, "err_forbidden")

    @property
    def stores(self) -> list[str] | None:
        """The stores this user may see, or None for all (HQ roles)."""
        if self.user is None or self.user.role not in accounts.SCOPED_ROLES:
            return None
        return list(self.user.store_ids or [])

    def may_see_store(self, store_id: str | None) -> bool:
        return self.stores is None or (store_id is not None and store_id in self.stores)

    def t(self, key: str, **kw: object) -> str:
        return t(self.lang, key, **kw)

    def field(self, name: str, limit: int = 2000) -> str:
        raw = self.form.get(name) if self.form is not None else None
        return raw.strip()[:limit] if isinstance(raw, str) else ""

    def audit(self, action: str, target: str = "", **detail: Any) -> None:
        """One line of the console's audit trail, in this request's transaction."""
        self.s.add(
            ConsoleAudit(
                id=new_id(),
                at=self.now,
                user_id=self.user.id if self.user else None,
                username=self.user.username if self.user else "-",
                action=action,
                target=target[:80],
                detail=detail,
            )
        )

    @property
    def csrf(self) -> str:
        return self.session.csrf if self.session else ""


def _lang(request: Request, user: StaffUser | None) -> Lang:
    return pick_lang(
        request.query_params.get("lang"),
        request.cookies.get(LANG_COOKIE),
        user.lang if user else None,
        request.headers.get("accept-language"),
    )


def _open(request: Request) -> Session:
    s: Session = request.app.state.db.sessions()
    return s


def _signed_in(request: Request, s: Session, now: datetime) -> Ctx:
    found = accounts.session_user(s, request.cookies.get(SESSION_COOKIE, ""), now)
    if found is None:
        nxt = request.url.path if request.method == "GET" else PREFIX
        raise Redirect(f"{PREFIX}/login?next={nxt}")
    sess, user = found
    return Ctx(
        request=request,
        s=s,
        now=now,
        lang=_lang(request, user),
        user=user,
        session=sess,
        perms=accounts.PERMISSIONS.get(user.role, frozenset()),
    )


def page(request: Request) -> Iterator[Ctx]:
    """A signed-in GET; the session is committed afterwards (sliding expiry, reveals' audit)."""
    s = _open(request)
    try:
        ctx = _signed_in(request, s, utcnow())
        yield ctx
        s.commit()
    finally:
        s.close()


async def read_form(request: Request) -> FormData:
    try:
        return await request.form(max_files=2, max_fields=60)
    except (ValueError, AssertionError, StarletteHTTPException) as exc:
        raise Refused(400, "err_bad_form") from exc


def csrf_ok(expected: str, request: Request, form: FormData) -> bool:
    given = request.headers.get("x-csrf-token") or form.get("csrf") or ""
    return (
        bool(expected) and isinstance(given, str) and hmac.compare_digest(given.encode(), expected.encode())
    )


def action(request: Request, form: Annotated[FormData, Depends(read_form)]) -> Iterator[Ctx]:
    """A signed-in POST: the form is read and its CSRF token checked before anything else."""
    db = request.app.state.db
    lock = db.write_lock if not db.is_postgres else nullcontext()
    with lock:
        s = _open(request)
        try:
            ctx = _signed_in(request, s, utcnow())
            if not csrf_ok(ctx.csrf, request, form):
                log.warning("console: CSRF token refused on %s", request.url.path)
                raise Refused(403, "err_csrf")
            ctx.form = form
            yield ctx
            s.commit()
        finally:
            s.close()


# ---------------------------------------------------------------- rendering


@cache
def chain_zone() -> ZoneInfo:
    """The chain's zone (`LT_INTEL_DEFAULT_TZ`, as intel's chain-wide figures): chain-wide times
    (campaigns, batches, the audit trail) are shown and entered in it."""
    return ZoneInfo(IntelConfig().default_tz)


def zone_label(local: datetime) -> str:
    """``UTC+8``, ``UTC-5``, ``UTC+5:30``: the offset a shown time is in."""
    off = local.utcoffset() or timedelta(0)
    minutes = int(off.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    h, m = divmod(abs(minutes), 60)
    return f"UTC{sign}{h}" + (f":{m:02d}" if m else "")


def _zone_for(context: Context, store: str | None, terminal: str | None) -> ZoneInfo:
    ctx = context.get("ctx")
    if not isinstance(ctx, Ctx):
        return chain_zone()
    if store is not None:
        return ctx.zone(store)
    if terminal is not None:
        return ctx.terminal_zone(terminal)
    return chain_zone()


def _as_time(value: object) -> datetime | None:
    if isinstance(value, str):  # an ISO time kept in JSON (a conflict's details)
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    return value if isinstance(value, datetime) and value.tzinfo is not None else None


@pass_context
def _when(context: Context, value: object, store: str | None = None, terminal: str | None = None) -> str:
    """A time in the zone it belongs to (the store's, the till's store's, else the chain's),
    with that zone's offset: ``2026-12-03 14:05 UTC+8``."""
    at = _as_time(value)
    if at is None:
        return str(value) if value else "—"
    local = at.astimezone(_zone_for(context, store, terminal))
    return f"{local:%Y-%m-%d %H:%M} {zone_label(local)}"


@pass_context
def _day(context: Context, value: object, store: str | None = None, terminal: str | None = None) -> str:
    """The calendar day of a time in the zone it belongs to (as `_when`)."""
    at = _as_time(value)
    if at is None:
        return str(value) if value else "—"
    return f"{at.astimezone(_zone_for(context, store, terminal)):%Y-%m-%d}"


def _env() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["fen"] = lambda v: format_fen(int(v or 0))
    env.filters["when"] = _when
    env.filters["day"] = _day
    env.filters["iso"] = lambda v: v.isoformat() if v else ""
    env.globals["PREFIX"] = PREFIX
    env.globals["LANGS"] = LANGS
    return env


ENV: Final = _env()


def render(ctx: Ctx, template: str, status_code: int = 200, **values: Any) -> HTMLResponse:
    tpl = ENV.get_template(template)
    html = tpl.render(ctx=ctx, lang=ctx.lang, _=lambda key, **kw: t(ctx.lang, key, **kw), **values)
    return HTMLResponse(html, status_code=status_code, headers=dict(SECURITY_HEADERS))


def render_plain(
    request: Request, template: str, lang: Lang, status_code: int = 200, **values: Any
) -> HTMLResponse:
    """A page for someone not signed in (sign-in, errors before a session)."""
    tpl = ENV.get_template(template)
    html = tpl.render(ctx=None, lang=lang, _=lambda key, **kw: t(lang, key, **kw), **values)
    return HTMLResponse(html, status_code=status_code, headers=dict(SECURITY_HEADERS))


def go(ctx: Ctx, to: str) -> Response:
    """After a successful form: back to a page (htmx follows HX-Redirect)."""
    if ctx.htmx:
        return Response(status_code=204, headers={"HX-Redirect": to, **SECURITY_HEADERS})
    return RedirectResponse(to, status_code=303, headers=dict(SECURITY_HEADERS))


def parse_uuid(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise Refused(404, "err_not_found") from None


class ConsoleRoute(APIRoute):
    """Console routes answer in HTML whatever goes wrong."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def wrapped(request: Request) -> Response:
            started = time.perf_counter()
            try:
                resp = await handler(request)
                # What the page cost the server (read by bench/bench_console.py, shown in devtools).
                resp.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.2f}"
                return resp
            except Redirect as r:
                if request.headers.get("hx-request") == "true":
                    return Response(status_code=204, headers={"HX-Redirect": r.to})
                return RedirectResponse(r.to, status_code=303)
            except Refused as exc:
                return _refused(request, exc.status, exc.key, exc.kw)
            except RequestValidationError:
                return _refused(request, 400, "err_bad_form", {})

        return wrapped


def _refused(request: Request, status: int, key: str, kw: dict[str, object]) -> HTMLResponse:
    lang = _lang(request, None)
    if "field" in kw:  # the form field's label, in the reader's language
        kw = {**kw, "field": t(lang, f"field_{kw['field']}")}
    if request.headers.get("hx-request") == "true":
        frag = f'<p class="error" role="alert">{_escape(t(lang, key, **kw))}</p>'
        # htmx swaps only 2xx answers by default; the fragment goes to the form's error slot.
        return HTMLResponse(
            frag,
            status_code=200,
            headers={"HX-Retarget": "#flash", "HX-Reswap": "innerHTML", **SECURITY_HEADERS},
        )
    return render_plain(request, "error.html", lang, status_code=status, message=t(lang, key, **kw))


def _escape(text: str) -> str:
    from html import escape

    return escape(text)


# The session is committed when the route returns, before the answer is sent (scope
# "function"), so the page a redirect leads to already sees the change.
PageCtx = Annotated[Ctx, Depends(page, scope="function")]
ActionCtx = Annotated[Ctx, Depends(action, scope="function")]
