"""Operations: `/healthz` (the process answers), `/readyz` (the database answers and its
schema is at the newest migration), `/metrics` (Prometheus, server/metrics.py).

Put none of them on the public internet: the reverse proxy passes `/api/`, `/f/` and the
HQ routes and keeps these for the monitoring host (server/README.md)."""

from __future__ import annotations

from functools import cache

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy import text

from server.db import Database
from server.metrics import render

router = APIRouter(include_in_schema=False)


@cache
def migration_heads() -> frozenset[str]:
    from alembic.script import ScriptDirectory

    from server.migrate import alembic_config

    return frozenset(ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads())


@router.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


def _readiness(db: Database) -> list[str]:
    try:
        with db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
            at = {str(r[0]) for r in conn.execute(text("SELECT version_num FROM server_alembic_version"))}
    except Exception as exc:  # any failure to reach or read the database means "not ready"
        return [f"database not reachable or not migrated ({type(exc).__name__})"]
    if at != migration_heads():
        return [
            f"database schema at {', '.join(sorted(at)) or 'nothing'}, newest is "
            f"{', '.join(sorted(migration_heads()))}: run `till-server db upgrade`"
        ]
    return []


@router.get("/readyz")
def readyz(request: Request) -> JSONResponse:
    problems = _readiness(request.app.state.db)
    if problems:
        return JSONResponse({"status": "not ready", "problems": problems}, status_code=503)
    return JSONResponse({"status": "ready"})


@router.get("/metrics")
def metrics(request: Request) -> Response:
    body, content_type = render(request.app.state.db)
    return Response(body, media_type=content_type)
