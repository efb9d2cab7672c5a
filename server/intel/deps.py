"""FastAPI dependencies of the intel routes: the intel configuration, read once per app."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from pydantic import ValidationError

from server.errors import ApiError
from server.intel.config import IntelConfig


def get_config(request: Request) -> IntelConfig:
    cfg = getattr(request.app.state, "intel_config", None)
    if cfg is None:
        try:
            cfg = IntelConfig()
        except ValidationError as exc:
            msg = exc.errors()[0]["msg"]
            raise ApiError(503, "not_configured", f"bad LT_INTEL_* setting: {msg}") from exc
        request.app.state.intel_config = cfg
    return cfg


ConfigDep = Annotated[IntelConfig, Depends(get_config)]
