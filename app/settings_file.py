"""The till's optional sync settings: `sync.toml` in its home folder (every value optional).

Read here, below the sync client, because the offline rules are part of the context every use
case gets (`app.services.context.open_till` reads `[offline]`); `sync.worker` reads `[worker]`.

[worker]
interval_s = 30          # a round this often when all is well
backoff_base_s = 2       # after a failure: 2, 4, 8 ... seconds (with jitter) ...
backoff_max_s = 300      # ... up to this
batch_size = 200         # outbox events per push (the server takes at most 500)
pull_limit = 500         # changes per pulled page
connect_timeout_s = 3
read_timeout_s = 15

[offline]                # what the cashier may do while the server cannot be reached
sales = true
earn_points = true              # off: sales made offline earn no points (the quote shows 0)
register_members = true
refunds = true
redeem_points_cached = true     # up to the last known balance minus what this till redeemed since
coupons_held_here = true        # coupons issued to this store / its cached members; off: none
points_adjustments = true
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from app.config import ConfigError

SETTINGS_FILE = "sync.toml"


class SettingsError(ConfigError):
    """`sync.toml` cannot be used; the message names the file, the section and the setting."""


def read_section(home: Path, section: str, fields: dict[str, type]) -> dict[str, Any]:
    """The values of `[section]` in `home/sync.toml` that name one of `fields`, type-checked.
    Raises SettingsError (a ConfigError) for a file or value that cannot be used."""
    path = home / SETTINGS_FILE
    if not path.exists():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise SettingsError(f"{path}: cannot be read: not UTF-8 text (byte {exc.start})") from None
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise SettingsError(f"{path}: cannot be read: {exc}") from None
    raw = data.get(section, {})
    if not isinstance(raw, dict):
        raise SettingsError(f"{path}: [{section}] must be a table")
    out: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in fields:
            raise SettingsError(f"{path}: [{section}] {key}: unknown setting")
        want = fields[key]
        if want is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, want) or (want is int and isinstance(value, bool)):
            raise SettingsError(f"{path}: [{section}] {key}: must be {want.__name__}")
        out[key] = value
    return out


def read_offline_overrides(home: Path) -> dict[str, bool]:
    """This till's own offline rules, `[offline]` of `sync.toml` (see `app.ports.OfflineRules`)."""
    from dataclasses import fields

    from app.ports import OfflineRules

    return read_section(home, "offline", {f.name: bool for f in fields(OfflineRules)})
