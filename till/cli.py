"""`till`: the cashier app (no argument) and its maintenance commands.

Heavy modules (Qt, SQLAlchemy, the services) are imported inside the command that needs them,
so `till quote` and `till --help` start fast and touch no database.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.services.context import TillContext

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2


def _ctx(args: argparse.Namespace) -> TillContext:
    from app.config import resolve_home
    from app.services.context import open_till

    return open_till(resolve_home(args.home))


def cmd_gui(args: argparse.Namespace) -> int:
    from app.config import resolve_home
    from till.runlock import TillRunning, run_lock
    from ui.app import run

    home = resolve_home(args.home)
    try:
        with run_lock(home):
            from till.firstrun import first_start
            from till.logs import setup_logging

            setup_logging(home)

            if not first_start(home, demo=args.demo):
                return EXIT_OK  # quit from the first-run screen
            return run(home, fullscreen=args.fullscreen)
    except TillRunning as exc:
        print(f"till: {exc}", file=sys.stderr)
        return EXIT_ERROR


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    from app.config import DB_NAME, load_config, resolve_home
    from app.services.backups import upgrade_keeping_backup
    from app.store.migrate import current_revision

    home = resolve_home(args.home)
    home.mkdir(parents=True, exist_ok=True)
    load_config(home)  # validates (and on first run writes) the configuration
    kept = upgrade_keeping_backup(home)
    if kept is not None:
        print(f"the database before the upgrade is kept in {kept.path}")
    print(f"database {home / DB_NAME} is at revision {current_revision(home / DB_NAME)}")
    return EXIT_OK


def cmd_demo_seed(args: argparse.Namespace) -> int:
    from app.services.errors import TillError
    from till.demo import seed_demo, store_is_empty

    ctx = _ctx(args)
    try:
        if args.if_empty and not store_is_empty(ctx):
            print("the store already has data; nothing seeded")
            return EXIT_OK
        summary = seed_demo(ctx, members=args.members, sales=args.sales, seed=args.seed)
    except TillError as exc:
        print(f"till: {exc.message}", file=sys.stderr)
        return EXIT_ERROR
    finally:
        ctx.close()
    print(summary.describe())
    return EXIT_OK


def cmd_quote(args: argparse.Namespace) -> int:
    from app.pricing.jsonio import MAX_QUOTE_BYTES, QuoteInputError, decode_quote_input, run_quote

    out: dict[str, Any]
    try:
        # Read at most one byte past the limit: `till quote /dev/zero` ends at once.
        if args.file == "-":
            data = sys.stdin.buffer.read(MAX_QUOTE_BYTES + 1)
        else:
            with open(args.file, "rb") as f:
                data = f.read(MAX_QUOTE_BYTES + 1)
        code, out = run_quote(decode_quote_input(data))
    except OSError as exc:
        code, out = EXIT_USAGE, {"error": {"code": "unreadable_file", "message": str(exc)}}
    except QuoteInputError as exc:
        code, out = EXIT_USAGE, {"error": {"code": exc.code, "message": exc.message}}
    print(json.dumps(out, ensure_ascii=False))
    return code


def cmd_member_find(args: argparse.Namespace) -> int:
    from app.services.errors import TillError
    from app.services.members import identify

    ctx = _ctx(args)
    try:
        view = identify(ctx, args.query)
    except TillError as exc:
        print(json.dumps({"error": {"code": exc.code, "message": exc.message}}, ensure_ascii=False))
        return EXIT_ERROR
    finally:
        ctx.close()
    print(
        json.dumps(
            {
                "id": str(view.id),
                "phone": view.masked_phone,
                "card_no": view.card_no,
                "name": view.name,
                "tier": view.tier,
                "tier_progress": view.progress_text,
                "points_balance": view.points_balance,
                "points_expiring_soon": view.expiring_soon,
                "lifecycle": view.lifecycle,
                "coupons": [
                    {"code": c.code, "kind": c.kind, "valid_to": c.valid_to.isoformat()} for c in view.coupons
                ],
            },
            ensure_ascii=False,
            indent=2,
        )
    )
    return EXIT_OK


def cmd_member_code(args: argparse.Namespace) -> int:
    from app.services.errors import TillError
    from app.services.members import identify, member_code

    ctx = _ctx(args)
    try:
        view = identify(ctx, args.query)
        print(member_code(ctx, view.id, dynamic=not args.static))
    except TillError as exc:
        print(exc.message, file=sys.stderr)
        return EXIT_ERROR
    finally:
        ctx.close()
    return EXIT_OK


def cmd_audit_verify(args: argparse.Namespace) -> int:
    from app.services.audit import verify_audit

    ctx = _ctx(args)
    try:
        report = verify_audit(ctx)
    finally:
        ctx.close()
    if report.ok:
        print(f"audit log intact: {report.entries} entries")
        return EXIT_OK
    print(f"audit log damaged: {len(report.problems)} problem(s) in {report.entries} entries")
    for p in report.problems:
        print(f"  entry {p.seq}: {p.kind}: {p.message}")
    return EXIT_ERROR


def _is_uuid(text: str) -> bool:
    import uuid

    try:
        uuid.UUID(text.strip())
    except ValueError:
        return False
    return True


def cmd_receipt(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from app.services.errors import NotFound, TillError
    from app.services.receipts import receipt_for
    from app.services.slips import find_refund, looks_like_refund_ref, refund_slip

    ctx = _ctx(args)
    try:
        if looks_like_refund_ref(args.sale):
            receipt = refund_slip(ctx, find_refund(ctx, args.sale))
        else:
            try:
                receipt = receipt_for(ctx, args.sale)
            except NotFound:
                if not _is_uuid(args.sale):
                    raise
                receipt = refund_slip(ctx, find_refund(ctx, args.sale))  # a refund's id
        if args.copy:
            receipt = replace(receipt, copy=True)
        printer_cfg = ctx.config.printer
        home = ctx.home
    except TillError as exc:
        print(exc.message, file=sys.stderr)
        return EXIT_ERROR
    finally:
        ctx.close()
    paper = args.paper or printer_cfg.paper_mm
    data: bytes | str
    if args.format == "text":
        from hardware.printer.text_render import render_text

        data = render_text(receipt, paper, printer_cfg.chinese)
    elif args.format == "png":
        from hardware.printer.factory import escpos_options
        from hardware.printer.png_render import render_png

        data = render_png(receipt, paper, printer_cfg.chinese, escpos_options(printer_cfg, home).logo)
    else:
        from hardware.printer.escpos_render import render_escpos
        from hardware.printer.factory import escpos_options

        data = render_escpos(receipt, replace(escpos_options(printer_cfg, home), paper_mm=paper))
    if args.out and args.out != "-":
        out = Path(args.out)
        if isinstance(data, str):
            out.write_text(data, encoding="utf-8")
        else:
            out.write_bytes(data)
    elif isinstance(data, str):
        sys.stdout.write(data)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    return EXIT_OK


def cmd_points_expire(args: argparse.Namespace) -> int:
    from app.services.points import expire_due

    ctx = _ctx(args)
    try:
        print(f"expired {expire_due(ctx)} points")
    finally:
        ctx.close()
    return EXIT_OK


def cmd_coupons_issue(args: argparse.Namespace) -> int:
    from app.services.campaigns import run_campaigns

    ctx = _ctx(args)
    try:
        run = run_campaigns(ctx)
    finally:
        ctx.close()
    print(
        f"issued {run.total} coupons: birthday {run.birthday}, wake-up {run.wakeup}, "
        f"cross-sell {run.cross_sell}, high frequency {run.frequent}"
    )
    return EXIT_OK


def cmd_config(args: argparse.Namespace) -> int:
    from app.config import CONFIG_NAME, load_config, resolve_home

    home = resolve_home(args.home)
    cfg = load_config(home)
    print(f"home: {home}\nconfig: {home / CONFIG_NAME}\nloyalty program: `till program`")
    # [loyalty] is deprecated (moved to program.json): shown only if the file still has it.
    shown = cfg.model_dump(exclude=None if "loyalty" in cfg.model_fields_set else {"loyalty"})
    print(json.dumps(shown, ensure_ascii=False, indent=2))
    return EXIT_OK


def cmd_program(args: argparse.Namespace) -> int:
    from datetime import datetime

    from app.program_file import PROGRAM_NAME

    ctx = _ctx(args)
    try:
        try:
            at = datetime.fromisoformat(args.at) if args.at else ctx.now()
        except ValueError:
            at = None
        if at is None or at.tzinfo is None:
            print(
                "till: --at must be an ISO time with its zone, e.g. 2026-04-01T09:00:00+08:00",
                file=sys.stderr,
            )
            return EXIT_USAGE
        program = ctx.program_at(at)
        source = f"{ctx.home / PROGRAM_NAME}" if program is ctx.home_program else "pulled from the server"
    finally:
        ctx.close()
    print(
        f"loyalty program version {program.version} in force at {at.isoformat()} ({source})", file=sys.stderr
    )
    print(program.to_json())
    return EXIT_OK


def cmd_scan(args: argparse.Namespace) -> int:
    from hardware.scanner.decode import FrameDecoder
    from hardware.scanner.files import scan_file

    decoder = FrameDecoder()
    status = EXIT_OK
    for path in args.paths:
        result = scan_file(path, decoder)
        if "error" in result:
            status = EXIT_ERROR
        print(json.dumps(result, ensure_ascii=False), flush=True)
    return status


def cmd_sync(args: argparse.Namespace) -> int:
    from sync.worker import SyncWorker
    from till.logs import setup_logging

    ctx = _ctx(args)
    setup_logging(ctx.home)
    try:
        worker = SyncWorker(ctx)
        report = worker.run_once()
        worker.stop()
        status = worker.status
    finally:
        ctx.close()
    print(report.describe())
    print(status.describe("en"))
    return EXIT_OK if report.ok else EXIT_ERROR


def _enrol_target(args: argparse.Namespace) -> tuple[str, str] | str:
    """(url, code) from `URL CODE` or from the HQ console's enrolment QR text; else what is
    wrong, in words."""
    from app.domain.enrolment import BadEnrolQR, read_enrol_qr

    try:
        qr = read_enrol_qr(args.url)
    except BadEnrolQR as exc:
        return str(exc)
    if qr is not None:
        return qr.server, qr.code
    if not args.code:
        return "give the server and the one-time code (till enrol URL CODE), or the enrolment QR's text"
    return args.url, args.code


def cmd_enrol(args: argparse.Namespace) -> int:
    from sync.client import SyncError
    from sync.enrol import enrol

    target = _enrol_target(args)
    if isinstance(target, str):
        print(f"till: enrolment: {target}", file=sys.stderr)
        return EXIT_USAGE
    ctx = _ctx(args)
    try:
        done = enrol(ctx, *target)
    except SyncError as exc:
        print(f"till: enrolment failed: {exc.message}", file=sys.stderr)
        return EXIT_ERROR
    finally:
        ctx.close()
    print(f"enrolled as store {done.store_id}, terminal {done.terminal_id}; credentials in {done.path}")
    if done.mismatch:
        print(f"warning: {done.mismatch}", file=sys.stderr)
    return EXIT_OK


def cmd_screenshots(args: argparse.Namespace) -> int:
    """Every main screen as PNG, offscreen, in Chinese and English, on a temporary demo till
    (so that no real till's data or shift is touched)."""
    import os
    import tempfile

    from app.services.context import open_till
    from till.demo import DEMO_STAFF, KNOWN_MEMBERS, demo_products, seed_demo

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from ui.screenshots import SIZES, Script, render_screens

    with tempfile.TemporaryDirectory(prefix="till-screenshots-") as tmp:
        home = Path(tmp) / "home"
        ctx = open_till(home)
        try:
            seed_demo(ctx, members=50, sales=20)
        finally:
            ctx.close()
        login, _, _, pin = DEMO_STAFF[0]
        skus = tuple(p.sku for p in demo_products() if p.member_price)[:4]
        sizes = tuple(args.size) if args.size else SIZES
        made = render_screens(home, Path(args.dir), Script((login, pin), KNOWN_MEMBERS[1][0], skus), sizes)
    for path in made:
        print(path)
    return EXIT_OK


def _screen_size(text: str) -> tuple[int, int]:
    w, sep, h = text.lower().partition("x")
    if not (sep and w.isdigit() and h.isdigit() and 640 <= int(w) <= 4000 and 480 <= int(h) <= 3000):
        raise argparse.ArgumentTypeError(f"{text!r} is not a screen size such as 1366x768")
    return int(w), int(h)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("loyalty-till")
    except PackageNotFoundError:
        return "unknown"


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="till",
        description="Loyalty Till. With no command, starts the cashier app.",
    )
    p.add_argument(
        "--home", help="the till's home folder (default: $TILL_HOME, else the platform's user data folder)"
    )
    p.add_argument(
        "--fullscreen",
        action="store_true",
        help="kiosk mode: the cashier app covers the whole screen (also TILL_FULLSCREEN=1)",
    )
    p.add_argument(
        "--demo",
        action="store_true",
        help="with no command: set up the demo store "
        "first if the store is empty (a first start without a server)",
    )
    p.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    p.set_defaults(func=cmd_gui)
    sub = p.add_subparsers(title="commands", metavar="COMMAND")

    db = sub.add_parser("db", help="the local database")
    dbs = db.add_subparsers(title="commands", metavar="COMMAND", required=True)
    up = dbs.add_parser("upgrade", help="create or migrate the local database to the newest schema")
    up.set_defaults(func=cmd_db_upgrade)

    demo = sub.add_parser("demo", help="demo data")
    demos = demo.add_subparsers(title="commands", metavar="COMMAND", required=True)
    seed = demos.add_parser(
        "seed",
        help="fill the store with a realistic demo store (products, members, promotions, staff, past sales)",
    )
    seed.add_argument("--members", type=int, default=2000, help="members to make (default 2000)")
    seed.add_argument("--sales", type=int, default=400, help="past sales to make (default 400)")
    seed.add_argument("--seed", type=int, default=20261123, help="random seed (same seed, same store)")
    seed.add_argument("--if-empty", action="store_true", help="do nothing if the store has data")
    seed.set_defaults(func=cmd_demo_seed)

    quote = sub.add_parser(
        "quote", help="price a basket JSON file (or - for stdin) per the quote contract; changes nothing"
    )
    quote.add_argument("file", metavar="FILE")
    quote.set_defaults(func=cmd_quote)

    member = sub.add_parser("member", help="members")
    members = member.add_subparsers(title="commands", metavar="COMMAND", required=True)
    find = members.add_parser("find", help="find a member by phone, member code or card number")
    find.add_argument("query", metavar="PHONE|CODE|CARD")
    find.set_defaults(func=cmd_member_find)
    code = members.add_parser("code", help="print a signed member code for a member")
    code.add_argument("query", metavar="PHONE|CODE|CARD")
    code.add_argument("--static", action="store_true", help="a code that does not expire (card)")
    code.set_defaults(func=cmd_member_code)

    audit = sub.add_parser("audit", help="the audit log")
    audits = audit.add_subparsers(title="commands", metavar="COMMAND", required=True)
    verify = audits.add_parser(
        "verify", help="check the hash chain; exit 1 if any entry was edited or deleted"
    )
    verify.set_defaults(func=cmd_audit_verify)

    receipt = sub.add_parser("receipt", help="render a stored sale's receipt or a refund's slip")
    receipt.add_argument(
        "sale",
        metavar="SALE_ID|RECEIPT_NO|last|R-NUMBER|last-refund",
        help="a sale (its id, receipt number, or last) or a refund (its slip's R- number, or last-refund)",
    )
    receipt.add_argument("--copy", action="store_true", help="mark it as a reprint (COPY / 重印)")
    receipt.add_argument(
        "--format",
        choices=["escpos", "text", "png"],
        default="text",
        help="escpos: the printer's bytes; png: the preview image; text (default)",
    )
    receipt.add_argument(
        "--paper",
        type=int,
        choices=[58, 80],
        default=None,
        help="paper width in mm (default: the configured printer's)",
    )
    receipt.add_argument("--out", default="-", help="file to write (default: standard output)")
    receipt.set_defaults(func=cmd_receipt)

    pts = sub.add_parser("points", help="points ledger jobs")
    ptss = pts.add_subparsers(title="commands", metavar="COMMAND", required=True)
    exp = ptss.add_parser("expire", help="write the expiry entries now due (run daily)")
    exp.set_defaults(func=cmd_points_expire)

    coupons = sub.add_parser("coupons", help="coupon campaigns")
    couponss = coupons.add_subparsers(title="commands", metavar="COMMAND", required=True)
    issue = couponss.add_parser(
        "issue",
        help="issue today's birthday, wake-up, cross-sell and "
        "high-frequency coupons (run daily; issues nothing twice)",
    )
    issue.set_defaults(func=cmd_coupons_issue)

    cfg = sub.add_parser("config", help="show the home folder and the configuration in force")
    cfg.set_defaults(func=cmd_config)

    prog = sub.add_parser(
        "program",
        help="print the loyalty program version in force (JSON) and "
        "where it comes from (pulled from the server, or program.json)",
    )
    prog.add_argument("--at", help="ISO time with zone (default: now)")
    prog.set_defaults(func=cmd_program)

    scan = sub.add_parser(
        "scan",
        help="decode codes in image and video files; one JSON line per file; exit 1 if a file cannot be read",
    )
    scan.add_argument("paths", nargs="+", metavar="PATH")
    scan.set_defaults(func=cmd_scan)

    sync = sub.add_parser(
        "sync",
        help="run one sync round with the server now (push the outbox, "
        "pull changes) and print what it did; exit 1 if it failed",
    )
    sync.set_defaults(func=cmd_sync)

    enrol = sub.add_parser("enrol", help="enrol this till with the server using a one-time code")
    enrol.add_argument(
        "url",
        metavar="URL",
        help="the server, e.g. https://hq.example.com; or the text of the HQ console's enrolment QR "
        "('loyalty-till:enrol?server=...&code=...', quoted), which holds both",
    )
    enrol.add_argument("code", metavar="CODE", nargs="?", help="the one-time enrolment code from HQ")
    enrol.set_defaults(func=cmd_enrol)

    shots = sub.add_parser(
        "screenshots",
        help="render every main screen with demo data to PNG "
        "files in DIR, offscreen, in Chinese and English, at each screen size",
    )
    shots.add_argument("dir", metavar="DIR")
    shots.add_argument(
        "--size",
        action="append",
        type=_screen_size,
        metavar="WxH",
        help="screen size (repeatable; default 1024x768, 1366x768 and 1920x1080)",
    )
    shots.set_defaults(func=cmd_screenshots)

    from till import backup, doctor, logs

    backup.register(sub)
    doctor.register(sub)
    logs.register(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from app.config import ConfigError
    from app.files import DamagedFile
    from sync.settings import SettingsError

    try:
        return int(args.func(args))
    except (ConfigError, SettingsError) as exc:
        print(f"till: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except DamagedFile as exc:
        print(f"till: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
