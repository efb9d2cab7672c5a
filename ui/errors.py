"""Errors in the cashier's language. Use cases raise `TillError`s with a stable `code` and an
English `message`; the printer raises `PrintError` with a `reason`. The cashier reads the
translation of the code; an unknown code falls back to the use case's own message."""

from __future__ import annotations

from ui.i18n import N_, translator

tr = translator("Errors")

_BY_CODE: dict[str, str] = {
    "no_staff": N_("No staff member with this number."),
    "locked_out": N_("This staff member is locked after too many wrong PINs. A manager must unlock."),
    "approval_required": N_("A supervisor must approve this."),
    "self_approval": N_("Another staff member must approve this."),
    "cannot_approve": N_("This staff member cannot approve that."),
    "bad_float": N_("The float cannot be negative."),
    "shift_open": N_("A shift is already open on this till."),
    "no_shift": N_("No such shift."),
    "empty_cart": N_("The cart is empty."),
    "unknown_sku": N_("Unknown barcode."),
    "bad_qty": N_("Quantity must be at least 1."),
    "no_member": N_("No such member."),
    "no_member_code": N_("No member with this code."),
    "no_member_card": N_("No member with this card."),
    "no_member_phone": N_("No member with this phone number."),
    "empty": N_("Scan a member code or type a phone number."),
    "total_changed": N_("The total changed since it was shown; check the cart and try again."),
    "underpaid": N_("The payment is short of the total."),
    "change_without_cash": N_("Only cash can give change."),
    "bad_tender": N_("A payment must be more than zero."),
    "duplicate_phone": N_("This phone number already belongs to a member."),
    "consent_required": N_("The member must accept the privacy policy to join."),
    "phone_empty": N_("Enter the member's mobile number."),
    "phone_not_a_number": N_("That is not a phone number: use digits only."),
    "phone_too_short": N_("The phone number is too short (a mainland mobile number has 11 digits)."),
    "phone_too_long": N_("The phone number is too long (a mainland mobile number has 11 digits)."),
    "phone_not_mobile": N_("This is not a mobile number."),
    "phone_invalid": N_("This phone number is not valid."),
    "code_malformed": N_("This is not a valid member code. Look the member up by phone number."),
    "code_unknown_key": N_("This member code comes from a till this one does not know yet."),
    "code_bad_signature": N_("This member code is not genuine. Look the member up by phone number."),
    "code_expired": N_("This member code has expired. Ask the customer to refresh it."),
    "code_not_yet_valid": N_("This member code is dated in the future. Check the till's clock."),
    "code_revoked": N_("This member code or card has been blocked."),
    "no_sale": N_("No sale with this receipt number."),
    "sale_other_till": N_("This receipt was issued at another till: refund or reprint it at that till."),
    "refund_empty": N_("Choose at least one item to refund."),
    "refund_qty_exceeds_remaining": N_("More than what is left to refund on a line."),
    "refund_unknown_line": N_("The sale has no such line."),
    "refund_bad_qty": N_("A refund quantity is not valid."),
    "empty_void": N_("Nothing to void."),
    "not_receipt_code": N_("This code is not one of this till's receipts."),
    "offline_sales": N_(
        "The server cannot be reached, and this till's offline rules allow no sales without it."
    ),
    "offline_register": N_(
        "The server cannot be reached, and this till's offline rules allow no registration without it."
    ),
    "offline_refunds": N_(
        "The server cannot be reached, and this till's offline rules allow no refunds without it."
    ),
    "offline_adjustments": N_(
        "The server cannot be reached, and this till's offline rules allow no points adjustments without it."
    ),
    "offline_redeem": N_(
        "Offline: points cannot be redeemed until the server is back (this till's offline rules)."
    ),
    "offline_points_cap": N_(
        "Offline: fewer points can be redeemed for this member now. Check the points and try again."
    ),
}

_PRINTER: dict[str, str] = {
    "offline": N_("the printer is off or not connected"),
    "paper_out": N_("the printer is out of paper"),
    "cover_open": N_("the printer cover is open"),
    "timeout": N_("the printer did not answer"),
    "unknown": N_("the printer reported a problem"),
}


def printer_words(reason: str) -> str:
    return tr(_PRINTER.get(reason, _PRINTER["unknown"]))


def message_for(exc: BaseException) -> str:
    """What the cashier reads for an error, in the current language."""
    code = getattr(exc, "code", None)
    if code == "wrong_pin":
        left = int(getattr(exc, "attempts_left", 0))
        if left:
            return tr("Wrong PIN. {n} tries left.").format(n=left)
        return tr("Wrong PIN.")
    if isinstance(code, str):
        if code in _BY_CODE:
            return tr(_BY_CODE[code])
        return str(getattr(exc, "message", exc))
    reason = getattr(exc, "reason", None)
    if type(exc).__name__ == "PrintError" and isinstance(reason, str):
        return tr("Receipt not printed: {why}.").format(why=printer_words(reason))
    return tr("Something went wrong: {error}").format(error=str(exc) or type(exc).__name__)
