"""Columns on receipt paper: display width, wrapping, padding.

A thermal printer lays text out on a fixed grid: 32 columns on 58 mm paper, 48 on 80 mm (font A,
12x24 dots). A Chinese character takes two columns. Two ways of counting are offered:

- `Metrics.printer(chinese=True)`: what a printer in Chinese mode does. Every character that
  GB18030 encodes in more than one byte (everything outside ASCII, ¥ and · included) is printed
  from the double-width Chinese font.
- `Metrics.display()`: what a terminal does (Unicode East Asian Width: W and F take two).

The printer count is never smaller than the display count, so a layout made for the printer
also fits a terminal.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

PAPER_COLUMNS = {58: 32, 80: 48}
PAPER_DOTS = {58: 384, 80: 576}


@lru_cache(maxsize=4096)
def _eaw_width(ch: str) -> int:
    if unicodedata.combining(ch):
        return 0
    cat = unicodedata.category(ch)
    if cat in ("Cc", "Cf", "Mn", "Me"):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


@dataclass(frozen=True, slots=True)
class Metrics:
    """How many columns a character takes."""

    non_ascii_wide: bool = False

    @classmethod
    def printer(cls, chinese: bool = True) -> Metrics:
        return cls(non_ascii_wide=chinese)

    @classmethod
    def display(cls) -> Metrics:
        return cls(non_ascii_wide=False)

    def char(self, ch: str) -> int:
        o = ord(ch)
        if 0x20 <= o < 0x7F:
            return 1
        if o < 0x20 or o == 0x7F:
            return 0
        if self.non_ascii_wide:
            return 2 if _eaw_width(ch) else 0
        return _eaw_width(ch)

    def width(self, text: str) -> int:
        if text.isascii():
            return len(text)
        return sum(self.char(ch) for ch in text)


DISPLAY = Metrics.display()


def display_width(text: str, metrics: Metrics = DISPLAY) -> int:
    """Columns `text` takes (East Asian Width by default)."""
    return metrics.width(text)


def sanitize(text: str) -> str:
    """Text safe to send to a printer: no control characters (an ESC in a product name
    would otherwise become a printer command), tabs and newlines as spaces."""
    if text.isascii() and text.isprintable():
        return text
    out = []
    for ch in text:
        cat = unicodedata.category(ch)
        if ch in "\t\n\r\x0b\x0c":
            out.append(" ")
        elif cat in ("Cc", "Cs", "Co", "Cn") or (cat == "Cf" and ch != "\u200d"):
            continue
        else:
            out.append(ch)
    return "".join(out)


def _tokens(text: str, m: Metrics) -> list[str]:
    """Runs of spaces, runs of narrow non-space characters, and single wide characters (a line
    may break before or after any wide character, as Chinese text does)."""
    toks: list[str] = []
    cur = ""
    kind = ""
    for ch in text:
        w = m.char(ch)
        if w == 0:
            cur += ch  # stays with the character it modifies
            continue
        k = "s" if ch == " " else ("w" if w == 2 else "n")
        if k == "w" or k != kind:
            if cur:
                toks.append(cur)
            cur, kind = ch, k
        else:
            cur += ch
    if cur:
        toks.append(cur)
    return toks


def hard_split(text: str, width: int, m: Metrics = DISPLAY) -> list[str]:
    """Cut `text` into pieces of at most `width` columns, never halving a wide character."""
    out: list[str] = []
    cur, cur_w = "", 0
    for ch in text:
        w = m.char(ch)
        if cur_w + w > width and cur:
            out.append(cur)
            cur, cur_w = "", 0
        cur += ch
        cur_w += w
    if cur or not out:
        out.append(cur)
    return out


def wrap(text: str, width: int, m: Metrics = DISPLAY) -> list[str]:
    """Greedy word wrap by display width: breaks at spaces and around Chinese characters,
    splits words longer than a line. Every returned line is at most `width` columns."""
    if width < 2:
        raise ValueError("width must be at least 2 columns")
    text = sanitize(text)
    lines: list[str] = []
    cur, cur_w = "", 0
    for tok in _tokens(text, m):
        tw = m.width(tok)
        if tok[0] == " ":
            if (cur or not lines) and cur_w + tw <= width:  # indentation of the first line stays
                cur, cur_w = cur + tok, cur_w + tw
            elif cur:
                lines.append(cur.rstrip())
                cur, cur_w = "", 0
            continue
        if cur_w + tw <= width:
            cur, cur_w = cur + tok, cur_w + tw
            continue
        if cur.strip():
            lines.append(cur.rstrip())
        cur, cur_w = "", 0
        if tw <= width:
            cur, cur_w = tok, tw
        else:
            pieces = hard_split(tok, width, m)
            lines.extend(pieces[:-1])
            cur, cur_w = pieces[-1], m.width(pieces[-1])
    if cur.strip() or not lines:
        lines.append(cur.rstrip())
    return lines


def fit(text: str, width: int, m: Metrics = DISPLAY) -> str:
    """`text` cut to at most `width` columns."""
    return text if m.width(text) <= width else hard_split(text, width, m)[0]


def ljust(text: str, width: int, m: Metrics = DISPLAY) -> str:
    return text + " " * max(0, width - m.width(text))


def rjust(text: str, width: int, m: Metrics = DISPLAY) -> str:
    return " " * max(0, width - m.width(text)) + text


def center(text: str, width: int, m: Metrics = DISPLAY) -> str:
    gap = max(0, width - m.width(text))
    return " " * (gap // 2) + text


def center_wrapped(text: str, width: int, m: Metrics = DISPLAY) -> list[str]:
    return [center(line, width, m) for line in wrap(text, width, m)]


def two_columns(left: str, right: str, width: int, m: Metrics = DISPLAY) -> list[str]:
    """`left` wrapped, `right` flush right on its last line (or on a line of its own when it
    does not fit beside it)."""
    right = fit(right, width, m)
    rw = m.width(right)
    lines = wrap(left, width, m) if left.strip() else [""]
    if not right:
        return lines
    last = lines[-1]
    if not last:
        lines[-1] = rjust(right, width, m)
    elif m.width(last) + 1 + rw <= width:
        lines[-1] = ljust(last, width - rw, m) + right
    else:
        lines.append(rjust(right, width, m))
    return lines
