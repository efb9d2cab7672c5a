"""`till-server demo seed`: a chain of a few stores with months of history for the console.

Stores with tills (one flagged for its clock, one waiting for enrolment), a catalogue, members
registered over the months with their sales and earned points (1 point per yuan times the tier
multiplier, expiring as the domain's ledger says), feedback answers and the tickets the
feedback rules open from them, a few conflicts and a parked event, and console users for each
role, printed with their password. Repeatable: the same seed gives the same data.
"""

from __future__ import annotations

import random
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from app.domain import points as ledger
from app.domain.clock import DEFAULT_TZ
from app.domain.codes import FeedbackClaims
from app.domain.ids import MemberId, SaleId, new_id
from app.domain.members import make_card_number
from app.domain.tiers import DEFAULT_TIER_TABLE, tier_for_spend
from server.auth import add_store, hash_secret
from server.catalogue import import_products
from server.console import accounts
from server.feedback import service as fb_service
from server.feedback.core import core_ports
from server.feedback.rules import Score
from server.models import Conflict, LedgerEntry, Member, MemberStore, ParkedEvent, Sale, Terminal
from server.push.models import HeldEvent

DEMO_PASSWORD: Final = "demo-console-2026"
STORES: Final = (
    ("S001", "徐汇旗舰店 Xuhui"),
    ("S002", "静安店 Jing'an"),
    ("S003", "浦东店 Pudong"),
    ("S004", "杭州西湖店 Hangzhou"),
)
USERS: Final[tuple[tuple[str, str, str, list[str]], ...]] = (
    ("admin", "hq_admin", "总部管理员 Wang Fang", []),
    ("marketing", "marketing", "市场 Li Na", []),
    ("area", "area_manager", "区域经理 Zhao Lei", ["S001", "S002"]),
    ("store1", "store_manager", "店长 Chen Jing", ["S001"]),
    ("store2", "store_manager", "店长 Liu Yang", ["S002"]),
    ("agent", "service_agent", "客服 Sun Mei", []),
)
_SURNAMES: Final = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
_GIVEN: Final = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"
_PRODUCTS: Final = (
    ("dairy", "纯牛奶 1L", "Whole milk 1L", 1290),
    ("dairy", "原味酸奶", "Plain yoghurt", 890),
    ("bakery", "全麦面包", "Wholemeal bread", 1590),
    ("bakery", "牛角包", "Croissant", 650),
    ("fresh", "红富士苹果 1kg", "Fuji apples 1kg", 1980),
    ("fresh", "香蕉 1kg", "Bananas 1kg", 990),
    ("fresh", "三文鱼 200g", "Salmon 200g", 4590),
    ("grocery", "东北大米 5kg", "Rice 5kg", 4990),
    ("grocery", "花生油 1.8L", "Peanut oil 1.8L", 3990),
    ("grocery", "生抽 500ml", "Soy sauce 500ml", 1150),
    ("drinks", "矿泉水 550ml", "Mineral water 550ml", 200),
    ("drinks", "绿茶 500ml", "Green tea 500ml", 350),
    ("snacks", "薯片", "Potato crisps", 790),
    ("snacks", "坚果礼盒", "Nut gift box", 12800),
    ("home", "洗衣液 2kg", "Laundry liquid 2kg", 3290),
    ("home", "抽纸 6 包", "Tissues 6 packs", 2490),
)
_COMMENTS_BAD: Final = (
    "排队太久了，只开了一个收银台",
    "牛奶过期了还在卖",
    "店员态度不好",
    "The bread was stale",
    "地面很滑，差点摔倒",
    "Fish smelled off, I felt sick after",
)
_COMMENTS_OK: Final = ("", "挺好的", "Good prices", "环境干净", "")


@dataclass
class Seeded:
    stores: int
    members: int
    sales: int
    tickets: int


def _tz_now() -> datetime:
    return datetime.now(DEFAULT_TZ)


def _terminals(s: Session, now: datetime) -> list[Terminal]:
    out = []
    for n, (store_id, _name) in enumerate(STORES):
        for k in (1, 2):
            tid = f"{store_id}-T0{k}"
            existing = s.get(Terminal, tid)
            if existing is not None:
                out.append(existing)
                continue
            awaiting = n == len(STORES) - 1 and k == 2
            term = Terminal(
                id=tid,
                store_id=store_id,
                created_at=now - timedelta(days=200),
                till_version="0.1.0",
                enrol_code_hash=None,
                enrol_expires_at=None,
                enrolled_at=None if awaiting else now - timedelta(days=199),
                token_hash=None if awaiting else hash_secret(secrets.token_urlsafe(24)),
                device_id=None if awaiting else f"demo-device-{tid}",
                key_id=None,
                public_key=None,
                revoked_at=None,
                last_seen_at=None if awaiting else now - timedelta(minutes=3 + 40 * (n == 2)),
                last_seq=0,
                clock_skew_s=420 if tid == "S002-T02" else None,
                clock_flagged_at=now - timedelta(hours=5) if tid == "S002-T02" else None,
            )
            s.add(term)
            out.append(term)
    s.flush()
    return out


def _members(s: Session, rng: random.Random, count: int, now: datetime, days: int) -> list[dict[str, Any]]:
    rows = []
    for i in range(count):
        store_no = i % len(STORES)
        reg = now - timedelta(days=days + 60) + timedelta(minutes=rng.randrange(0, (days + 50) * 1440))
        rows.append(
            {
                "id": new_id(),
                "phone": f"+86139{10_000_000 + i * 7919 % 90_000_000:08d}",
                "card_no": make_card_number(store_no + 1, 1000 + i),
                "name": rng.choice(_SURNAMES)
                + rng.choice(_GIVEN)
                + (rng.choice(_GIVEN) if rng.random() < 0.6 else ""),
                "birthday": None,
                "family": None,
                "favourite_categories": [],
                "consent_policy_version": "2026-01",
                "consent_at": reg,
                "marketing_opt_in": rng.random() < 0.7,
                "registered_at": reg,
                "store_id": STORES[store_no][0],
                "tier": "basic",
                "last_purchase_at": None,
                "merged_into": None,
                "stub": False,
                "overdraft_flagged_at": None,
                "updated_at": reg,
            }
        )
    return rows


def _sales(
    rng: random.Random,
    members: list[dict[str, Any]],
    terminals: list[Terminal],
    products: list[tuple[str, str, int]],
    now: datetime,
    days: int,
    per_day: int,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    sales: list[dict[str, Any]] = []
    entries: list[dict[str, Any]] = []
    live = [t for t in terminals if t.enrolled_at is not None]
    spend: dict[uuid.UUID, list[tuple[datetime, int]]] = {}
    by_store: dict[str, list[dict[str, Any]]] = {}
    for row in members:
        by_store.setdefault(row["store_id"], []).append(row)
    for day in range(days, -1, -1):
        base = (now - timedelta(days=day)).replace(hour=8, minute=0, second=0, microsecond=0)
        for term in live:
            for n in range(
                max(1, int(per_day * rng.uniform(0.6, 1.3) * (1.25 if base.weekday() >= 5 else 1)))
            ):
                at = base + timedelta(minutes=rng.randrange(0, 13 * 60))
                if at > now:
                    continue
                pool = by_store.get(term.store_id, [])
                m: dict[str, Any] | None = rng.choice(pool) if pool and rng.random() < 0.7 else None
                if m is not None and m["registered_at"] > at:
                    m = None
                picks = [rng.choice(products) for _ in range(rng.randint(1, 7))]
                lines = [
                    {"sku": p[0], "name": p[1], "qty": 1, "unit_price": p[2], "total": p[2]} for p in picks
                ]
                total = sum(p[2] for p in picks)
                earned = 0
                sale_id = new_id()
                if m is not None:
                    history = spend.setdefault(m["id"], [])
                    window = sum(v for t, v in history if t > at - timedelta(days=365))
                    tier = tier_for_spend(window)
                    earned = int(total // 100 * DEFAULT_TIER_TABLE.multiplier(tier))
                    history.append((at, total))
                    m["tier"] = str(tier_for_spend(window + total))
                    m["last_purchase_at"] = at
                    if earned:
                        e = ledger.earn(MemberId(m["id"]), earned, at, sale_id=SaleId(sale_id))
                        entries.append(
                            {
                                "id": e.id,
                                "member_id": m["id"],
                                "kind": "earn",
                                "points": earned,
                                "at": at,
                                "expires_at": e.expires_at,
                                "sale_id": sale_id,
                                "refund_id": None,
                                "note": "",
                                "terminal_id": term.id,
                                "event_id": new_id(),
                            }
                        )
                sales.append(
                    {
                        "id": sale_id,
                        "receipt_no": f"{term.id}-{day:03d}{n:03d}",
                        "store_id": term.store_id,
                        "terminal_id": term.id,
                        "cashier_id": "1001",
                        "member_id": m["id"] if m else None,
                        "at": at,
                        "subtotal": total,
                        "member_savings": 0,
                        "coupon_discount": 0,
                        "points_redeemed": 0,
                        "points_value": 0,
                        "total_due": total,
                        "points_earned": earned,
                        "paid": total,
                        "change_due": 0,
                        "feedback_token": "",
                        "lines": lines,
                        "payments": [{"method": "wechat", "amount": total}],
                        "coupons": [],
                        "flagged": False,
                        "event_id": new_id(),
                    }
                )
    return sales, entries


def _feedback(s: Session, rng: random.Random, sales: list[dict[str, Any]], now: datetime) -> int:
    """Answers for a share of the last month's sales; the feedback rules open the tickets."""
    ports = core_ports()
    with_member = [x for x in sales if x["member_id"] is not None]
    fresh = [x for x in with_member if x["at"] > now - timedelta(days=2)]
    older = [x for x in with_member if now - timedelta(days=20) < x["at"] <= now - timedelta(days=2)]
    rng.shuffle(fresh)
    rng.shuffle(older)
    recent = fresh[:30] + older[:40]
    tickets = 0
    for sale in recent:
        bad = rng.random() < 0.4
        stars = rng.randint(1, 2) if bad else rng.randint(4, 5)
        score = Score(
            stars=stars,
            nps=rng.randint(0, 5) if bad else rng.randint(8, 10),
            category=rng.choice(("checkout_speed", "service", "product_quality", "cleanliness", "stock")),
            comment=rng.choice(_COMMENTS_BAD if bad else _COMMENTS_OK),
        )
        claims = FeedbackClaims(
            store_id=sale["store_id"],
            terminal_id=sale["terminal_id"],
            sale_id=SaleId(sale["id"]),
            receipt_no=sale["receipt_no"],
            issued_at=sale["at"],
            nonce=secrets.token_bytes(16),
            key_id="demo",
        )
        answered = min(sale["at"] + timedelta(hours=rng.randint(1, 30)), now - timedelta(minutes=5))
        done = fb_service.submit_feedback(
            s, claims, score, "zh" if rng.random() < 0.8 else "en", answered, ports
        )
        tickets += done.ticket is not None
        if done.ticket is not None and answered < now - timedelta(days=2):
            _work_done(s, done.ticket.id, answered, rng, ports)
    return tickets


def _work_done(s: Session, ticket_id: uuid.UUID, at: datetime, rng: random.Random, ports: Any) -> None:
    """Older tickets were worked and closed by the store's manager."""
    fb_service.assign_ticket(s, ticket_id, "store1", "area", at + timedelta(minutes=20))
    comp = fb_service.CompensationRequest(points=200) if rng.random() < 0.5 else None
    fb_service.close_ticket(
        s,
        ticket_id,
        "store1",
        at + timedelta(hours=rng.randint(2, 30)),
        ports,
        resolution="[resolved] 已致电顾客并致歉",
        compensation=comp,
    )


def _conflicts(s: Session, sales: list[dict[str, Any]], members: list[dict[str, Any]], now: datetime) -> None:
    with_member = [x for x in sales if x["member_id"] is not None]
    a, b = with_member[-1], with_member[-2]
    s.add(
        Conflict(
            id=new_id(),
            kind="coupon_reused",
            at=now - timedelta(hours=3),
            member_id=b["member_id"],
            sale_id=b["id"],
            terminal_id=b["terminal_id"],
            details={
                "code": "C8K2M4P6Q",
                "discount": 1000,
                "status": "redeemed",
                "first_sale_id": str(a["id"]),
            },
            resolved_at=None,
        )
    )
    s.add(
        Conflict(
            id=new_id(),
            kind="points_overdraft",
            at=now - timedelta(hours=7),
            member_id=a["member_id"],
            sale_id=a["id"],
            terminal_id=a["terminal_id"],
            details={"member_id": str(a["member_id"]), "balance": -120},
            resolved_at=None,
        )
    )
    s.add(
        Conflict(
            id=new_id(),
            kind="audit_mismatch",
            at=now - timedelta(days=1),
            member_id=None,
            sale_id=None,
            terminal_id="S002-T02",
            details={"problems": ["head 1042 was sent with another hash"]},
            resolved_at=None,
        )
    )
    held_entry = new_id()
    s.add(
        HeldEvent(
            id=new_id(),
            event_id=new_id(),
            terminal_id=a["terminal_id"],
            store_id=a["store_id"],
            type="points.adjusted",
            member_id=a["member_id"],
            points=8000,
            reason="above_role_limit",
            payload={
                "entry_id": str(held_entry),
                "member_id": str(a["member_id"]),
                "points": 8000,
                "at": (now - timedelta(hours=4)).isoformat(),
                "note": "会员生日补录积分",
                "staff_id": "3001",
            },
            held_at=now - timedelta(hours=4),
            status="held",
            decided_at=None,
            decided_by=None,
            note="",
        )
    )
    refund = {"refund_id": str(new_id()), "sale_id": str(new_id()), "money": 2590, "points_reversed": 25}
    s.add(
        ParkedEvent(
            event_id=new_id(),
            terminal_id="S001-T02",
            reason="refund_of_unknown_sale",
            event={"type": "refund.completed", "payload": {**refund, "reason": "damaged", "lines": [{}]}},
            received_at=now - timedelta(hours=2),
            reviewed_at=None,
        )
    )
    s.add(
        ParkedEvent(
            event_id=new_id(),
            terminal_id="S001-T02",
            reason="invalid_payload:points:int_parsing",
            event={"type": "points.adjusted", "payload": {"member_id": str(a["member_id"]), "points": "x"}},
            received_at=now - timedelta(hours=1),
            reviewed_at=None,
        )
    )
    s.add(
        ParkedEvent(
            event_id=new_id(),
            terminal_id="S002-T01",
            reason="coupon_code_taken",
            event={
                "type": "coupon.issued",
                "payload": {"code": "W-DEMO-7", "amount": 1000, "threshold": 5000},
            },
            received_at=now - timedelta(days=2),
            reviewed_at=now - timedelta(days=1, hours=20),
            reviewed_by="admin",
            review_note="券码与总部批次重复，终端已换发新券",
        )
    )


def seed(s: Session, *, members: int = 800, days: int = 150, per_day: int = 12, seed_no: int = 14) -> Seeded:
    """Write the demo chain (the caller commits)."""
    rng = random.Random(seed_no)
    now = _tz_now()
    for store_id, name in STORES:
        add_store(s, store_id, name)
    terminals = _terminals(s, now)
    import_products(
        s,
        [
            {
                "sku": f"{6900000000000 + i}",
                "name_zh": zh,
                "name_en": en,
                "category": cat,
                "unit_price": price,
                "member_price": price * 9 // 10 if i % 3 == 0 else None,
            }
            for i, (cat, zh, en, price) in enumerate(_PRODUCTS)
        ],
        now,
    )
    products = [(f"{6900000000000 + i}", zh, price) for i, (_c, zh, _e, price) in enumerate(_PRODUCTS)]
    mrows = _members(s, rng, members, now, days)
    sales, entries = _sales(rng, mrows, terminals, products, now, days, per_day)
    s.execute(insert(Member), mrows)
    s.execute(insert(MemberStore), [{"member_id": m["id"], "store_id": m["store_id"]} for m in mrows])
    for chunk in range(0, len(sales), 5000):
        s.execute(insert(Sale), sales[chunk : chunk + 5000])
    for chunk in range(0, len(entries), 5000):
        s.execute(insert(LedgerEntry), entries[chunk : chunk + 5000])
    tickets = _feedback(s, rng, sales, now)
    _conflicts(s, sales, mrows, now)
    _gifts(s, entries, sales, now)
    for username, role, display, stores in USERS:
        if accounts.find_user(s, username) is None:
            accounts.add_user(
                s, username, DEMO_PASSWORD, role, now, display_name=display, store_ids=stores, lang="zh_CN"
            )
    s.flush()
    return Seeded(stores=len(STORES), members=len(mrows), sales=len(sales), tickets=tickets)


_GIFTS: Final = (
    ("G100", "环保购物袋", "Shopping bag", 100, True),
    ("G500", "保温杯", "Travel mug", 500, True),
    ("G1000", "坚果礼盒", "Nut gift box", 1000, True),
    ("G300", "旧款雨伞", "Old umbrella", 300, False),
)


def _gifts(s: Session, entries: list[dict[str, Any]], sales: list[dict[str, Any]], now: datetime) -> None:
    """The gift catalogue, each store's stock, a few redemptions (one returned) with their
    ledger entries, and the conflicts a gift and a manual price change raise."""
    from server.gifts.models import GiftRedemption
    from server.gifts.service import GiftIn, save_gift, set_stock

    for gid, zh, en, points, active in _GIFTS:
        save_gift(s, gid, GiftIn(name_zh=zh, name_en=en, points=points, active=active), now)
        for n, (store_id, _name) in enumerate(STORES):
            set_stock(s, gid, store_id, (n * 7 + points // 100) % 30, now)
    earned: dict[uuid.UUID, int] = {}
    terminal: dict[uuid.UUID, str] = {}
    for e in entries:
        earned[e["member_id"]] = earned.get(e["member_id"], 0) + e["points"]
        terminal[e["member_id"]] = e["terminal_id"]
    rich = sorted((m for m, p in earned.items() if p >= 300), key=str)[:4]
    for k, mid in enumerate(rich):
        at = now - timedelta(days=k + 1, hours=k)
        entry, term = new_id(), terminal[mid]
        s.add(
            LedgerEntry(
                id=entry,
                member_id=mid,
                kind="redeem",
                points=-100,
                at=at,
                expires_at=None,
                sale_id=None,
                refund_id=None,
                note="gift:G100 环保购物袋",
                terminal_id=term,
                event_id=new_id(),
            )
        )
        returned = k == 3
        back = new_id() if returned else None
        if back is not None:
            s.add(
                LedgerEntry(
                    id=back,
                    member_id=mid,
                    kind="reverse",
                    points=100,
                    at=at + timedelta(hours=2),
                    expires_at=ledger.expiry_for(at),
                    sale_id=None,
                    refund_id=None,
                    note="gift returned:G100 环保购物袋",
                    terminal_id=term,
                    event_id=new_id(),
                )
            )
        s.add(
            GiftRedemption(
                id=new_id(),
                gift_id="G100",
                member_id=mid,
                store_id=term.split("-")[0],
                terminal_id=term,
                points=100,
                entry_id=entry,
                at=at,
                reversed_at=at + timedelta(hours=2) if returned else None,
                reversal_entry_id=back,
            )
        )
    if rich:
        s.add(
            Conflict(
                id=new_id(),
                kind="gift_points_mismatch",
                at=now - timedelta(hours=5),
                member_id=rich[0],
                sale_id=None,
                terminal_id=terminal[rich[0]],
                details={"redemption_id": str(new_id()), "gift_id": "G500", "claimed": 400, "catalogue": 500},
                resolved_at=None,
            )
        )
    sale = sales[-3]
    s.add(
        Conflict(
            id=new_id(),
            kind="manual_price_unjustified",
            at=now - timedelta(hours=2),
            member_id=None,
            sale_id=sale["id"],
            terminal_id=sale["terminal_id"],
            details={
                "fault": "above_limit",
                "line_no": 1,
                "sku": "6900000000001",
                "approver_id": None,
                "role": "cashier",
                "claimed_list_unit": 890,
                "list_unit": 890,
                "unit": 450,
                "percent_below_list": "49.44",
                "limit_percent": 10,
            },
            resolved_at=None,
        )
    )


def is_empty(s: Session) -> bool:
    return int(s.execute(select(func.count()).select_from(Member)).scalar_one()) == 0


def recompute_intel(s: Session) -> str:
    """The KPIs and scores of server/intel for the dashboard (PostgreSQL only); says what it did."""
    from server.intel.campaigns import CampaignIn, CouponTerms, run_campaigns, save_campaign
    from server.intel.config import IntelConfig
    from server.intel.recompute import IntelBusy, IntelUnsupported, recompute
    from server.intel.service import save_segment

    cfg = IntelConfig()
    try:
        recompute(s, cfg, full=True)
    except (IntelBusy, IntelUnsupported) as exc:
        s.rollback()
        return f"member intelligence not computed: {exc}"
    now = _tz_now()
    save_segment(s, "gold_regulars", "金卡常客 Gold regulars", {"tiers": ["gold", "black"], "f_min": 3})
    save_campaign(
        s,
        "WAKE30",
        CampaignIn(
            name="沉睡唤醒 Wake-up ¥15",
            kind="wakeup",
            coupon=CouponTerms(amount=1500, threshold=8000, valid_days=14),
            starts_at=now - timedelta(days=10),
            ends_at=now + timedelta(days=20),
            budget=300,
            control_pct=20,
        ),
    )
    s.commit()
    runs = run_campaigns(s, cfg, now)
    s.commit()
    recompute(s, cfg, full=True)
    issued = sum(r.issued for r in runs)
    return f"member intelligence computed (the dashboard's KPIs); campaign WAKE30 issued {issued} coupons"
