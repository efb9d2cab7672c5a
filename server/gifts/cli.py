"""`till-server gift ...`: HQ's gift catalogue.

till-server gift add G100 --zh 小礼品 --en "Small gift" --points 100 [--inactive]
till-server gift list [--active]
till-server gift stock G100 S001 25        # set (not add) the store's stock
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from server.settings import ServerSettings

Sessions = Callable[[ServerSettings], Session]


def cmd_add(settings: ServerSettings, args: argparse.Namespace, sessions: Sessions) -> int:
    from server.gifts.service import GiftError, GiftIn, gift_json, save_gift

    try:
        body = GiftIn(name_zh=args.zh, name_en=args.en, points=args.points, active=not args.inactive)
    except ValidationError as exc:
        for err in exc.errors():
            print(f"error: {'.'.join(str(x) for x in err['loc'])}: {err['msg']}", file=sys.stderr)
        return 2
    with sessions(settings) as s:
        try:
            g, created = save_gift(s, args.id, body, datetime.now(UTC))
        except GiftError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        s.commit()
        print(json.dumps({"created": created, **gift_json(s, g)}, ensure_ascii=False))
    return 0


def cmd_list(settings: ServerSettings, args: argparse.Namespace, sessions: Sessions) -> int:
    from server.gifts.service import list_gifts

    with sessions(settings) as s:
        print(json.dumps(list_gifts(s, active_only=args.active), ensure_ascii=False, indent=2))
    return 0


def cmd_stock(settings: ServerSettings, args: argparse.Namespace, sessions: Sessions) -> int:
    from server.gifts.service import GiftError, set_stock

    with sessions(settings) as s:
        try:
            row = set_stock(s, args.id, args.store, args.stock, datetime.now(UTC))
        except (LookupError, GiftError) as exc:
            print(f"error: {str(exc).strip(chr(34))}", file=sys.stderr)
            return 2
        s.commit()
        print(json.dumps({"gift_id": row.gift_id, "store_id": row.store_id, "stock": row.stock}))
    return 0


def add_parser(sub: Any, sessions: Sessions) -> None:
    gift = sub.add_parser("gift", help="the gift catalogue (points for gifts)").add_subparsers(
        dest="gift_command", required=True
    )
    add = gift.add_parser("add", help="add or change a gift; every store's tills get it")
    add.add_argument("id")
    add.add_argument("--zh", required=True, help="name in Chinese")
    add.add_argument("--en", required=True, help="name in English")
    add.add_argument("--points", type=int, required=True, help="points it costs")
    add.add_argument("--inactive", action="store_true", help="listed but not offered at the tills")
    add.set_defaults(func=lambda settings, args: cmd_add(settings, args, sessions))
    ls = gift.add_parser("list", help="the catalogue with stock per store (JSON)")
    ls.add_argument("--active", action="store_true", help="only active gifts")
    ls.set_defaults(func=lambda settings, args: cmd_list(settings, args, sessions))
    stock = gift.add_parser("stock", help="set a store's stock of a gift")
    stock.add_argument("id")
    stock.add_argument("store")
    stock.add_argument("stock", type=int)
    stock.set_defaults(func=lambda settings, args: cmd_stock(settings, args, sessions))
