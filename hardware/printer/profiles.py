"""What a printer model can do, from python-escpos's printer database (escpos-printer-db).

The database is read as JSON on first use (not at import, and without importing
`escpos.capabilities`, which writes a pickle cache to a temporary folder when imported).
`ESCPOS_CAPABILITIES_FILE` points at a site's own database, as it does for python-escpos.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any


@dataclass(frozen=True, slots=True)
class Capabilities:
    name: str
    native_qr: bool
    raster_image: bool
    width_dots: int | None


@lru_cache(maxsize=1)
def _database() -> dict[str, Any]:
    path = os.environ.get("ESCPOS_CAPABILITIES_FILE")
    if path:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    else:
        text = (resources.files("escpos") / "capabilities.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def profile_names() -> list[str]:
    return sorted(_database().get("profiles", {}))


@lru_cache(maxsize=64)
def capabilities(profile: str = "default") -> Capabilities:
    """The capabilities of `profile`; raises KeyError naming the known profiles."""
    profiles = _database().get("profiles", {})
    if profile not in profiles:
        raise KeyError(f"unknown printer profile {profile!r}; known: {', '.join(sorted(profiles))}")
    data = profiles[profile]
    features = data.get("features", {})
    pixels = data.get("media", {}).get("width", {}).get("pixels")
    return Capabilities(
        name=profile,
        native_qr=bool(features.get("qrCode", False)),
        raster_image=bool(features.get("bitImageRaster", True)),
        width_dots=pixels if isinstance(pixels, int) else None,
    )
