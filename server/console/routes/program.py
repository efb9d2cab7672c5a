"""The loyalty program (server/program.py): the version in force, the scheduled and past
versions with which tills have received each (server/reach.py), and a new version made in a
form, checked by `parse_program` (each fault shown next to its field), compared with the
version in force on a confirm step, and published from an effective-from time entered in the
chain's zone (kept in UTC, never in the past: `server.program.check_start`).

HQ admins publish; marketing sees the versions and where they have reached, not the editor.
The form's fields are the program's own paths (`tiers.1.multiplier`,
`welcome_coupon.amount_fen`), so the path a fault names is the field it belongs to; amounts
are entered in yuan and kept in fen. What the form has no field for is carried over from the
version in force unchanged.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Final

from fastapi import APIRouter, Query, Response
from fastapi.responses import HTMLResponse

from app.domain.money import format_fen
from app.domain.program import LoyaltyProgram, ProgramError, parse_program
from app.domain.tiers import Tier
from server.console.forms import parse_local_time
from server.console.web import PREFIX, ActionCtx, ConsoleRoute, Ctx, PageCtx, Refused, chain_zone, go, render
from server.models import ProgramVersion
from server.program import Programs, check_start, publish
from server.reach import reach

router = APIRouter(prefix=PREFIX, route_class=ConsoleRoute)

TIERS: Final = tuple(Tier)
ROLES: Final = ("cashier", "supervisor", "manager")  # app.domain.staff.Role, the till's roles
# A field: its path in the program's JSON and how the form holds it.
#   int: a whole number; yuan: fen entered in yuan; dec: a decimal text; optdec: blank is none;
#   text; flag: a checkbox; lines: one item a line; optint: blank leaves the key out; json.
_FIELDS: Final[tuple[tuple[str, tuple[tuple[str, str], ...]], ...]] = (
    (
        "general",
        (
            ("note", "text"),
            ("earn_points_per_yuan", "int"),
            ("birthday_multiplier", "optdec"),
            ("feedback_points", "int"),
        ),
    ),
    (
        "redemption",
        (
            ("redemption.points_per_yuan", "int"),
            ("redemption.step", "int"),
            ("redemption.max_share", "dec"),
            ("redemption.offline_overdraw", "flag"),
        ),
    ),
    ("expiry", (("expiry.years_after", "int"), ("expiry.expiring_soon_days", "int"))),
    (
        "welcome",
        (
            ("welcome_coupon.amount_fen", "yuan"),
            ("welcome_coupon.threshold_fen", "yuan"),
            ("welcome_coupon.valid_days", "int"),
        ),
    ),
    (
        "offline",
        tuple(
            (f"offline.{k}", "flag")
            for k in (
                "sales",
                "earn_points",
                "register_members",
                "refunds",
                "redeem_points_cached",
                "coupons_held_here",
                "points_adjustments",
            )
        ),
    ),
    *(
        (
            kind,
            (
                *((f"trust.{kind}.per_event.{r}", "optint") for r in ROLES),
                (f"trust.{kind}.per_terminal_day_points", "int"),
                (f"trust.{kind}.per_terminal_day_count", "int"),
            ),
        )
        for kind in ("adjustments", "compensations")
    ),
    ("till_rules", (("trust.cross_store_refunds", "flag"), ("trust.registration_window_s", "int"))),
    ("members", (("consent_policy_version", "text"), ("member_code_ttl_s", "int"))),
    ("advanced", (("trust.till_coupon_templates", "json"), ("trust.manual_prices", "json"))),
)
_TIER_FIELDS: Final = (
    ("threshold_fen", "yuan"),
    ("multiplier", "dec"),
    ("benefits_zh", "lines"),
    ("benefits_en", "lines"),
)
KINDS: Final[dict[str, str]] = {
    **{path: kind for _, fields in _FIELDS for path, kind in fields},
    **{f"tiers.{i}.{name}": kind for i in range(len(TIERS)) for name, kind in _TIER_FIELDS},
}
_WHOLE: Final = re.compile(r"^-?\d{1,12}$")
_YUAN: Final = re.compile(r"^\d{1,9}(\.\d{1,2})?$")


def label(ctx: Ctx, path: str) -> str:
    """A field's name for people: `tiers.2.multiplier` is "Gold · points multiplier"."""
    parts = path.split(".")
    if parts[0] == "tiers" and len(parts) >= 3:
        tier = TIERS[int(parts[1])] if parts[1].isdigit() and int(parts[1]) < len(TIERS) else parts[1]
        return f"{ctx.t('tier_' + str(tier))} · {ctx.t('pf_tiers_' + parts[2])}"
    return ctx.t("pf_" + path.replace(".", "_"))


# ---------------------------------------------------------------- the program as form values


def _yuan(fen: int) -> str:
    return f"{fen // 100}" if fen % 100 == 0 else f"{fen // 100}.{fen % 100:02d}"


def _get(data: Any, path: str) -> Any:
    for part in path.split("."):
        if isinstance(data, dict):
            data = data.get(part)
        elif isinstance(data, list) and part.isdigit() and int(part) < len(data):
            data = data[int(part)]
        else:
            return None
    return data


def _shown(kind: str, value: Any) -> Any:
    if kind == "flag":
        return bool(value)
    if value is None:
        return ""
    if kind == "yuan":
        return _yuan(int(value))
    if kind == "lines":
        return "\n".join(value)
    if kind == "json":
        return json.dumps(value, ensure_ascii=False, indent=1)
    return str(value)


def form_values(program: LoyaltyProgram) -> dict[str, Any]:
    """What the editor's fields show for `program`."""
    data = program.to_data()
    values = {path: _shown(kind, _get(data, path)) for _, fields in _FIELDS for path, kind in fields}
    by_tier = {t["tier"]: t for t in data["tiers"]}
    for i, tier in enumerate(TIERS):
        row = by_tier.get(str(tier))
        for name, kind in _TIER_FIELDS:
            values[f"tiers.{i}.{name}"] = _shown(kind, row[name]) if row else ""
    return values


# ---------------------------------------------------------------- form values to a program


@dataclass
class Draft:
    """What the form asked for: the program's data, the raw values (to show again), faults by
    field path and those no field holds."""

    data: dict[str, Any]
    values: dict[str, Any]
    faults: dict[str, str]
    general: list[tuple[str, str]]


def _set(data: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    node = data
    for part in parents:
        node = node.setdefault(part, {})
    if value is _OMIT:
        node.pop(last, None)
    else:
        node[last] = value


_OMIT: Final = object()


def _read(ctx: Ctx, path: str, kind: str, faults: dict[str, str]) -> tuple[Any, Any]:
    """(the value for the program, the raw value to show again) of one field."""
    if kind == "flag":
        on = ctx.field(path, 3) == "on"
        return on, on
    raw = ctx.field(path, 8000 if kind == "json" else 2000)
    if kind == "int" or kind == "optint":
        if kind == "optint" and not raw:
            return _OMIT, raw
        return (int(raw) if _WHOLE.match(raw) else raw), raw
    if kind == "yuan":
        cleaned = raw.replace(",", "").replace("¥", "").strip()
        if not _YUAN.match(cleaned):
            faults[path] = ctx.t("err_yuan")
            return 0, raw
        whole, _, cents = cleaned.partition(".")
        return int(whole) * 100 + int((cents + "00")[:2]), raw
    if kind == "optdec":
        return (raw or None), raw
    if kind == "lines":
        return [x.strip() for x in raw.splitlines() if x.strip()], raw
    if kind == "json":
        try:
            return json.loads(raw or "null"), raw
        except json.JSONDecodeError as exc:
            faults[path] = ctx.t("err_json", why=exc.msg, line=exc.lineno)
            return None, raw
    return raw, raw


def read_draft(ctx: Ctx, base: LoyaltyProgram) -> Draft:
    """The program the editor's fields describe, on top of `base` (what the form has no field
    for stays as it is there). Faults of reading (an amount that is not one) by field."""
    data = base.to_data()
    data.pop("version", None)
    data.pop("effective_from", None)
    values: dict[str, Any] = {}
    faults: dict[str, str] = {}
    for _, fields in _FIELDS:
        for path, kind in fields:
            value, values[path] = _read(ctx, path, kind, faults)
            if kind == "json" and path in faults:
                continue
            _set(data, path, value)
    tiers = []
    for i, tier in enumerate(TIERS):
        used = bool(ctx.field(f"tiers.{i}.threshold_fen", 20))  # no threshold: the tier is not used
        row: dict[str, Any] = {"tier": str(tier)}
        for name, kind in _TIER_FIELDS:
            path = f"tiers.{i}.{name}"
            if used:
                row[name], values[path] = _read(ctx, path, kind, faults)
            else:
                values[path] = ctx.field(path, 2000)
        if used:
            tiers.append((i, row))
    data["tiers"] = [row for _, row in tiers]
    data["_rows"] = [i for i, _ in tiers]
    return Draft(data=data, values=values, faults=faults, general=[])


def _field_of(path: str, rows: list[int]) -> str | None:
    """The form field a fault's path belongs to (the longest field path it starts with)."""
    parts = path.split(".")
    if parts[0] == "tiers" and len(parts) >= 2 and parts[1].isdigit():
        k = int(parts[1])
        if k >= len(rows):
            return None
        parts[1] = str(rows[k])
    for n in range(len(parts), 0, -1):
        candidate = ".".join(parts[:n])
        if candidate in KINDS:
            return candidate
    return None


def check_draft(draft: Draft) -> LoyaltyProgram | None:
    """`parse_program` on the draft; its faults put next to their fields."""
    rows = draft.data.pop("_rows", [])
    try:
        program = parse_program(draft.data)
    except ProgramError as exc:
        for where, raw in exc.faults:
            why = raw.removeprefix("Value error, ")
            target = _field_of(where, rows)
            if target is None:
                draft.general.append((where, why))
            else:
                draft.faults.setdefault(target, why)
        return None
    return None if draft.faults else program


# ---------------------------------------------------------------- the diff


def _flat(program: LoyaltyProgram) -> dict[str, Any]:
    """Path → value of a program, tiers by their name (so a changed tier table reads as the
    tiers that changed), leaving out the version and its start."""
    out: dict[str, Any] = {}

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            if not value and prefix:
                out[prefix] = {}
            for k, v in value.items():
                walk(f"{prefix}.{k}" if prefix else str(k), v)
        elif isinstance(value, list) and value and all(isinstance(x, dict) for x in value):
            for i, v in enumerate(value):
                walk(f"{prefix}.{i}", v)
        else:
            out[prefix] = value

    data = program.to_data()
    for key in ("version", "effective_from"):
        data.pop(key, None)
    tiers = data.pop("tiers")
    walk("", data)
    for row in tiers:
        for name in ("threshold_fen", "multiplier", "benefits_zh", "benefits_en"):
            out[f"tiers.{row['tier']}.{name}"] = row[name]
    return out


@dataclass(frozen=True, slots=True)
class Change:
    path: str
    label: str
    before: str
    after: str


def _display(ctx: Ctx, path: str, value: Any, present: bool) -> str:
    if not present:
        return ctx.t("diff_absent")
    if value is None:
        return "—"
    if isinstance(value, bool):
        return ctx.t("yes") if value else ctx.t("no")
    if isinstance(value, int) and path.endswith("_fen"):
        return format_fen(value)
    if isinstance(value, list):
        return " / ".join(str(x) for x in value) if value else "—"
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False) if value else "—"
    return str(value)


SECTION_OF: Final = {path: name for name, fields in _FIELDS for path, _ in fields}
_HINT: Final = re.compile(r"\s*[（(][^（）()]*[）)]$")  # "(yuan, 0: none)": the form's hint


def _diff_label(ctx: Ctx, path: str) -> str:
    """A field's full name (the confirm step, the list of faults): its section, then the
    field, without the form's hint ("Welcome coupon · Amount")."""
    parts = path.split(".")
    if parts[0] == "tiers" and len(parts) == 3 and parts[1].isdigit() and int(parts[1]) < len(TIERS):
        parts[1] = str(TIERS[int(parts[1])])
    if parts[0] == "tiers" and len(parts) == 3:
        return f"{ctx.t('tier_' + parts[1])} · {_HINT.sub('', ctx.t('pf_tiers_' + parts[2]))}"
    rest = ""
    head = path
    for n in range(len(parts), 0, -1):  # inside a field shown as JSON: that field and the rest
        head = ".".join(parts[:n])
        if head in KINDS:
            rest = ".".join(parts[n:])
            break
    else:
        return path
    name = _HINT.sub("", label(ctx, head))
    section = SECTION_OF.get(head, "general")
    out = name if section == "general" else f"{ctx.t('sec_' + section)} · {name}"
    return f"{out} · {rest}" if rest else out


def diff(ctx: Ctx, old: LoyaltyProgram, new: LoyaltyProgram) -> list[Change]:
    """What `new` changes of `old`, field by field, in the order of the program."""
    a, b = _flat(old), _flat(new)
    order = list(b) + [k for k in a if k not in b]
    tier_rank = {str(t): i for i, t in enumerate(TIERS)}

    def key(path: str) -> tuple[int, int, int]:
        parts = path.split(".")
        if parts[0] == "tiers":
            return (0, tier_rank.get(parts[1], 9), order.index(path))
        return (1, 0, order.index(path))

    return [
        Change(
            path,
            _diff_label(ctx, path),
            _display(ctx, path, a.get(path), path in a),
            _display(ctx, path, b.get(path), path in b),
        )
        for path in sorted(order, key=key)
        if a.get(path, _OMIT) != b.get(path, _OMIT)
    ]


# ---------------------------------------------------------------- pages


def _state(p: LoyaltyProgram, current: LoyaltyProgram, now: datetime) -> str:
    if p.version == current.version:
        return "in_force"
    return "scheduled" if p.effective_from > now else "superseded"


@router.get("/program")
def program_page(ctx: PageCtx, published: int = 0) -> HTMLResponse:
    ctx.require("program")
    programs = Programs.load(ctx.s)
    current = programs.at(ctx.now)
    rows = {r.version: r for r in ctx.s.query(ProgramVersion).all()}
    versions = sorted(programs.all, key=lambda p: p.version, reverse=True)
    reached = reach(ctx.s, [p.version for p in versions])
    return render(
        ctx,
        "program.html",
        current=current,
        versions=[(p, rows[p.version], _state(p, current, ctx.now), reached[p.version]) for p in versions],
        published=published,
        zone=str(chain_zone()),
        tiers=current.tiers,
    )


def _default_start(now: datetime) -> str:
    """Tomorrow 00:00 in the chain's zone, as a `datetime-local` value."""
    local = now.astimezone(chain_zone())
    start = (local + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0, tzinfo=None)
    return start.isoformat(timespec="minutes")


def _editor(
    ctx: Ctx,
    current: LoyaltyProgram,
    values: dict[str, Any],
    start: str,
    *,
    faults: dict[str, str] | None = None,
    general: list[tuple[str, str]] | None = None,
    status_code: int = 200,
    base_version: int | None = None,
) -> HTMLResponse:
    return render(
        ctx,
        "program_edit.html",
        status_code=status_code,
        current=current,
        v=values,
        faults=faults or {},
        general=general or [],
        sections=_FIELDS,
        tier_fields=_TIER_FIELDS,
        tiers=TIERS,
        label=lambda path: label(ctx, path),
        full_label=lambda path: _diff_label(ctx, path),
        start=start,
        zone=str(chain_zone()),
        latest=_latest(ctx),
        base_version=current.version if base_version is None else base_version,
    )


def _latest(ctx: Ctx) -> int:
    return max((p.version for p in Programs.load(ctx.s).all), default=0)


@router.get("/program/new")
def program_new(
    ctx: PageCtx, start_from: Annotated[int, Query(alias="from", ge=0, le=2**31 - 1)] = 0
) -> HTMLResponse:
    """The form, filled from the version in force, or from version `from` (a scheduled one, to
    change it again before it starts). The diff is always against the version in force."""
    ctx.require("program.publish")
    programs = Programs.load(ctx.s)
    current = programs.at(ctx.now)
    base = next((p for p in programs.all if p.version == start_from), None) if start_from else current
    if base is None:
        raise Refused(404, "err_not_found")
    return _editor(ctx, current, form_values(base), _default_start(ctx.now), base_version=base.version)


def _start_field(ctx: Ctx, faults: dict[str, str]) -> datetime | None:
    raw = ctx.field("effective_from", 20)
    value = parse_local_time(raw)
    if value is None:
        faults["effective_from"] = ctx.t("err_time", field=ctx.t("field_effective_from"))
        return None
    try:
        check_start(value, ctx.now)
    except ProgramError as exc:
        faults["effective_from"] = str(exc).removeprefix("effective_from: ")
        return None
    return value


@router.post("/program/preview")
def program_preview(ctx: ActionCtx) -> HTMLResponse:
    """The draft checked: the editor again with each fault at its field, or the confirm step
    (what changes against the version in force, when it takes effect)."""
    ctx.require("program.publish")
    programs = Programs.load(ctx.s)
    current = programs.at(ctx.now)
    draft = read_draft(ctx, current)
    program = check_draft(draft)
    start = _start_field(ctx, draft.faults)
    if program is not None and start is not None:
        changes = diff(ctx, current, program)
        if not changes:
            draft.general.append(("program", ctx.t("err_no_change")))
        else:
            return render(
                ctx,
                "program_confirm.html",
                current=current,
                changes=changes,
                body=program.to_json(indent=None),
                start=start,
                start_local=start.astimezone(chain_zone()),
                zone=str(chain_zone()),
                latest=ctx.field("latest", 12),
                pending=pending(programs, ctx.now, start),
            )
    return _editor(
        ctx,
        current,
        draft.values,
        ctx.field("effective_from", 20),
        faults=draft.faults,
        general=draft.general,
        status_code=400,
    )


def pending(programs: Programs, now: datetime, start: datetime) -> list[tuple[LoyaltyProgram, bool]]:
    """The versions scheduled but not in force yet, each with whether it will still apply (for
    a while) once a new version starting at `start` is published: the newer version wins from
    its start (`in_force`), so one scheduled at or after it never takes effect."""
    return [
        (p, p.effective_from < start)
        for p in sorted(programs.all, key=lambda p: p.effective_from)
        if p.effective_from > now
    ]


def _posted_program(ctx: Ctx) -> LoyaltyProgram:
    try:
        return parse_program(ctx.field("body", 60_000))
    except ProgramError as exc:
        raise Refused(400, "err_program", why=str(exc)) from None


@router.post("/program/edit")
def program_edit(ctx: ActionCtx) -> HTMLResponse:
    """Back from the confirm step to the editor, with the draft as it was."""
    ctx.require("program.publish")
    current = Programs.load(ctx.s).at(ctx.now)
    draft = _posted_program(ctx)
    start = parse_local_time(ctx.field("effective_from", 40))
    shown = start.astimezone(chain_zone()).replace(tzinfo=None).isoformat(timespec="minutes") if start else ""
    return _editor(ctx, current, form_values(draft), shown)


@router.post("/program/publish")
def program_publish(ctx: ActionCtx) -> Response:
    ctx.require("program.publish")
    program = _posted_program(ctx)
    start = parse_local_time(ctx.field("effective_from", 40))
    if start is None:
        raise Refused(400, "err_time", field="effective_from")
    if ctx.field("latest", 12) != str(_latest(ctx)):
        raise Refused(409, "err_program_moved")
    current = Programs.load(ctx.s).at(ctx.now)
    changed = [c.path for c in diff(ctx, current, program)]
    try:
        published = publish(ctx.s, program, ctx.now, start, by=ctx.user.username if ctx.user else "console")
    except ProgramError as exc:
        raise Refused(400, "err_program", why=str(exc)) from None
    ctx.audit(
        "program_published",
        f"program:{published.version}",
        version=published.version,
        effective_from=published.effective_from.astimezone(UTC).isoformat(),
        against=current.version,
        changed=changed[:60],
    )
    return go(ctx, f"{PREFIX}/program?published={published.version}")
