"""The loyalty program editor over plain HTTP on the SQLite demo (a server process of its own:
publishing changes the program of every store): who may see and publish, CSRF, each fault of
`parse_program` shown next to its field, a start in the past refused, the diff against the
version in force on the confirm step, publishing (numbered, audited, in the change log), and a
confirm step gone stale because someone published meanwhile."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import pytest
import requests
from sqlalchemy import select

from app.domain.clock import DEFAULT_TZ
from app.domain.program import parse_program
from server.console import demo
from server.console.i18n import t
from server.console.models import ConsoleAudit
from server.console.web import zone_label
from server.db import Database
from server.models import ChangeRow, ProgramVersion
from tests.console.test_sqlite_and_bad_input import demo_sqlite_server
from tests.server.support import ServerProcess


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServerProcess, Database]]:
    # its own server: these tests publish program versions
    yield from demo_sqlite_server(tmp_path_factory, "console-program", members=20, days=5, per_day=2)


def signed_in(base: str, user: str) -> tuple[requests.Session, str]:
    http = requests.Session()
    page = http.get(base + "/console/login?lang=en", timeout=10)
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert csrf
    r = http.post(
        base + "/console/login",
        data={"csrf": csrf.group(1), "username": user, "password": demo.DEMO_PASSWORD, "next": "/console"},
        timeout=10,
    )
    assert r.status_code == 200 and "/console/login" not in r.url
    token = re.search(r'name="csrf" value="([^"]+)"', r.text)
    assert token
    return http, token.group(1)


class _Form(HTMLParser):
    """The fields of one form of a page, as a browser would send them."""

    def __init__(self, form_id: str) -> None:
        super().__init__()
        self.form_id = form_id
        self.inside = False
        self.fields: dict[str, str] = {}
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.inside = a.get("id") == self.form_id
        if not self.inside:
            return
        if tag == "input" and a.get("name"):
            if a.get("type") == "checkbox":
                if "checked" in a:
                    self.fields[a["name"]] = "on"
            else:
                self.fields[a["name"]] = a.get("value", "")
        if tag == "textarea":
            self._textarea = a["name"]
            self.fields[a["name"]] = ""

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.fields[self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None
        if tag == "form":
            self.inside = False


def form_of(page: str, form_id: str) -> dict[str, str]:
    parser = _Form(form_id)
    parser.feed(page)
    assert parser.fields, f"no form #{form_id}"
    return parser.fields


def local(at: datetime) -> str:
    """A `datetime-local` value in the chain's zone."""
    return at.astimezone(DEFAULT_TZ).replace(tzinfo=None).isoformat(timespec="minutes")


def field_error(page: str, path: str) -> str:
    m = re.search(
        rf'<span class="error field-error" id="[^"]+" data-for="{re.escape(path)}">([^<]*)</span>', page
    )
    return html.unescape(m.group(1)) if m else ""


def editor(http: requests.Session, base: str) -> dict[str, str]:
    r = http.get(base + "/program/new", timeout=10)
    assert r.status_code == 200
    return form_of(r.text, "program-form")


def test_who_may_see_and_publish(server: tuple[ServerProcess, Database]) -> None:
    proc, _ = server
    base = proc.url + "/console"
    mk, mk_csrf = signed_in(proc.url, "marketing")
    page = mk.get(base + "/program", timeout=10)
    assert page.status_code == 200 and 'id="in-force"' in page.text
    assert 'id="new-version"' not in page.text and t("en", "program_view_only") in page.text
    assert mk.get(base + "/program/new", timeout=10).status_code == 403
    refused = mk.post(
        base + "/program/preview", data={"csrf": mk_csrf, "earn_points_per_yuan": "9"}, timeout=10
    )
    assert refused.status_code == 403 and t("en", "err_forbidden") in refused.text
    refused = mk.post(base + "/program/publish", data={"csrf": mk_csrf, "body": "{}"}, timeout=10)
    assert refused.status_code == 403
    sm, _ = signed_in(proc.url, "store1")
    assert sm.get(base + "/program", timeout=10).status_code == 403
    assert (
        "/program" not in re.findall(r"<nav.*?</nav>", sm.get(base + "/dashboard", timeout=10).text, re.S)[0]
    )
    admin, _ = signed_in(proc.url, "admin")
    assert 'id="new-version"' in admin.get(base + "/program", timeout=10).text


def test_csrf_is_refused_before_anything_is_read(server: tuple[ServerProcess, Database]) -> None:
    proc, db = server
    base = proc.url + "/console"
    http, csrf = signed_in(proc.url, "admin")
    fields = editor(http, base)
    fields["earn_points_per_yuan"] = "4"
    fields["effective_from"] = local(datetime.now(UTC) + timedelta(days=2))
    for form in ({k: v for k, v in fields.items() if k != "csrf"}, {**fields, "csrf": "x" + csrf[1:]}):
        for path in ("/program/preview", "/program/publish"):
            r = http.post(base + path, data=form, timeout=10)
            assert r.status_code == 403 and t("en", "err_csrf") in r.text
    _other, other_csrf = signed_in(proc.url, "admin")  # another session's token
    assert (
        http.post(base + "/program/preview", data={**fields, "csrf": other_csrf}, timeout=10).status_code
        == 403
    )
    with db.sessions() as s:
        bodies = s.execute(select(ProgramVersion.body)).scalars().all()
    assert all(b["earn_points_per_yuan"] != 4 for b in bodies)


def test_each_fault_is_named_next_to_its_field(server: tuple[ServerProcess, Database]) -> None:
    proc, _ = server
    base = proc.url + "/console"
    http, _ = signed_in(proc.url, "admin")
    fields = editor(http, base)
    assert fields["earn_points_per_yuan"] and fields["tiers.1.threshold_fen"] == "2000"  # ¥2,000 in yuan
    fields.update(
        {
            "redemption.max_share": "2",
            "tiers.1.multiplier": "0",
            "welcome_coupon.amount_fen": "ten",
            "expiry.years_after": "11",
            "trust.manual_prices": '{"max_percent": ',
            "effective_from": local(datetime.now(UTC) + timedelta(days=1)),
        }
    )
    r = http.post(base + "/program/preview", data=fields, timeout=10)
    assert r.status_code == 400
    assert "between 0 and 1" in field_error(r.text, "redemption.max_share")
    assert "more than 0" in field_error(r.text, "tiers.1.multiplier")
    assert field_error(r.text, "welcome_coupon.amount_fen") == t("en", "err_yuan")
    assert "less than or equal to 10" in field_error(r.text, "expiry.years_after")
    assert field_error(r.text, "trust.manual_prices").startswith("Not JSON")
    assert field_error(r.text, "earn_points_per_yuan") == ""  # a good field has no fault
    assert t("en", "program_faults", n=5) in r.text
    # What was typed is shown again, not the version in force.
    again = form_of(r.text, "program-form")
    assert again["redemption.max_share"] == "2" and again["welcome_coupon.amount_fen"] == "ten"

    # A tier table out of order is the program's fault as a whole: named in the summary.
    fields = editor(http, base)
    fields["tiers.1.threshold_fen"] = "0"
    fields["effective_from"] = local(datetime.now(UTC) + timedelta(days=1))
    r = http.post(base + "/program/preview", data=fields, timeout=10)
    assert r.status_code == 400 and "ascending" in html.unescape(r.text)


def test_a_start_in_the_past_is_refused(server: tuple[ServerProcess, Database]) -> None:
    proc, _ = server
    base = proc.url + "/console"
    http, _ = signed_in(proc.url, "admin")
    fields = editor(http, base)
    fields["earn_points_per_yuan"] = "2"
    fields["effective_from"] = local(datetime.now(UTC) - timedelta(hours=1))
    r = http.post(base + "/program/preview", data=fields, timeout=10)
    assert r.status_code == 400 and "in the past" in field_error(r.text, "effective_from")
    fields["effective_from"] = "tomorrow"
    r = http.post(base + "/program/preview", data=fields, timeout=10)
    assert r.status_code == 400
    assert field_error(r.text, "effective_from") == t("en", "err_time", field=t("en", "field_effective_from"))
    # The confirm step's start is checked again when publishing.
    body = parse_program({"earn_points_per_yuan": 2}).to_json(indent=None)
    past = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    r = http.post(
        base + "/program/publish",
        data={"csrf": fields["csrf"], "body": body, "effective_from": past, "latest": fields["latest"]},
        timeout=10,
    )
    assert r.status_code == 400 and "in the past" in r.text


def test_nothing_changed_is_not_a_version(server: tuple[ServerProcess, Database]) -> None:
    proc, _ = server
    base = proc.url + "/console"
    http, _ = signed_in(proc.url, "admin")
    fields = editor(http, base)
    r = http.post(base + "/program/preview", data=fields, timeout=10)
    assert r.status_code == 400 and t("en", "err_no_change") in r.text


def _diff(page: str) -> dict[str, tuple[str, str]]:
    rows = re.findall(
        r'<tr data-path="([^"]+)"><td>[^<]*</td><td class="before">([^<]*)</td>'
        r'<td class="after"><strong>([^<]*)</strong>',
        page,
    )
    return {p: (html.unescape(a), html.unescape(b)) for p, a, b in rows}


def test_the_diff_is_confirmed_then_published_and_audited(server: tuple[ServerProcess, Database]) -> None:
    proc, db = server
    base = proc.url + "/console"
    http, _ = signed_in(proc.url, "admin")
    fields = editor(http, base)
    start = (datetime.now(UTC) + timedelta(days=3)).replace(second=0, microsecond=0)
    fields.update(
        {
            "earn_points_per_yuan": "2",
            "tiers.1.multiplier": "1.5",
            "birthday_multiplier": "2",
            "welcome_coupon.amount_fen": "15",
            "tiers.3.threshold_fen": "",  # no Black tier any more
            "offline.refunds": "",
            "note": "双倍积分",
            "effective_from": local(start),
        }
    )
    fields = {k: v for k, v in fields.items() if v != "" or k.startswith("tiers.")}
    r = http.post(base + "/program/preview", data=fields, timeout=10)
    assert r.status_code == 200, r.text[:2000]
    changes = _diff(r.text)
    assert changes == {
        "note": ("", "双倍积分"),
        "earn_points_per_yuan": ("1", "2"),
        "birthday_multiplier": ("—", "2"),
        "welcome_coupon.amount_fen": ("¥10.00", "¥15.00"),
        "offline.refunds": ("Yes", "No"),
        "tiers.silver.multiplier": ("1.2", "1.5"),
        "tiers.black.threshold_fen": ("¥50,000.00", "(none)"),
        "tiers.black.multiplier": ("2.0", "(none)"),
        "tiers.black.benefits_zh": ("专属服务 / 新品试用", "(none)"),
        "tiers.black.benefits_en": ("Exclusive service / New-product trials", "(none)"),
    }, changes
    shanghai = start.astimezone(DEFAULT_TZ).strftime("%Y-%m-%d %H:%M")
    assert f"{shanghai} (Asia/Shanghai), that is {start.strftime('%Y-%m-%d %H:%M')} UTC" in r.text
    confirm = form_of(r.text, "publish-form")

    # Back to the form: the draft as it was, to change again.
    back = http.post(base + "/program/edit", data=confirm, timeout=10)
    assert back.status_code == 200
    again = form_of(back.text, "program-form")
    assert again["earn_points_per_yuan"] == "2" and again["tiers.3.threshold_fen"] == ""
    assert again["effective_from"] == local(start)

    done = http.post(base + "/program/publish", data=confirm, timeout=10, allow_redirects=False)
    assert done.status_code == 303 and done.headers["location"].startswith("/console/program?published=")
    version = int(done.headers["location"].rsplit("=", 1)[1])
    page = http.get(proc.url + done.headers["location"], timeout=10).text
    assert t("en", "program_published_flash", v=version) in page
    row = re.search(rf'<tr id="v-{version}">.*?</tr>', page, re.S)
    assert row and t("en", "pstate_scheduled") in row.group(0)
    with db.sessions() as s:
        pv = s.get(ProgramVersion, version)
        assert pv is not None and pv.published_by == "admin" and pv.effective_from == start
        published = parse_program(pv.body)
        assert published.earn_points_per_yuan == 2 and [str(x.tier) for x in published.tiers] == [
            "basic",
            "silver",
            "gold",
        ]
        assert published.trust == parse_program({}).trust  # what the form did not change stays
        assert s.execute(
            select(ChangeRow).where(ChangeRow.entity == "program", ChangeRow.key == str(version))
        ).first()
        audit = s.execute(
            select(ConsoleAudit).where(
                ConsoleAudit.action == "program_published", ConsoleAudit.target == f"program:{version}"
            )
        ).scalar_one()
        assert audit.username == "admin" and "earn_points_per_yuan" in audit.detail["changed"]
        assert audit.detail["effective_from"] == start.isoformat()

    # The same confirm step again is stale: a version was published since it was made.
    stale = http.post(base + "/program/publish", data=confirm, timeout=10)
    assert stale.status_code == 409 and t("en", "err_program_moved") in stale.text

    # A new version starting before the scheduled one: the confirm step says it never applies.
    from_scheduled = http.get(base + f"/program/new?from={version}", timeout=10)
    assert from_scheduled.status_code == 200 and 'id="started-from"' in from_scheduled.text
    assert form_of(from_scheduled.text, "program-form")["earn_points_per_yuan"] == "2"
    assert http.get(base + "/program/new?from=999", timeout=10).status_code == 404
    assert http.get(base + "/program/new?from=x", timeout=10).status_code == 400
    fields = editor(http, base)
    fields.update({"feedback_points": "5", "effective_from": local(start - timedelta(days=1))})
    r = http.post(base + "/program/preview", data=fields, timeout=10)
    assert r.status_code == 200
    local_start = start.astimezone(DEFAULT_TZ)
    when = f"{local_start:%Y-%m-%d %H:%M} {zone_label(local_start)}"  # the console's `when`
    never = t("en", "pending_never", v=version, at=when, zone="Asia/Shanghai")
    assert f'data-version="{version}">{html.escape(never)}' in r.text
    fields["effective_from"] = local(start + timedelta(days=1))
    r = http.post(base + "/program/preview", data=fields, timeout=10)
    applies = t("en", "pending_applies", v=version, at=when, zone="Asia/Shanghai")
    assert r.status_code == 200 and html.escape(applies) in r.text
    with db.sessions() as s:
        assert s.execute(select(ProgramVersion).where(ProgramVersion.version > version)).first() is None


def test_bad_posts_are_answered_not_failed(server: tuple[ServerProcess, Database]) -> None:
    proc, _ = server
    base = proc.url + "/console"
    http, csrf = signed_in(proc.url, "admin")
    for path, form in (
        ("/program/publish", {"body": "not json", "effective_from": "2099-01-01T00:00:00+00:00"}),
        ("/program/publish", {"body": '{"tiers": []}', "effective_from": "2099-01-01T00:00:00+00:00"}),
        ("/program/publish", {"body": "{}", "effective_from": "nope"}),
        ("/program/edit", {"body": "[1]"}),
        ("/program/preview", {}),
        ("/program/preview", {"tiers.0.threshold_fen": "-1", "earn_points_per_yuan": "1e3"}),
    ):
        r = http.post(base + path, data={**form, "csrf": csrf}, timeout=10)
        assert 400 <= r.status_code < 500, (path, form, r.status_code, r.text[:300])
        assert "Traceback" not in r.text
