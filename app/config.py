"""The till's configuration: one documented TOML file in the till's home folder.

The home folder holds `till.toml`, the database `till.db`, the signing key and the printed
files. It is `--home`, else `$TILL_HOME`, else the platform's user data folder, so that
several tills can run side by side on one machine.
"""

from __future__ import annotations

import os
import re
import tempfile
import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from app.domain.scan import DEFAULT_WEIGHED, WeighedLayout

CONFIG_NAME = "till.toml"
DB_NAME = "till.db"

DecimalText = Annotated[str, Field(pattern=r"^\d+(\.\d+)?$")]


class ConfigError(Exception):
    """The configuration file cannot be used; the message names the file and the field.

    ``fields`` names the settings at fault (``"printer.port"``) when they are known."""

    def __init__(self, message: str, fields: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.fields = fields


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StoreConfig(_Strict):
    store_id: str = Field(default="S001", min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_-]+$")
    store_no: int = Field(default=1, ge=0, le=999, description="3-digit number in card numbers")
    name_zh: str = "乐忠超市 · 演示店"
    name_en: str = "Loyalty Mart · Demo Store"
    address: str = "上海市浦东新区世纪大道 100 号"
    phone: str = "021-6000 0000"
    timezone: str = "Asia/Shanghai"

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value


class TerminalConfig(_Strict):
    terminal_id: str = Field(default="T01", min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_-]+$")
    language: Literal["zh_CN", "en"] = "zh_CN"


class ServerConfig(_Strict):
    url: str | None = Field(default=None, pattern=r"^https?://")
    feedback_base_url: str = Field(default="http://127.0.0.1:8600/f/", pattern=r"^https?://")
    lookup_timeout_ms: int = Field(default=1500, ge=100, le=10000)


class PrinterConfig(_Strict):
    kind: Literal["file", "network", "serial", "usb", "cups", "win32raw", "none"] = "file"
    paper_mm: Literal[58, 80] = 80
    chinese: bool = True
    host: str = "127.0.0.1"
    port: int = Field(default=9100, ge=1, le=65535)
    device: str = ""
    baudrate: int = 19200
    usb_vendor: int = 0
    usb_product: int = 0
    cups_name: str = ""
    timeout_s: float = Field(default=3.0, gt=0, le=60)
    check_status: bool = Field(
        default=False,
        description="ask a two-way printer for paper/cover status before each receipt",
    )
    profile: str = "default"
    out_dir: str = "receipts"


class ScannerConfig(_Strict):
    camera: str = Field(default="0", description="device index, file or URL; empty disables")
    dedupe_seconds: float = Field(default=2.0, ge=0, le=60)
    wedge_max_gap_ms: int = Field(default=30, ge=5, le=200)
    wedge_prefix: str = ""
    wedge_suffix: str = ""
    serial_device: str = ""
    serial_baudrate: int = 9600
    serial_prefix: str = ""
    serial_suffix: str = ""
    # Scale labels (app/domain/scan.py): EAN-13 prefixes carrying a weight in grams / a price in fen.
    weight_prefixes: list[str] = Field(default_factory=lambda: list(DEFAULT_WEIGHED.weight_prefixes))
    price_prefixes: list[str] = Field(default_factory=lambda: list(DEFAULT_WEIGHED.price_prefixes))

    @model_validator(mode="after")
    def _weighed_valid(self) -> ScannerConfig:
        self.weighed_layout()
        return self

    def weighed_layout(self) -> WeighedLayout:
        return WeighedLayout(tuple(self.weight_prefixes), tuple(self.price_prefixes))


class TierConfig(_Strict):
    silver_fen: int = Field(default=200_000, ge=0)
    gold_fen: int = Field(default=1_000_000, ge=0)
    black_fen: int = Field(default=5_000_000, ge=0)


class LoyaltyConfig(_Strict):
    """Deprecated: the program's numbers as older tills kept them in `till.toml` `[loyalty]`.
    Still read, once, to write `program.json` (app/program_file.py); never used otherwise."""

    earn_points_per_yuan: int = Field(default=1, ge=0)
    tier_multipliers: dict[str, DecimalText] = Field(
        default_factory=lambda: {"basic": "1.0", "silver": "1.2", "gold": "1.5", "black": "2.0"}
    )
    points_per_yuan_redeemed: int = Field(default=100, ge=1)
    redeem_step: int = Field(default=100, ge=1)
    redeem_max_share: DecimalText = "0.5"
    expiring_soon_days: int = Field(default=60, ge=1, le=366)
    member_code_ttl_s: int = Field(default=120, ge=10, le=3600)
    welcome_coupon_fen: int = Field(default=1000, ge=0)
    welcome_coupon_threshold_fen: int = Field(default=5000, ge=0)
    welcome_coupon_days: int = Field(default=30, ge=1)
    offline_overdraw: bool = Field(
        default=True,
        description="allow redeeming against the till's cached balance while offline",
    )
    consent_policy_version: str = "2026-01"
    tiers: TierConfig = TierConfig()

    @field_validator("tier_multipliers")
    @classmethod
    def _tiers(cls, value: dict[str, str]) -> dict[str, str]:
        missing = {"basic", "silver", "gold", "black"} - value.keys()
        if missing:
            raise ValueError(f"missing tiers: {', '.join(sorted(missing))}")
        return value

    @field_validator("redeem_max_share")
    @classmethod
    def _share(cls, value: str) -> str:
        if not Decimal(0) <= Decimal(value) <= Decimal(1):
            raise ValueError("must be between 0 and 1")
        return value


class StaffConfig(_Strict):
    max_pin_failures: int = Field(default=5, ge=1, le=20)


class CheckoutConfig(_Strict):
    """What this till lets a cashier do alone (loss prevention), and how many sales it keeps
    suspended."""

    void_alone_up_to_fen: int = Field(default=10_000, ge=0)
    void_alone_up_to_lines: int = Field(default=5, ge=0)
    remove_alone_within_s: int = Field(default=10, ge=0, le=600)
    max_suspended: int = Field(default=9, ge=1, le=99)


class TillConfig(_Strict):
    store: StoreConfig = StoreConfig()
    terminal: TerminalConfig = TerminalConfig()
    server: ServerConfig = ServerConfig()
    printer: PrinterConfig = PrinterConfig()
    scanner: ScannerConfig = ScannerConfig()
    loyalty: LoyaltyConfig = LoyaltyConfig()
    staff: StaffConfig = StaffConfig()
    checkout: CheckoutConfig = CheckoutConfig()


DEFAULT_CONFIG_TEXT = """\
# Loyalty Till configuration. Every value here is optional: a missing one takes its default.
# Money is in integer fen (1/100 yuan). Restart the till after editing.

[store]
store_id = "S001"          # letters, digits, - and _; the same id the server knows
store_no = 1               # 0-999, printed into member card numbers
name_zh = "乐忠超市 · 演示店"
name_en = "Loyalty Mart · Demo Store"
timezone = "Asia/Shanghai" # the store zone: decides every calendar rule (birthdays, expiry, dates)

[terminal]
terminal_id = "T01"        # unique within the store
language = "zh_CN"         # zh_CN or en

[server]
# url = "https://hq.example.com"   # leave out to run standalone (offline)
feedback_base_url = "http://127.0.0.1:8600/f/"
lookup_timeout_ms = 1500

[printer]
kind = "file"              # file | network | serial | usb | cups | win32raw | none
paper_mm = 80              # 58 or 80
chinese = true             # false for printers without a Chinese font (English-only receipts)
out_dir = "receipts"       # for kind = "file": PNG and raw ESC/POS bytes go here
# host = "192.168.1.50"  port = 9100      for kind = "network"
# device = "/dev/ttyUSB0" baudrate = 19200 for kind = "serial"
timeout_s = 3.0
check_status = false       # two-way printers: ask for paper/cover status before each receipt

[scanner]
camera = "0"               # a device index, a video file or URL; "" for none
dedupe_seconds = 2.0
wedge_max_gap_ms = 30      # keyboard-wedge readers type faster than this between keys
weight_prefixes = ["28", "29"]  # scale labels (EAN-13): these prefixes carry the weight in grams,
price_prefixes = ["20", "21", "22", "23", "24", "25", "26", "27"]  # these the price in fen

# The loyalty program (tiers, earning, redemption, expiry, welcome coupon, offline rules) is
# not set here: it is HQ's, pulled from the server, or program.json in this folder for a till
# with no server (see README.md, "The loyalty program").

[staff]
max_pin_failures = 5

[checkout]
void_alone_up_to_fen = 10000   # voiding a whole sale of at most this total (and
void_alone_up_to_lines = 5     # at most this many lines) needs no supervisor; above: one approves
remove_alone_within_s = 10     # a line scanned this recently comes off without a supervisor (0: never)
max_suspended = 9              # sales this till keeps suspended at once
"""


def resolve_home(cli_home: str | os.PathLike[str] | None = None) -> Path:
    """`--home`, else `$TILL_HOME`, else the platform's user data folder."""
    if cli_home:
        return Path(cli_home).expanduser().resolve()
    env = os.environ.get("TILL_HOME")
    if env:
        return Path(env).expanduser().resolve()
    from platformdirs import user_data_path

    return user_data_path("loyalty-till", appauthor=False)


def _format_errors(path: Path, exc: ValidationError) -> str:
    lines = [f"{path}: invalid configuration"]
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"])
        lines.append(f"  {where}: {err['msg']}")
    return "\n".join(lines)


def parse_config(text: str, path: Path = Path(CONFIG_NAME)) -> TillConfig:
    try:
        data: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    try:
        return TillConfig.model_validate(data)
    except ValidationError as exc:
        fields = tuple(".".join(str(p) for p in err["loc"]) for err in exc.errors())
        raise ConfigError(_format_errors(path, exc), fields) from exc


def load_config(home: Path, create: bool = True) -> TillConfig:
    """Read `home/till.toml`, writing the documented default first if there is none."""
    path = home / CONFIG_NAME
    if not path.exists():
        if not create:
            return TillConfig()
        home.mkdir(parents=True, exist_ok=True)
        path.write_text(DEFAULT_CONFIG_TEXT, encoding="utf-8")
    return parse_config(read_config_text(path), path)


def read_config_text(path: Path) -> str:
    """The text of a configuration file; ConfigError (naming the file) when it is a folder,
    cannot be read, or is not UTF-8 text."""
    if path.is_dir():
        raise ConfigError(
            f"{path} is a folder, not a file: move it aside (the till writes a "
            "documented default file at its next start)"
        )
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{path} is not UTF-8 text (byte {exc.start}): save it as UTF-8, "
            "or move it aside to get the documented default"
        ) from None
    except OSError as exc:
        raise ConfigError(f"{path} cannot be read: {exc.strerror or exc}") from None


# ---------------------------------------------------------------- saving settings

SettingValue = str | bool | int | float | None
_HEADER = re.compile(r"^\s*\[\s*([A-Za-z0-9_.\- ]+?)\s*\]\s*(#.*)?$")
_KEY = re.compile(r"^(\s*)([A-Za-z0-9_-]+)(\s*=\s*)(.*?)(\r?\n)?$", re.DOTALL)


def toml_value(value: SettingValue) -> str:
    """One value as TOML: strings quoted (basic string, escaped), bools lowercase, numbers."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ConfigError(f"{value!r} cannot be saved")
        return repr(value)
    if isinstance(value, str):
        out = []
        for ch in value:
            if ch in ('"', "\\"):
                out.append("\\" + ch)
            elif ch == "\n":
                out.append("\\n")
            elif ch == "\t":
                out.append("\\t")
            elif ord(ch) < 0x20 or ord(ch) == 0x7F or ch in "\x85\u2028\u2029":
                out.append(f"\\u{ord(ch):04X}")
            else:
                out.append(ch)
        return '"' + "".join(out) + '"'
    raise ConfigError(f"{value!r} ({type(value).__name__}) cannot be saved in {CONFIG_NAME}")


def _value_end(text: str) -> int:
    """Where a one-line TOML value starting `text` ends (before spaces and a comment)."""
    if text.startswith(('"""', "'''", "[", "{")):
        raise ValueError("a multi-line string, array or table")
    if text.startswith('"'):
        i = 1
        while i < len(text):
            if text[i] == "\\":
                i += 2
                continue
            if text[i] == '"':
                return i + 1
            i += 1
        raise ValueError("an unclosed string")
    if text.startswith("'"):
        end = text.find("'", 1)
        if end < 0:
            raise ValueError("an unclosed string")
        return end + 1
    hash_at = text.find("#")
    return len((text if hash_at < 0 else text[:hash_at]).rstrip())


def _check_setting(section: str, key: str) -> None:
    model: type[BaseModel] = TillConfig
    for part in section.split("."):
        field = model.model_fields.get(part)
        sub = field.annotation if field is not None else None
        if not (isinstance(sub, type) and issubclass(sub, BaseModel)):
            raise ConfigError(f"{CONFIG_NAME}: there is no section [{section}]", (section,))
        model = sub
    field = model.model_fields.get(key)
    if field is None or (isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel)):
        raise ConfigError(f"{CONFIG_NAME}: section [{section}] has no setting {key!r}", (f"{section}.{key}",))


def _section_name(line: str) -> str | None:
    if line.lstrip().startswith("[["):
        return "[["  # an array of tables: never one of ours
    m = _HEADER.match(line.rstrip("\r\n"))
    return ".".join(p.strip() for p in m.group(1).split(".")) if m else None


def edit_config_text(text: str, changes: dict[str, dict[str, SettingValue]]) -> str:
    """`text` with the given `key = value` lines set (None: the line removed, so the default
    applies), keeping every other line, comment and blank as it was. A key missing from its
    section is added after the section's last setting; a missing section is added at the end."""
    for section, keys in changes.items():
        for key in keys:
            _check_setting(section, key)
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = re.findall(r"[^\n]*\n|[^\n]+$", text)  # only \n ends a TOML line (not \x85, \u2028)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += newline
    for section, keys in changes.items():
        for key, value in keys.items():
            rendered = None if value is None else toml_value(value)
            lines = _set_line(lines, section, key, rendered, newline)
    return "".join(lines)


def _locate(lines: list[str], section: str, key: str) -> tuple[int | None, int | None, int | None]:
    """(the section's header line, its last setting line, the line setting `key`), None where
    there is none. The root table (section "") has no header."""
    current = ""  # the root table before the first header
    header_at: int | None = None
    last_setting: int | None = None
    for i, line in enumerate(lines):
        name = _section_name(line)
        if name is not None:
            if current == section:
                break
            current = name
            if name == section:
                header_at, last_setting = i, i
            continue
        m = _KEY.match(line) if current == section else None
        if m:
            last_setting = i
            if m.group(2) == key:
                return header_at, last_setting, i
    return header_at, last_setting, None


def _replace_value(line: str, section: str, key: str, rendered: str, newline: str) -> str:
    m = _KEY.match(line)
    assert m is not None
    rest = m.group(4)
    try:
        end = _value_end(rest)
    except ValueError as exc:
        raise ConfigError(
            f"{CONFIG_NAME}: [{section}] {key} is {exc}; edit it by hand", (f"{section}.{key}",)
        ) from exc
    tail = rest[end:]
    if tail.strip():  # keep the comment where it was when the new value fits
        gap = len(tail) - len(tail.lstrip())
        tail = " " * max(1, gap + end - len(rendered)) + tail.lstrip()
    return f"{m.group(1)}{key}{m.group(3)}{rendered}{tail}{m.group(5) or newline}"


def _set_line(lines: list[str], section: str, key: str, rendered: str | None, newline: str) -> list[str]:
    header_at, last_setting, at = _locate(lines, section, key)
    if at is not None:
        if rendered is None:
            return lines[:at] + lines[at + 1 :]
        return [*lines[:at], _replace_value(lines[at], section, key, rendered, newline), *lines[at + 1 :]]
    if rendered is None:
        return lines
    new = f"{key} = {rendered}{newline}"
    if header_at is None:
        pad = [newline] if lines and lines[-1].strip() else []
        return [*lines, *pad, f"[{section}]{newline}", new]
    assert last_setting is not None
    return [*lines[: last_setting + 1], new, *lines[last_setting + 1 :]]


def save_settings(home: Path, changes: dict[str, dict[str, SettingValue]]) -> TillConfig:
    """Set settings in `home/till.toml` (``{"printer": {"port": 9100}}``), keeping its comments
    and layout. The whole file is validated first: an unknown setting or an invalid value
    raises ConfigError and leaves the file as it was. Written atomically (a temporary file
    then os.replace). Returns the configuration the file now holds."""
    path = home / CONFIG_NAME
    if path.exists():
        with path.open(encoding="utf-8", newline="") as f:
            text = f.read()
    else:
        text = DEFAULT_CONFIG_TEXT
    new_text = edit_config_text(text, changes)
    config = parse_config(new_text, path)
    for section, keys in changes.items():
        for key, value in keys.items():
            node: Any = config
            for part in section.split("."):
                node = getattr(node, part)
            got = getattr(node, key)
            if value is not None and (
                got != value
                or (type(got) is not type(value) and not (isinstance(got, float) and type(value) is int))
            ):
                raise ConfigError(
                    f"{path}: {section}.{key} = {toml_value(value)} reads back as "
                    f"{got!r} (a wrong type, or the key is also set elsewhere in the "
                    "file)",
                    (f"{section}.{key}",),
                )
    home.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".till-", suffix=".toml.part", dir=home)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(new_text)
            f.flush()
            os.fsync(f.fileno())
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o7777)
        else:
            os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return config
