"""The checkout controller without Qt, on a real till (SQLite in a temporary home, the
file printer): scans, stale quotes, split tenders, messages as words to translate."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from app.services.context import TillContext
from app.services.receipts import receipt_for
from app.services.shifts import open_shift, x_report
from app.services.staff import sign_in
from ui.checkout_controller import CheckoutController
from ui.checkout_text import RAW, Message, Text, line_cells, payment_texts, totals_rows
from ui.services import TillServices

MILK, YOGURT, RICE = "6901234567892", "6902345678901", "6903456789012"


class Screen:
    """Records what the controller tells the screen."""

    def __init__(self) -> None:
        self.messages: list[Message | None] = []
        self.rows: list[int] = []
        self.changes = 0
        self.printer_ok_calls = 0

    def changed(self) -> None:
        self.changes += 1

    def show_message(self, message: Message | None) -> None:
        self.messages.append(message)

    def select_row(self, row: int) -> None:
        self.rows.append(row)

    def printer_ok(self) -> None:
        self.printer_ok_calls += 1


class Later:
    """A runner that keeps the work until ``drain`` (as the worker thread would)."""

    def __init__(self) -> None:
        self.jobs: list[
            tuple[
                Callable[[], Any],
                Callable[[Any], None],
                Callable[[BaseException], None] | None,
                Callable[[], None] | None,
            ]
        ] = []

    def __call__(
        self,
        work: Callable[[], Any],
        done: Callable[[Any], None],
        failed: Callable[[BaseException], None] | None = None,
        after: Callable[[], None] | None = None,
    ) -> None:
        self.jobs.append((work, done, failed, after))

    def drain(self) -> None:
        while self.jobs:
            work, done, failed, after = self.jobs.pop(0)
            try:
                result = work()
            except Exception as exc:  # delivered as the Op would
                if failed is None:
                    raise
                failed(exc)
            else:
                done(result)
            finally:
                if after is not None:
                    after()


def words(text: Text) -> str:
    """A Text in English (the source language), as the screen would draw it."""
    params = {k: words(v) if isinstance(v, Text) else str(v) for k, v in text.params}
    return text.source.format(**params)


def said(co: CheckoutController) -> str:
    assert co.message is not None
    return " ".join(words(p) for p in co.message.parts)


@pytest.fixture
def setup(till: TillContext, staff, products):  # type: ignore[no-untyped-def]
    from hardware.printer.factory import make_printer

    runner, screen = Later(), Screen()
    co = CheckoutController(TillServices(till, make_printer(till.config.printer, till.home)), runner, screen)
    cashier = sign_in(till, "1001", "1234")
    co.start(cashier, open_shift(till, cashier.id, 20_000))
    return co, runner, screen


def test_a_scan_is_priced_and_its_figures_add_up(setup) -> None:  # type: ignore[no-untyped-def]
    co, runner, screen = setup
    co.handle_code(MILK)
    co.handle_code(MILK)
    co.handle_code(RICE)
    assert co.state.priced is None and len(runner.jobs) == 3  # one quote per change
    runner.drain()
    assert co.state.priced is not None  # only the newest quote is kept
    assert screen.rows == [0, 0, 1]
    name, qty, price, saving, amount = line_cells(co.state, 0, co.name_of(MILK))
    assert (name, qty, price, saving, amount) == ("牛奶 Milk 1L", "2", "¥12.90", "", "¥25.80")
    rows = {words(k): v for k, v in totals_rows(co.state)}
    assert rows == {"Items": "3", "Subtotal": "¥75.70"}  # no member: list prices


def test_an_answer_for_an_older_cart_is_dropped(setup) -> None:  # type: ignore[no-untyped-def]
    co, runner, _ = setup
    co.handle_code(MILK)
    first = runner.jobs.pop(0)
    co.handle_code(YOGURT)
    first[1](first[0]())  # the first quote arrives after the second scan
    assert co.state.priced is None
    runner.drain()
    assert co.state.priced is not None and len(co.state.priced.quote.lines) == 2


def test_an_unknown_barcode_is_taken_off_with_an_error(setup) -> None:  # type: ignore[no-untyped-def]
    co, runner, _ = setup
    co.handle_code(MILK)
    runner.drain()
    co.handle_code("1234567")
    runner.drain()
    assert [ln.sku for ln in co.state.lines] == [MILK]
    assert co.message is not None and co.message.kind == "error"
    assert said(co) == "Unknown barcode 1234567: not added."


def test_split_tender_card_then_cash_with_change(setup, till) -> None:  # type: ignore[no-untyped-def]
    co, runner, _ = setup
    co.handle_code(RICE)  # ¥49.90
    runner.drain()
    co.choose_tender("card", "20")
    co.choose_tender("cash", "50")
    paying, change = payment_texts(co.state)
    assert words(paying) == "Pay by: Card ¥20.00 + Cash ¥50.00"
    assert change is not None and words(change) == "Change ¥20.10"
    co.complete()
    runner.drain()
    assert co.last_sale is not None and co.last_sale.change_due == 2010
    receipt = receipt_for(till, co.last_receipt)  # type: ignore[arg-type]
    assert receipt.totals.payments == (("card", 2000), ("cash", 5000))
    assert said(co) == f"Sale done, receipt {co.last_receipt}. Change due: ¥20.10. Receipt printed."
    assert (Path(till.home) / "receipts" / f"{co.last_receipt}.bin").exists()
    report = x_report(till, co.shift_id)
    assert report.by_tender == {"card": 2000, "cash": 2990}  # what each kept


def test_a_part_payment_does_not_complete_and_the_rest_key_pays_it(setup, till) -> None:  # type: ignore[no-untyped-def]
    co, runner, _ = setup
    co.handle_code(MILK)  # ¥12.90
    runner.drain()
    co.choose_tender("cash", "5")
    co.complete()
    assert said(co) == "Not fully paid: ¥7.90 still to pay (total ¥12.90)."
    assert not runner.jobs  # nothing sent to the use case
    co.choose_tender("mobile", "20")  # more than is left, and not cash: refused
    assert co.message is not None and co.message.kind == "error"
    assert "Mobile pay cannot be more than what is left" in said(co)
    co.choose_tender("mobile", "")  # the rest by mobile pay
    co.complete()
    runner.drain()
    receipt = receipt_for(till, co.last_receipt)  # type: ignore[arg-type]
    assert receipt.totals.payments == (("cash", 500), ("mobile", 790))


def test_esc_takes_the_last_payment_off(setup) -> None:  # type: ignore[no-untyped-def]
    co, runner, _ = setup
    co.handle_code(MILK)
    runner.drain()
    co.choose_tender("cash", "5")
    assert co.undo_payment() and not co.state.plan.payments
    assert not co.undo_payment()


def test_quick_exact_cash_completes_at_once(setup, till) -> None:  # type: ignore[no-untyped-def]
    co, runner, _ = setup
    co.handle_code(YOGURT)
    runner.drain()
    co.quick_cash(None)
    runner.drain()
    assert receipt_for(till, co.last_receipt).totals.payments == (("cash", 650),)  # type: ignore[arg-type]


def test_messages_are_kept_as_words_to_translate_and_cleared_by_the_next_action(setup) -> None:  # type: ignore[no-untyped-def]
    co, runner, screen = setup
    co.complete()
    assert co.message == Message("error", (Text("The cart is empty."),))
    co.handle_code(MILK)
    assert screen.messages[-1] is None  # the scan cleared it
    runner.drain()
    co.identify("13900000000")  # nobody has this phone
    runner.drain()
    assert co.message is not None and co.message.kind == "error"
    assert co.message.parts[0].source == RAW  # the use case's error, put in words by the screen
    assert isinstance(dict(co.message.parts[0].params)["value"], Exception)
