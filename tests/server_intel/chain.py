"""A small chain written straight into the server's core tables, as push would leave them:
members, products, and sales (each with the event that carried it, received when given)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.orm import Session

from app.domain.ids import new_id
from server.models import Coupon, Event, Member, Product, Refund, Sale, Store

T0 = datetime(2026, 6, 15, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai, a Monday


@dataclass
class Line:
    sku: str
    qty: int
    net: int
    list_total: int | None = None
    coupon_discount: int = 0


class Chain:
    def __init__(self, s: Session) -> None:
        self.s = s
        self.seq = 0
        self.received = T0
        self.members = 0

    def store(self, store_id: str) -> None:
        self.s.add(Store(id=store_id, name=store_id, created_at=T0))

    def product(self, sku: str, category: str, name_en: str = "", name_zh: str = "") -> None:
        self.s.add(
            Product(
                id=uuid.uuid4(),
                sku=sku,
                name_zh=name_zh or sku,
                name_en=name_en or sku,
                category=category,
                unit_price=100,
                member_price=None,
                active=True,
            )
        )

    def member(
        self,
        store_id: str,
        registered_at: datetime,
        *,
        tier: str = "basic",
        birthday: date | None = None,
        family: str | None = None,
        phone: str | None = None,
        opt_in: bool = True,
        last_purchase_at: datetime | None = None,
    ) -> uuid.UUID:
        mid = uuid.UUID(str(new_id()))
        self.members += 1
        self.s.add(
            Member(
                id=mid,
                phone=phone or f"+86138{self.members:08d}",
                registered_at=registered_at,
                store_id=store_id,
                tier=tier,
                birthday=birthday,
                family=family,
                favourite_categories=[],
                updated_at=self.received,
                marketing_opt_in=opt_in,
                last_purchase_at=last_purchase_at,
            )
        )
        self.s.flush()
        return mid

    def sale(
        self,
        store_id: str,
        member_id: uuid.UUID | None,
        at: datetime,
        lines: list[Line],
        *,
        received_at: datetime | None = None,
        coupons: list[str] | None = None,
    ) -> uuid.UUID:
        self.seq += 1
        ev = uuid.UUID(str(new_id()))
        sid = uuid.UUID(str(new_id()))
        total = sum(ln.net for ln in lines)
        self.s.add(
            Event(
                id=ev,
                terminal_id=f"T-{store_id}",
                seq=self.seq,
                type="sale.completed",
                payload_hash="x" * 64,
                status="applied",
                reason=None,
                result={"sale_id": str(sid)},
                received_at=received_at or self.received,
            )
        )
        self.s.add(
            Sale(
                id=sid,
                receipt_no=f"R{self.seq}",
                store_id=store_id,
                terminal_id=f"T-{store_id}",
                cashier_id="1001",
                member_id=member_id,
                at=at,
                subtotal=total,
                member_savings=0,
                coupon_discount=0,
                points_redeemed=0,
                points_value=0,
                total_due=total,
                points_earned=0,
                paid=total,
                change_due=0,
                lines=[
                    {
                        "line_no": i,
                        "sku": ln.sku,
                        "qty": ln.qty,
                        "list_total": ln.list_total or ln.net,
                        "line_total": ln.net + ln.coupon_discount,
                        "coupon_discount": ln.coupon_discount,
                        "net": ln.net,
                    }
                    for i, ln in enumerate(lines, start=1)
                ],
                payments=[],
                coupons=[{"code": c, "discount": 0} for c in coupons or []],
                event_id=ev,
            )
        )
        self.s.flush()
        return sid

    def refund(
        self,
        sale_id: uuid.UUID,
        member_id: uuid.UUID | None,
        at: datetime,
        money: int,
        *,
        received_at: datetime | None = None,
    ) -> None:
        self.seq += 1
        ev = uuid.UUID(str(new_id()))
        self.s.add(
            Event(
                id=ev,
                terminal_id="T-R",
                seq=self.seq,
                type="refund.completed",
                payload_hash="x" * 64,
                status="applied",
                reason=None,
                result={},
                received_at=received_at or self.received,
            )
        )
        self.s.add(
            Refund(
                id=uuid.UUID(str(new_id())),
                sale_id=sale_id,
                terminal_id="T-R",
                member_id=member_id,
                at=at,
                money=money,
                points_reversed=0,
                points_given_back=0,
                full=False,
                details={},
                event_id=ev,
            )
        )
        self.s.flush()

    def coupon(
        self,
        code: str,
        member_id: uuid.UUID | None,
        issued_at: datetime,
        *,
        redeemed: bool = False,
        reason: str = "test",
        store_id: str | None = None,
    ) -> None:
        self.s.add(
            Coupon(
                id=uuid.uuid4(),
                code=code,
                kind="amount_off",
                amount=500,
                member_id=member_id,
                store_id=store_id,
                valid_from=issued_at,
                valid_to=issued_at + timedelta(days=30),
                status="redeemed" if redeemed else "issued",
                issued_reason=reason,
                issued_at=issued_at,
            )
        )
        self.s.flush()

    def feedback(
        self,
        store_id: str,
        at: datetime,
        stars: int,
        nps: int,
        ticket: tuple[timedelta, timedelta] | None = None,
    ) -> None:
        """An answer; `ticket` = (time to close, SLA) opens a ticket closed that long after."""
        from server.feedback.models import Feedback, Ticket

        self.seq += 1
        fid = uuid.uuid4()
        self.s.add(
            Feedback(
                id=fid,
                sale_id=uuid.uuid4(),
                store_id=store_id,
                terminal_id="T1",
                receipt_no=f"F{self.seq}",
                key_id="k",
                token_nonce=f"{self.seq:032x}",
                token_issued_at=at,
                stars=stars,
                nps=nps,
                category="service",
                comment="",
                lang="zh",
                submitted_at=at,
            )
        )
        self.s.flush()
        if ticket is not None:
            took, sla = ticket
            self.s.add(
                Ticket(
                    id=uuid.uuid4(),
                    feedback_id=fid,
                    store_id=store_id,
                    severity="normal",
                    team="store",
                    status="closed",
                    reasons=[],
                    opened_at=at,
                    due_at=at + sla,
                    updated_at=at + took,
                    closed_at=at + took,
                )
            )
            self.s.flush()

    def commit(self) -> None:
        self.s.commit()
