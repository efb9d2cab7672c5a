"""Feedback tokens are bound to the terminal whose key signed them, and the page's form is
bounded: against a real `till-server serve` on PostgreSQL, with tills enrolled over HTTP."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
import requests
from sqlalchemy import select

from app.domain.codes import issue_feedback_token
from server.feedback.i18n import t
from server.feedback.models import Feedback
from tests.server.support import ServerProcess, Till, session_for

pytestmark = pytest.mark.postgres
GOOD = {"stars": "2", "nps": "3", "category": "service", "comment": "slow", "lang": "en"}


def _token(signer: Till, store_id: str, terminal_id: str, sale_id: uuid.UUID, receipt_no: str) -> str:
    return issue_feedback_token(store_id, terminal_id, sale_id, receipt_no, signer.key, datetime.now(UTC))


def _answers(db_url: str, sale_id: uuid.UUID) -> list[Feedback]:
    db, s = session_for(db_url)
    try:
        return list(s.execute(select(Feedback).where(Feedback.sale_id == sale_id)).scalars())
    finally:
        s.close()
        db.dispose()


def _two_tills(server: ServerProcess, db_url: str, store_id: str) -> tuple[Till, Till]:
    a = Till(server.url, db_url, store_id)
    b = Till(server.url, db_url, store_id + "B")
    a.enrol()
    b.enrol()
    return a, b


def test_a_token_naming_another_stores_terminal_is_refused(
    server: ServerProcess, db_url: str, store_id: str
) -> None:
    a, b = _two_tills(server, db_url, store_id)
    sale = b.sale(None, total=5000)
    assert b.push([sale])["results"][0]["status"] == "applied"
    sale_id = uuid.UUID(sale["payload"]["sale_id"])
    receipt = sale["payload"]["receipt_no"]
    # A's key, B's store, terminal, receipt and sale: refused, as page and as answer.
    forged = _token(a, b.store_id, b.terminal_id, sale_id, receipt)
    assert requests.get(f"{server.url}/f/{forged}?lang=en", timeout=10).status_code == 404
    r = requests.post(f"{server.url}/f/{forged}", data=GOOD, timeout=10)
    assert r.status_code == 404 and t("en", "refused_title") in r.text
    # A's key and A's own terminal, but B's sale (already on the server): refused too.
    own_terminal = _token(a, a.store_id, a.terminal_id, sale_id, f"{a.store_id}-X-1")
    assert requests.post(f"{server.url}/f/{own_terminal}", data=GOOD, timeout=10).status_code == 404
    assert _answers(db_url, sale_id) == []
    # B's real token still gets its answer, joined to its sale.
    real = _token(b, b.store_id, b.terminal_id, sale_id, receipt)
    assert requests.post(f"{server.url}/f/{real}", data=GOOD, timeout=10).status_code == 200
    [fb] = _answers(db_url, sale_id)
    assert fb.terminal_id == b.terminal_id and fb.linked_sale_id == sale_id


def test_a_forged_answer_before_the_sale_neither_blocks_nor_joins_it(
    server: ServerProcess, db_url: str, store_id: str
) -> None:
    a, b = _two_tills(server, db_url, store_id)
    member = uuid.uuid4()
    assert (
        b.push([b.registration(f"+86139{uuid.uuid4().int % 10**8:08d}", member)])["results"][0]["status"]
        == "applied"
    )
    sale = b.sale(member, total=5000)
    sale_id = uuid.UUID(sale["payload"]["sale_id"])
    receipt = sale["payload"]["receipt_no"]
    # Before B's sale syncs, A answers with its own key, terminal and receipt, naming B's sale.
    forged = _token(a, a.store_id, a.terminal_id, sale_id, f"{a.store_id}-{a.terminal_id}-9")
    assert requests.post(f"{server.url}/f/{forged}", data=GOOD, timeout=10).status_code == 200
    real = _token(b, b.store_id, b.terminal_id, sale_id, receipt)
    r = requests.post(f"{server.url}/f/{real}", data=GOOD, timeout=10)
    assert r.status_code == 200, r.text  # not "already answered"
    assert b.push([sale])["results"][0]["status"] == "applied"
    answers = {fb.terminal_id: fb for fb in _answers(db_url, sale_id)}
    assert set(answers) == {a.terminal_id, b.terminal_id}
    assert answers[b.terminal_id].linked_sale_id == sale_id and answers[b.terminal_id].member_id == member
    assert answers[a.terminal_id].linked_sale_id is None and answers[a.terminal_id].member_id is None


def test_the_form_is_bounded_before_and_after_the_token(
    server: ServerProcess, db_url: str, store_id: str
) -> None:
    till = Till(server.url, db_url, store_id)
    till.enrol()
    sale_id = uuid.uuid4()
    token = _token(till, store_id, till.terminal_id, sale_id, f"{store_id}-R1")
    url = f"{server.url}/f/{token}"
    many = "&".join(f"f{i}=x" for i in range(25)) + "&stars=5&nps=10"
    for where in (url, f"{server.url}/f/LTF1.nonsense"):  # before the token is checked
        r = requests.post(
            where,
            data=many,
            timeout=10,
            headers={"Content-Type": "application/x-www-form-urlencoded", "Accept-Language": "en"},
        )
        assert r.status_code == 400 and t("en", "bad_form_title") in r.text, r.text[:300]
    r = requests.post(
        url, data=b"stars=\xff\xfe", timeout=10, headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert r.status_code == 400
    nul = requests.post(url, data={**GOOD, "comment": "bad\x00comment"}, timeout=10)
    assert nul.status_code == 422 and t("en", "err.comment") in nul.text
    digits = requests.post(url, data={**GOOD, "stars": "5" * 5000}, timeout=10)
    assert digits.status_code == 422 and t("en", "err.stars") in digits.text
    nps = requests.post(url, data={**GOOD, "nps": "1" * 5000, "category": "\x00"}, timeout=10)
    assert nps.status_code == 422 and t("en", "err.nps") in nps.text and t("en", "err.category") in nps.text
    long_token = requests.get(f"{server.url}/f/LTF1.{'A' * 5000}.{'B' * 100}", timeout=10)
    assert long_token.status_code == 404
    assert _answers(db_url, sale_id) == []
    ok = requests.post(url, data=GOOD, timeout=10)  # nothing above spent the one answer
    assert ok.status_code == 200 and len(_answers(db_url, sale_id)) == 1


def test_hq_lists_refuse_huge_offsets_and_nul_filters(server: ServerProcess) -> None:
    from tests.server.conftest import HQ_TOKEN

    hq = {"Authorization": f"Bearer {HQ_TOKEN}"}
    for path in ("/api/v1/conflicts", "/api/v1/tickets"):
        r = requests.get(server.url + path, params={"offset": "9223372036854775808"}, headers=hq, timeout=10)
        assert r.status_code == 422 and r.json()["code"] == "invalid_request", r.text
        r = requests.get(server.url + path, params={"offset": "1000001"}, headers=hq, timeout=10)
        assert r.status_code == 422
        assert (
            requests.get(server.url + path, params={"offset": "1000000"}, headers=hq, timeout=10).status_code
            == 200
        )
    for path, name in (
        ("/api/v1/conflicts", "kind"),
        ("/api/v1/conflicts", "terminal_id"),
        ("/api/v1/tickets", "team"),
        ("/api/v1/tickets", "store_id"),
    ):
        r = requests.get(server.url + path, params={name: "a\x00b"}, headers=hq, timeout=10)
        assert r.status_code == 400 and r.json()["code"] == "bad_request", r.text
    resolve = requests.post(
        f"{server.url}/api/v1/conflicts/{uuid.uuid4()}/resolve",
        json={"note": "x\x00", "actor": "hq"},
        headers=hq,
        timeout=10,
    )
    assert resolve.status_code == 422
