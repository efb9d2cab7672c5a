"""The member panel: who the customer is, tier and progress, points, coupons to apply."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QFrame, QLabel, QProgressBar, QVBoxLayout, QWidget

from ui.i18n import N_, money, translator
from ui.services import CouponView, MemberView
from ui.widgets import KeyButton

tr = translator("Member")

TIER_NAMES = {"basic": N_("Basic"), "silver": N_("Silver"), "gold": N_("Gold"), "black": N_("Black")}
LIFECYCLE = {"new": N_("new member"), "active": N_("active"), "dormant": N_("dormant"), "lost": N_("lost")}
MAX_COUPON_KEYS = 9
MAX_TAGS = 3
MAX_SUGGESTIONS = 3
SEGMENTS = {
    "core": N_("core customer"),
    "potential": N_("potential"),
    "dormant": N_("dormant"),
    "lost": N_("lost"),
}
TAGS = {
    "scene:birthday_month": N_("birthday this month"),
    "scene:near_silver": N_("close to Silver"),
    "scene:near_gold": N_("close to Gold"),
    "scene:near_black": N_("close to Black"),
    "dyn:baby": N_("buys baby products"),
    "dyn:organic": N_("buys organic"),
    "dyn:price_sensitive": N_("buys on promotion"),
}


def tag_text(tag: str) -> str:
    """A tag of HQ's intel as the cashier reads it; tier, age and family tags say their value."""
    if tag in TAGS:
        return tr(TAGS[tag])
    kind, _, value = tag.partition(":")
    if kind == "tier":
        return tier_name(value)
    if kind == "age":
        return tr("age {band}").format(band=value)
    return value or tag


def segment_text(segment: str) -> str:
    return tr(SEGMENTS[segment]) if segment in SEGMENTS else segment


def tier_name(tier: str) -> str:
    return tr(TIER_NAMES.get(tier, tier))


def coupon_text(c: CouponView) -> str:
    if c.kind == "amount_off":
        if c.threshold:
            return tr("{amount} off from {threshold}").format(
                amount=money(c.amount), threshold=money(c.threshold)
            )
        return tr("{amount} off").format(amount=money(c.amount))
    if c.kind == "percent_off":
        return tr("{percent}% off").format(percent=_percent(c.percent))
    if c.kind == "free_gift":
        return tr("Free gift")
    if c.kind == "points_multiplier":
        return tr("Extra points")
    return c.name


def _percent(p: str) -> str:
    try:
        value = Decimal(p)
    except InvalidOperation:
        return p
    value = value * 100 if value <= 1 else value
    return f"{value.normalize():f}"


class MemberPanel(QFrame):
    """Shows a MemberView. ``on_coupon(code)`` runs when a coupon's button or key is used."""

    def __init__(self, on_coupon: Callable[[str], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("memberPanel")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.on_coupon = on_coupon
        self.on_history: Callable[[], None] = lambda: None  # the history button (the view sets it)
        self.member: MemberView | None = None
        self.applied: tuple[str, ...] = ()
        self.redeem_text = ""
        self.heading = QLabel()
        self.heading.setObjectName("panelTitle")
        self.who = QLabel()
        self.who.setObjectName("memberWho")
        self.tier = QLabel()
        self.tier.setObjectName("memberTier")
        self.bar = QProgressBar()
        self.bar.setTextVisible(False)
        self.bar.setMaximumHeight(10)
        self.progress = QLabel()
        self.points = QLabel()
        self.points.setObjectName("memberPoints")
        self.expiring = QLabel()
        self.expiring.setObjectName("expiring")
        self.redeem = QLabel()
        self.redeem.setWordWrap(True)
        self.history = KeyButton("Ctrl+H")
        self.history.setObjectName("history")
        self.history.clicked.connect(lambda: self.on_history())
        self.coupon_title = QLabel()
        self.coupon_box = QVBoxLayout()
        self.coupon_buttons: list[KeyButton] = []
        # HQ's intel (pulled with the member, shown offline too): segment and top tags, and
        # items often bought with what the member buys.
        self.intel = QLabel()
        self.intel.setObjectName("memberIntel")
        self.intel.setWordWrap(True)
        self.suggest = QLabel()
        self.suggest.setObjectName("memberSuggest")
        self.suggest.setWordWrap(True)
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self._shown = False
        col = QVBoxLayout(self)
        for w in (
            self.heading,
            self.who,
            self.tier,
            self.bar,
            self.progress,
            self.points,
            self.expiring,
            self.history,
            self.redeem,
            self.intel,
            self.suggest,
            self.coupon_title,
        ):
            col.addWidget(w)
        col.addLayout(self.coupon_box)
        col.addWidget(self.hint)
        col.addStretch(1)
        self.show_member(None)

    def show_member(
        self, member: MemberView | None, applied: tuple[str, ...] = (), redeem_text: str = ""
    ) -> None:
        # MemberView is a frozen dataclass: equal only when every field is, the intel (segment,
        # tags, suggestions) included, so a pull that brought new intel redraws.
        if (member, applied, redeem_text) == (self.member, self.applied, self.redeem_text) and self._shown:
            return  # nothing changed (every scan redraws the checkout): no relayout
        self._shown = True
        self.member, self.applied, self.redeem_text = member, applied, redeem_text
        for b in self.coupon_buttons:
            b.setParent(None)
            b.deleteLater()
        self.coupon_buttons = []
        m = member
        for w in (
            self.who,
            self.tier,
            self.bar,
            self.progress,
            self.points,
            self.expiring,
            self.history,
            self.redeem,
            self.coupon_title,
        ):
            w.setVisible(m is not None)
        self.hint.setVisible(m is None)
        if m is not None:
            for i, c in enumerate(m.coupons[:MAX_COUPON_KEYS], start=1):
                b = KeyButton(f"Ctrl+{i}")
                b.setObjectName("coupon")
                b.setCheckable(True)
                b.setChecked(c.code in applied)
                b.clicked.connect(lambda _=False, code=c.code: self.on_coupon(code))
                self.coupon_box.addWidget(b)
                self.coupon_buttons.append(b)
        self.retranslate()

    def coupon_code(self, number: int) -> str | None:
        """The code of coupon `number` (1-based, as on its key), if the member has it."""
        if self.member is None or not 1 <= number <= min(len(self.member.coupons), MAX_COUPON_KEYS):
            return None
        return self.member.coupons[number - 1].code

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.heading.setText(tr("Member"))
        self.hint.setText(
            tr("Scan the member's code or card, or type the phone number and press Enter. New customer: F4.")
        )
        m = self.member
        if m is None:
            return
        name = f" · {m.name}" if m.name else ""
        stage = tr(LIFECYCLE.get(m.lifecycle, m.lifecycle))
        self.who.setText(f"{m.masked_phone}{name}  ({stage})")
        self.tier.setText(tr("{tier} member").format(tier=tier_name(m.tier)))
        self.bar.setValue(m.progress.percent)
        self.progress.setText(self._progress_text(m))
        self.points.setText(tr("{points} points").format(points=f"{m.points_balance:,}"))
        self.expiring.setText(
            tr("{points} points expire within 60 days").format(points=f"{m.expiring_soon:,}")
            if m.expiring_soon
            else ""
        )
        self.expiring.setVisible(bool(m.expiring_soon))
        self.redeem.setText(self.redeem_text)
        self._intel_text(m)
        self.history.set_label(tr("Purchase history"))
        self.coupon_title.setText(
            tr("Coupons ({n})").format(n=len(m.coupons)) if m.coupons else tr("No coupons")
        )
        for b, c in zip(self.coupon_buttons, m.coupons, strict=False):
            mark = "✓ " if c.code in self.applied else ""
            b.set_label(f"{mark}{coupon_text(c)} · {c.code}")
            b.setChecked(c.code in self.applied)

    def _intel_text(self, m: MemberView) -> None:
        parts = [segment_text(m.segment)] if m.segment else []
        parts += [tag_text(t) for t in m.tags[:MAX_TAGS]]
        self.intel.setText(tr("Profile: {parts}").format(parts=" · ".join(parts)) if parts else "")
        self.intel.setVisible(bool(parts))
        zh = tr("Member") != "Member"  # the Chinese translation is in force: Chinese names
        names = [s.name_zh if zh else s.name_en for s in m.suggestions[:MAX_SUGGESTIONS]]
        self.suggest.setText(tr("Often bought with: {items}").format(items=", ".join(names)) if names else "")
        self.suggest.setVisible(bool(names))

    @staticmethod
    def _progress_text(m: MemberView) -> str:
        p = m.progress
        if p.next_tier is None:
            return tr("Top tier")
        return tr("{amount} more to {tier}").format(
            amount=money(p.remaining_fen), tier=tier_name(str(p.next_tier))
        )
