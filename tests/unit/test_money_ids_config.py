from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from app.config import (
    CONFIG_NAME,
    DEFAULT_CONFIG_TEXT,
    ConfigError,
    TillConfig,
    load_config,
    parse_config,
    resolve_home,
)
from app.domain.ids import new_id
from app.domain.money import format_fen


def test_money_formats_yuan_with_two_decimals_and_separators() -> None:
    assert format_fen(123456) == "¥1,234.56"
    assert format_fen(5) == "¥0.05"
    assert format_fen(-5) == "-¥0.05"
    assert format_fen(100, symbol="") == "1.00"


def test_money_formatting_refuses_anything_but_integer_fen() -> None:
    for bad in (1.5, True, "100"):
        with pytest.raises(TypeError):
            format_fen(bad)  # type: ignore[arg-type]


def test_ids_are_uuid7_and_time_ordered() -> None:
    ids = [new_id() for _ in range(200)]
    assert all(i.version == 7 for i in ids)
    assert len(set(ids)) == 200
    assert ids == sorted(ids)


def test_default_config_text_parses_to_the_defaults() -> None:
    assert parse_config(DEFAULT_CONFIG_TEXT) == TillConfig()


def test_first_load_writes_the_documented_file(tmp_path: Path) -> None:
    cfg = load_config(tmp_path)
    assert (tmp_path / CONFIG_NAME).read_text(encoding="utf-8") == DEFAULT_CONFIG_TEXT
    assert cfg.store.store_id == "S001"


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("[printer]\npaper_mm = 70\n", "printer.paper_mm"),
        ('[loyalty]\nredeem_max_share = "2"\n', "loyalty.redeem_max_share"),
        ('[loyalty]\nredeem_max_share = "0.5x"\n', "loyalty.redeem_max_share"),
        ('[store]\ntimezone = "Mars/Olympus"\n', "store.timezone"),
        ('[store]\nstore_id = "has space"\n', "store.store_id"),
        ("[printer]\npaperr_mm = 58\n", "printer.paperr_mm"),
        ('[server]\nurl = "ftp://x"\n', "server.url"),
        ('[loyalty.tier_multipliers]\nbasic = "1"\n', "loyalty.tier_multipliers"),
    ],
)
def test_bad_values_name_the_file_and_field(tmp_path: Path, text: str, where: str) -> None:
    (tmp_path / CONFIG_NAME).write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(tmp_path)
    assert str(tmp_path / CONFIG_NAME) in str(err.value)
    assert where in str(err.value)


def test_not_toml_is_a_clear_error() -> None:
    with pytest.raises(ConfigError, match="not valid TOML"):
        parse_config("[store\n")


def test_home_resolution_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TILL_HOME", str(tmp_path / "env"))
    assert resolve_home(tmp_path / "cli") == (tmp_path / "cli").resolve()
    assert resolve_home(None) == (tmp_path / "env").resolve()
    monkeypatch.delenv("TILL_HOME")
    assert "loyalty-till" in str(resolve_home(None))


def test_ids_follow_the_uuid7_layout_and_carry_the_time() -> None:
    import time

    before = time.time_ns() // 1_000_000
    value = new_id()
    after = time.time_ns() // 1_000_000
    assert value.variant == uuid.RFC_4122
    assert before <= value.int >> 80 <= after + 1


def test_ids_made_in_one_millisecond_still_sort_in_order() -> None:
    ids = [new_id() for _ in range(10_000)]  # many share a millisecond
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
