"""Events parked as rejected, reviewed in the console: each reason server/push writes has words
in both languages, the screen shows the till, store, type, reason and a safe summary of what
was claimed, and the review form (CSRF, role and store scoped) marks it reviewed with a note,
audited, without touching the event's `events` row (the dedup record)."""

from __future__ import annotations

import ast
import uuid
from datetime import UTC, datetime
from pathlib import Path

from markupsafe import escape
from sqlalchemy import select

from server.console.i18n import _M, t
from server.console.models import ConsoleAudit
from server.console.parked import REASONS, reason_parts, summary
from server.models import Event, ParkedEvent
from tests.console.test_sqlite_and_bad_input import _signed_in, sqlite_server  # noqa: F401 (fixture)

ROOT = Path(__file__).resolve().parents[2]


def _reason_heads_in_source() -> set[str]:
    """The reason codes server/push raises (`Rejected(...)`), passes to `reject(...)` or returns
    as a text fault: the literal before any ':' (an f-string's first part)."""
    found: set[str] = set()

    def head(node: ast.expr) -> str | None:
        if isinstance(node, ast.Subscript):  # f"..."[:200]
            node = node.value
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value.partition(":")[0]
        if isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
            return str(node.values[0].value).partition(":")[0]
        return None

    for py in (ROOT / "server" / "push").rglob("*.py"):
        tree = ast.parse(py.read_text(), str(py))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
                args = node.args[:1] if name == "Rejected" else node.args[3:4] if name == "reject" else []
                found |= {h for a in args if (h := head(a))}
            elif isinstance(node, ast.FunctionDef) and node.name in ("text_fault", "_invalid"):
                for r in ast.walk(node):
                    if isinstance(r, ast.Return) and r.value is not None and (h := head(r.value)):
                        found.add(h)
    return found


def test_every_reason_push_writes_is_known_and_labelled() -> None:
    written = _reason_heads_in_source()
    # The scan reaches every module that rejects (batch, handlers, rules, record).
    assert {"refund_of_unknown_sale", "invalid_payload", "coupon_code_taken", "nul_character"} <= written
    assert {"id_reused_with_different_payload", "cannot_process", "compensation_already_given"} <= written
    assert written - set(REASONS) == set()
    for reason in REASONS:
        for key in ("pr_" + reason, "pr_" + reason + "_x"):
            assert key in _M, key
            zh, en = _M[key]
            assert zh != en and not zh.isascii() and en.isascii(), key
    assert reason_parts("invalid_payload:points:int_parsing") == ("pr_invalid_payload", "points:int_parsing")
    assert reason_parts("something_new") == (None, "")


def test_summary_keeps_amounts_ids_and_leaves_out_who() -> None:
    event = {
        "type": "member.registered",
        "payload": {
            "member_id": "m-1",
            "phone": "+8613812345678",
            "name": "张三",
            "card_no": "C0001",
            "note": "free text",
            "family": [{"name": "x"}],
            "points": 20,
            "total_due": 1290,
            "lines": [{}, {}],
            "welcome_coupon": {"code": "W"},
        },
    }
    got = summary(event)
    assert got == [
        ("lines", "count", 2),
        ("member_id", "text", "m-1"),
        ("points", "int", 20),
        ("total_due", "fen", 1290),
    ]
    assert summary({"type": "x", "payload": "not a dict"}) == []


def _park(db, terminal: str, reason: str, payload: dict[str, object]) -> tuple[int, uuid.UUID]:  # type: ignore[no-untyped-def]
    eid = uuid.uuid4()
    at = datetime(2026, 12, 1, 16, 30, tzinfo=UTC)
    with db.sessions() as s:
        s.add(
            Event(
                id=eid,
                terminal_id=terminal,
                seq=7,
                type="refund.completed",
                payload_hash="0" * 64,
                status="rejected",
                reason=reason,
                result=None,
                received_at=at,
            )
        )
        row = ParkedEvent(
            event_id=eid,
            terminal_id=terminal,
            reason=reason,
            event={"id": str(eid), "type": "refund.completed", "payload": payload},
            received_at=at,
            reviewed_at=None,
        )
        s.add(row)
        s.commit()
        return row.id, eid


def test_review_a_parked_event_scoped_audited_csrf(sqlite_server) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    proc, db = sqlite_server
    payload = {"refund_id": str(uuid.uuid4()), "money": 2590, "points_reversed": 25, "phone": "13812345678"}
    mine, mine_event = _park(db, "S001-T01", "refund_exceeds_sale:money", payload)
    theirs, _ = _park(db, "S003-T01", "refund_of_unknown_sale", payload)

    http, csrf = _signed_in(proc.url)
    for lang in ("en", "zh_CN"):
        page = http.get(proc.url + f"/console/conflicts?lang={lang}", timeout=20).text
        assert f'id="pn-{mine}"' in page and f'id="pn-{theirs}"' in page
        assert escape(t(lang, "pr_refund_exceeds_sale")) in page
        assert escape(t(lang, "pr_refund_exceeds_sale_x")) in page and "<code>money</code>" in page
        assert escape(t(lang, "et_refund.completed")) in page
        # What it claimed, as money and points; never the phone. The time in the store's zone.
        assert f"{t(lang, 'pf_money')} ¥25.90" in page and f"{t(lang, 'pf_points_reversed')} 25" in page
        assert "13812345678" not in page
        assert "2026-12-02 00:30 UTC+8" in page and "S001/S001-T01" in page

    # A store manager (S001) and an area manager of S001/S002 see only their stores' tills.
    for user in ("area",):
        scoped, scoped_csrf = _signed_in(proc.url, user)
        page = scoped.get(proc.url + "/console/conflicts?lang=en", timeout=20).text
        assert f'id="pn-{mine}"' in page and f'id="pn-{theirs}"' not in page
        r = scoped.post(
            proc.url + f"/console/parked/{theirs}/review",
            data={"csrf": scoped_csrf, "note": "x"},
            timeout=20,
            allow_redirects=False,
        )
        assert r.status_code == 404
    store1, store1_csrf = _signed_in(proc.url, "store1")  # store managers do not see conflicts
    r = store1.post(
        proc.url + f"/console/parked/{mine}/review",
        data={"csrf": store1_csrf, "note": "x"},
        timeout=20,
        allow_redirects=False,
    )
    assert r.status_code == 403
    assert store1.get(proc.url + "/console/conflicts", timeout=20).status_code == 403

    # CSRF: none, or a wrong one, is refused and nothing changes.
    for data in ({"note": "x"}, {"note": "x", "csrf": "nope"}):
        r = http.post(
            proc.url + f"/console/parked/{mine}/review", data=data, timeout=20, allow_redirects=False
        )
        assert r.status_code == 403
    # No note: said so (4xx), not failed.
    r = http.post(proc.url + f"/console/parked/{mine}/review", data={"csrf": csrf, "note": " "}, timeout=20)
    assert r.status_code == 400
    r = http.post(proc.url + "/console/parked/abc/review", data={"csrf": csrf, "note": "x"}, timeout=20)
    assert r.status_code == 404
    with db.sessions() as s:
        row = s.get(ParkedEvent, mine)
        assert row is not None and row.reviewed_at is None

    r = http.post(
        proc.url + f"/console/parked/{mine}/review",
        data={"csrf": csrf, "note": "门店核对：重复退款，已电话确认"},
        timeout=20,
    )
    assert r.status_code == 200
    open_page = r.text
    assert f'id="pn-{mine}"' not in open_page and f'id="pn-{theirs}"' in open_page
    reviewed = http.get(proc.url + "/console/conflicts?lang=en&parked=reviewed", timeout=20).text
    assert f'id="h-p-{mine}"' in reviewed and f'id="h-p-{theirs}"' not in reviewed
    assert "Reviewed by admin at" in reviewed and "门店核对：重复退款，已电话确认" in reviewed
    # Twice is refused (409), not applied again.
    r = http.post(proc.url + f"/console/parked/{mine}/review", data={"csrf": csrf, "note": "y"}, timeout=20)
    assert r.status_code == 409
    with db.sessions() as s:
        row = s.get(ParkedEvent, mine)
        assert row is not None and row.reviewed_at is not None
        assert (row.reviewed_by, row.review_note) == ("admin", "门店核对：重复退款，已电话确认")
        ev = s.get(Event, mine_event)
        assert ev is not None and (ev.status, ev.reason) == ("rejected", "refund_exceeds_sale:money")
        audit = s.execute(
            select(ConsoleAudit).where(
                ConsoleAudit.action == "parked_reviewed", ConsoleAudit.target == f"parked:{mine}"
            )
        ).scalar_one()
        assert audit.username == "admin" and audit.detail["reason"] == "refund_exceeds_sale"
