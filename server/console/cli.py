"""`till-server user add|passwd|disable|list` and `till-server demo seed` (registered by
server/cli.py). Passwords are asked for on the terminal (or read from stdin with
``--password-stdin``), never taken as an argument."""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from app.domain.clock import utcnow
from server.console import accounts


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("password: ")
    if first != getpass.getpass("again: "):
        raise accounts.AccountError("the two passwords differ")
    return first


def cmd_user(settings: Any, args: argparse.Namespace, session: Any) -> int:
    with session(settings) as s:
        try:
            if args.user_command == "list":
                from sqlalchemy import select

                from server.console.models import StaffUser

                for u in s.execute(select(StaffUser).order_by(StaffUser.username)).scalars():
                    state = (
                        "disabled"
                        if u.disabled
                        else ("locked" if u.locked_until and u.locked_until > utcnow() else "active")
                    )
                    print(
                        f"{u.username}\t{u.role}\t{','.join(u.store_ids) or '*'}\t{state}\t{u.display_name}"
                    )
                return 0
            if args.user_command == "add":
                stores = [x for x in (args.stores or "").split(",") if x.strip()]
                accounts.add_user(
                    s,
                    args.username,
                    _password(args),
                    args.role,
                    utcnow(),
                    display_name=args.name or "",
                    store_ids=stores,
                    lang=args.lang,
                )
                done = f"user {args.username} added ({args.role})"
            elif args.user_command == "passwd":
                accounts.set_password(s, args.username, _password(args))
                done = f"password of {args.username} changed; their sessions are closed"
            else:
                accounts.disable_user(s, args.username)
                done = f"user {args.username} disabled; their sessions are closed"
        except accounts.AccountError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        s.commit()
    print(done)
    return 0


def cmd_demo_seed(settings: Any, args: argparse.Namespace, session: Any) -> int:
    from server.console import demo

    with session(settings) as s:
        if args.if_empty and not demo.is_empty(s):
            print("demo seed: the database has members already; nothing done (--if-empty)")
            return 0
        done = demo.seed(s, members=args.members, days=args.days)
        s.commit()
        intel = demo.recompute_intel(s)
    print(
        f"demo chain: {done.stores} stores, {done.members} members, {done.sales} sales "
        f"over {args.days} days, {done.tickets} tickets"
    )
    print(intel)
    print(f"console users (password {demo.DEMO_PASSWORD!r} for each; sign in at /console):")
    for username, role, display, stores in demo.USERS:
        print(f"  {username:<10} {role:<14} {','.join(stores) or 'all stores':<12} {display}")
    return 0


def add_commands(sub: Any, wrap: Any) -> None:
    """Add `user` and `demo` to till-server's parser; ``wrap(fn)`` gives the handler a session factory."""
    user = sub.add_parser("user", help="HQ console accounts").add_subparsers(
        dest="user_command", required=True
    )
    add = user.add_parser("add", help="add a console user (asks for the password)")
    add.add_argument("username")
    add.add_argument("--role", required=True, choices=accounts.ROLES)
    add.add_argument("--stores", help="comma-separated: the stores an area or store manager looks after")
    add.add_argument("--name", help="the name shown in the console")
    add.add_argument("--lang", default="zh_CN", choices=("zh_CN", "en"))
    for name, text in (
        ("passwd", "set a user's password (closes their sessions)"),
        ("disable", "disable a user (closes their sessions)"),
    ):
        p = user.add_parser(name, help=text)
        p.add_argument("username")
    for p in (add, user.choices["passwd"]):
        p.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    user.choices["disable"].set_defaults(password_stdin=False)
    user.add_parser("list", help="list console users")
    for p in user.choices.values():
        p.set_defaults(func=wrap(cmd_user))

    demo = sub.add_parser("demo", help="demo data").add_subparsers(dest="demo_command", required=True)
    seed = demo.add_parser("seed", help="a chain of stores with months of history, and console users")
    seed.add_argument("--members", type=int, default=800)
    seed.add_argument("--days", type=int, default=150)
    seed.add_argument("--if-empty", action="store_true", help="do nothing when members exist")
    seed.set_defaults(func=wrap(cmd_demo_seed))
