"""The `till` command, run as a real subprocess on till homes in temporary folders."""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from app.config import CONFIG_NAME, DB_NAME
from app.domain.ids import new_id
from app.domain.staff import Role
from app.services.checkout import Tender
from app.services.context import open_till
from app.services.staff import add_staff
from app.store import orm
from tests.conftest import FAST_HASHER
from tests.integration.conftest import MILK, register, sell
from till.cli import build_parser

TILL = Path(sys.executable).parent / "till"
PHONE = "13800138000"


def run(
    *args: str, home: Path | None = None, stdin: str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if k != "TILL_HOME"}
    full_env["QT_QPA_PLATFORM"] = "offscreen"
    full_env.update(env or {})
    argv = [str(TILL), *(["--home", str(home)] if home is not None else []), *args]
    return subprocess.run(
        argv, input=stdin, capture_output=True, text=True, env=full_env, timeout=120, check=False
    )


def _subcommand_paths(parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    paths = [prefix]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                paths.extend(_subcommand_paths(sub, (*prefix, name)))
    return paths


SUBCOMMANDS = _subcommand_paths(build_parser())


@pytest.fixture
def shop(tmp_path: Path) -> dict[str, Any]:
    """A till home with staff, a product, a member and a sale, made through the services."""
    home = tmp_path / "shop"
    ctx = open_till(home, hasher=FAST_HASHER)
    try:
        staff = {"cashier": add_staff(ctx, "1001", "Li Na", Role.CASHIER, "1234")}
        with ctx.uow() as uow:
            uow.session.add(
                orm.Product(
                    id=new_id(),
                    sku=MILK,
                    name_zh="牛奶",
                    name_en="Milk",
                    category="dairy",
                    unit_price=1290,
                    member_price=1190,
                    active=True,
                )
            )
            uow.commit()
        reg = register(ctx, staff, PHONE)
        sale = sell(ctx, staff, ((MILK, 2),), member_id=reg.member.id, tenders=(Tender("cash", 5000),))
    finally:
        ctx.close()
    return {"home": home, "reg": reg, "sale": sale}


# ------------------------------------------------------------------------------ help


def test_the_parser_has_the_commands_the_issue_names() -> None:
    for path in [("db", "upgrade"), ("quote",), ("member", "find"), ("audit", "verify")]:
        assert path in SUBCOMMANDS


@pytest.mark.parametrize("path", SUBCOMMANDS, ids=lambda p: " ".join(p) or "till")
def test_help_on_every_command_exits_0(tmp_path: Path, path: tuple[str, ...]) -> None:
    home = tmp_path / "never-made"
    result = run(*path, "--help", home=home)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: till")
    assert not home.exists()  # --help does no work


# ------------------------------------------------------------------------------ db upgrade


def test_db_upgrade_creates_a_store_at_head(tmp_path: Path) -> None:
    from app.store.migrate import HEAD, current_revision

    home = tmp_path / "new"
    result = run("db", "upgrade", home=home)
    assert result.returncode == 0, result.stderr
    assert (home / DB_NAME).exists() and (home / CONFIG_NAME).exists()
    assert current_revision(home / DB_NAME) == HEAD
    assert HEAD in result.stdout
    again = run("db", "upgrade", home=home)  # idempotent
    assert again.returncode == 0, again.stderr
    verify = run("audit", "verify", home=home)  # opens the store the way the till does
    assert verify.returncode == 0, verify.stdout + verify.stderr
    conn = sqlite3.connect(home / DB_NAME)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("SELECT COUNT(*) FROM sales").fetchone()[0] == 0
    finally:
        conn.close()


def test_till_home_environment_variable(tmp_path: Path) -> None:
    env_home, flag_home = tmp_path / "from-env", tmp_path / "from-flag"
    result = run("db", "upgrade", env={"TILL_HOME": str(env_home)})
    assert result.returncode == 0, result.stderr
    assert (env_home / DB_NAME).exists()
    # --home wins over TILL_HOME.
    result = run("db", "upgrade", home=flag_home, env={"TILL_HOME": str(env_home / "not-this")})
    assert result.returncode == 0, result.stderr
    assert (flag_home / DB_NAME).exists()
    assert not (env_home / "not-this").exists()


def test_till_home_is_used_by_member_find(shop: dict[str, Any]) -> None:
    result = run("member", "find", PHONE, env={"TILL_HOME": str(shop["home"])})
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["id"] == str(shop["reg"].member.id)


# ------------------------------------------------------------------------------ bad config


@pytest.mark.parametrize(
    ("text", "mention"),
    [
        ('[store]\nstore_id = "bad id!"\n', "store.store_id"),
        ("[store\nstore_id = 1\n", "not valid TOML"),
        ("[staff]\nmax_pin_failures = 0\n", "staff.max_pin_failures"),
        ("[loyalty]\nno_such_setting = 1\n", "loyalty.no_such_setting"),
    ],
)
@pytest.mark.parametrize("command", [("db", "upgrade"), ("member", "find", PHONE), ("audit", "verify")])
def test_a_bad_config_file_is_a_clear_usage_error(
    tmp_path: Path, text: str, mention: str, command: tuple[str, ...]
) -> None:
    home = tmp_path / "bad"
    home.mkdir()
    (home / CONFIG_NAME).write_text(text, encoding="utf-8")
    result = run(*command, home=home)
    assert result.returncode == 2
    assert CONFIG_NAME in result.stderr
    assert mention in result.stderr
    assert "Traceback" not in result.stderr
    assert not (home / DB_NAME).exists()


# ------------------------------------------------------------------------------ member find


def test_member_find_by_phone_card_and_code(shop: dict[str, Any]) -> None:
    reg = shop["reg"]
    for query in (PHONE, "138 0013 8000", reg.member.card_no, reg.member_code):
        result = run("member", "find", query, home=shop["home"])
        assert result.returncode == 0, (query, result.stdout, result.stderr)
        out = json.loads(result.stdout)
        assert out["id"] == str(reg.member.id)
        assert out["card_no"] == reg.member.card_no
        assert out["phone"] == "138****8000"  # never the full number
        assert PHONE not in result.stdout
        assert out["points_balance"] == shop["sale"].points_earned == 23  # 2 x 11.90 paid
        assert [c["code"] for c in out["coupons"]] == [reg.welcome_coupon]


def test_member_code_round_trips_through_member_find(shop: dict[str, Any]) -> None:
    code = run("member", "code", PHONE, home=shop["home"])
    assert code.returncode == 0, code.stderr
    found = run("member", "find", code.stdout.strip(), home=shop["home"])
    assert found.returncode == 0, found.stderr
    assert json.loads(found.stdout)["id"] == str(shop["reg"].member.id)


@pytest.mark.parametrize(
    ("query", "code"), [("13900139000", "no_member_phone"), ("not a phone", "phone_not_a_number")]
)
def test_member_find_miss_exits_1_with_a_json_error(shop: dict[str, Any], query: str, code: str) -> None:
    result = run("member", "find", query, home=shop["home"])
    assert result.returncode == 1
    err = json.loads(result.stdout)["error"]
    assert err["code"] == code
    assert err["message"]


# ------------------------------------------------------------------------------ audit verify


def test_audit_verify_ok_then_edited(shop: dict[str, Any]) -> None:
    home = shop["home"]
    ok = run("audit", "verify", home=home)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "intact" in ok.stdout
    conn = sqlite3.connect(home / DB_NAME)
    seq, details = conn.execute(
        "SELECT seq, details FROM audit_log WHERE action = 'sale.complete'"
    ).fetchone()
    changed = json.loads(details)
    changed["total_due"] = 1
    conn.execute("UPDATE audit_log SET details = ? WHERE seq = ?", (json.dumps(changed), seq))
    conn.commit()
    conn.close()
    bad = run("audit", "verify", home=home)
    assert bad.returncode == 1
    assert f"entry {seq}: edited" in bad.stdout


def test_audit_verify_finds_a_deleted_middle_row(shop: dict[str, Any]) -> None:
    home = shop["home"]
    conn = sqlite3.connect(home / DB_NAME)
    total = conn.execute("SELECT COUNT(*) FROM audit_log").fetchone()[0]
    assert total >= 3
    middle = (total + 1) // 2
    conn.execute("DELETE FROM audit_log WHERE seq = ?", (middle,))
    conn.commit()
    conn.close()
    bad = run("audit", "verify", home=home)
    assert bad.returncode == 1
    assert f"entry {middle}: deleted" in bad.stdout


def test_audit_verify_finds_a_deleted_newest_row(shop: dict[str, Any]) -> None:
    home = shop["home"]
    conn = sqlite3.connect(home / DB_NAME)
    last = conn.execute("SELECT MAX(seq) FROM audit_log").fetchone()[0]
    conn.execute("DELETE FROM audit_log WHERE seq = ?", (last,))
    conn.commit()
    conn.close()
    bad = run("audit", "verify", home=home)
    assert bad.returncode == 1
    assert f"entry {last}: deleted" in bad.stdout


# ------------------------------------------------------------------------------ quote

BASKET = {
    "at": "2026-11-22T10:30:00+08:00",
    "member": {"tier": "basic", "points_balance": 0},
    "lines": [{"sku": MILK, "category": "dairy", "unit_price": 1290, "member_price": 1190, "qty": 2}],
}


def _check_quote(out: dict[str, Any]) -> None:
    # Member price 11.90 x 2 = 23.80 to pay; 1 point per yuan at basic: 23 points.
    assert (out["subtotal"], out["member_savings"], out["total_due"], out["points_earned"]) == (
        2580,
        200,
        2380,
        23,
    )
    assert [ln["net"] for ln in out["lines"]] == [2380]


def test_quote_from_a_file(tmp_path: Path) -> None:
    path = tmp_path / "basket.json"
    path.write_text(json.dumps(BASKET), encoding="utf-8")
    home = tmp_path / "untouched"
    result = run("quote", str(path), home=home)
    assert result.returncode == 0, result.stdout + result.stderr
    _check_quote(json.loads(result.stdout))
    assert not home.exists()  # a quote touches no store


def test_quote_from_stdin(tmp_path: Path) -> None:
    result = run("quote", "-", home=tmp_path / "h", stdin=json.dumps(BASKET))
    assert result.returncode == 0, result.stdout + result.stderr
    _check_quote(json.loads(result.stdout))
    anonymous = {**BASKET, "member": None}
    result = run("quote", "-", home=tmp_path / "h", stdin=json.dumps(anonymous))
    out = json.loads(result.stdout)
    assert (out["total_due"], out["points_earned"], out["member_savings"]) == (2580, 0, 0)


@pytest.mark.parametrize(
    ("stdin", "code"),
    [
        ("{not json", "malformed_json"),
        (json.dumps({**BASKET, "lines": [{**BASKET["lines"][0], "qty": -1}]}), "invalid_basket"),
        (json.dumps({**BASKET, "treshold": 5}), "invalid_basket"),
    ],
)
def test_quote_rejects_bad_input_with_exit_2(tmp_path: Path, stdin: str, code: str) -> None:
    result = run("quote", "-", home=tmp_path / "h", stdin=stdin)
    assert result.returncode == 2
    assert json.loads(result.stdout)["error"]["code"] == code


def test_quote_of_a_missing_file(tmp_path: Path) -> None:
    result = run("quote", str(tmp_path / "absent.json"), home=tmp_path / "h")
    assert result.returncode == 2
    assert json.loads(result.stdout)["error"]["code"] == "unreadable_file"


# ------------------------------------------------------------------------------ the rest


def test_receipt_points_expire_and_config(shop: dict[str, Any]) -> None:
    home = shop["home"]
    receipt = run("receipt", "last", "--paper", "58", home=home)
    assert receipt.returncode == 0, receipt.stderr
    assert shop["sale"].receipt_no in receipt.stdout
    # A till never enrolled prints no feedback QR or link: no server would answer it.
    assert shop["sale"].feedback_url == "" and "/f/" not in receipt.stdout
    missing = run("receipt", "S001-T01-999999", home=home)
    assert missing.returncode == 1
    expired = run("points", "expire", home=home)
    assert expired.returncode == 0 and "expired 0 points" in expired.stdout
    cfg = run("config", home=home)
    assert cfg.returncode == 0 and str(home) in cfg.stdout


def test_an_unknown_command_is_a_usage_error(tmp_path: Path) -> None:
    result = run("frobnicate", home=tmp_path / "h")
    assert result.returncode == 2
    assert "usage" in result.stderr


def test_a_refund_slip_is_rendered_again_from_the_command_line(shop: dict[str, Any]) -> None:
    from app.domain.ids import RefundId
    from app.services.refunds import RefundSale, refund_sale
    from app.services.slips import refund_no

    home = shop["home"]
    ctx = open_till(home, hasher=FAST_HASHER)
    try:
        cashier = add_staff(ctx, "1002", "Zhou Li", Role.CASHIER, "1234")
        supervisor = add_staff(ctx, "2001", "Wang Wei", Role.SUPERVISOR, "5678")
        refund_id = RefundId(new_id())
        refund_sale(
            ctx,
            RefundSale(
                refund_id=refund_id,
                sale_ref=shop["sale"].receipt_no,
                lines={1: 1},
                cashier_id=cashier.id,
                approver_id=supervisor.id,
                approver_pin="5678",
                reason="Damaged",
            ),
        )
    finally:
        ctx.close()
    number = refund_no(refund_id)
    for ref in ("last-refund", number, number.lower(), str(refund_id)):
        slip = run("receipt", ref, "--copy", home=home)
        assert slip.returncode == 0, (ref, slip.stderr)
        assert number in slip.stdout and "退货单" in slip.stdout and "COPY / 重印" in slip.stdout
        assert shop["sale"].receipt_no in slip.stdout  # the sale it refunds
    plain = run("receipt", number, home=home)
    assert plain.returncode == 0 and "重印" not in plain.stdout
    png = run("receipt", number, "--format", "png", "--out", str(home / "slip.png"), home=home)
    assert png.returncode == 0 and (home / "slip.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    missing = run("receipt", "R-000000000000", home=home)
    assert missing.returncode == 1 and "No refund R-000000000000" in missing.stderr
    assert "Traceback" not in missing.stderr
