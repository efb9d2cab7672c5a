"""Receipt layout: display width, wrapping, and receipts that never overflow the paper."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hardware.printer.document import TextLine, asciify, compose
from hardware.printer.layout import Metrics, display_width, fit, hard_split, two_columns, wrap
from hardware.printer.sample import sample_receipt
from hardware.printer.text_render import render_text


def eaw(text: str) -> int:
    """Columns as the tests count them: East Asian Width W and F take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


PRINTER = Metrics.printer(chinese=True)

cjk = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)
fullwidth = st.sampled_from("，。：（）￥【】！？０１２ＡＢ")
ascii_ = st.characters(min_codepoint=0x20, max_codepoint=0x7E)
other = st.sampled_from("·×é—℃①😀\u3000\t\n\x1b")
names = st.text(st.one_of(cjk, cjk, fullwidth, ascii_, ascii_, other), min_size=1, max_size=90)


def test_widths() -> None:
    assert display_width("Milk 1L") == 7
    assert display_width("牛奶 Milk") == 9
    assert display_width("￥12") == 4
    assert PRINTER.width("·") == 2 and display_width("·") == 1  # printed from the Chinese font
    assert PRINTER.width("e\u0301") == 1  # a combining accent takes no column


def test_wrap_breaks_at_spaces_and_between_chinese_characters() -> None:
    assert wrap("Extra Virgin Olive Oil", 12) == ["Extra Virgin", "Olive Oil"]
    assert wrap("进口特级初榨橄榄油", 8) == ["进口特级", "初榨橄榄", "油"]
    assert wrap("abcdefghij", 4) == ["abcd", "efgh", "ij"]
    assert hard_split("ab牛奶", 3) == ["ab", "牛", "奶"]  # a wide character is never halved
    assert fit("牛奶牛奶", 5) == "牛奶"


def test_two_columns_puts_the_amount_right() -> None:
    assert two_columns("小计", "￥12.00", 20, PRINTER) == ["小计" + " " * 9 + "￥12.00"]
    lines = two_columns("一个很长很长很长的商品名称", "123.00", 20, PRINTER)
    assert all(PRINTER.width(ln) <= 20 for ln in lines)
    assert lines[-1].endswith("123.00")


@given(
    st.lists(st.tuples(names, st.integers(1, 999), st.integers(0, 10**9)), min_size=1, max_size=6),
    st.booleans(),
)
def test_58_mm_never_exceeds_32_columns(items: list[tuple[str, int, int]], english_labels: bool) -> None:
    receipt = sample_receipt(
        items=tuple((n, "6900000000001", q, p) for n, q, p in items),
        language="en" if english_labels else "zh_CN",
    )
    for chinese in (True, False):
        doc = compose(receipt, 58, chinese)
        for line in doc.text_lines():
            assert eaw(line) <= 32, line
            assert doc.metrics.width(line) <= 32, line
            assert line.replace("\u3000", " ").isprintable()  # no control bytes
            if not chinese:
                assert line.isascii(), line
    for line in render_text(receipt, 58).splitlines():
        assert eaw(line) <= 32, line


@given(names)
def test_80_mm_never_exceeds_48_columns(name: str) -> None:
    doc = compose(sample_receipt(items=((name, "6900000000001", 12, 123456),)), 80, True)
    assert all(eaw(b.text) <= 48 for b in doc.blocks if isinstance(b, TextLine))


@given(names, st.integers(2, 60))
def test_wrap_keeps_every_character_but_spaces(text: str, width: int) -> None:
    lines = wrap(text, width, PRINTER)
    assert all(PRINTER.width(ln) <= width for ln in lines)

    def visible(t: str) -> str:  # whitespace may go at line ends; control characters always go
        return "".join(c for c in t if not c.isspace() and c != "\x1b")

    assert visible("".join(lines)) == visible(text)


def test_english_only_folds_to_ascii_and_falls_back_to_the_sku() -> None:
    assert asciify("牛奶 Milk 1L") == "Milk 1L"
    assert asciify("Café ￥12，ＡＢ") == "Cafe RMB 12,AB"
    doc = compose(sample_receipt(items=(("大米", "6903456789012", 1, 100),)), 58, chinese=False)
    assert "Item 6903456789012" in doc.text_lines()


@pytest.mark.parametrize("paper", [58, 80])
def test_sample_receipt_lines(paper: int) -> None:
    text = render_text(sample_receipt(), paper)
    assert "牛奶 Milk 1L" in text and "应付" in text and "￥469.70" in text


def test_a_registration_slip_has_the_member_code_and_no_sale_totals() -> None:
    import dataclasses

    from hardware.printer.sample import sample_receipt
    from hardware.printer.text_render import render_text

    sale = sample_receipt()
    slip = dataclasses.replace(sale, kind="slip", lines=(), member_code="LTM1.TESTCODE")
    sale_text = render_text(sale, 58)
    slip_text = render_text(slip, 58)
    total_word = "应付"  # the amount due line
    assert total_word in sale_text
    assert total_word not in slip_text
    assert "LTM1.TESTCODE" in slip_text or "会员码" in slip_text
