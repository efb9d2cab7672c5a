"""One log line per request, with its time, and the latency histogram by route.

The line names the route's template (``POST /api/v1/sync/push``, ``GET /f/{token}``), never
the path as sent or its query string: paths carry feedback tokens and look-ups carry phone
numbers, and neither belongs in a log. No header is logged (they carry the bearer tokens).
Logger ``server.request``; ``LT_SERVER_LOG_LEVEL=warning`` silences it.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.metrics import REQUEST_SECONDS

log = logging.getLogger("server.request")


def route_of(scope: Scope) -> str:
    """The matched route's template (`/f/{token}`: each path segment that is a path parameter
    named instead of shown); `unmatched` when no route matched (a 404)."""
    if "endpoint" not in scope:
        return "unmatched"
    params: dict[str, Any] = scope.get("path_params") or {}
    by_value = {str(v): k for k, v in params.items()}
    segments = str(scope.get("path", "")).split("/")
    return "/".join("{" + by_value[seg] + "}" if seg in by_value else seg for seg in segments)


class RequestLog:
    """Pure ASGI middleware (it does not buffer bodies, so streaming and the body limit work)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        size = 0

        async def sending(message: Message) -> None:
            nonlocal status, size
            if message["type"] == "http.response.start":
                status = int(message["status"])
            elif message["type"] == "http.response.body":
                size += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            seconds = time.perf_counter() - started
            route = route_of(scope)
            method = str(scope.get("method", ""))
            if route != "/metrics":
                REQUEST_SECONDS.labels(method, route, str(status)).observe(seconds)
            log.info("%s %s %d %.1fms %dB", method, route, status, seconds * 1000, size)


def log_config(level: str) -> dict[str, Any]:
    """The logging setup uvicorn applies in the server process and in each worker it starts
    (`serve --workers N`): the `server.*` loggers (one line per request among them) and
    uvicorn's own, to standard error, with time and level."""
    fmt = {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}
    handler = {"class": "logging.StreamHandler", "formatter": "plain", "stream": "ext://sys.stderr"}
    upper = level.upper()
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"plain": fmt},
        "handlers": {"stderr": handler},
        "loggers": {
            "server": {"handlers": ["stderr"], "level": upper, "propagate": False},
            "uvicorn": {"handlers": ["stderr"], "level": upper, "propagate": False},
            "uvicorn.error": {"level": upper},
        },
    }
