"""The `till quote` contract (docs: /work/shared/contracts/quote.md).

baskets/NAME.json is a basket; expected/NAME.json holds the output worked out by hand (the
`worked` notes show how). Every basket is checked through run_quote, against an independent
reference implementation, and, when the CLI exists, through `till quote` as a subprocess.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from app.pricing.jsonio import run_quote
from tests.contract.reference import reference_quote

HERE = Path(__file__).parent
BASKETS = sorted((HERE / "baskets").glob("*.json"))
NAMES = [p.stem for p in BASKETS]

OUTPUT_KEYS = [
    "lines",
    "subtotal",
    "member_savings",
    "coupon_discount",
    "applied_coupons",
    "rejected_coupons",
    "points_redeemed",
    "points_value",
    "points_capped",
    "points_rejected",
    "total_due",
    "points_earned",
]
LINE_KEYS = [
    "sku",
    "qty",
    "list_total",
    "line_total",
    "coupon_discount",
    "points_discount",
    "net",
    "points_earned",
]


def basket_text(name: str) -> str:
    return (HERE / "baskets" / f"{name}.json").read_text(encoding="utf-8")


def expected(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((HERE / "expected" / f"{name}.json").read_text(encoding="utf-8"))
    return data


def assert_invariants(out: dict[str, Any]) -> None:
    lines = out["lines"]
    assert (
        out["subtotal"] - out["member_savings"] - out["coupon_discount"] - out["points_value"]
        == out["total_due"]
    )
    assert out["subtotal"] == sum(ln["list_total"] for ln in lines)
    assert out["member_savings"] == sum(ln["list_total"] - ln["line_total"] for ln in lines)
    assert out["coupon_discount"] == sum(ln["coupon_discount"] for ln in lines)
    assert out["coupon_discount"] == sum(c["discount"] for c in out["applied_coupons"])
    assert out["points_value"] == sum(ln["points_discount"] for ln in lines)
    assert out["total_due"] == sum(ln["net"] for ln in lines)
    assert out["points_earned"] == sum(ln["points_earned"] for ln in lines)
    assert all(ln["net"] >= 0 for ln in lines)


def test_there_are_enough_baskets() -> None:
    assert len(BASKETS) >= 15
    assert {p.name for p in (HERE / "expected").glob("*.json")} == {p.name for p in BASKETS}


@pytest.mark.parametrize("name", NAMES)
def test_run_quote_matches_the_hand_worked_output(name: str) -> None:
    code, out = run_quote(basket_text(name))
    assert code == 0, out
    assert out == expected(name)["output"]
    assert list(out) == OUTPUT_KEYS
    assert all(list(ln) == LINE_KEYS for ln in out["lines"])
    assert_invariants(out)


@pytest.mark.parametrize("name", NAMES)
def test_reference_implementation_agrees(name: str) -> None:
    # Checks the reference against the hand-worked figures, so it can be trusted below.
    assert reference_quote(json.loads(basket_text(name))) == expected(name)["output"]


def test_big_basket_against_the_reference() -> None:
    sys.path.insert(0, str(HERE.parent.parent / "bench"))
    try:
        from bench_quote import build_basket_json
    finally:
        sys.path.pop(0)
    for n_lines, n_promos in ((100, 50), (37, 11), (1, 0)):
        data = build_basket_json(n_lines, n_promos)
        code, out = run_quote(json.dumps(data, ensure_ascii=False))
        assert code == 0
        assert out == reference_quote(data)
        assert_invariants(out)


def test_contract_example_prices_and_keeps_invariants() -> None:
    code, out = run_quote(basket_text("18_contract_example"))
    assert code == 0
    assert_invariants(out)


def test_output_serialises_with_ensure_ascii_false() -> None:
    code, out = run_quote(basket_text("20_chinese_big_ticket"))
    assert code == 0
    assert "茅台飞天53度" in json.dumps(out, ensure_ascii=False)


# ------------------------------------------------------------------ exit 2


def _valid() -> dict[str, Any]:
    return {
        "at": "2026-11-22T10:30:00+08:00",
        "member": {"tier": "gold", "points_balance": 100},
        "lines": [
            {"sku": "a", "category": "c", "unit_price": 100, "qty": 1},
            {"sku": "b", "category": "c", "unit_price": 100, "qty": 1},
            {"sku": "c", "category": "c", "unit_price": 100, "qty": 1},
        ],
        "coupons": [{"code": "X", "kind": "amount_off", "amount": 10}],
        "promotions": [{"id": "P", "kind": "points_multiplier", "multiplier": "2"}],
    }


def _with(path: str, value: Any) -> str:
    data = _valid()
    node: Any = data
    keys: list[Any] = [int(k) if k.isdigit() else k for k in path.split("/")]
    for k in keys[:-1]:
        node = node[k]
    if value is _DELETE:
        del node[keys[-1]]
    else:
        node[keys[-1]] = value
    return json.dumps(data, ensure_ascii=False)


_DELETE = object()


def test_the_valid_base_prices() -> None:
    assert run_quote(json.dumps(_valid()))[0] == 0


@pytest.mark.parametrize("text", ["", "{", "{'at': 1}", "[1, 2", "NaN", '{"at": NaN}'])
def test_malformed_json(text: str) -> None:
    code, out = run_quote(text)
    assert code == 2
    assert out["error"]["code"] == "malformed_json"
    assert out["error"]["message"]


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("lines/2/qty", -1, "lines[2].qty must be a positive integer"),
        ("lines/2/qty", 0, "lines[2].qty must be a positive integer"),
        ("lines/0/qty", 1.5, "lines[0].qty must be a positive integer"),
        ("lines/0/qty", "3", "lines[0].qty must be a positive integer"),
        ("lines/0/qty", True, "lines[0].qty must be a positive integer"),
        ("lines/0/qty", _DELETE, "lines[0].qty is required"),
        ("lines/1/unit_price", -5, "lines[1].unit_price must be a non-negative integer"),
        ("lines/1/unit_price", 12.9, "lines[1].unit_price must be a non-negative integer"),
        ("lines/1/member_price", -1, "lines[1].member_price must be a non-negative integer"),
        ("lines/0/sku", 6901234567892, "lines[0].sku must be a non-empty string"),
        ("lines/0/colour", "red", "lines[0].colour is not a known field"),
        ("lines", {"sku": "a"}, "lines must be a list"),
        ("lines", _DELETE, "lines is required"),
        ("coupons/0/kind", "bogo", "coupons[0].kind must be one of"),
        ("coupons/0/amount", _DELETE, "coupons[0].amount is required for a amount_off coupon"),
        ("coupons/0/threshold", -1, "coupons[0].threshold must be a non-negative integer"),
        ("coupons/0/stackable", "yes", "coupons[0].stackable must be true or false"),
        ("coupons/0/valid_to", "2026-12-31T23:59:59", "coupons[0].valid_to must include a UTC"),
        ("promotions/0/kind", "cashback", "promotions[0].kind must be one of"),
        ("promotions/0/multiplier", "1,5", "promotions[0].multiplier must be a non-negative dec"),
        ("promotions/0/multiplier", 1.5, "promotions[0].multiplier must be a non-negative dec"),
        ("promotions/0/multiplier", "-2", "promotions[0].multiplier must be a non-negative dec"),
        ("promotions/0/multiplier", "1e3", "promotions[0].multiplier must be a non-negative dec"),
        ("member/tier", "platinum", "member.tier 'platinum' is not a tier of the program"),
        ("member/birthday", "1990-02-30", "member.birthday is not a valid date"),
        ("member/points_balance", "100", "member.points_balance must be an integer"),
        ("at", "2026-11-22T10:30:00", "at must include a UTC offset"),
        ("at", "yesterday", "at is not an ISO 8601 date-time"),
        ("at", _DELETE, "at is required"),
        ("redeem_points", -100, "redeem_points must be a non-negative integer"),
        ("program", {"redeem_max_share": "1.5"}, "program.redeem_max_share must be at most 1"),
        ("program", {"redeem_step": 0}, "program.redeem_step must be a positive integer"),
        ("program", {"tier_multipliers": {"gold": 2}}, None),  # valid: ints are fine
        ("program", {"tier_multipliers": {"basic": "1"}}, "member.tier 'gold' is not a tier"),
    ],
)
def test_invalid_basket(path: str, value: Any, message: str | None) -> None:
    code, out = run_quote(_with(path, value))
    if message is None:
        assert code == 0, out
        return
    assert code == 2, out
    assert out["error"]["code"] == "invalid_basket"
    assert out["error"]["message"].startswith(message), out["error"]["message"]


@pytest.mark.parametrize("text", ["[]", "42", '"basket"', "null"])
def test_non_object_basket(text: str) -> None:
    assert run_quote(text) == (
        2,
        {"error": {"code": "invalid_basket", "message": "basket must be a JSON object"}},
    )


# ------------------------------------------------------------------ the CLI, as a subprocess


def _till() -> str | None:
    candidate = Path(sys.executable).parent / "till"
    return str(candidate) if candidate.exists() else shutil.which("till")


def _cli_supports_quote() -> bool:
    till = _till()
    if till is None:
        return False
    try:
        done = subprocess.run([till, "quote", "--help"], capture_output=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


needs_cli = pytest.mark.skipif(
    not _cli_supports_quote(),
    reason="`till quote --help` does not succeed yet: the CLI is being written separately",
)


def _run_cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    till = _till()
    assert till is not None
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [till, "quote", *args],
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
        env=env,
    )


@needs_cli
@pytest.mark.parametrize("name", NAMES)
def test_cli_file(name: str) -> None:
    done = _run_cli(str(HERE / "baskets" / f"{name}.json"))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == expected(name)["output"]


@needs_cli
def test_cli_stdin() -> None:
    done = _run_cli("-", stdin=basket_text("20_chinese_big_ticket"))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == expected("20_chinese_big_ticket")["output"]


@needs_cli
@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("{not json", "malformed_json"),
        (_with("lines/0/qty", -1), "invalid_basket"),
        (_with("coupons/0/kind", "bogo"), "invalid_basket"),
    ],
)
def test_cli_exit_2(text: str, code: str) -> None:
    done = _run_cli("-", stdin=text)
    assert done.returncode == 2
    assert json.loads(done.stdout)["error"]["code"] == code


def test_the_reference_shares_no_code_with_the_engine() -> None:
    """The oracle is only worth something if it is written apart: it imports nothing of the
    till (no pricing, no allocation helpers)."""
    import ast
    from pathlib import Path

    tree = ast.parse((Path(__file__).parent / "reference.py").read_text(encoding="utf-8"))
    imported = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    imported |= {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert not {m for m in imported if m.split(".")[0] in ("app", "sync", "server", "till")}, imported
