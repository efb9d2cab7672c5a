"""Money is integer fen (1/100 yuan) everywhere, never a float; this formats it for people."""

from __future__ import annotations


def format_fen(fen: int, symbol: str = "¥") -> str:
    """`¥12.90`, `-¥0.05`: two decimals, thousands separated. Refuses anything but an int."""
    if not isinstance(fen, int) or isinstance(fen, bool):
        raise TypeError(f"money is integer fen, got {type(fen).__name__}")
    sign = "-" if fen < 0 else ""
    yuan, rest = divmod(abs(fen), 100)
    return f"{sign}{symbol}{yuan:,}.{rest:02d}"
