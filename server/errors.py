"""Errors as `sync.protocol.ErrorBody` (a stable code and a readable message), a body-size
limit, and a guard that refuses control characters in a request's path or query (PostgreSQL
cannot even hold NUL). Anything unexpected is logged (the route's pattern, never the path
itself, which may carry a feedback token; never the body) and answered 500."""

from __future__ import annotations

import logging
import traceback
from urllib.parse import unquote_to_bytes

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sync.protocol import MAX_BODY_BYTES

log = logging.getLogger("server")


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers


def error_response(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse({"code": code, "message": message}, status_code=status, headers=headers)


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors()[:5]:
        loc = ".".join(str(p) for p in err.get("loc", ()))
        parts.append(f"{loc}: {err.get('msg', 'invalid')}")
    return "; ".join(parts) or "invalid request"


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_req: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status, exc.code, exc.message, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_req: Request, exc: RequestValidationError) -> JSONResponse:
        return error_response(422, "invalid_request", _validation_message(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http(_req: Request, exc: StarletteHTTPException) -> JSONResponse:
        codes = {404: "not_found", 405: "method_not_allowed", 413: "too_large"}
        code = codes.get(exc.status_code, "http_error")
        return error_response(exc.status_code, code, str(exc.detail), getattr(exc, "headers", None))


class CatchAll:
    """The outermost guard: an exception no handler took is answered 500 ``server_error`` and
    logged with where it failed (the stack, the exception's class), not what it said: a
    message may quote the input (a phone, a comment) and the path may be a feedback token.
    (Starlette's own last handler would re-raise it for the server to log whole.)"""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracked(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracked)
        except Exception as exc:
            route = getattr(scope.get("route"), "path", "(no route)")
            stack = "".join(traceback.format_tb(exc.__traceback__))
            log.error(
                "unexpected error on %s %s: %s\n%s", scope.get("method"), route, exc.__class__.__name__, stack
            )
            if not started:
                resp = error_response(500, "server_error", "The server failed; the request can be retried.")
                await resp(scope, receive, send)


def _has_control(raw: bytes) -> bool:
    return any(b < 0x20 or b == 0x7F for b in raw)


class CleanInput:
    """Refuse (400 ``bad_request``) a path or query string with a control character, raw or
    percent-encoded: no identifier, filter or token this server reads has one."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            query = unquote_to_bytes(scope.get("query_string", b""))
            path = str(scope.get("path", "")).encode("utf-8", "surrogatepass")
            if _has_control(query) or _has_control(path):
                resp = error_response(
                    400, "bad_request", "The request's path or query contains a control character."
                )
                await resp(scope, receive, send)
                return
        await self.app(scope, receive, send)


class BodyLimit:
    """Refuse request bodies over `limit` bytes with 413, whether or not Content-Length is sent."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    too_big = int(value) > self.limit
                except ValueError:
                    too_big = False
                    resp = error_response(400, "bad_request", "Content-Length is not a number.")
                    await resp(scope, receive, send)
                    return
                if too_big:
                    await self._refuse(scope, receive, send)
                    return
        seen = 0
        refused = False

        async def limited() -> Message:
            nonlocal seen, refused
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    refused = True
                    raise _TooLarge()
            return message

        try:
            await self.app(scope, limited, send)
        except _TooLarge:
            if refused:
                await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        resp = error_response(413, "too_large", f"The request body is over {self.limit} bytes.")
        await resp(scope, receive, send)


class _TooLarge(HTTPException):
    """Raised while the body is read; FastAPI passes HTTP exceptions through to the 413 handler."""

    def __init__(self) -> None:
        super().__init__(413, "The request body is too large.")
