"""Accounts, translations and the console's migration, without a browser."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect
from sqlalchemy.orm import Session

import server.models as sm
from app.domain.clock import utcnow
from server.console import accounts
from server.console.i18n import _M, pick_lang, t
from server.console.models import StaffSession
from server.migrate import upgrade
from server.settings import load_settings

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "server" / "console" / "templates"
OURS = {"staff_users", "staff_sessions", "console_audit"}


@pytest.fixture
def s(tmp_path: Path) -> Session:
    url = f"sqlite:///{tmp_path / 'server.db'}"
    upgrade(load_settings(database_url=url))
    return Session(create_engine(url))


def test_migration_matches_the_models(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'server.db'}"
    upgrade(load_settings(database_url=url))
    engine = create_engine(url)
    assert set(inspect(engine).get_table_names()) >= OURS
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = [d for d in compare_metadata(ctx, sm.Base.metadata) if any(n in str(d) for n in OURS)]
    assert diff == []


def test_roles_and_bad_accounts(s: Session) -> None:
    now = utcnow()
    with pytest.raises(accounts.AccountError, match="stores"):
        accounts.add_user(s, "sm", "long enough pw", "store_manager", now)
    with pytest.raises(accounts.AccountError, match="role"):
        accounts.add_user(s, "x", "long enough pw", "cashier", now)
    with pytest.raises(accounts.AccountError, match="10 characters"):
        accounts.add_user(s, "x", "short", "hq_admin", now)
    with pytest.raises(accounts.AccountError, match="user name"):
        accounts.add_user(s, "bad name!", "long enough pw", "hq_admin", now)
    u = accounts.add_user(s, "Chen", "long enough pw", "store_manager", now, store_ids=["S001"])
    assert u.username == "chen" and u.password_hash.startswith("$argon2")
    with pytest.raises(accounts.AccountError, match="exists"):
        accounts.add_user(s, "chen", "long enough pw", "hq_admin", now)
    # An HQ role keeps no store list (it sees them all).
    assert accounts.add_user(s, "hq", "long enough pw", "hq_admin", now, store_ids=["S1"]).store_ids == []


def test_lock_out_ends_after_its_time_and_a_good_sign_in_resets_the_count(s: Session) -> None:
    now = utcnow()
    accounts.add_user(s, "li", "long enough pw", "service_agent", now)
    for _ in range(accounts.MAX_FAILED - 1):
        assert accounts.authenticate(s, "li", "nope", now).reason == "bad"
    assert accounts.authenticate(s, "li", "long enough pw", now).user is not None  # resets
    for _ in range(accounts.MAX_FAILED):
        result = accounts.authenticate(s, "li", "nope", now)
    assert result.reason == "locked"
    assert accounts.authenticate(s, "li", "long enough pw", now + timedelta(minutes=5)).reason == "locked"
    later = now + accounts.LOCK_FOR + timedelta(seconds=1)
    assert accounts.authenticate(s, "li", "long enough pw", later).user is not None
    assert accounts.authenticate(s, "nobody", "whatever", now).reason == "bad"


def test_sessions_expire_and_a_new_password_ends_them(s: Session) -> None:
    now = utcnow()
    u = accounts.add_user(s, "wu", "long enough pw", "marketing", now)
    token = accounts.open_session(s, u, now)
    assert s.get(StaffSession, accounts.hash_token(token)) is not None  # only the hash is kept
    assert accounts.session_user(s, token, now + timedelta(hours=1)) is not None
    assert accounts.session_user(s, token, now + accounts.SESSION_MAX) is None
    assert accounts.session_user(s, "forged", now) is None
    accounts.set_password(s, "wu", "another long pw")
    assert accounts.session_user(s, token, now) is None


def test_every_static_key_in_the_templates_is_in_both_languages() -> None:
    used: set[str] = set()
    for path in TEMPLATES.glob("*.html"):
        used |= set(re.findall(r"_\('([a-z0-9_]+)'[,)]", path.read_text()))
    for py in (ROOT / "server" / "console").rglob("*.py"):
        used |= set(re.findall(r'Refused\(\d+, "([a-z_]+)"', py.read_text()))
    missing = sorted(k for k in used if k not in _M)
    assert missing == []
    assert all(zh and en and zh != en for zh, en in _M.values() if not zh.isascii())
    assert t("en", "n_points", n=5) == "5 points" and t("zh_CN", "n_points", n=5) == "5 积分"


def test_language_choice() -> None:
    assert pick_lang(None, None, None, "en-GB,en;q=0.9") == "en"
    assert pick_lang("en", "zh_CN") == "en"
    assert pick_lang(None, "zh_CN", "en") == "zh_CN"
    assert pick_lang("fr", None) == "zh_CN"


def test_user_command(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'server.db'}"
    env = {"LT_SERVER_DATABASE_URL": url, "PATH": "/usr/bin:/bin"}
    run = lambda *a, inp="": subprocess.run(  # noqa: E731
        [sys.executable, "-m", "server.cli", *a],
        input=inp,
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=60,
    )
    assert run("db", "upgrade").returncode == 0
    r = run("user", "add", "zhao", "--role", "area_manager", "--password-stdin", inp="long enough pw\n")
    assert r.returncode == 2 and "stores" in r.stderr
    r = run(
        "user",
        "add",
        "zhao",
        "--role",
        "area_manager",
        "--stores",
        "S001,S002",
        "--password-stdin",
        inp="long enough pw\n",
    )
    assert r.returncode == 0, r.stderr
    assert run("user", "passwd", "zhao", "--password-stdin", inp="short\n").returncode == 2
    assert run("user", "passwd", "zhao", "--password-stdin", inp="a new long one\n").returncode == 0
    assert run("user", "disable", "zhao").returncode == 0
    listed = run("user", "list").stdout
    assert "zhao\tarea_manager\tS001,S002\tdisabled" in listed
