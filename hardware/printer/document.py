"""A receipt laid out for paper: the one layout every renderer (ESC/POS, PNG, text) draws.

`compose` turns the core's `Receipt` into lines already padded to the paper's columns, plus
QR codes and an optional logo. Renderers only decide how a line, a QR or an image is drawn,
so the PNG preview and the plain text show exactly what the printer prints.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from app.domain.money import format_fen
from app.domain.receipt import Receipt, ReceiptLine, SlipRow
from hardware.printer import layout as L
from hardware.printer.layout import Metrics


@dataclass(frozen=True, slots=True)
class TextLine:
    text: str
    bold: bool = False
    tall: bool = False  # double height (the width stays one column per column)


@dataclass(frozen=True, slots=True)
class QRBlock:
    data: str


@dataclass(frozen=True, slots=True)
class ImageBlock:
    path: Path


Block = TextLine | QRBlock | ImageBlock


@dataclass(frozen=True, slots=True)
class ReceiptLayout:
    columns: int
    paper_mm: int
    chinese: bool
    metrics: Metrics
    blocks: tuple[Block, ...]

    def text_lines(self) -> list[str]:
        return [b.text for b in self.blocks if isinstance(b, TextLine)]


ZH = {
    "no": "单号",
    "time": "时间",
    "cashier": "收银",
    "terminal": "终端",
    "phone": "电话",
    "item": "品名",
    "qty": "数量",
    "price": "单价",
    "amount": "金额",
    "discount": "优惠",
    "subtotal": "小计",
    "member_savings": "会员优惠",
    "coupon": "优惠券",
    "points_value": "积分抵扣",
    "total": "应付",
    "change": "找零",
    "member": "会员",
    "earned": "本次积分",
    "redeemed": "使用积分",
    "balance": "积分余额",
    "expiring": "即将过期",
    "tier": "会员等级",
    "feedback": "扫码评价 赢积分",
    "member_code": "您的会员码",
    "refund": "退货单",
    "cash": "现金",
    "card": "银行卡",
    "mobile": "移动支付",
    "basic": "普通会员",
    "silver": "银卡",
    "gold": "金卡",
    "black": "黑卡",
    "thanks": "谢谢惠顾，欢迎再次光临",
    "copy": "COPY / 重印",
    "card_no": "会员卡号",
    "saved": "会员价已为您节省",
    # refund slips
    "refund_of": "原单号",
    "refund_ref": "退款单号",
    "refund_total": "退款合计",
    "cash_back": "退还现金",
    "points_reversed": "扣回积分",
    "points_given_back": "退回积分",
    "coupon_returned": "退回优惠券",
    "reason": "退货原因",
    "reason_note": "说明",
    "reason_wrong_item": "拿错商品",
    "reason_damaged": "商品损坏",
    "reason_quality": "质量问题",
    "reason_expired": "商品过期",
    "reason_changed_mind": "顾客不想要了",
    "reason_price": "价格问题",
    "reason_other": "其他",
    "approver": "授权主管",
    "signature": "顾客签名",
    "refund_thanks": "退款已完成，请核对金额",
    # shift reports
    "x_report": "X 报表（班中）",
    "z_report": "Z 报表（交班）",
    "report_no": "报表号",
    "opened": "开班",
    "closed": "交班",
    "sales": "销售笔数",
    "gross": "销售金额",
    "refunds": "退款笔数",
    "refunded": "退款金额",
    "member_sales": "会员销售笔数",
    "coupon_discount": "优惠券抵扣",
    "points_earned": "发放积分",
    "points_redeemed": "使用积分",
    "opening_float": "备用金",
    "expected_cash": "应有现金",
    "counted_cash": "实点现金",
    "over_short": "长短款",
    "by_tender": "按支付方式",
}
EN = {
    "no": "No.",
    "time": "Time",
    "cashier": "Cashier",
    "terminal": "Till",
    "phone": "Tel",
    "item": "Item",
    "qty": "Qty",
    "price": "Price",
    "amount": "Amount",
    "discount": "Discount",
    "subtotal": "Subtotal",
    "member_savings": "Member savings",
    "coupon": "Coupon",
    "points_value": "Points used",
    "total": "TOTAL",
    "change": "Change",
    "member": "Member",
    "earned": "Points earned",
    "redeemed": "Points used",
    "balance": "Points balance",
    "expiring": "Expiring soon",
    "tier": "Tier",
    "feedback": "Scan to rate us",
    "member_code": "Your member code",
    "refund": "REFUND",
    "cash": "Cash",
    "card": "Card",
    "mobile": "Mobile pay",
    "basic": "Basic",
    "silver": "Silver",
    "gold": "Gold",
    "black": "Black",
    "thanks": "Thank you for shopping with us",
    "copy": "COPY",
    "card_no": "Member card",
    "saved": "You saved at member prices",
    # refund slips
    "refund_of": "Original receipt",
    "refund_ref": "Refund ref.",
    "refund_total": "REFUND TOTAL",
    "cash_back": "Cash given back",
    "points_reversed": "Points taken back",
    "points_given_back": "Points returned",
    "coupon_returned": "Coupon returned",
    "reason": "Reason",
    "reason_note": "Note",
    "reason_wrong_item": "Wrong item",
    "reason_damaged": "Damaged",
    "reason_quality": "Quality problem",
    "reason_expired": "Past its date",
    "reason_changed_mind": "Changed their mind",
    "reason_price": "Price problem",
    "reason_other": "Other",
    "approver": "Approved by",
    "signature": "Customer signature",
    "refund_thanks": "Refund done: please check the amount",
    # shift reports
    "x_report": "X REPORT (shift so far)",
    "z_report": "Z REPORT (shift closed)",
    "report_no": "Report no.",
    "opened": "Opened",
    "closed": "Closed",
    "sales": "Sales",
    "gross": "Taken",
    "refunds": "Refunds",
    "refunded": "Refunded",
    "member_sales": "Member sales",
    "coupon_discount": "Coupon discounts",
    "points_earned": "Points earned",
    "points_redeemed": "Points redeemed",
    "opening_float": "Opening float",
    "expected_cash": "Cash expected",
    "counted_cash": "Cash counted",
    "over_short": "Over / short",
    "by_tender": "By tender",
}

_ASCII_MAP = {
    "¥": "RMB ",
    "￥": "RMB ",
    "·": "-",
    "，": ",",
    "。": ".",
    "：": ":",
    "；": ";",
    "（": "(",
    "）": ")",
    "—": "-",
    "–": "-",
    "×": "x",
    "‘": "'",
    "’": "'",
    "“": '"',
    "”": '"',
    "、": ",",
    "【": "[",
    "】": "]",
    "！": "!",
    "？": "?",
    "€": "EUR ",
}


_EMPTY_BRACKETS = re.compile(r"\(\s*\)|\[\s*\]")


def asciify(text: str) -> str:
    """The ASCII a printer without Chinese fonts can print: full-width forms folded, accents
    dropped, anything else (Chinese) removed."""
    out: list[str] = []
    for ch in unicodedata.normalize("NFKC", L.sanitize(text)):
        if ch.isascii():
            out.append(ch)
        elif ch in _ASCII_MAP:
            out.append(_ASCII_MAP[ch])
        else:
            out.append(unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode())
    return " ".join("".join(out).split())


def _ascii_or_none(text: str, prose: bool) -> str | None:
    """`asciify(text)`, or None when too much was lost: for prose any dropped letter (half a
    sentence misleads), for names fewer than two letters left."""
    a = _EMPTY_BRACKETS.sub("", asciify(text)).strip()
    if prose:
        dropped = sum(
            c.isalpha()
            for c in unicodedata.normalize("NFKD", text)
            if not c.isascii() and c not in _ASCII_MAP and not unicodedata.combining(c)
        )
        return a if a and not dropped else None
    return a if sum(c.isalpha() for c in a) >= 2 else None


class _Composer:
    def __init__(self, r: Receipt, paper_mm: int, chinese: bool, metrics: Metrics) -> None:
        self.r = r
        self.w = L.PAPER_COLUMNS[paper_mm]
        self.paper_mm = paper_mm
        self.chinese = chinese
        self.m = metrics
        self.t = ZH if (chinese and r.language.startswith("zh")) else EN
        self.sym = "￥" if chinese else "RMB "
        self.blocks: list[Block] = []

    # -- text helpers
    def s(self, text: str, prose: bool = True) -> str | None:
        """Text as this printer can print it (None: not printable without Chinese fonts)."""
        if self.chinese:
            return L.sanitize(text).replace("¥", "￥")
        return _ascii_or_none(text, prose)

    def money(self, fen: int, symbol: bool = True) -> str:
        return format_fen(fen, self.sym if symbol else "")

    def line(self, text: str, bold: bool = False, tall: bool = False) -> None:
        self.blocks.append(TextLine(text, bold, tall))

    def lines(self, texts: list[str], bold: bool = False, tall: bool = False) -> None:
        for t in texts:
            self.line(t, bold, tall)

    def rule(self) -> None:
        self.line("-" * self.w)

    def centered(self, text: str | None, bold: bool = False, tall: bool = False) -> None:
        if text:
            self.lines(L.center_wrapped(text, self.w, self.m), bold, tall)

    def pair(self, label: str, value: str, bold: bool = False, tall: bool = False) -> None:
        self.lines(L.two_columns(label, value, self.w, self.m), bold, tall)

    # -- sections
    def header(self, logo: Path | None) -> None:
        r, t = self.r, self.t
        if logo is not None:
            self.blocks.append(ImageBlock(logo))
        self.centered(self.s(r.store_name), bold=True, tall=True)
        self.centered(self.s(r.store_address))
        if r.store_phone:
            self.centered(self.s(f"{t['phone']} {r.store_phone}"))
        if r.kind == "refund":
            self.centered(t["refund"], bold=True, tall=True)
        if r.title:
            self.centered(t.get(r.title, r.title), bold=True, tall=True)
        if r.copy:
            self.centered(t["copy"] if self.chinese else "COPY", bold=True, tall=True)
        self.rule()
        # a slip's number is the card's; a refund slip's its own (the sale's is among its rows)
        numbers = {"slip": t["card_no"], "refund": t["refund_ref"], "report": t["report_no"]}
        number = numbers.get(r.kind, t["no"])
        self.lines(L.wrap(f"{number}: {r.receipt_no}", self.w, self.m))
        self.lines(L.wrap(f"{t['time']}: {r.at:%Y-%m-%d %H:%M:%S}", self.w, self.m))
        cashier = self.s(r.cashier) or ""
        self.pair(f"{t['cashier']}: {cashier}", f"{t['terminal']}: {r.terminal_id}")
        self.rule()

    def items(self) -> None:
        t = self.t
        wide = self.w >= 48
        if wide:
            self.line(self._row(t["item"], t["qty"], t["price"], t["amount"]) or t["item"])
        for ln in self.r.lines:
            self.item(ln, wide)
        self.rule()

    _NAME, _QTY, _PRICE, _AMOUNT = 22, 5, 10, 11

    def _row(self, name: str, qty: str, price: str, amount: str) -> str | None:
        cells = (
            L.ljust(name, self._NAME, self.m)
            + L.rjust(qty, self._QTY, self.m)
            + L.rjust(price, self._PRICE, self.m)
            + L.rjust(amount, self._AMOUNT, self.m)
        )
        return cells if self.m.width(cells) <= self.w else None

    def item(self, ln: ReceiptLine, wide: bool) -> None:
        name = self.s(ln.name, prose=False) or f"Item {ln.sku}"
        qty, price, amount = str(ln.qty), self.money(ln.unit_price, False), self.money(ln.line_total, False)
        row = None
        if wide:
            names = L.wrap(name, self._NAME - 1, self.m)
            row = self._row(names[0], qty, price, amount)
        if row is not None:
            self.line(row)
            self.lines(names[1:])
        else:
            self.lines(L.wrap(name, self.w, self.m))
            self.pair(f"  {qty} x {price}", amount)
        note = self.s(ln.note, prose=False) if ln.note else ""
        if note:
            self.lines(L.wrap("  " + note, self.w, self.m))

    def totals(self) -> None:
        """Every printed amount adds up: the subtotal is the sum of the items' amounts (at
        member prices where they applied); coupons and points come off it to the total. The
        member saving is said after, not taken off again."""
        t, tot = self.t, self.r.totals
        self.pair(t["subtotal"], self.money(sum(ln.line_total for ln in self.r.lines)))
        for code, discount in self.r.coupons:
            self.pair(f"{t['coupon']} {self.s(code) or ''}", self.money(-discount))
        if tot.coupon_discount and not self.r.coupons:
            self.pair(t["coupon"], self.money(-tot.coupon_discount))
        if tot.points_value:
            self.pair(t["points_value"], self.money(-tot.points_value))
        self.pair(t["total"], self.money(tot.total_due), bold=True, tall=True)
        for tender, amount in tot.payments:
            self.pair(t.get(tender, self.s(tender, prose=False) or asciify(tender)), self.money(amount))
        if tot.change_due:
            self.pair(t["change"], self.money(tot.change_due))
        if tot.member_savings:
            self.pair(t["saved"], self.money(tot.member_savings))

    def slip_rows(self) -> None:
        """A refund slip's or a report's figures, each labelled in the profile's language."""
        for row in self.r.rows:
            if row.key == "rule":
                self.rule()
                continue
            label = self.t.get(row.key, row.key)
            if row.arg:
                subject = self.t.get(row.arg) or self.s(row.arg, prose=False) or asciify(row.arg)
                label = f"  {subject}" if row.key == "by_tender" else f"{label} {subject}"
            if row.unit == "text" and row.value == "":  # a heading of the rows below
                self.line(label)
                continue
            value = self._row_value(row)
            if value is None:
                continue
            if row.unit in ("text", "reason") and (
                self.m.width(label) + 1 + self.m.width(value) > self.w
            ):  # a long reason note: under its label, wrapped
                self.line(label + ":", row.bold)
                self.lines(L.wrap("  " + value, self.w, self.m), row.bold)
            else:
                self.pair(label, value, bold=row.bold, tall=row.bold)

    def _row_value(self, row: SlipRow) -> str | None:
        v = row.value
        if row.unit == "fen" and isinstance(v, int):
            return self.money(v)
        if row.unit == "points" and isinstance(v, int):
            return f"{v:,}"
        if row.unit == "count":
            return str(v)
        if row.unit == "reason":
            return self.t.get(f"reason_{v}", self.s(str(v), prose=False) or "")
        return self.s(str(v))  # free text: None where this printer cannot print it

    def signature(self) -> None:
        self.line("")
        self.line(f"{self.t['signature']}: " + "_" * max(4, self.w - self.m.width(self.t["signature"]) - 2))

    def loyalty(self) -> None:
        r, t = self.r, self.t
        if not r.member and not r.points:
            return
        self.rule()
        if r.member:
            self.pair(f"{t['member']}:", self.s(r.member, prose=False) or asciify(r.member))
        p = r.points
        if p is not None:
            self.pair(t["earned"], f"+{p.earned:,}")
            if p.redeemed:
                self.pair(t["redeemed"], f"-{p.redeemed:,}")
            self.pair(t["balance"], f"{p.balance:,}")
            if p.expiring_soon:
                self.pair(t["expiring"], f"{p.expiring_soon:,}")
            self.pair(t["tier"], t.get(p.tier, self.s(p.tier, prose=False) or asciify(p.tier)))
            progress = self.s(p.tier_progress)
            if progress:
                self.lines(L.wrap(progress, self.w, self.m))

    def trailer(self) -> None:
        r, t = self.r, self.t
        self.rule()
        if r.feedback_url:
            self.blocks.append(QRBlock(r.feedback_url))
            self.centered(t["feedback"])
        if r.member_code:
            self.blocks.append(QRBlock(r.member_code))
            self.centered(t["member_code"])
        if r.kind == "report":
            return
        thanks = t["refund_thanks"] if r.kind == "refund" else t["thanks"]
        footer = [f for f in (self.s(x) for x in r.footer) if f] or [thanks]
        for f in footer:
            self.centered(f)


def compose(
    receipt: Receipt,
    paper_mm: int = 80,
    chinese: bool = True,
    logo: Path | None = None,
    metrics: Metrics | None = None,
) -> ReceiptLayout:
    """Lay `receipt` out for `paper_mm` paper. `chinese=False` is the English-only profile: English
    labels, "RMB" for ¥, and only ASCII (Chinese names give way to their SKU)."""
    if paper_mm not in L.PAPER_COLUMNS:
        raise ValueError(f"paper must be 58 or 80 mm, not {paper_mm}")
    m = metrics or Metrics.printer(chinese)
    c = _Composer(receipt, paper_mm, chinese, m)
    c.header(logo)
    if receipt.kind in ("refund", "report"):  # what came back, or the shift's figures
        if receipt.lines:
            c.items()
        c.slip_rows()
        if receipt.kind == "refund":
            c.signature()
    elif receipt.kind != "slip":  # a registration slip: the member and their code, no sale
        c.items()
        c.totals()
    if receipt.kind != "report":
        c.loyalty()
    c.trailer()
    return ReceiptLayout(c.w, paper_mm, chinese, m, tuple(c.blocks))
