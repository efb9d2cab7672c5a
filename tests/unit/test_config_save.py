"""Saving settings into till.toml: the file's comments and layout stay, the result is
validated before anything is written, and the write is atomic."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.config import (
    CONFIG_NAME,
    DEFAULT_CONFIG_TEXT,
    ConfigError,
    load_config,
    parse_config,
    save_settings,
)


@pytest.fixture
def home(tmp_path: Path) -> Path:
    load_config(tmp_path)  # writes the documented default
    return tmp_path


def text(home: Path) -> str:
    return (home / CONFIG_NAME).read_text(encoding="utf-8")


def test_values_change_and_every_comment_and_other_line_stays(home: Path) -> None:
    config = save_settings(
        home,
        {
            "terminal": {"language": "en"},
            "scanner": {"wedge_max_gap_ms": 45, "camera": "/dev/video2"},
            "printer": {
                "kind": "network",
                "host": "192.168.1.50",
                "port": 9101,
                "paper_mm": 58,
                "chinese": False,
            },
        },
    )
    assert config.terminal.language == "en" and config.scanner.wedge_max_gap_ms == 45
    assert config.printer.port == 9101 and config.printer.chinese is False
    after = text(home)
    assert load_config(home) == config
    # the edited lines keep their comments, in the same column
    for start, value in (
        ("language", '"en"'),
        ("wedge_max_gap_ms", "45"),
        ("kind", '"network"'),
        ("chinese", "false"),
        ("camera", '"/dev/video2"'),
        ("paper_mm", "58"),
    ):
        old = next(ln for ln in DEFAULT_CONFIG_TEXT.splitlines() if ln.startswith(start + " ="))
        new = next(ln for ln in after.splitlines() if ln.startswith(start + " ="))
        assert new.startswith(f"{start} = {value} ") and new.index("#") == old.index("#")
        assert new[new.index("#") :] == old[old.index("#") :]
    # host and port were missing (only commented out): added after the section's last setting
    printer = after.split("[printer]\n")[1].split("\n\n")[0].splitlines()
    assert printer[-2:] == ['host = "192.168.1.50"', "port = 9101"]
    assert '# host = "192.168.1.50"  port = 9100      for kind = "network"' in after
    # nothing else moved
    before, now = DEFAULT_CONFIG_TEXT.splitlines(), after.splitlines()
    changed = {"language", "wedge_max_gap_ms", "camera", "kind", "paper_mm", "chinese"}
    assert len(now) == len(before) + 2
    kept = [ln for ln in now if ln not in ('host = "192.168.1.50"', "port = 9101")]
    for old, new in zip(before, kept, strict=True):
        if old.split(" = ")[0] not in changed:
            assert old == new


def test_a_missing_section_is_added(tmp_path: Path) -> None:
    (tmp_path / CONFIG_NAME).write_text('# mine\n[printer]\nkind = "file"  # keep\n', encoding="utf-8")
    config = save_settings(tmp_path, {"terminal": {"language": "en"}, "printer": {"port": 9200}})
    assert text(tmp_path) == (
        '# mine\n[printer]\nkind = "file"  # keep\nport = 9200\n\n[terminal]\nlanguage = "en"\n'
    )
    assert config.terminal.language == "en" and config.printer.port == 9200


def test_no_file_yet_starts_from_the_documented_default(tmp_path: Path) -> None:
    save_settings(tmp_path, {"staff": {"max_pin_failures": 3}})
    assert text(tmp_path) == DEFAULT_CONFIG_TEXT.replace("max_pin_failures = 5", "max_pin_failures = 3")


def test_nested_sections_and_none_removes_a_key(home: Path) -> None:
    config = save_settings(
        home, {"loyalty.tiers": {"gold_fen": 1_200_000}, "scanner": {"dedupe_seconds": None}}
    )
    assert config.loyalty.tiers.gold_fen == 1_200_000 and config.loyalty.tiers.silver_fen == 200_000
    assert "dedupe_seconds" not in text(home)
    assert config.scanner.dedupe_seconds == 2.0  # the default again


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"scanners": {"camera": "0"}}, "no section [scanners]"),
        ({"scanner": {"cmaera": "0"}}, "[scanner] has no setting 'cmaera'"),
        ({"loyalty": {"tiers": 3}}, "[loyalty] has no setting 'tiers'"),
        ({"store.name_zh": {"x": 1}}, "no section [store.name_zh]"),
    ],
)
def test_unknown_sections_and_keys_are_refused_and_nothing_is_written(
    home: Path, changes: dict[str, dict[str, object]], words: str
) -> None:
    before = text(home)
    with pytest.raises(ConfigError) as err:
        save_settings(home, changes)  # type: ignore[arg-type]
    assert words in str(err.value)
    assert text(home) == before


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"printer": {"port": 70000}}, "printer.port"),
        ({"printer": {"paper_mm": 60}}, "printer.paper_mm"),
        ({"terminal": {"language": "fr"}}, "terminal.language"),
        ({"scanner": {"wedge_max_gap_ms": 2}}, "scanner.wedge_max_gap_ms"),
        (
            {"printer": {"port": "9100"}},
            "printer.port",
        ),  # a string is not a port, even if pydantic would take it
    ],
)
def test_an_invalid_value_is_refused_and_the_file_is_untouched(
    home: Path, changes: dict[str, dict[str, object]], field: str
) -> None:
    path = home / CONFIG_NAME
    before, stat = path.read_bytes(), path.stat()
    with pytest.raises(ConfigError) as err:
        save_settings(home, changes)  # type: ignore[arg-type]
    assert field in err.value.fields and field in str(err.value)
    assert path.read_bytes() == before and path.stat().st_mtime_ns == stat.st_mtime_ns
    assert [p.name for p in home.iterdir()] == [CONFIG_NAME]  # no temporary file left behind


def test_a_value_that_cannot_be_edited_on_its_line_is_refused(tmp_path: Path) -> None:
    (tmp_path / CONFIG_NAME).write_text('[scanner]\ncamera = """\n0"""\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="edit it by hand"):
        save_settings(tmp_path, {"scanner": {"camera": "1"}})


def test_windows_line_ends_and_the_file_mode_are_kept(tmp_path: Path) -> None:
    path = tmp_path / CONFIG_NAME
    path.write_bytes(b'[terminal]\r\nlanguage = "zh_CN" # x\r\n')
    os.chmod(path, 0o640)
    save_settings(tmp_path, {"terminal": {"language": "en", "terminal_id": "T02"}})
    assert path.read_bytes() == b'[terminal]\r\nlanguage = "en"    # x\r\nterminal_id = "T02"\r\n'
    assert path.stat().st_mode & 0o777 == 0o640


texts = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)


@settings(max_examples=60, deadline=None)
@given(
    prefix=texts,
    suffix=texts,
    device=texts,
    gap=st.integers(5, 200),
    baud=st.integers(1, 10**6),
    flag=st.booleans(),
)
def test_round_trip(
    tmp_path_factory: pytest.TempPathFactory,
    prefix: str,
    suffix: str,
    device: str,
    gap: int,
    baud: int,
    flag: bool,
) -> None:
    home = tmp_path_factory.mktemp("rt")
    load_config(home)
    changes: dict[str, dict[str, object]] = {
        "scanner": {
            "wedge_prefix": prefix,
            "wedge_suffix": suffix,
            "serial_device": device,
            "wedge_max_gap_ms": gap,
            "serial_baudrate": baud,
        },
        "printer": {"check_status": flag},
    }
    config = save_settings(home, changes)  # type: ignore[arg-type]
    again = parse_config(text(home))
    assert again == config == load_config(home)
    assert (again.scanner.wedge_prefix, again.scanner.wedge_suffix, again.scanner.serial_device) == (
        prefix,
        suffix,
        device,
    )
    assert (again.scanner.wedge_max_gap_ms, again.scanner.serial_baudrate) == (gap, baud)
    assert again.printer.check_status is flag
    # saving the same values again changes nothing
    before = text(home)
    save_settings(home, changes)  # type: ignore[arg-type]
    assert text(home) == before
