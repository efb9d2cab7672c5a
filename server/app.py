"""The FastAPI application: `create_app(settings)`.

Routers: sync (enrol, push, pull, lookup) under `/api/v1`, `/health`, and the feedback
package's router when `server.feedback.routes` exists (it exposes `router`), intel's
(`server.intel.routes`: HQ's member intel and KPI API), and the HQ console (`server/console`,
pages under `/console`).
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI

from server.db import Database
from server.errors import BodyLimit, CatchAll, CleanInput, install_error_handlers
from server.meta import current_epoch
from server.reqlog import RequestLog
from server.routes.approvals import router as approvals_router
from server.routes.hq import router as hq_router
from server.routes.ops import router as ops_router
from server.routes.program import router as program_router
from server.routes.sync import router as sync_router
from server.settings import ServerSettings, load_settings
from sync.protocol import API_PREFIX, MAX_BODY_BYTES, PROTOCOL_VERSION

log = logging.getLogger("server")


def create_app(settings: ServerSettings | None = None) -> FastAPI:
    settings = settings or load_settings()
    db = Database(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        with db.sessions() as s:
            app.state.epoch = current_epoch(s)
            s.commit()
        sender = _alert_sender(settings, db)
        app.state.alert_sender = sender
        if sender is not None:
            sender.start()
        try:
            yield
        finally:
            if sender is not None:
                sender.stop()
            db.dispose()

    app = FastAPI(
        title="Loyalty Till server",
        version=f"{PROTOCOL_VERSION}",
        description="Central server for Loyalty Till terminals: enrolment, sync (push/pull), member lookup.",
        lifespan=lifespan,
    )
    app.state.db = db
    app.state.settings = settings
    app.state.epoch = ""
    install_error_handlers(app)
    app.add_middleware(BodyLimit, limit=MAX_BODY_BYTES)
    app.add_middleware(CleanInput)
    app.add_middleware(CatchAll)  # nothing unexpected is logged with its message
    app.add_middleware(RequestLog)  # outermost: times and logs every answer, 413s included
    app.include_router(ops_router)  # /healthz, /readyz, /metrics
    app.include_router(sync_router, prefix=API_PREFIX)
    app.include_router(hq_router)
    app.include_router(approvals_router)
    app.include_router(program_router)

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok", "epoch": app.state.epoch}

    _include_optional(app, "server.feedback.routes")
    _include_optional(app, "server.intel.routes")
    _include_optional(app, "server.gifts.routes")
    from server.console.routes import install as install_console

    install_console(app)  # the HQ console under /console (server/console)
    _security_all_required(app)
    return app


def _security_all_required(app: FastAPI) -> None:
    """FastAPI lists each security dependency of an operation as an alternative; a till needs
    its token AND its device id, so the schema says so (one requirement naming both)."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = build()
            for ops in schema.get("paths", {}).values():
                for op in ops.values():
                    needs = op.get("security") if isinstance(op, dict) else None
                    if needs and len(needs) > 1:
                        op["security"] = [{name: [] for req in needs for name in req}]
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _alert_sender(settings: ServerSettings, db: Database) -> Any:
    """The escalation alert sender (server/feedback/alerts.py) when a webhook is set."""
    if not settings.alert_webhook_url:
        return None
    from server.feedback.alerts import AlertSender

    return AlertSender(
        db.sessions,
        settings.alert_webhook_url,
        settings.alert_webhook_secret,
        interval_s=settings.alert_interval_s,
        is_postgres=db.is_postgres,
    )


def _include_optional(app: FastAPI, module: str) -> None:
    try:
        mod = importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name and module.startswith(exc.name):
            return
        raise
    router = getattr(mod, "router", None)
    if router is not None:
        app.include_router(router)
