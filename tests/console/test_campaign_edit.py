"""The campaign form shows only the chosen kind's fields (and all of them without JavaScript,
the others ignored); a campaign is edited after it is made, checked as creation is, audited,
with what is fixed once it has chosen members held fixed whatever the form sends."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from server.console.i18n import t
from server.console.models import ConsoleAudit
from server.intel.campaigns import CampaignIn, save_campaign
from server.intel.models import IntelCampaign, IntelCampaignIssue
from server.models import Member
from tests.console.conftest import Console, sign_in, submit

pytestmark = pytest.mark.postgres


def _visible(page: Any, selector: str) -> bool:
    return bool(page.locator(selector).is_visible())


def test_the_form_shows_the_kinds_fields(page: Any, console: Console) -> None:
    sign_in(page, console, "marketing")
    page.goto(console.url + "/campaigns/new")
    shown = {
        "segment": {"#c-segment"},
        "welcome": {"#c-days"},
        "wakeup": {"#c-days"},
        "birthday": set(),
        "cross_sell": {"#c-bought", "#c-hours"},
        "frequency": {"#c-visits"},
    }
    every = {"#c-segment", "#c-days", "#c-visits", "#c-bought", "#c-hours"}
    for kind, fields in shown.items():
        page.select_option("#c-kind", kind)
        assert {f for f in every if _visible(page, f)} == fields, kind
        assert _visible(page, "#c-amount") and _visible(page, "#c-budget")  # the rest stays
    assert page.get_by_text(t("zh_CN", "camp_birthday_help")).is_visible() is False
    page.select_option("#c-kind", "birthday")
    assert page.get_by_text(t("zh_CN", "camp_birthday_help")).is_visible()


def test_without_javascript_every_field_shows_and_the_others_are_ignored(
    chromium: Any, console: Console
) -> None:
    ctx = chromium.new_context(viewport={"width": 1024, "height": 768}, java_script_enabled=False)
    try:
        page = ctx.new_page()
        sign_in(page, console, "marketing")
        page.goto(console.url + "/campaigns/new")
        for f in ("#c-segment", "#c-days", "#c-visits", "#c-bought", "#c-hours"):
            assert page.locator(f).is_visible(), f
        page.fill("#c-id", "NOJS_WELCOME")
        page.fill("#c-name", "No JS welcome")
        page.select_option("#c-kind", "welcome")
        page.fill("#c-days", "5")
        page.fill("#c-visits", "50")  # a frequency field: ignored for a welcome
        page.fill("#c-bought", "dairy")
        page.fill("#c-amount", "5")
        page.uncheck("#c-active")  # saved paused: it must not issue to other tests' members
        submit(page, "#save-campaign")
        assert page.url.endswith("/campaigns/NOJS_WELCOME"), page.content()[:500]
    finally:
        ctx.close()
    with console.session() as s:
        row = s.get(IntelCampaign, "NOJS_WELCOME")
        assert row is not None and row.kind == "welcome" and not row.active
        assert row.params["days"] == 5 and row.params["visits"] == 3 and row.params["bought"] == []
        assert row.coupon["amount"] == 500


def _campaign(console: Console, cid: str, chosen: int) -> None:
    now = datetime.now(UTC)
    body = CampaignIn.model_validate(
        {
            "name": "改前",
            "kind": "wakeup",
            "params": {"days": 40},
            "coupon": {"kind": "amount_off", "amount": 1000, "threshold": 5000, "valid_days": 7},
            "starts_at": now - timedelta(days=1),
            "ends_at": now + timedelta(days=20),
            "budget": 100,
            "per_member_cap": 1,
            "control_pct": 10,
            "active": False,
        }
    )
    with console.session() as s:
        save_campaign(s, cid, body)
        members = s.execute(select(Member.id).limit(chosen)).scalars().all()
        for n, mid in enumerate(members):
            s.add(
                IntelCampaignIssue(
                    campaign_id=cid, member_id=mid, reason="wakeup:x", control=n == 0, coupon_id=None, at=now
                )
            )
        s.commit()


def test_a_campaign_not_yet_issued_changes_in_full(page: Any, console: Console) -> None:
    _campaign(console, "EDIT_FREE", chosen=0)
    sign_in(page, console, "marketing")
    page.goto(console.url + "/campaigns/EDIT_FREE")
    with page.expect_navigation():
        page.click("#edit-campaign")
    assert page.locator("#fixed-note").count() == 0
    assert page.input_value("#c-name") == "改前" and page.input_value("#c-amount") == "10"
    assert page.input_value("#c-threshold") == "50" and page.input_value("#c-days") == "40"
    page.fill("#c-name", "改后")
    page.select_option("#c-kind", "frequency")
    page.fill("#c-visits", "4")
    page.fill("#c-amount", "12.5")
    page.fill("#c-control", "20")
    submit(page, "#save-campaign")
    assert page.url.endswith("/campaigns/EDIT_FREE")
    with console.session() as s:
        row = s.get(IntelCampaign, "EDIT_FREE")
        assert row is not None
        assert (row.name, row.kind, row.params["visits"], row.coupon["amount"], row.control_pct) == (
            "改后",
            "frequency",
            4,
            1250,
            20,
        )
        audit = s.execute(
            select(ConsoleAudit).where(
                ConsoleAudit.action == "campaign_edited", ConsoleAudit.target == "campaign:EDIT_FREE"
            )
        ).scalar_one()
        assert audit.username == "marketing"
        assert {"name", "kind", "params", "coupon", "control_pct"} <= set(audit.detail["changed"])
        assert audit.detail["changed"]["name"] == ["改前", "改后"]
    # Checked as creation is: an end before the start is refused, nothing saved.
    page.goto(console.url + "/campaigns/EDIT_FREE/edit")
    page.fill("#c-ends", "2001-01-01T00:00")
    submit(page, "#save-campaign")
    assert "ends_at" in page.locator(".error").inner_text()
    with console.session() as s:
        row = s.get(IntelCampaign, "EDIT_FREE")
        assert row is not None and row.ends_at.year > 2001


def test_once_issued_the_terms_stay_and_the_budget_cannot_drop_below_issued(
    page: Any, console: Console
) -> None:
    _campaign(console, "EDIT_FIXED", chosen=4)  # one held out, three coupons
    sign_in(page, console, "marketing")
    page.goto(console.url + "/campaigns/EDIT_FIXED/edit")
    assert page.locator("#fixed-note").inner_text() == t("zh_CN", "camp_fixed_note", n=3)
    for f in ("#c-kind", "#c-amount", "#c-starts", "#c-control", "#c-days"):
        assert page.locator(f).is_disabled(), f
    for f in ("#c-name", "#c-ends", "#c-budget", "#c-cap-member", "#c-active"):
        assert page.locator(f).is_enabled(), f
    shots = os.environ.get("LT_CONSOLE_SCREENSHOTS")  # docs/screenshots/console is made that way
    if shots:
        page.set_viewport_size({"width": 1024, "height": 768})
        page.screenshot(path=str(Path(shots) / "campaign-edit-fixed-zh_CN.png"), full_page=True)
        page.goto(console.url + "/lang/en?back=/console/campaigns/EDIT_FIXED/edit")
        page.screenshot(path=str(Path(shots) / "campaign-edit-fixed-en.png"), full_page=True)
        page.goto(console.url + "/lang/zh_CN?back=/console/campaigns/EDIT_FIXED/edit")
    assert page.get_attribute("#c-budget", "min") == "3"  # the browser says so first
    page.evaluate("document.querySelector('#c-budget').removeAttribute('min')")  # the server too
    page.fill("#c-budget", "2")
    submit(page, "#save-campaign")
    assert page.locator(".error").inner_text() == t("zh_CN", "err_budget_below_issued", n=3)
    page.goto(console.url + "/campaigns/EDIT_FIXED/edit")
    # A form that sends the fixed fields anyway (enabled by hand) changes none of them.
    page.evaluate("document.querySelectorAll('[disabled]').forEach(e => e.disabled = false)")
    page.select_option("#c-kind", "birthday")
    page.fill("#c-amount", "99")
    page.fill("#c-control", "0")
    page.fill("#c-name", "延长")
    page.fill("#c-budget", "3")
    page.fill("#c-cap-member", "2")
    page.check("#c-active")  # its budget is spent: running it issues nothing more
    submit(page, "#save-campaign")
    with console.session() as s:
        row = s.get(IntelCampaign, "EDIT_FIXED")
        assert row is not None
        assert (row.name, row.budget, row.per_member_cap, row.active) == ("延长", 3, 2, True)
        assert (row.kind, row.coupon["amount"], row.control_pct, row.params["days"]) == (
            "wakeup",
            1000,
            10,
            40,
        )


def test_edit_needs_the_csrf_token_and_the_role(page: Any, console: Console) -> None:
    _campaign(console, "EDIT_CSRF", chosen=0)
    sign_in(page, console, "marketing")
    r = page.request.post(console.url + "/campaigns/EDIT_CSRF/edit", form={"name": "x"})
    assert r.status == 403 and t("zh_CN", "err_csrf") in r.text()
    page.context.clear_cookies()
    sign_in(page, console, "store1")
    assert page.goto(console.url + "/campaigns/EDIT_CSRF/edit").status == 403
    with console.session() as s:
        row = s.get(IntelCampaign, "EDIT_CSRF")
        assert row is not None and row.name == "改前"
