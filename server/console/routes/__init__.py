"""The console's routes, all under ``/console``; :func:`install` is what ``create_app`` calls."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from server.console.routes import (
    auth,
    campaign_form,
    campaigns,
    catalogue,
    conflicts,
    dashboard,
    gifts,
    members,
    program,
    reports,
    stores,
    tickets,
)

router = APIRouter()
for _module in (
    auth,
    dashboard,
    tickets,
    reports,
    members,
    stores,
    conflicts,
    catalogue,
    gifts,
    campaign_form,
    campaigns,
    program,
):
    router.include_router(_module.router, include_in_schema=False)


def install(app: FastAPI) -> None:
    """Mount the console: its pages, its own static files and the npm packages it serves."""
    app.include_router(router)
