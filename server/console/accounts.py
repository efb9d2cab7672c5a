"""Staff accounts: roles and what each may do, argon2 passwords, lock-out, sessions.

Functions take an open ``Session`` and never commit (the caller owns the transaction).
"""

from __future__ import annotations

import contextlib
import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.domain.ids import new_id
from server.console.models import StaffSession, StaffUser

ROLES: Final = ("hq_admin", "marketing", "area_manager", "store_manager", "service_agent")
# Roles that see only the stores listed on their account.
SCOPED_ROLES: Final = frozenset({"area_manager", "store_manager"})

# What each role may do. Screens and actions check one permission each.
_MANAGER: Final = frozenset(
    {"dashboard", "tickets", "tickets.work", "members", "members.reveal", "members.adjust", "stores", "gifts"}
)
PERMISSIONS: Final[dict[str, frozenset[str]]] = {
    "hq_admin": _MANAGER
    | {
        "stores.manage",
        "conflicts",
        "catalogue",
        "campaigns",
        "program",
        "program.publish",
        "audit",
        "gifts.edit",
    },
    # Marketing sees the program's versions and where they have reached; HQ admins publish
    # (the program also holds the till trust limits).
    "marketing": frozenset(
        {"dashboard", "members", "catalogue", "campaigns", "program", "gifts", "gifts.edit"}
    ),
    "area_manager": _MANAGER | {"conflicts"},
    "store_manager": _MANAGER,
    "service_agent": frozenset({"tickets", "tickets.work", "members", "members.reveal"}),
}

MAX_FAILED: Final = 5  # failed sign-ins in a row before the account is locked
LOCK_FOR: Final = timedelta(minutes=15)
SESSION_IDLE: Final = timedelta(hours=8)
SESSION_MAX: Final = timedelta(hours=24)
MIN_PASSWORD: Final = 10

_hasher = PasswordHasher()
# Verified against when the user does not exist, so both paths cost one argon2 verification.
_DUMMY_HASH: Final = _hasher.hash(secrets.token_hex(16))


class AccountError(ValueError):
    """A request about an account that cannot be done; the message says why."""


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"a password has at least {MIN_PASSWORD} characters")


def find_user(s: Session, username: str) -> StaffUser | None:
    return s.execute(
        select(StaffUser).where(StaffUser.username == username.strip().lower())
    ).scalar_one_or_none()


def add_user(
    s: Session,
    username: str,
    password: str,
    role: str,
    now: datetime,
    *,
    display_name: str = "",
    store_ids: list[str] | None = None,
    lang: str = "zh_CN",
) -> StaffUser:
    username = username.strip().lower()
    if not username or len(username) > 40 or not all(c.isalnum() or c in "._-" for c in username):
        raise AccountError("a user name is 1-40 letters, digits, dots, dashes or underscores")
    if role not in ROLES:
        raise AccountError(f"the role is one of: {', '.join(ROLES)}")
    stores = sorted({x.strip() for x in (store_ids or []) if x.strip()})
    if role in SCOPED_ROLES and not stores:
        raise AccountError(f"a {role} needs the stores they look after (--stores S001,S002)")
    check_password(password)
    if find_user(s, username) is not None:
        raise AccountError(f"the user {username!r} exists already")
    user = StaffUser(
        id=new_id(),
        username=username,
        display_name=(display_name or username)[:80],
        role=role,
        store_ids=stores if role in SCOPED_ROLES else [],
        password_hash=_hasher.hash(password),
        failed_attempts=0,
        locked_until=None,
        disabled=False,
        lang=lang if lang in ("zh_CN", "en") else "zh_CN",
        created_at=now,
        last_login_at=None,
    )
    s.add(user)
    s.flush()
    return user


def set_password(s: Session, username: str, password: str) -> StaffUser:
    user = find_user(s, username)
    if user is None:
        raise AccountError(f"no user {username!r}")
    check_password(password)
    user.password_hash = _hasher.hash(password)
    user.failed_attempts = 0
    user.locked_until = None
    end_sessions(s, user.id)
    s.flush()
    return user


def disable_user(s: Session, username: str) -> StaffUser:
    user = find_user(s, username)
    if user is None:
        raise AccountError(f"no user {username!r}")
    user.disabled = True
    end_sessions(s, user.id)
    s.flush()
    return user


def end_sessions(s: Session, user_id: uuid.UUID) -> None:
    s.execute(delete(StaffSession).where(StaffSession.user_id == user_id))


@dataclass(frozen=True, slots=True)
class SignIn:
    """The outcome of a sign-in: ``user`` when it worked, else ``reason`` (``bad``, ``locked``)."""

    user: StaffUser | None
    reason: str = ""
    locked_until: datetime | None = None


def authenticate(s: Session, username: str, password: str, now: datetime) -> SignIn:
    """Check a password. ``MAX_FAILED`` wrong ones in a row lock the account for ``LOCK_FOR``;
    while locked even the right password is refused. Unknown and disabled users get the same
    answer as a wrong password."""
    user = find_user(s, username[:80])
    if user is None or user.disabled:
        with contextlib.suppress(VerificationError):
            _hasher.verify(_DUMMY_HASH, password)
        return SignIn(None, "bad")
    if user.locked_until is not None and user.locked_until > now:
        return SignIn(None, "locked", user.locked_until)
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        user.failed_attempts += 1
        if user.failed_attempts >= MAX_FAILED:
            user.locked_until = now + LOCK_FOR
            user.failed_attempts = 0
            s.flush()
            return SignIn(None, "locked", user.locked_until)
        s.flush()
        return SignIn(None, "bad")
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    user.failed_attempts = 0
    user.locked_until = None
    user.last_login_at = now
    s.flush()
    return SignIn(user)


def open_session(s: Session, user: StaffUser, now: datetime) -> str:
    """A new session for ``user``; returns the cookie value (only its hash is stored)."""
    token = secrets.token_urlsafe(32)
    s.add(
        StaffSession(
            token_hash=hash_token(token),
            user_id=user.id,
            csrf=secrets.token_urlsafe(32),
            created_at=now,
            expires_at=now + SESSION_IDLE,
            last_seen_at=now,
        )
    )
    s.flush()
    return token


def session_user(s: Session, token: str, now: datetime) -> tuple[StaffSession, StaffUser] | None:
    """The live session and its user for a cookie value; slides the idle expiry."""
    if not token or len(token) > 100:
        return None
    row = s.get(StaffSession, hash_token(token))
    if row is None or row.expires_at <= now or row.created_at + SESSION_MAX <= now:
        return None
    user = s.get(StaffUser, row.user_id)
    if user is None or user.disabled:
        return None
    if now - row.last_seen_at > timedelta(minutes=1):
        row.last_seen_at = now
        row.expires_at = min(now + SESSION_IDLE, row.created_at + SESSION_MAX)
    return row, user


def close_session(s: Session, token: str) -> None:
    s.execute(delete(StaffSession).where(StaffSession.token_hash == hash_token(token)))
