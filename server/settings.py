"""Server settings, read from the environment (prefix ``LT_SERVER_``) and validated at start.

``till-server`` refuses to start with a clear message when a value is wrong (see
:func:`load_settings`), rather than failing on the first request.
"""

from __future__ import annotations

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class SettingsError(Exception):
    """A setting is missing or wrong; the message names the variable and what is expected."""


class ServerSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LT_SERVER_", extra="ignore", frozen=True)

    database_url: str = Field(
        default="sqlite:///./till-server.db",
        description="postgresql+psycopg://user@host/db in production; sqlite:///file.db for a demo",
    )
    host: str = "127.0.0.1"
    port: int = Field(default=8600, ge=0, le=65535)
    pool_size: int = Field(default=10, ge=1, le=200)
    workers: int = Field(default=1, ge=1, le=64, description="server processes (`serve --workers`)")
    max_clock_skew_s: int = Field(default=300, ge=1, description="a till further off than this is flagged")
    enrol_code_ttl_s: int = Field(default=24 * 3600, ge=60)
    lookup_ledger_limit: int = Field(default=200, ge=0, le=5000)
    lookup_limit: int = Field(
        default=120,
        ge=1,
        le=100_000,
        description="online member look-ups a till may make per LOOKUP_WINDOW_S",
    )
    lookup_window_s: int = Field(default=600, ge=1, le=86_400)
    log_level: str = Field(default="info", pattern="^(critical|error|warning|info|debug)$")
    public_base_url: str = Field(default="", description="the URL tills and phones reach the server at")
    admin_token: str = Field(
        default="", description="bearer token for HQ's ticket API (/api/v1/tickets); empty disables it"
    )
    alert_webhook_url: str = Field(
        default="", description="escalated tickets are POSTed here as JSON at once (empty: not sent)"
    )
    alert_webhook_secret: str = Field(
        default="", description="signs each alert body: X-LT-Signature: sha256=HMAC (empty: unsigned)"
    )
    console_secure_cookies: bool = Field(
        default=True,
        description="the HQ console's cookies are Secure (off only for plain-HTTP tests on loopback)",
    )
    alert_interval_s: float = Field(default=2.0, gt=0, le=3600, description="how often due alerts are sent")

    @field_validator("alert_webhook_url")
    @classmethod
    def _webhook_url(cls, value: str) -> str:
        value = value.strip()
        if value and not (value.startswith("http://") or value.startswith("https://")):
            raise ValueError("must be an http:// or https:// URL (or empty: alerts are not sent)")
        return value

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str) -> str:
        value = value.strip()
        if value.startswith("postgresql://"):
            value = "postgresql+psycopg://" + value.removeprefix("postgresql://")
        if value.startswith("postgres://"):
            value = "postgresql+psycopg://" + value.removeprefix("postgres://")
        if not (value.startswith("postgresql+psycopg://") or value.startswith("sqlite:///")):
            raise ValueError(
                "must be a PostgreSQL URL (postgresql+psycopg://user@host:5432/db) "
                "or a SQLite file for the demo (sqlite:///path/to/file.db)"
            )
        return value

    @property
    def is_postgres(self) -> bool:
        return self.database_url.startswith("postgresql")


def load_settings(**overrides: object) -> ServerSettings:
    """Read and check the settings; raise SettingsError with one line per bad variable."""
    try:
        return ServerSettings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            name = "LT_SERVER_" + "_".join(str(p) for p in err["loc"]).upper()
            lines.append(f"{name}: {err['msg']}")
        raise SettingsError("Invalid server settings:\n  " + "\n  ".join(lines)) from None
