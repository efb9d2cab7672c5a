"""Every console screen renders with the demo chain in both languages, passes axe-core's
accessibility rules (no serious or critical violation), and fits 1024x768 and a phone's width
without a sideways scroll. Screenshots (desktop and phone) go to a temporary folder, or to
``$LT_CONSOLE_SCREENSHOTS`` (docs/screenshots/console is made that way)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Final

import pytest
from sqlalchemy import select

from server.catalogue import save_promotions
from server.console.i18n import t
from server.feedback.models import Ticket
from server.models import Member, Product, Promotion
from tests.console.conftest import AXE, Console, sign_in

pytestmark = pytest.mark.postgres

SIZES = {"desktop": (1280, 900), "small": (1024, 768), "phone": (390, 844)}


# A promotion to show (the demo has none; it starts in 30 days, so no test's sale earns by it),
# written by the same save_promotions as the console's form.
PROMO: Final = {
    "id": "SCREEN-FRUIT",
    "name": "水果双倍积分 Double points on fruit",
    "kind": "points_multiplier",
    "multiplier": "2",
    "categories": ["fruit"],
}


def _paths(console: Console) -> dict[str, str]:
    with console.session() as s:
        starts = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(days=30)
        save_promotions(s, [{**PROMO, "starts": starts, "ends": starts + timedelta(days=7)}])
        s.commit()
        ticket = s.execute(
            select(Ticket).where(Ticket.status != "closed").order_by(Ticket.due_at).limit(1)
        ).scalar_one()
        closed = s.execute(select(Ticket).where(Ticket.status == "closed").limit(1)).scalar_one()
        member = s.execute(
            select(Member)
            .join(Ticket, Ticket.store_id == Member.store_id)
            .where(Member.last_purchase_at.is_not(None))
            .order_by(Member.last_purchase_at.desc())
            .limit(1)
        ).scalar_one()
        sku = s.execute(select(Product.sku).order_by(Product.sku).limit(1)).scalar_one()
    return {
        "dashboard": "/dashboard",
        "dashboard-store": "/dashboard?store=S001&period=day",
        "tickets": "/tickets",
        "ticket": f"/tickets/{ticket.id}",
        "ticket-closed": f"/tickets/{closed.id}",
        "members": "/members?q=" + (member.name or "")[:1],
        "member": f"/members/{member.id}",
        "stores": "/stores",
        "conflicts": "/conflicts",
        "conflicts-parked": "/conflicts?parked=open#parked",
        "conflicts-reviewed": "/conflicts?parked=reviewed#parked",
        "catalogue": "/catalogue",
        "product": f"/catalogue/products/{sku}",
        "promotion-new": "/catalogue/promotions/new",
        "promotion": "/catalogue/promotions/SCREEN-FRUIT",
        "campaigns": "/campaigns",
        "campaign-new": "/campaigns/new",
        "campaign": "/campaigns/WAKE30",
        "campaign-edit": "/campaigns/WAKE30/edit",
        "gifts": "/gifts",
        "gift": "/gifts/G100",
        "tickets-attention": "/tickets?view=attention",
        "batches": "/campaigns/batches",
        "ticket-report": "/tickets-report",
        "program": "/program",
        "program-new": "/program/new",
        "audit": "/audit",
    }


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    target = os.environ.get("LT_CONSOLE_SCREENSHOTS")
    path = Path(target) if target else tmp_path
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def axe_page(chromium: Any) -> Iterator[Any]:
    # axe is injected as a script, which the pages' CSP refuses: this context ignores the CSP.
    ctx = chromium.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    ctx.set_default_timeout(10_000)
    try:
        yield ctx.new_page()
    finally:
        ctx.close()


def _axe(page: Any) -> list[dict[str, Any]]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                       nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
    }""")
    return [v for v in result if v["impact"] in ("serious", "critical")]


def _fits(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"))


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_every_screen(axe_page: Any, console: Console, shots: Path, lang: str) -> None:
    page = axe_page
    page.goto(f"{console.url}/lang/{lang}?back=/console/login")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=str(shots / f"login-{lang}.png"))
    assert _axe(page) == []
    sign_in(page, console, "admin")
    problems: dict[str, Any] = {}
    for name, path in _paths(console).items():
        page.set_viewport_size({"width": 1280, "height": 900})
        resp = page.goto(console.url + path)
        assert resp.status == 200, name
        assert page.locator("html").get_attribute("lang") == ("zh-CN" if lang == "zh_CN" else "en")
        assert page.locator("h1").inner_text().strip(), name
        assert page.locator("nav a[aria-current=page]").count() == 1, name
        if name in ("stores", "dashboard"):  # charts drawn by ECharts, served by the server itself
            page.wait_for_selector(".chart[data-ready] svg")
        if name == "dashboard":
            assert page.locator(".kpi .big-number").first.inner_text() != "—"
        page.screenshot(path=str(shots / f"{name}-{lang}.png"))
        violations = _axe(page)
        if violations:
            problems[name] = violations
        for size in ("small", "phone"):
            w, h = SIZES[size]
            page.set_viewport_size({"width": w, "height": h})
            page.wait_for_timeout(100)
            if not _fits(page):
                problems[f"{name}@{size}"] = "scrolls sideways"
        page.screenshot(path=str(shots / f"{name}-{lang}-phone.png"))
    assert problems == {}


def test_the_enrolment_code_and_its_qr(page: Any, console: Console, shots: Path) -> None:
    sign_in(page, console, "admin")
    page.goto(console.url + "/stores")
    page.fill("#enrol-S003", "S003-T07")
    with page.expect_navigation():
        page.click("#enrol-S003 + button")
    code = page.locator("#enrol-code").inner_text()
    assert len(code) == 14 and code.count("-") == 2
    assert page.locator(".qr svg").count() == 1
    page.screenshot(path=str(shots / "enrol-zh_CN.png"))
    page.goto(console.url + "/stores")
    assert t("zh_CN", "term_awaiting") in page.locator("tr", has_text="S003-T07").inner_text()


def test_roles_see_only_their_screens(page: Any, console: Console) -> None:
    sign_in(page, console, "marketing")
    assert page.url.endswith("/console/dashboard")
    links = [a.inner_text() for a in page.locator("nav a").all()]
    assert links == [
        t("zh_CN", "nav_dashboard"),
        t("zh_CN", "nav_members"),
        t("zh_CN", "nav_catalogue"),
        t("zh_CN", "nav_gifts"),
        t("zh_CN", "nav_campaigns"),
        t("zh_CN", "nav_program"),
    ]
    resp = page.goto(console.url + "/tickets")
    assert resp.status == 403 and t("zh_CN", "err_forbidden") in page.locator(".error").inner_text()
    page.context.clear_cookies()
    sign_in(page, console, "store1")
    assert page.goto(console.url + "/dashboard?store=*").status == 404  # not the chain's figures
    assert page.goto(console.url + "/dashboard?store=S002").status == 404
    assert page.goto(console.url + "/dashboard").status == 200
    page.goto(console.url + "/tickets")
    stores = {c.inner_text() for c in page.locator("#queues tbody tr td:first-child").all()}
    assert stores <= {"S001"}
    page.goto(console.url + "/stores")
    assert page.locator("h2", has_text="S002").count() == 0 and page.locator("#add-store").count() == 0


def test_held_points_are_approved_with_a_note(page: Any, console: Console) -> None:
    from server.console.models import ConsoleAudit
    from server.models import LedgerEntry
    from server.push.models import HeldEvent

    with console.session() as s:
        held = s.execute(select(HeldEvent).where(HeldEvent.status == "held")).scalars().first()
    assert held is not None
    entry_id = held.payload["entry_id"]
    sign_in(page, console, "admin")
    page.goto(console.url + "/conflicts")
    page.fill(f"#hn-{held.id}", "核实无误")
    with page.expect_navigation():
        page.click(f"form[action$='/held/{held.id}/approve'] button:not(.danger)")
    assert page.locator(f"#hn-{held.id}").count() == 0
    with console.session() as s:
        row = s.get(HeldEvent, held.id)
        assert row is not None and (row.status, row.decided_by, row.note) == ("approved", "admin", "核实无误")
        entry = s.get(LedgerEntry, uuid.UUID(entry_id))
        assert entry is not None and entry.points == held.points
        assert s.execute(
            select(ConsoleAudit).where(
                ConsoleAudit.action == "held_approved", ConsoleAudit.target == f"held:{held.id}"
            )
        ).first()


def test_a_segment_is_defined_and_a_bad_rule_is_refused(page: Any, console: Console) -> None:
    sign_in(page, console, "marketing")
    page.goto(console.url + "/campaigns")
    assert "WAKE30" in page.content()
    page.fill("#seg-id", "big_spenders")
    page.fill("#seg-name", "高消费")
    page.fill("#seg-rule", '{"spend_min": -1}')
    with page.expect_navigation():
        page.click("#save-segment")
    assert "spend_min" in page.locator(".error").inner_text()
    page.goto(console.url + "/campaigns")
    page.fill("#seg-id", "big_spenders")
    page.fill("#seg-name", "高消费")
    page.fill("#seg-rule", '{"spend_min": 100000, "tiers": ["gold"]}')
    with page.expect_navigation():
        page.click("#save-segment")
    assert "big_spenders" in page.locator("#segments").inner_text()


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_the_program_editor_s_fault_and_confirm_steps(axe_page: Any, console: Console, lang: str) -> None:
    """The editor with faults at their fields, and the confirm step, pass axe and fit 1024x768
    (nothing is published: the shared demo's program stays as it is)."""
    page = axe_page
    page.goto(f"{console.url}/lang/{lang}?back=/console/login")
    sign_in(page, console, "admin")
    page.goto(console.url + "/program/new")
    page.fill("#f-redemption-max_share", "3")
    page.fill("#f-tiers-1-multiplier", "0")
    with page.expect_navigation():
        page.click("#check-program")
    assert page.locator(".field-error").count() == 2
    assert _axe(page) == []
    page.set_viewport_size({"width": 1024, "height": 768})
    assert _fits(page)
    page.fill("#f-redemption-max_share", "0.4")
    page.fill("#f-tiers-1-multiplier", "1.3")
    with page.expect_navigation():
        page.click("#check-program")
    assert page.locator("#diff tbody tr").count() == 2
    assert _axe(page) == []
    assert _fits(page)


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_a_promotion_fault_is_named_on_its_form(
    axe_page: Any, console: Console, shots: Path, lang: str
) -> None:
    page = axe_page
    page.goto(f"{console.url}/lang/{lang}?back=/console/login")
    sign_in(page, console, "marketing")
    page.goto(console.url + "/catalogue/promotions/new")
    page.fill("#pr-id", f"BAD-{lang}")
    page.fill("#pr-name", "周末饮料 1.5 倍积分")
    page.fill("#pr-mult", "1,5")
    page.fill("#pr-cats", "drinks")
    with page.expect_navigation() as nav:
        page.click("#save-promo")
    assert nav.value.status == 400
    assert "must be a decimal such as 2 or 1.5" in page.locator("#promo-fault").inner_text()
    assert page.locator("#pr-mult").input_value() == "1,5"
    page.screenshot(path=str(shots / f"promotion-fault-{lang}.png"))
    assert _axe(page) == []
    with console.session() as s:
        assert s.get(Promotion, f"BAD-{lang}") is None
