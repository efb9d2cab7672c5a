"""The console's tables: staff accounts, their sessions, and the audit trail of what they did.

Registered on the core's ``Base`` (server/migrations/env.py imports this module); migration
``c0001``. Passwords are argon2 hashes; a session is kept as the SHA-256 of its cookie value.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from server.models import Base

__all__ = ["ConsoleAudit", "StaffSession", "StaffUser"]


class StaffUser(Base):
    """A person who signs in to the console. ``store_ids`` scopes area and store managers."""

    __tablename__ = "staff_users"
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(40), unique=True)
    display_name: Mapped[str] = mapped_column(String(80))
    role: Mapped[str] = mapped_column(String(24))
    store_ids: Mapped[list[str]] = mapped_column(default=list)
    password_hash: Mapped[str] = mapped_column(String(200))
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None]
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    lang: Mapped[str] = mapped_column(String(8), default="zh_CN")
    created_at: Mapped[datetime]
    last_login_at: Mapped[datetime | None]


class StaffSession(Base):
    """A signed-in browser. The cookie holds a random token; only its hash is stored."""

    __tablename__ = "staff_sessions"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(index=True)
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]


class ConsoleAudit(Base):
    """Every change made in the console, every sign-in (and failed one), and every reveal of a
    member's full phone number. ``detail`` never holds the phone itself."""

    __tablename__ = "console_audit"
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    at: Mapped[datetime]
    user_id: Mapped[uuid.UUID | None]
    username: Mapped[str] = mapped_column(String(40))
    action: Mapped[str] = mapped_column(String(40))
    target: Mapped[str] = mapped_column(String(80), default="")
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    __table_args__ = (Index("ix_console_audit_at", "at"), Index("ix_console_audit_target", "target"))
