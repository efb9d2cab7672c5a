"""Signing in, the lock-out after wrong passwords, store scope and CSRF, in Chromium."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import func, select

from server.console import accounts
from server.console.i18n import t
from server.console.models import ConsoleAudit
from server.models import LedgerEntry, Member
from tests.console.conftest import Console, sign_in, submit

pytestmark = pytest.mark.postgres


def _new_user(console: Console, role: str = "service_agent", stores: list[str] | None = None) -> str:
    name = f"u{uuid.uuid4().hex[:8]}"
    with console.session() as s:
        accounts.add_user(s, name, "correct horse battery", role, accounts_now(), store_ids=stores)
        s.commit()
    return name


def accounts_now() -> Any:
    from app.domain.clock import utcnow

    return utcnow()


def test_sign_in_sets_secure_http_only_cookies_and_out_again(page: Any, console: Console) -> None:
    sign_in(page, console, "admin")
    assert page.url.endswith("/console/dashboard")
    assert page.locator("h1").inner_text() == t("zh_CN", "dashboard_title")
    cookie = next(c for c in page.context.cookies() if c["name"] == "lt_console")
    assert cookie["secure"] and cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    page.click("header form button")  # sign out (a POST with the CSRF token)
    page.wait_for_url("**/console/login")
    page.goto(console.url + "/members")
    assert "/console/login" in page.url  # the session is gone


def test_wrong_password_then_lock_out(page: Any, console: Console) -> None:
    name = _new_user(console)
    for _ in range(accounts.MAX_FAILED - 1):
        sign_in(page, console, name, "wrong password!")
        assert page.locator("#login-error").inner_text() == t("zh_CN", "login_bad")
    sign_in(page, console, name, "wrong password!")
    assert page.locator("#login-error").inner_text() == t("zh_CN", "login_locked")
    # Locked: even the right password is refused now.
    sign_in(page, console, name, "correct horse battery")
    assert page.locator("#login-error").inner_text() == t("zh_CN", "login_locked")
    assert "/login" in page.url
    with console.session() as s:
        actions = list(
            s.execute(
                select(ConsoleAudit.action).where(ConsoleAudit.username == name).order_by(ConsoleAudit.at)
            ).scalars()
        )
    assert actions == ["sign_in_bad"] * (accounts.MAX_FAILED - 1) + ["sign_in_locked", "sign_in_locked"]


def test_a_disabled_user_cannot_sign_in(page: Any, console: Console) -> None:
    name = _new_user(console)
    sign_in(page, console, name, "correct horse battery")
    assert "/console/tickets" in page.url  # a service agent starts at the tickets
    with console.session() as s:
        accounts.disable_user(s, name)
        s.commit()
    page.goto(console.url + "/tickets")
    assert "/console/login" in page.url  # its session ended with the account
    sign_in(page, console, name, "correct horse battery")
    assert page.locator("#login-error").inner_text() == t("zh_CN", "login_bad")


def _member_of(console: Console, store: str) -> Member:
    with console.session() as s:
        return s.execute(
            select(Member)
            .where(Member.store_id == store, Member.merged_into.is_(None))
            .order_by(Member.id)
            .limit(1)
        ).scalar_one()


def test_a_store_manager_cannot_open_another_stores_member(page: Any, console: Console) -> None:
    mine, theirs = _member_of(console, "S001"), _member_of(console, "S002")
    sign_in(page, console, "store1")
    resp = page.goto(f"{console.url}/members/{mine.id}")
    assert resp.status == 200 and (mine.name or "") in page.locator("h1").inner_text()
    resp = page.goto(f"{console.url}/members/{theirs.id}")
    assert resp.status == 404
    assert page.locator(".error").inner_text() == t("zh_CN", "err_not_found")
    # Nor find them by phone.
    assert theirs.phone is not None
    page.goto(f"{console.url}/members?q={theirs.phone.replace('+86', '')}")
    assert page.locator("#no-results").is_visible()
    # And may not reveal their phone by posting to it either.
    token = page.locator("input[name=csrf]").first.get_attribute("value")
    r = page.request.post(f"{console.url}/members/{theirs.id}/phone", form={"csrf": token})
    assert r.status == 404
    # An area manager for S001 and S002 sees both.
    page.context.clear_cookies()
    sign_in(page, console, "area")
    assert page.goto(f"{console.url}/members/{theirs.id}").status == 200


def test_csrf_refused(page: Any, console: Console) -> None:
    member = _member_of(console, "S001")
    sign_in(page, console, "admin")
    page.goto(f"{console.url}/members/{member.id}")
    with console.session() as s:
        before = s.execute(
            select(func.count()).select_from(LedgerEntry).where(LedgerEntry.member_id == member.id)
        ).scalar_one()
    form = {"points": "50", "reason": "goodwill"}
    # No token, a wrong token: refused with the message, nothing written.
    for extra in ({}, {"csrf": "not-the-token"}):
        r = page.request.post(
            f"{console.url}/members/{member.id}/adjust", form={**form, **extra}, max_redirects=0
        )
        assert r.status == 403
        assert t("zh_CN", "err_csrf") in r.text()
    # A token from another session does not work either.
    other = page.context.browser.new_context()
    try:
        p2 = other.new_page()
        sign_in(p2, console, "admin")
        p2.goto(f"{console.url}/members/{member.id}")
        foreign = p2.locator("input[name=csrf]").first.get_attribute("value")
    finally:
        other.close()
    r = page.request.post(
        f"{console.url}/members/{member.id}/adjust", form={**form, "csrf": foreign}, max_redirects=0
    )
    assert r.status == 403
    with console.session() as s:
        after = s.execute(
            select(func.count()).select_from(LedgerEntry).where(LedgerEntry.member_id == member.id)
        ).scalar_one()
    assert after == before
    # The sign-in form is protected too (its token is tied to a cookie set with the form).
    r = page.request.post(
        f"{console.url}/login", form={"username": "admin", "password": "x"}, max_redirects=0
    )
    assert r.status == 403
    # With the page's own token the same adjustment goes through.
    page.fill("#adj-points", "50")
    page.fill("#adj-reason", "goodwill")
    submit(page, "#adjust-btn")
    assert "+50" in page.locator("#ledger").inner_text()


def test_phone_is_masked_and_every_reveal_is_audited(page: Any, console: Console) -> None:
    member = _member_of(console, "S001")
    sign_in(page, console, "store1")
    page.goto(f"{console.url}/members/{member.id}")
    assert member.phone is not None
    national = member.phone.replace("+86", "")
    assert national not in page.content()
    masked = page.locator("#phone-masked").inner_text()
    assert masked == f"{national[:3]}****{national[-4:]}"
    page.click("#reveal-phone")  # htmx swaps the full number in
    page.wait_for_selector("#phone-full")
    assert page.locator("#phone-full").inner_text().replace(" ", "") == member.phone
    with console.session() as s:
        rows = (
            s.execute(
                select(ConsoleAudit).where(
                    ConsoleAudit.action == "reveal_phone",
                    ConsoleAudit.target == f"member:{member.id}",
                    ConsoleAudit.username == "store1",
                )
            )
            .scalars()
            .all()
        )
    assert len(rows) == 1 and national not in str(rows[0].detail)
