"""A customer answers the receipt's feedback QR before the till has synced; the sale then
arrives through a real push and the answer joins it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
import requests
from sqlalchemy import select

from app.domain.codes import issue_feedback_token
from server.feedback.models import Feedback
from tests.server.support import ServerProcess, Till, session_for

pytestmark = pytest.mark.postgres


def test_feedback_before_the_sale_is_joined_when_the_sale_is_pushed(
    server: ServerProcess, db_url: str, store_id: str
) -> None:
    till = Till(server.url, db_url, store_id)
    till.enrol()
    sale_id = uuid.uuid4()
    event = till.sale(None, total=2300, sale_id=sale_id)
    receipt_no = event["payload"]["receipt_no"]
    token = issue_feedback_token(store_id, till.terminal_id, sale_id, receipt_no, till.key, datetime.now(UTC))
    event["payload"]["feedback_token"] = token

    r = requests.post(
        f"{server.url}/f/{token}",
        data={"stars": "4", "nps": "9", "category": "service", "comment": "", "lang": "en"},
        timeout=10,
    )
    assert r.status_code == 200, r.text
    db, s = session_for(db_url)
    try:
        fb = s.execute(select(Feedback).where(Feedback.sale_id == sale_id)).scalar_one()
        assert fb.sale_linked_at is None and fb.linked_sale_id is None  # the sale is not there yet

        assert till.push([event])["results"][0]["status"] == "applied"
        s.expire_all()
        fb = s.execute(select(Feedback).where(Feedback.sale_id == sale_id)).scalar_one()
        assert fb.linked_sale_id == sale_id and fb.sale_linked_at is not None
    finally:
        s.close()
        db.dispose()
