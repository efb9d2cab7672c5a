"""Sign-in, sign-out, the language switch, the home redirect and the static files."""

from __future__ import annotations

import hmac
import logging
import secrets
from pathlib import Path
from typing import Annotated, Final

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import FileResponse, RedirectResponse
from starlette.datastructures import FormData

from app.domain.clock import utcnow
from server.console import accounts
from server.console.i18n import LANGS, pick_lang
from server.console.web import (
    LANG_COOKIE,
    PREFIX,
    SECURITY_HEADERS,
    SESSION_COOKIE,
    ActionCtx,
    ConsoleRoute,
    PageCtx,
    Refused,
    go,
    read_form,
    render_plain,
)

log = logging.getLogger(__name__)
router = APIRouter(prefix=PREFIX, route_class=ConsoleRoute)

LOGIN_CSRF_COOKIE: Final = "lt_login_csrf"
STATIC = Path(__file__).resolve().parent.parent / "static"
ASSETS = Path(__file__).resolve().parent.parent / "assets" / "node_modules"
# The built files of the npm packages the pages use; nothing else of node_modules is served.
VENDOR: Final = {
    "htmx.min.js": ASSETS / "htmx.org" / "dist" / "htmx.min.js",
    "echarts.min.js": ASSETS / "echarts" / "dist" / "echarts.min.js",
}
OWN: Final = {"console.css", "console.js"}


def _secure(request: Request) -> bool:
    return bool(getattr(request.app.state.settings, "console_secure_cookies", True))


def _safe_next(value: str) -> str:
    return (
        value
        if value.startswith(PREFIX + "/") and not value.startswith("//") and "\\" not in value
        else PREFIX
    )


def home_for(perms: frozenset[str]) -> str:
    for perm, path in (
        ("dashboard", "/dashboard"),
        ("tickets", "/tickets"),
        ("members", "/members"),
        ("stores", "/stores"),
        ("catalogue", "/catalogue"),
    ):
        if perm in perms:
            return PREFIX + path
    return PREFIX + "/members"


@router.get("")
@router.get("/")
def home(ctx: PageCtx) -> Response:
    return RedirectResponse(home_for(ctx.perms), status_code=303)


@router.get("/login")
def login_page(request: Request, next: str = PREFIX) -> Response:
    lang = pick_lang(
        request.query_params.get("lang"),
        request.cookies.get(LANG_COOKIE),
        None,
        request.headers.get("accept-language"),
    )
    token = secrets.token_urlsafe(24)
    resp = render_plain(request, "login.html", lang, csrf=token, next=_safe_next(next), error="")
    resp.set_cookie(
        LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", secure=_secure(request), path=PREFIX
    )
    if request.query_params.get("lang") in LANGS:  # a language chosen on the sign-in page stays
        resp.set_cookie(
            LANG_COOKIE, lang, samesite="lax", secure=_secure(request), path=PREFIX, max_age=365 * 24 * 3600
        )
    return resp


@router.post("/login")
def login(request: Request, form: Annotated[FormData, Depends(read_form)]) -> Response:
    lang = pick_lang(
        request.query_params.get("lang"),
        request.cookies.get(LANG_COOKIE),
        None,
        request.headers.get("accept-language"),
    )
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    given = form.get("csrf")
    if (
        not expected
        or not isinstance(given, str)
        or not hmac.compare_digest(given.encode(), expected.encode())
    ):
        raise Refused(403, "err_csrf")
    username = str(form.get("username") or "")[:80]
    password = str(form.get("password") or "")[:200]
    nxt = _safe_next(str(form.get("next") or PREFIX))
    now = utcnow()
    db = request.app.state.db
    with db.sessions() as s:
        result = accounts.authenticate(s, username, password, now)
        from app.domain.ids import new_id
        from server.console.models import ConsoleAudit

        who = result.user
        s.add(
            ConsoleAudit(
                id=new_id(),
                at=now,
                user_id=who.id if who else None,
                username=(who.username if who else username.strip().lower()[:40]) or "-",
                action="sign_in" if who else f"sign_in_{result.reason}",
                target="",
                detail={},
            )
        )
        token = accounts.open_session(s, who, now) if who else ""
        s.commit()
        user_lang = who.lang if who else None
    if who is None:
        key = "login_locked" if result.reason == "locked" else "login_bad"
        return render_plain(
            request,
            "login.html",
            lang,
            status_code=401,
            csrf=expected,
            next=nxt,
            error=key,
            username=username,
        )
    resp = RedirectResponse(
        nxt if nxt != PREFIX else PREFIX + "/", status_code=303, headers=dict(SECURITY_HEADERS)
    )
    resp.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=_secure(request),
        path=PREFIX,
        max_age=int(accounts.SESSION_MAX.total_seconds()),
    )
    if LANG_COOKIE not in request.cookies and user_lang:
        resp.set_cookie(LANG_COOKIE, user_lang, samesite="lax", secure=_secure(request), path=PREFIX)
    resp.delete_cookie(LOGIN_CSRF_COOKIE, path=PREFIX)
    return resp


@router.post("/logout")
def logout(ctx: ActionCtx) -> Response:
    accounts.close_session(ctx.s, ctx.request.cookies.get(SESSION_COOKIE, ""))
    ctx.audit("sign_out")
    resp = go(ctx, PREFIX + "/login")
    resp.delete_cookie(SESSION_COOKIE, path=PREFIX)
    return resp


@router.get("/lang/{code}")
def switch_lang(code: str, request: Request, back: str = PREFIX) -> Response:
    resp = RedirectResponse(_safe_next(back), status_code=303)
    if code in LANGS:
        resp.set_cookie(
            LANG_COOKIE, code, samesite="lax", secure=_secure(request), path=PREFIX, max_age=365 * 24 * 3600
        )
    return resp


@router.get("/static/{name}")
def static(name: str) -> Response:
    if name in OWN:
        return FileResponse(STATIC / name, headers={"Cache-Control": "max-age=300"})
    path = VENDOR.get(name)
    if path is None or not path.exists():
        raise Refused(404, "err_not_found")
    return FileResponse(path, media_type="text/javascript", headers={"Cache-Control": "max-age=86400"})
