"""Terminal enrolment and authentication.

`till-server terminal enroll` makes a one-time code (hashed in the database, valid for
`enrol_code_ttl_s`). The till posts it once with its device id and public key and gets its own
token, stored hashed. Every later call carries ``Authorization: Bearer <token>`` and
``X-Device-Id``: a revoked terminal is refused (403 ``terminal_revoked``) and a second device
presenting a terminal's token is refused (409 ``device_conflict``); re-enrolling the terminal
with a new code is how a till is moved to new hardware.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import Depends
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.codes import VerifyKey
from server.db import DatabaseDep
from server.errors import ApiError
from server.meta import current_epoch
from server.models import Store, Terminal
from server.pull import record_change
from sync.protocol import EnrolRequest, EnrolResponse

_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
LAST_SEEN_EVERY = timedelta(seconds=30)


def now_utc() -> datetime:
    return datetime.now(UTC)


def hash_secret(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def normalize_code(code: str) -> str:
    return "".join(c for c in code.upper() if c.isalnum())


def new_enrol_code() -> str:
    raw = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


class EnrolError(Exception):
    pass


def add_store(s: Session, store_id: str, name: str, timezone: str | None = None) -> Store:
    """Add a store, or rename it / set its time zone (an IANA name; ValueError if unknown)."""
    if timezone is not None:
        from server.program import check_zone

        check_zone(timezone)
    store = s.get(Store, store_id)
    if store is None:
        store = Store(
            id=store_id, name=name or store_id, created_at=now_utc(), timezone=timezone or "Asia/Shanghai"
        )
        s.add(store)
        s.flush()
        from server.gifts.service import send_catalogue

        send_catalogue(s, store_id, store.created_at)  # HQ's gifts reach the new store's tills
    else:
        if name:
            store.name = name
        if timezone:
            store.timezone = timezone
    s.flush()
    return store


def issue_enrol_code(s: Session, store_id: str, terminal_id: str, ttl_s: int) -> str:
    """A one-time code for `terminal_id` of `store_id` (creating the terminal if new)."""
    if s.get(Store, store_id) is None:
        raise EnrolError(f"No store {store_id!r}; add it first with `till-server store add`.")
    if not terminal_id or len(terminal_id) > 40:
        raise EnrolError("A terminal id is 1 to 40 characters.")
    now = now_utc()
    term = s.get(Terminal, terminal_id)
    if term is None:
        term = Terminal(id=terminal_id, store_id=store_id, created_at=now, till_version="", last_seq=0)
        s.add(term)
    elif term.store_id != store_id:
        raise EnrolError(f"Terminal {terminal_id!r} belongs to store {term.store_id!r}.")
    code = new_enrol_code()
    term.enrol_code_hash = hash_secret(normalize_code(code))
    term.enrol_expires_at = now + timedelta(seconds=ttl_s)
    term.revoked_at = None
    s.flush()
    return code


def revoke_terminal(s: Session, terminal_id: str) -> Terminal:
    term = s.get(Terminal, terminal_id)
    if term is None:
        raise EnrolError(f"No terminal {terminal_id!r}.")
    now = now_utc()
    term.revoked_at = now
    term.enrol_code_hash = None
    if term.key_id:
        record_change(s, "revocation", f"key:{term.key_id}", {"kind": "key", "value": term.key_id}, at=now)
    s.flush()
    return term


def enrol(s: Session, req: EnrolRequest) -> EnrolResponse:
    now = now_utc()
    code_hash = hash_secret(normalize_code(req.code))
    term = s.execute(
        select(Terminal).where(Terminal.enrol_code_hash == code_hash).with_for_update()
    ).scalar_one_or_none()
    if term is None or term.enrol_expires_at is None or term.enrol_expires_at < now:
        raise ApiError(401, "bad_enrol_code", "This enrolment code is unknown, used or expired.")
    try:
        VerifyKey.from_base64(req.key_id, req.public_key)
    except (ValueError, TypeError) as exc:
        raise ApiError(422, "bad_public_key", f"The public key is not a valid Ed25519 key: {exc}") from None
    clash = s.execute(
        select(Terminal.id).where(Terminal.key_id == req.key_id, Terminal.id != term.id)
    ).scalar_one_or_none()
    if clash is not None:
        raise ApiError(409, "key_id_taken", "Another terminal already uses this key id.")
    token = secrets.token_urlsafe(32)
    term.token_hash = hash_secret(token)
    term.device_id = req.device_id
    term.enrol_code_hash = None
    term.enrol_expires_at = None
    term.enrolled_at = now
    term.key_id = req.key_id
    term.public_key = req.public_key
    term.till_version = req.till_version
    term.last_seen_at = now
    record_change(
        s,
        "public_key",
        req.key_id,
        {"key_id": req.key_id, "public_key": req.public_key, "terminal_id": term.id},
        at=now,
    )
    epoch = current_epoch(s)
    store_id = term.store_id
    terminal_id = term.id
    s.flush()
    return EnrolResponse(
        store_id=store_id, terminal_id=terminal_id, token=token, epoch=epoch, server_time=now
    )


@dataclass(frozen=True, slots=True)
class AuthTerminal:
    id: str
    store_id: str
    key_id: str | None


# Declared as OpenAPI security schemes (so clients and fuzzers know how to authenticate);
# checked below, not by FastAPI (auto_error off: every refusal is an ErrorBody).
terminal_token = HTTPBearer(
    auto_error=False,
    scheme_name="terminalToken",
    description="the token `POST /api/v1/enrol` returned to the till",
)
device_id_header = APIKeyHeader(
    name="X-Device-Id",
    auto_error=False,
    scheme_name="deviceId",
    description="the device id the till enrolled with",
)
MAX_DEVICE_ID = 64


def _unknown() -> ApiError:
    return ApiError(401, "unauthenticated", "Unknown terminal token.", {"WWW-Authenticate": "Bearer"})


def authenticate(
    db: DatabaseDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(terminal_token)] = None,
    x_device_id: Annotated[str | None, Depends(device_id_header)] = None,
) -> AuthTerminal:
    if credentials is None:
        raise ApiError(
            401,
            "unauthenticated",
            "Send the terminal's token as 'Authorization: Bearer ...'.",
            {"WWW-Authenticate": "Bearer"},
        )
    token = credentials.credentials.strip()
    if not token or len(token) > 200:
        raise _unknown()
    if not x_device_id:
        raise ApiError(401, "device_id_required", "Send the till's device id in X-Device-Id.")
    if len(x_device_id) > MAX_DEVICE_ID:
        raise ApiError(409, "device_conflict", "This terminal's credentials are in use on another device.")
    with db.sessions() as s:
        term = s.execute(
            select(Terminal).where(Terminal.token_hash == hash_secret(token))
        ).scalar_one_or_none()
        if term is None:
            raise _unknown()
        if term.revoked_at is not None:
            raise ApiError(403, "terminal_revoked", "This terminal has been revoked; enrol it again.")
        if term.device_id is None or not hmac.compare_digest(term.device_id.encode(), x_device_id.encode()):
            raise ApiError(
                409, "device_conflict", "This terminal's credentials are in use on another device."
            )
        now = now_utc()
        if term.last_seen_at is None or now - term.last_seen_at > LAST_SEEN_EVERY:
            term.last_seen_at = now
            s.commit()
        return AuthTerminal(term.id, term.store_id, term.key_id)


AuthDep = Annotated[AuthTerminal, Depends(authenticate)]
