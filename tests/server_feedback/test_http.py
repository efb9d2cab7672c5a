"""The feedback page and the tickets API over real HTTP (uvicorn on loopback, PostgreSQL)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import requests
from sqlalchemy import select

from app.domain.codes import SigningKey, issue_feedback_token
from app.domain.program import DEFAULT_PROGRAM
from server import models as sm
from server.feedback import service
from server.feedback.core import core_ports
from server.feedback.i18n import Lang, t
from server.feedback.models import Feedback
from tests.server_feedback.conftest import ADMIN_TOKEN, NOW, LiveServer, add_sale, enrol

pytestmark = pytest.mark.postgres
TIMEOUT = 10
GOOD = {"stars": "5", "nps": "10", "category": "service", "comment": "店员很热情 Friendly staff"}


def _post(url: str, data: dict[str, str], **kw: object) -> requests.Response:
    return requests.post(url, data=data, timeout=TIMEOUT, allow_redirects=False, **kw)  # type: ignore[arg-type]


def test_page_in_both_languages_and_security_headers(live_server: LiveServer) -> None:
    term = enrol(live_server.sessions)
    token, _, receipt_no = term.receipt()
    url = f"{live_server.url}/f/{token}"
    zh = requests.get(url, headers={"Accept-Language": "zh-CN,zh;q=0.9"}, timeout=TIMEOUT)
    en = requests.get(url, headers={"Accept-Language": "en-GB,en;q=0.9"}, timeout=TIMEOUT)
    switched = requests.get(url + "?lang=en", headers={"Accept-Language": "zh-CN"}, timeout=TIMEOUT)
    assert zh.status_code == en.status_code == switched.status_code == 200
    assert t("zh", "title") in zh.text and '<html lang="zh-CN">' in zh.text
    assert t("en", "title") in en.text and t("en", "title") in switched.text
    assert receipt_no in zh.text
    assert zh.headers["Referrer-Policy"] == "no-referrer"
    assert "default-src 'none'" in zh.headers["Content-Security-Policy"]
    assert zh.headers["Cache-Control"] == "no-store"
    assert zh.headers["Content-Type"].startswith("text/html")


def test_forged_and_altered_tokens_get_a_polite_refusal(live_server: LiveServer) -> None:
    term = enrol(live_server.sessions)
    token, _, _ = term.receipt()
    forged = issue_feedback_token(
        "S001", "T01", uuid.uuid4(), "S001-T01-000042", SigningKey.generate(term.key.key_id), NOW
    )
    payload, sig = token.removeprefix("LTF1.").split(".")
    altered = "LTF1." + payload[:-2] + ("AA" if payload[-2:] != "AA" else "BA") + "." + sig
    langs: tuple[Lang, ...] = ("zh", "en")
    for bad in (forged, altered, "LTF1.nonsense", "not-a-token"):
        for lang in langs:
            r = requests.get(f"{live_server.url}/f/{bad}?lang={lang}", timeout=TIMEOUT)
            assert r.status_code == 404, bad
            assert t(lang, "refused_title") in r.text
            assert "Traceback" not in r.text and "signature" not in r.text.lower()
        r = _post(f"{live_server.url}/f/{bad}", GOOD)
        assert r.status_code == 404 and t("zh", "refused_title") in r.text
    with live_server.sessions() as s:
        assert s.execute(select(Feedback)).first() is None


def test_submit_once_then_already_answered(live_server: LiveServer) -> None:
    term = enrol(live_server.sessions)
    token, sale_id, _ = term.receipt()
    url = f"{live_server.url}/f/{token}"
    r = _post(url + "?lang=en", {**GOOD, "lang": "en"})
    assert r.status_code == 200 and t("en", "thanks_title") in r.text
    assert t("en", "thanks_ticket") not in r.text
    again = _post(url, {**GOOD, "stars": "1", "lang": "en"})
    assert again.status_code == 409 and t("en", "already_title") in again.text
    zh = requests.get(url, headers={"Accept-Language": "zh"}, timeout=TIMEOUT)
    assert zh.status_code == 200 and t("zh", "already_title") in zh.text and "<form" not in zh.text
    with live_server.sessions() as s:
        fb = s.execute(select(Feedback)).scalar_one()
        assert (fb.sale_id, fb.stars, fb.nps, fb.category, fb.lang) == (sale_id, 5, 10, "service", "en")
        assert fb.comment == GOOD["comment"]


def test_invalid_answer_comes_back_with_errors_and_values(live_server: LiveServer) -> None:
    term = enrol(live_server.sessions)
    token, _, _ = term.receipt()
    r = _post(f"{live_server.url}/f/{token}", {"stars": "9", "nps": "", "comment": "<b>hi</b>", "lang": "zh"})
    assert r.status_code == 422
    assert t("zh", "err.stars") in r.text and t("zh", "err.nps") in r.text
    assert "&lt;b&gt;hi&lt;/b&gt;" in r.text
    assert _post(f"{live_server.url}/f/{token}", {**GOOD, "lang": "zh"}).status_code == 200


def test_feedback_before_the_sale_then_the_sale_arrives_and_they_join(live_server: LiveServer) -> None:
    term = enrol(live_server.sessions)
    token, sale_id, receipt_no = term.receipt()
    r = _post(f"{live_server.url}/f/{token}", {"stars": "2", "nps": "4", "category": "stock", "lang": "zh"})
    assert r.status_code == 200 and t("zh", "thanks_ticket") in r.text
    with live_server.sessions() as s:
        fb = s.execute(select(Feedback)).scalar_one()
        assert fb.linked_sale_id is None and fb.member_id is None
    member = uuid.uuid4()
    with live_server.sessions.begin() as s:  # what the core's push handler does for sale.completed
        add_sale(s, term, sale_id, receipt_no, member)
        assert service.link_sale(s, sale_id, member, live_server.clock())
    with live_server.sessions() as s:
        fb = s.execute(select(Feedback)).scalar_one()
        assert (fb.linked_sale_id, fb.member_id) == (sale_id, member)


def test_tickets_api_tracks_to_closure_with_compensation(live_server: LiveServer) -> None:
    term = enrol(live_server.sessions)
    token, sale_id, receipt_no = term.receipt()
    _post(
        f"{live_server.url}/f/{token}",
        {"stars": "1", "nps": "0", "category": "product_quality", "comment": "milk was sour", "lang": "en"},
    )
    api = f"{live_server.url}/api/v1/tickets"
    auth = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    assert requests.get(api, timeout=TIMEOUT).status_code == 401
    assert requests.get(api, headers={"Authorization": "Bearer wrong"}, timeout=TIMEOUT).status_code == 401
    listed = requests.get(api, headers=auth, params={"status": "open"}, timeout=TIMEOUT).json()["tickets"]
    assert len(listed) == 1
    ticket = listed[0]
    assert (ticket["severity"], ticket["team"]) == ("major", "quality")
    assert ticket["escalated_to"] == "area_manager"
    assert ticket["feedback"]["sale_linked"] is False and "phone" not in str(ticket)
    tid = ticket["id"]
    r = requests.post(
        f"{api}/{tid}/close",
        headers=auth,
        timeout=TIMEOUT,
        json={"resolution": "x", "compensation": {"points": 300}},
    )
    assert r.status_code == 409 and r.json()["code"] == "cannot_compensate"
    r = requests.post(
        f"{api}/{tid}/assign", headers=auth, json={"assignee": "Zhao", "actor": "hq-li"}, timeout=TIMEOUT
    )
    assert r.status_code == 200 and r.json()["status"] == "in_progress"
    member = uuid.uuid4()
    with live_server.sessions.begin() as s:  # the sale arrives without link_sale: the sweep joins it
        add_sale(s, term, sale_id, receipt_no, member)
        s.get_one(sm.Store, term.store_id).timezone = "America/New_York"  # its points expire there
    listed = requests.get(api, headers=auth, timeout=TIMEOUT).json()["tickets"]
    assert listed[0]["feedback"]["sale_linked"] is True
    live_server.clock.at += timedelta(hours=2)
    r = requests.post(
        f"{api}/{tid}/close",
        headers=auth,
        timeout=TIMEOUT,
        json={
            "resolution": "Refunded and apologised",
            "actor": "hq-li",
            "compensation": {"points": 300, "coupon_amount": 1000, "coupon_threshold": 3000},
        },
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "closed" and body["compensation"]["published"] is True
    assert [h["action"] for h in body["history"]] == [
        "opened",
        "escalated",
        "assigned",
        "compensated",
        "closed",
    ]
    assert body["history"][-1]["detail"]["within_sla"] is False  # major: due at once
    assert requests.post(f"{api}/{tid}/close", headers=auth, json={}, timeout=TIMEOUT).status_code == 409
    assert requests.get(f"{api}/{uuid.uuid4()}", headers=auth, timeout=TIMEOUT).status_code == 404
    with live_server.sessions() as s:
        from server.pull import pull
        from sync.protocol import PullRequest

        got = pull(s, PullRequest(cursor=0), "S001", "T01", "e")
        assert {c.entity for c in got.changes} >= {"ledger_entry", "coupon"}
        # The points expire by the program in force, at the year end of the store's zone.
        entry = s.execute(select(sm.LedgerEntry).where(sm.LedgerEntry.member_id == member)).scalar_one()
        closed_at = live_server.clock()
        assert entry.points == 300
        assert entry.expires_at == DEFAULT_PROGRAM.expires_at(closed_at, ZoneInfo("America/New_York"))
        assert entry.expires_at != DEFAULT_PROGRAM.expires_at(closed_at, ZoneInfo("Asia/Shanghai"))


def test_concurrent_double_submit_keeps_one_answer(live_server: LiveServer) -> None:
    from concurrent.futures import ThreadPoolExecutor

    term = enrol(live_server.sessions)
    token, _, _ = term.receipt()
    with ThreadPoolExecutor(4) as pool:
        codes = sorted(pool.map(lambda _: _post(f"{live_server.url}/f/{token}", GOOD).status_code, range(4)))
    assert codes == [200, 409, 409, 409]
    with live_server.sessions() as s:
        assert len(s.execute(select(Feedback)).all()) == 1


def test_core_ports_default_policy() -> None:
    ports = core_ports(feedback_open_for=timedelta(days=7))
    assert ports.feedback_open_for == timedelta(days=7) and ports.compensate is not None
