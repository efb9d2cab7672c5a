"""Every conflict kind the server can record has a label and an explanation in both languages,
and the conflicts screen shows each with its figures, not its key.

The kinds come from the code: `server.models.ConflictKind` (what `record_conflict` is typed
with, so mypy refuses a kind outside it), and a scan of the server's source for any other place
a kind is written (`Conflict(kind="...")`, a helper's first argument), which must be in it too.
"""

from __future__ import annotations

import ast
import uuid
from datetime import UTC, datetime
from pathlib import Path

from markupsafe import escape

from server.console.i18n import _M, t
from server.models import CONFLICT_KINDS, Conflict
from tests.console.test_sqlite_and_bad_input import _signed_in, sqlite_server  # noqa: F401 (fixture)

ROOT = Path(__file__).resolve().parents[2]


def _kinds_written_in_source() -> set[str]:
    """String literals the server passes as a conflict's kind, wherever it writes one."""
    found: set[str] = set()
    for py in (ROOT / "server").rglob("*.py"):
        tree = ast.parse(py.read_text(), str(py))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
                args = {"record_conflict": node.args[1:2], "conflict": node.args[:1]}.get(name, [])
                if name in ("Conflict", "record_conflict"):
                    args += [k.value for k in node.keywords if k.arg == "kind"]
                found |= {a.value for a in args if isinstance(a, ast.Constant) and isinstance(a.value, str)}
            elif isinstance(node, ast.Compare) and ast.unparse(node.left).endswith("Conflict.kind"):
                found |= {c.value for c in node.comparators if isinstance(c, ast.Constant)}
            elif isinstance(node, ast.AnnAssign) and "ConflictKind" in ast.unparse(node.annotation):
                if isinstance(node.value, ast.Constant):
                    found.add(node.value.value)
            elif isinstance(node, ast.FunctionDef) and "ConflictKind" in ast.unparse(
                node.returns or ast.Pass()
            ):
                found |= {
                    r.value.value
                    for r in ast.walk(node)
                    if isinstance(r, ast.Return) and isinstance(r.value, ast.Constant) and r.value.value
                }
    return found


def test_every_kind_the_server_writes_is_in_the_list_and_labelled() -> None:
    written = _kinds_written_in_source()
    # The scan finds the kinds of every part that records one (rules, gifts, manual prices,
    # merges, the audit check), so a kind written outside the list cannot slip by.
    assert {"coupon_reused", "gift_out_of_stock", "manual_price_unjustified", "member_merged"} <= written
    assert {"audit_mismatch", "coupon_out_of_scope", "welcome_coupon_terms"} <= written
    assert written - set(CONFLICT_KINDS) == set()
    unlabelled = [k for k in CONFLICT_KINDS for p in ("ck_", "ckx_") if p + k not in _M]
    assert unlabelled == []
    for kind in CONFLICT_KINDS:
        zh, en = _M["ck_" + kind]
        assert zh != en and not zh.isascii() and en.isascii(), kind


# Details as the push rules write them (server/push/handlers/gifts.py, manual_prices.py,
# handlers/members.py), one conflict of each kind.
_DETAILS: dict[str, dict[str, object]] = {
    "manual_price_unjustified": {
        "fault": "above_limit",
        "line_no": 2,
        "sku": "6900000000001",
        "approver_id": None,
        "role": "cashier",
        "claimed_list_unit": 1290,
        "list_unit": 1290,
        "unit": 645,
        "percent_below_list": "50.00",
        "limit_percent": 10,
    },
    "gift_points_mismatch": {"redemption_id": "r1", "gift_id": "G1", "claimed": 80, "catalogue": 100},
    "gift_points_short": {"redemption_id": str(uuid.uuid4()), "gift_id": "G1", "points": 100, "balance": 40},
    "gift_out_of_stock": {"redemption_id": str(uuid.uuid4()), "gift_id": "G100", "stock": 0, "after": -1},
    "gift_unknown": {"redemption_id": str(uuid.uuid4()), "gift_id": "G404", "claimed_points": 300},
    "gift_inactive": {"redemption_id": str(uuid.uuid4()), "gift_id": "G100", "claimed_points": 100},
    "gift_reversal_mismatch": {"redemption_id": str(uuid.uuid4()), "claimed": 120, "redeemed": 100},
    "gift_reversal_unapproved": {"redemption_id": str(uuid.uuid4()), "points": 100, "approver_id": None},
    "welcome_coupon_terms": {
        "code": "W-TEST-1",
        "claimed": {
            "kind": "amount_off",
            "amount": 2000,
            "threshold": 0,
            "valid_from": "2026-11-20T02:00:00Z",
            "valid_to": "2027-01-20T02:00:00Z",
        },
        "program": {"kind": "amount_off", "amount": 1000, "threshold": 5000, "days": 30},
    },
    "refund_points_held": {"claimed_reversed": 50, "reversed": 30, "claimed_given_back": 0, "given_back": 0},
}


def test_the_screen_explains_each_kind_with_its_figures(sqlite_server) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    proc, db = sqlite_server
    at = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
    with db.sessions() as s:
        for kind in CONFLICT_KINDS:
            s.add(
                Conflict(
                    id=uuid.uuid4(),
                    kind=kind,
                    at=at,
                    member_id=None,
                    sale_id=None,
                    terminal_id=None,
                    details=_DETAILS.get(kind, {}),
                    resolved_at=None,
                )
            )
        s.commit()
    http, _ = _signed_in(proc.url)
    for lang in ("en", "zh_CN"):
        page = http.get(proc.url + f"/console/conflicts?lang={lang}", timeout=20).text
        for kind in CONFLICT_KINDS:
            assert escape(t(lang, "ck_" + kind)) in page, (lang, kind)
            assert escape(t(lang, "ckx_" + kind)) in page, (lang, kind)
            assert f">{kind}<" not in page and f"ck_{kind}" not in page
        # Both figures, formatted, under their labels; a fault in words, not its code.
        keys = ("claimed_list_unit", "unit", "limit_percent", "catalogue", "after", "redeemed", "program")
        for key in keys:
            assert f"<dt>{escape(t(lang, 'f_' + key))}</dt>" in page, (lang, key)
        assert "¥6.45" in page and "¥12.90" in page and "¥20.00" in page and "¥50.00" in page
        assert escape(t(lang, "cf_above_limit")) in page and ">above_limit<" not in page
        assert escape(t(lang, "f_days")) in page and escape(t(lang, "ck_amount_off")) in page
    # The kind filter names them too.
    page = http.get(proc.url + "/console/conflicts?lang=en&kind=gift_out_of_stock", timeout=20).text
    assert f'<option value="gift_out_of_stock" selected>{t("en", "ck_gift_out_of_stock")}</option>' in page
    assert t("en", "ckx_gift_points_short") not in page


def test_every_reason_an_adjustment_is_held_for_is_worded(sqlite_server) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    from server.push import points_rules

    source = Path(points_rules.__file__).read_text()
    hold = next(
        n for n in ast.walk(ast.parse(source)) if isinstance(n, ast.FunctionDef) and n.name == "hold_reason"
    )
    returned = {
        r.value.value
        for r in ast.walk(hold)
        if isinstance(r, ast.Return) and isinstance(r.value, ast.Constant) and isinstance(r.value.value, str)
    }
    assert returned == set(points_rules.HOLD_REASONS)
    for reason in points_rules.HOLD_REASONS:
        zh, en = _M["hold_" + reason]
        assert zh != en and not zh.isascii() and en.isascii(), reason
    proc, _db = sqlite_server  # the demo holds one adjustment back: above_role_limit
    http, _ = _signed_in(proc.url)
    for lang in ("en", "zh_CN"):
        page = http.get(proc.url + f"/console/conflicts?lang={lang}", timeout=20).text
        assert f"<dd>{escape(t(lang, 'hold_above_role_limit'))}</dd>" in page, lang
        assert ">above_role_limit<" not in page
