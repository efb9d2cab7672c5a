"""The console on the SQLite one-store demo, over plain HTTP (requests, cookies not Secure):
every page answers, and bad input gets a page saying what is wrong, never a 5xx."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import requests
from sqlalchemy import select

from server.console import demo
from server.console.i18n import t
from server.db import Database
from server.feedback.models import Ticket
from server.migrate import upgrade
from server.models import Member
from server.settings import ServerSettings
from tests.server.support import ServerProcess


def demo_sqlite_server(
    tmp_path_factory: pytest.TempPathFactory, name: str, members: int, days: int, per_day: int
) -> Iterator[tuple[ServerProcess, Database]]:
    """A server process on its own SQLite file seeded with the console demo (plain-HTTP
    cookies); the body of the module-scoped fixtures that need a demo server of their own."""
    tmp = tmp_path_factory.mktemp(name)
    url = f"sqlite:///{tmp / 'server.db'}"
    settings = ServerSettings(database_url=url)
    upgrade(settings)
    db = Database(settings)
    with db.sessions() as s:
        demo.seed(s, members=members, days=days, per_day=per_day)
        s.commit()
    proc = ServerProcess(url, tmp, LT_SERVER_CONSOLE_SECURE_COOKIES="false").start(timeout=90)
    try:
        yield proc, db
    finally:
        proc.stop()
        db.dispose()


@pytest.fixture(scope="module")
def sqlite_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServerProcess, Database]]:
    yield from demo_sqlite_server(tmp_path_factory, "console-sqlite", members=60, days=25, per_day=3)


def _signed_in(base: str, user: str = "admin") -> tuple[requests.Session, str]:
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


def test_every_page_on_sqlite(sqlite_server: tuple[ServerProcess, Database]) -> None:
    proc, db = sqlite_server
    http, _ = _signed_in(proc.url)
    with db.sessions() as s:
        member = s.execute(select(Member.id).limit(1)).scalar_one()
        ticket = s.execute(select(Ticket.id).limit(1)).scalar_one()
    for path in (
        "/dashboard",
        "/tickets",
        "/tickets?status=closed",
        f"/tickets/{ticket}",
        "/members?q=王",
        f"/members/{member}",
        "/stores",
        "/conflicts?show=all",
        "/catalogue",
        "/audit",
    ):
        r = http.get(proc.url + "/console" + path, timeout=20)
        assert r.status_code == 200, (path, r.text[:300])
        assert "Server-Timing" in r.headers and "Content-Security-Policy" in r.headers


def test_bad_input_is_answered_not_failed(sqlite_server: tuple[ServerProcess, Database]) -> None:
    proc, db = sqlite_server
    http, csrf = _signed_in(proc.url)
    base = proc.url + "/console"
    with db.sessions() as s:
        member = s.execute(select(Member.id).limit(1)).scalar_one()
        ticket = s.execute(select(Ticket.id).where(Ticket.status != "closed").limit(1)).scalar_one()
    gets = [
        "/members/not-a-uuid",
        "/tickets/42",
        "/members?q=" + "9" * 300,
        "/members?q=+86%00",
        "/catalogue/products/%00",
        "/catalogue?offset=-5",
        "/tickets?status=<script>",
        "/dashboard?store=nope",
        "/dashboard?period=year",
        "/lang/xx?back=//evil.example",
        "/static/../../pyproject.toml",
    ]
    for path in gets:
        r = http.get(base + path, timeout=20, allow_redirects=False)
        assert r.status_code < 500, (path, r.status_code)
    posts = {
        f"/members/{member}/adjust": [
            {"points": "abc", "reason": "x"},
            {"points": "999999999", "reason": "x"},
            {"points": "0", "reason": "x"},
            {"points": "5", "reason": ""},
            {"points": "-99999", "reason": "x" * 5000},
        ],
        f"/tickets/{ticket}/close": [
            {"reason": "nope"},
            {"reason": "resolved", "coupon_yuan": "1e9"},
            {"reason": "resolved", "coupon_yuan": "0.001"},
            {"reason": "resolved", "points": "-3"},
            {"reason": "resolved", "coupon_yuan": "NaN"},
        ],
        f"/tickets/{ticket}/assign": [{"assignee": "nobody"}, {}],
        "/stores": [{"store_id": "bad id!", "name": "x"}, {"store_id": "", "name": ""}],
        "/stores/NOPE/enrol": [{"terminal_id": "T1"}],
        "/terminals/NOPE/revoke": [{}],
        "/conflicts/not-a-uuid/resolve": [{"note": "x"}],
        "/catalogue/import": [{}],
    }
    for path, forms in posts.items():
        for form in forms:
            r = http.post(base + path, data={**form, "csrf": csrf}, timeout=20, allow_redirects=False)
            assert 400 <= r.status_code < 500, (path, form, r.status_code, r.text[:200])
            assert "Traceback" not in r.text
    r = http.post(
        base + f"/members/{member}/adjust", data={"points": "abc", "reason": "x", "csrf": csrf}, timeout=20
    )
    assert t("en", "err_number", field="points", low=-20000, high=20000) in r.text
    # A file that is not a catalogue: refused with the row and field named, nothing imported.
    bad = "sku,name_zh,category,unit_price\n123,牛奶,dairy,abc\n"
    r = http.post(
        base + "/catalogue/import",
        data={"csrf": csrf},
        files={"file": ("p.csv", bad, "text/csv")},
        timeout=20,
    )
    assert r.status_code == 400 and "row 1: unit_price" in r.text
    good = "sku,name_zh,category,unit_price\n555001,新品牛奶,dairy,1290\n"
    r = http.post(
        base + "/catalogue/import",
        data={"csrf": csrf},
        files={"file": ("p.csv", good, "text/csv")},
        timeout=20,
    )
    assert r.status_code == 200 and t("en", "import_result", added=1, updated=0, same=0) in r.text
