"""`till-server`: serve | db upgrade | db new-epoch | store add | program show | program publish |
terminal enroll | terminal revoke | terminal list | staff add|list|disable | keys | product import |
promotion add | promotion import | intel (server/intel/cli.py) | user add|passwd|disable|list | demo seed.

Settings come from the environment (``LT_SERVER_*``, see server/settings.py); a wrong value
stops the command with a message naming the variable.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.settings import ServerSettings, SettingsError, load_settings


def _session(settings: ServerSettings) -> Session:
    from server.db import Database

    return Database(settings).sessions()


def cmd_serve(settings: ServerSettings, args: argparse.Namespace) -> int:
    import socket

    import uvicorn

    host = args.host or settings.host
    port = settings.port if args.port is None else args.port
    workers = args.workers or settings.workers
    if workers > 1 and not settings.is_postgres:
        print(
            "error: --workers > 1 needs PostgreSQL (SQLite has one writer, serialised in-process)",
            file=sys.stderr,
        )
        return 2
    if workers > 1:
        _metrics_folder()  # before prometheus_client is imported (server.app imports it)
    from server.app import create_app
    from server.reqlog import log_config

    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    # Bind first (so --port 0 can report the port the OS gave), then hand the socket to one
    # server or to N worker processes sharing it.
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    if args.port_file:
        with open(args.port_file, "w") as fh:
            fh.write(str(sock.getsockname()[1]))
    if workers == 1:
        config = uvicorn.Config(
            create_app(settings),
            host=host,
            port=port,
            log_level=settings.log_level,
            access_log=False,
            timeout_graceful_shutdown=5,
            log_config=log_config(settings.log_level),
        )
        uvicorn.Server(config).run(sockets=[sock])
        return 0
    # Each worker builds its own app (engine, pool, epoch) from the same LT_SERVER_* environment.
    # Everything shared lives in PostgreSQL: change seqs are drawn under a database advisory
    # lock, members are locked with row locks, dedup is the events table's primary key.
    from uvicorn.supervisors import Multiprocess

    config = uvicorn.Config(
        "server.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=settings.log_level,
        access_log=False,
        timeout_graceful_shutdown=5,
        log_config=log_config(settings.log_level),
    )
    Multiprocess(config, sockets=[sock]).run()
    return 0


def _metrics_folder() -> None:
    """Workers write their metrics to files in one folder that /metrics adds up
    (server/metrics.py); it must be empty when they start."""
    import os
    import tempfile
    from pathlib import Path

    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        for old in Path(folder).glob("*.db"):  # what earlier workers left (only their files)
            old.unlink()
    else:
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="till-server-metrics-")


def cmd_db_upgrade(settings: ServerSettings, args: argparse.Namespace) -> int:
    from server.migrate import upgrade

    epoch = upgrade(settings)
    print(f"database is up to date; epoch {epoch}")
    return 0


def cmd_db_new_epoch(settings: ServerSettings, args: argparse.Namespace) -> int:
    from server.meta import current_epoch, renew_epoch

    with _session(settings) as s:
        renew_epoch(s)
        epoch = current_epoch(s)
        s.commit()
    print(f"new epoch {epoch}: every till will pull from scratch (restart the server)")
    return 0


def cmd_store_add(settings: ServerSettings, args: argparse.Namespace) -> int:
    from server.auth import add_store

    with _session(settings) as s:
        try:
            store = add_store(s, args.store_id, args.name or "", args.timezone)
        except ValueError as exc:
            print(f"error: --timezone: {exc}", file=sys.stderr)
            return 2
        s.commit()
        print(f"store {args.store_id} ready (time zone {store.timezone})")
    return 0


def _when(text: str | None, what: str) -> datetime | None:
    if text is None:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        value = None
    if value is None or value.tzinfo is None:
        raise ValueError(f"{what} must be an ISO time with its zone, e.g. 2026-05-01T00:00:00+08:00")
    return value


def cmd_program_show(settings: ServerSettings, args: argparse.Namespace) -> int:
    """The version in force (JSON on standard output; which one on standard error)."""
    from server.program import Programs

    try:
        at = _when(args.at, "--at") or datetime.now(UTC)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    with _session(settings) as s:
        programs = Programs.load(s)
    if args.all:
        print(json.dumps([p.to_data() for p in programs.all], ensure_ascii=False, indent=2))
        return 0
    current = programs.at(at)
    what = "the built-in defaults" if current.version == 0 else f"published version {current.version}"
    print(f"in force at {at.isoformat()}: {what}", file=sys.stderr)
    print(current.to_json())
    return 0


def cmd_program_publish(settings: ServerSettings, args: argparse.Namespace) -> int:
    from pathlib import Path

    from app.domain.program import ProgramError, parse_program
    from server.program import publish

    try:
        start = _when(args.effective_from, "--effective-from")
        program = parse_program(Path(args.file).read_bytes())
        with _session(settings) as s:
            published = publish(s, program, datetime.now(UTC), start, by=args.by)
            s.commit()
    except (ProgramError, ValueError, OSError) as exc:
        print(f"error: {args.file}: {exc}", file=sys.stderr)
        return 2
    print(
        f"published loyalty program version {published.version}, in force from "
        f"{published.effective_from.isoformat()} (tills get it on their next pull)"
    )
    return 0


def cmd_terminal_enroll(settings: ServerSettings, args: argparse.Namespace) -> int:
    from server.auth import EnrolError, issue_enrol_code

    with _session(settings) as s:
        try:
            code = issue_enrol_code(s, args.store, args.terminal_id, settings.enrol_code_ttl_s)
        except EnrolError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        s.commit()
    hours = settings.enrol_code_ttl_s / 3600
    print(f"one-time enrolment code for terminal {args.terminal_id} (valid {hours:g} h):")
    print(code)
    return 0


def cmd_terminal_revoke(settings: ServerSettings, args: argparse.Namespace) -> int:
    from server.auth import EnrolError, revoke_terminal

    with _session(settings) as s:
        try:
            revoke_terminal(s, args.terminal_id)
        except EnrolError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        s.commit()
    print(f"terminal {args.terminal_id} revoked")
    return 0


def cmd_terminal_list(settings: ServerSettings, args: argparse.Namespace) -> int:
    from server.models import Conflict, Terminal

    with _session(settings) as s:
        audit = set(
            s.execute(
                select(Conflict.terminal_id).where(
                    Conflict.kind == "audit_mismatch", Conflict.resolved_at.is_(None)
                )
            ).scalars()
        )
        for t in s.execute(select(Terminal).order_by(Terminal.store_id, Terminal.id)).scalars():
            state = "revoked" if t.revoked_at else ("enrolled" if t.enrolled_at else "awaiting enrolment")
            skew = f" clock off by {t.clock_skew_s}s" if t.clock_flagged_at else ""
            flag = " AUDIT LOG MISMATCH (see conflicts)" if t.id in audit else ""
            print(f"{t.store_id}\t{t.id}\t{state}\tlast seen {t.last_seen_at or '-'}{skew}{flag}")
    return 0


def _staff_id(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text.strip())
    except ValueError:
        print(f"error: {text!r} is not a staff id (the id the till gave the person, a UUID)", file=sys.stderr)
        return None


def cmd_staff_add(settings: ServerSettings, args: argparse.Namespace) -> int:
    """Register (or change) a till's member of staff for a store: whose approval counts for
    points adjustments and compensations there (`server/push/points_rules.py`)."""
    from server.models import Store
    from server.push.approvals import put_staff

    staff_id = _staff_id(args.staff_id)
    if staff_id is None:
        return 2
    name = args.name or ""
    if len(name) > 80 or any(ord(c) < 32 for c in name):
        print("error: --name: at most 80 characters, no control characters", file=sys.stderr)
        return 2
    with _session(settings) as s:
        if s.get(Store, args.store) is None:
            print(f"error: no store {args.store!r} (till-server store add {args.store})", file=sys.stderr)
            return 2
        row = put_staff(s, staff_id, args.store, args.role, name, True, datetime.now(UTC))
        s.commit()
        print(f"staff {row.staff_id} at {row.store_id}: {row.role}, active")
    return 0


def cmd_staff_list(settings: ServerSettings, args: argparse.Namespace) -> int:
    """The till staff HQ knows, one line each; `--unknown`: the approver ids held events named
    that HQ does not know at that store (what to `staff add`)."""
    from server.push.models import HeldEvent, StoreStaff

    with _session(settings) as s:
        if args.unknown:
            known = {(r.staff_id, r.store_id) for r in s.execute(select(StoreStaff)).scalars()}
            seen: dict[tuple[str, str], int] = {}
            q = select(HeldEvent.store_id, HeldEvent.payload).where(HeldEvent.reason == "approver_unknown")
            if args.store:
                q = q.where(HeldEvent.store_id == args.store)
            for store_id, payload in s.execute(q):
                approver = str((payload or {}).get("approver_id") or "")
                try:
                    if (uuid.UUID(approver), store_id) in known:
                        continue
                except ValueError:
                    approver = approver[:40] or "(none)"
                seen[(store_id, approver)] = seen.get((store_id, approver), 0) + 1
            for (store_id, approver), n in sorted(seen.items()):
                print(f"{store_id}\t{approver}\t{n} held")
            return 0
        q2 = select(StoreStaff).order_by(StoreStaff.store_id, StoreStaff.role, StoreStaff.staff_id)
        if args.store:
            q2 = q2.where(StoreStaff.store_id == args.store)
        for r in s.execute(q2).scalars():
            state = "active" if r.active else "disabled"
            print(f"{r.store_id}\t{r.staff_id}\t{r.role}\t{state}\t{r.name}")
    return 0


def cmd_staff_disable(settings: ServerSettings, args: argparse.Namespace) -> int:
    """A person's approval no longer counts at the store (kept, so the history still names them)."""
    from server.push.models import StoreStaff

    staff_id = _staff_id(args.staff_id)
    if staff_id is None:
        return 2
    with _session(settings) as s:
        row = s.get(StoreStaff, (staff_id, args.store))
        if row is None:
            print(f"error: HQ knows no staff {staff_id} at {args.store}", file=sys.stderr)
            return 1
        row.active = False
        s.commit()
        print(f"staff {staff_id} at {args.store}: disabled")
    return 0


def cmd_conflicts(settings: ServerSettings, args: argparse.Namespace) -> int:
    """The conflicts the rules settled, newest first, one JSON object a line (as the HQ API)."""
    from server.models import Conflict
    from server.routes.hq import conflict_json

    with _session(settings) as s:
        q = select(Conflict)
        if not args.all:
            q = q.where(Conflict.resolved_at.is_(None))
        if args.kind:
            q = q.where(Conflict.kind == args.kind)
        if args.terminal:
            q = q.where(Conflict.terminal_id == args.terminal)
        for c in s.execute(q.order_by(Conflict.at.desc(), Conflict.id).limit(args.limit)).scalars():
            print(json.dumps(conflict_json(c), ensure_ascii=False, default=str))
    return 0


def cmd_keys(settings: ServerSettings, args: argparse.Namespace) -> int:
    from server.models import Terminal

    with _session(settings) as s:
        rows = s.execute(
            select(Terminal).where(Terminal.key_id.is_not(None)).order_by(Terminal.key_id)
        ).scalars()
        keys = [
            {
                "key_id": t.key_id,
                "public_key": t.public_key,
                "terminal_id": t.id,
                "store_id": t.store_id,
                "revoked": t.revoked_at is not None,
            }
            for t in rows
        ]
    print(json.dumps(keys, indent=2))
    return 0


def cmd_product_import(settings: ServerSettings, args: argparse.Namespace) -> int:
    from pathlib import Path

    from server.catalogue import CatalogueError, import_products, read_rows

    try:
        rows = read_rows(Path(args.file))
        with _session(settings) as s:
            added, updated, same = import_products(s, rows)
            s.commit()
    except (CatalogueError, OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"products: {added} added, {updated} updated, {same} unchanged (tills get them on their next pull)")
    return 0


def _split(value: str | None) -> list[str]:
    return [x.strip() for x in value.split(",") if x.strip()] if value else []


def cmd_promotion_save(settings: ServerSettings, args: argparse.Namespace) -> int:
    from pathlib import Path

    from server.catalogue import CatalogueError, read_rows, save_promotions

    try:
        if args.promotion_command == "import":
            rows = read_rows(Path(args.file))
        else:
            rows = [
                {
                    "id": args.promotion_id,
                    "name": args.name,
                    "kind": args.kind,
                    "multiplier": args.multiplier,
                    "categories": _split(args.categories),
                    "skus": _split(args.skus),
                    "starts": args.starts,
                    "ends": args.ends,
                }
            ]
        with _session(settings) as s:
            n = save_promotions(s, rows)
            s.commit()
    except (CatalogueError, OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"promotions: {n} saved (tills get them on their next pull)")
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="till-server", description="Loyalty Till central server")
    sub = p.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the HTTP server")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int, help="0: any free port (see --port-file)")
    serve.add_argument("--port-file", help="write the port actually bound to this file")
    serve.add_argument(
        "--workers",
        type=int,
        default=None,
        help="processes sharing the socket (PostgreSQL only; default LT_SERVER_WORKERS)",
    )
    serve.set_defaults(func=cmd_serve)

    db = sub.add_parser("db", help="database").add_subparsers(dest="db_command", required=True)
    db.add_parser("upgrade", help="run the migrations").set_defaults(func=cmd_db_upgrade)
    db.add_parser("new-epoch", help="after an in-place restore: make every till resync").set_defaults(
        func=cmd_db_new_epoch
    )

    store = sub.add_parser("store", help="stores").add_subparsers(dest="store_command", required=True)
    add = store.add_parser("add", help="add (or rename) a store")
    add.add_argument("store_id")
    add.add_argument("--name")
    add.add_argument("--timezone", help="the store's IANA zone (default Asia/Shanghai): its calendar rules")
    add.set_defaults(func=cmd_store_add)

    prog = sub.add_parser("program", help="HQ's loyalty program").add_subparsers(
        dest="program_command", required=True
    )
    pshow = prog.add_parser("show", help="print the version in force (JSON)")
    pshow.add_argument("--at", help="ISO time with zone (default: now)")
    pshow.add_argument("--all", action="store_true", help="every published version")
    pshow.set_defaults(func=cmd_program_show)
    ppub = prog.add_parser("publish", help="check a program (JSON) and publish it as the next version")
    ppub.add_argument("file")
    ppub.add_argument("--effective-from", help="ISO time with zone (default: the file's, else now)")
    ppub.add_argument("--by", default="till-server", help="who publishes it (kept with the version)")
    ppub.set_defaults(func=cmd_program_publish)

    term = sub.add_parser("terminal", help="terminals").add_subparsers(dest="terminal_command", required=True)
    enroll = term.add_parser("enroll", help="print a one-time enrolment code for a terminal")
    enroll.add_argument("terminal_id")
    enroll.add_argument("--store", required=True)
    enroll.set_defaults(func=cmd_terminal_enroll)
    revoke = term.add_parser("revoke", help="revoke a terminal: its token stops working")
    revoke.add_argument("terminal_id")
    revoke.set_defaults(func=cmd_terminal_revoke)
    term.add_parser("list", help="list terminals").set_defaults(func=cmd_terminal_list)

    from server.push.approvals import ROLES

    staff = sub.add_parser("staff", help="till staff HQ knows (whose approval counts for adjustments)")
    staff_sub = staff.add_subparsers(dest="staff_command", required=True)
    sadd = staff_sub.add_parser("add", help="register or change a member of a store's till staff")
    sadd.add_argument("staff_id", help="the id the till gave the person (held events name it as approver_id)")
    sadd.add_argument("--store", required=True)
    sadd.add_argument("--role", required=True, choices=ROLES)
    sadd.add_argument("--name", default="")
    sadd.set_defaults(func=cmd_staff_add)
    slist = staff_sub.add_parser("list", help="list the staff HQ knows")
    slist.add_argument("--store")
    slist.add_argument("--unknown", action="store_true", help="approver ids of held events HQ does not know")
    slist.set_defaults(func=cmd_staff_list)
    sdis = staff_sub.add_parser("disable", help="a person's approval no longer counts at the store")
    sdis.add_argument("staff_id")
    sdis.add_argument("--store", required=True)
    sdis.set_defaults(func=cmd_staff_disable)

    sub.add_parser("keys", help="print the terminals' public keys (JSON)").set_defaults(func=cmd_keys)

    conflicts = sub.add_parser("conflicts", help="the conflicts settled by rule, open ones unless --all")
    conflicts.add_argument("--all", action="store_true", help="resolved ones too")
    conflicts.add_argument("--kind", help="coupon_reused, points_overdraft, audit_mismatch, ...")
    conflicts.add_argument("--terminal", help="one till's")
    conflicts.add_argument("--limit", type=int, default=200)
    conflicts.set_defaults(func=cmd_conflicts)

    product = sub.add_parser("product", help="catalogue").add_subparsers(
        dest="product_command", required=True
    )
    pimp = product.add_parser("import", help="add or update products by sku from .csv (header) or .json")
    pimp.add_argument("file")
    pimp.set_defaults(func=cmd_product_import)

    promo = sub.add_parser("promotion", help="promotions").add_subparsers(
        dest="promotion_command", required=True
    )
    padd = promo.add_parser("add", help="add or replace a promotion")
    padd.add_argument("promotion_id")
    padd.add_argument("--name", required=True)
    padd.add_argument("--kind", required=True, help="points_multiplier | birthday_multiplier")
    padd.add_argument("--multiplier", required=True, help="a decimal, e.g. 2 or 1.5")
    padd.add_argument("--categories", help="comma-separated")
    padd.add_argument("--skus", help="comma-separated")
    padd.add_argument("--starts", help="ISO time with zone, e.g. 2026-01-01T00:00:00+08:00")
    padd.add_argument("--ends", help="ISO time with zone")
    padd.set_defaults(func=cmd_promotion_save)
    ppi = promo.add_parser("import", help="add or replace promotions from a .json list (or .csv)")
    ppi.add_argument("file")
    ppi.set_defaults(func=cmd_promotion_save)

    from server.intel.cli import add_parser as add_intel_parser

    add_intel_parser(sub)

    from server.gifts.cli import add_parser as add_gift_parser

    add_gift_parser(sub, _session)

    from server.console.cli import add_commands  # user add|passwd|disable|list, demo seed

    add_commands(sub, lambda fn: lambda settings, args: fn(settings, args, _session))
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    rc: int = args.func(settings, args)
    return rc


if __name__ == "__main__":
    sys.exit(main())
