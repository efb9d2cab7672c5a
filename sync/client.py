"""The till's HTTP client for the central server (see sync/protocol.py for the wire format).

One `requests.Session` with timeouts on every call. Every call but enrolment carries
`Authorization: Bearer <token>` and `X-Device-Id`. The credentials live in the till's home
folder (`sync.json`, mode 0600); the token is never logged, printed or put into an error.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import requests
from pydantic import BaseModel, ValidationError

from sync.protocol import (
    API_PREFIX,
    AuditAnchor,
    EnrolRequest,
    EnrolResponse,
    ErrorBody,
    LookupResponse,
    PullRequest,
    PullResponse,
    PushRequest,
    PushResponse,
    WireEvent,
)

log = logging.getLogger(__name__)

CREDENTIALS_FILE = "sync.json"
CONNECT_TIMEOUT_S = 3.0
READ_TIMEOUT_S = 15.0

M = TypeVar("M", bound=BaseModel)


class SyncError(Exception):
    """The server could not be used; `message` is words a cashier or supervisor can read."""

    offline = False  # True when the server could not be reached at all

    def __init__(self, message: str, code: str = "sync_error", status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status


class Offline(SyncError):
    """No answer: connection refused or reset, DNS failure, timeout, response lost."""

    offline = True


class ServerError(SyncError):
    """The server answered with a 5xx: try again later."""


class Refused(SyncError):
    """The server answered with a 4xx (bad token, revoked terminal, bad request)."""


class NotEnrolled(SyncError):
    """This till has no credentials yet (`till enrol URL CODE`)."""


@dataclass(frozen=True)
class Credentials:
    url: str
    store_id: str
    terminal_id: str
    token: str
    device_id: str
    epoch: str = ""

    def __repr__(self) -> str:  # never show the token
        return (
            f"Credentials(url={self.url!r}, store_id={self.store_id!r}, "
            f"terminal_id={self.terminal_id!r}, device_id={self.device_id!r}, token=***)"
        )

    __str__ = __repr__


def credentials_path(home: Path) -> Path:
    return home / CREDENTIALS_FILE


def load_credentials(home: Path) -> Credentials | None:
    path = credentials_path(home)
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Credentials(
            **{k: str(data[k]) for k in ("url", "store_id", "terminal_id", "token", "device_id")},
            epoch=str(data.get("epoch", "")),
        )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise NotEnrolled(
            f"{path} cannot be read ({type(exc).__name__}); enrol the till again", code="bad_credentials"
        ) from exc


def save_credentials(home: Path, creds: Credentials) -> Path:
    """Write `sync.json` readable by the owner only (created 0600, never world-readable)."""
    home.mkdir(parents=True, exist_ok=True)
    path = credentials_path(home)
    tmp = path.with_suffix(".json.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(asdict(creds), fh, indent=2)
        fh.flush()
        os.fsync(fh.fileno())
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)
    return path


def new_device_id() -> str:
    return secrets.token_hex(16)


def _error_message(resp: requests.Response) -> tuple[str, str]:
    try:
        body = ErrorBody.model_validate(resp.json())
        return body.code, body.message
    except (ValueError, ValidationError):
        return f"http_{resp.status_code}", (resp.reason or "error")


class ServerClient:
    """Calls to the server. Not thread-safe: one per thread (the worker owns one)."""

    def __init__(
        self,
        url: str,
        credentials: Credentials | None = None,
        connect_timeout_s: float = CONNECT_TIMEOUT_S,
        read_timeout_s: float = READ_TIMEOUT_S,
        session: requests.Session | None = None,
    ) -> None:
        self.base = url.rstrip("/") + API_PREFIX
        self.credentials = credentials
        self.timeout = (connect_timeout_s, read_timeout_s)
        self.session = session or requests.Session()
        self.session.headers["User-Agent"] = "loyalty-till-sync/1"

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> ServerClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ----------------------------------------------------------------------- transport

    def _headers(self) -> dict[str, str]:
        if self.credentials is None:
            raise NotEnrolled("This till is not enrolled with a server yet.", code="not_enrolled")
        return {
            "Authorization": f"Bearer {self.credentials.token}",
            "X-Device-Id": self.credentials.device_id,
        }

    def _call(
        self,
        method: str,
        path: str,
        answer: type[M],
        body: BaseModel | None = None,
        params: dict[str, str] | None = None,
        auth: bool = True,
        timeout: float | tuple[float, float] | None = None,
    ) -> M:
        headers = self._headers() if auth else {}
        data = None
        if body is not None:
            data = body.model_dump_json().encode("utf-8")
            headers["Content-Type"] = "application/json"
        url = self.base + path
        try:
            resp = self.session.request(
                method, url, data=data, params=params, headers=headers, timeout=timeout or self.timeout
            )
        except requests.Timeout as exc:
            raise Offline("The server did not answer in time.", code="timeout") from exc
        except requests.ConnectionError as exc:
            raise Offline(
                "The server cannot be reached (no connection, or the answer was lost).", code="unreachable"
            ) from exc
        except requests.RequestException as exc:
            raise Offline(f"The request failed: {type(exc).__name__}.", code="request_failed") from exc
        if resp.status_code >= 500:
            code, message = _error_message(resp)
            raise ServerError(
                f"Server error {resp.status_code}: {message}", code=code, status=resp.status_code
            )
        if resp.status_code >= 400:
            code, message = _error_message(resp)
            raise Refused(
                f"The server refused ({resp.status_code}): {message}", code=code, status=resp.status_code
            )
        try:
            return answer.model_validate_json(resp.content)  # parsed and checked in one pass
        except (ValueError, ValidationError) as exc:
            raise ServerError(
                "The server's answer could not be read.", code="bad_answer", status=resp.status_code
            ) from exc

    # ----------------------------------------------------------------------- endpoints

    def enrol(self, request: EnrolRequest) -> EnrolResponse:
        return self._call("POST", "/enrol", EnrolResponse, request, auth=False)

    def push(
        self, events: list[WireEvent], till_time: datetime, audit: AuditAnchor | None = None
    ) -> PushResponse:
        return self._call(
            "POST", "/sync/push", PushResponse, PushRequest(events=events, till_time=till_time, audit=audit)
        )

    def pull(self, cursor: int, epoch: str | None, limit: int) -> PullResponse:
        return self._call(
            "POST", "/sync/pull", PullResponse, PullRequest(cursor=cursor, epoch=epoch, limit=limit)
        )

    def lookup(
        self,
        *,
        phone: str | None = None,
        code: str | None = None,
        timeout_s: float | None = None,
        reason: str = "checkout",
    ) -> LookupResponse:
        """`reason` (checkout, refund, register, support) is recorded with the look-up."""
        params = {"phone": phone} if phone else {"code": code or ""}
        params["reason"] = reason
        timeout = (timeout_s, timeout_s) if timeout_s else None
        return self._call("GET", "/members/lookup", LookupResponse, params=params, timeout=timeout)


def client_for(home: Path, configured_url: str | None, **kw: Any) -> ServerClient:
    """A client with this till's credentials; the configured server URL wins over the one
    the till enrolled with. Raises NotEnrolled when there are no credentials."""
    creds = load_credentials(home)
    if creds is None:
        raise NotEnrolled(
            "This till is not enrolled with a server yet (till enrol URL CODE).", code="not_enrolled"
        )
    return ServerClient(configured_url or creds.url, creds, **kw)
