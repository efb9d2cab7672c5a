"""Money as integer fen (1/100 yuan). Never a float."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Self


@dataclass(frozen=True, order=True, slots=True)
class Money:
    """An amount of renminbi in integer fen. Arithmetic stays integral; there is no division."""

    fen: int

    def __post_init__(self) -> None:
        if not isinstance(self.fen, int) or isinstance(self.fen, bool):
            raise TypeError(f"Money needs integer fen, got {type(self.fen).__name__}")

    @classmethod
    def zero(cls) -> Self:
        return cls(0)

    @classmethod
    def yuan(cls, yuan: int) -> Self:
        return cls(yuan * 100)

    def __add__(self, other: Money) -> Money:
        return Money(self.fen + other.fen)

    def __sub__(self, other: Money) -> Money:
        return Money(self.fen - other.fen)

    def __neg__(self) -> Money:
        return Money(-self.fen)

    def __mul__(self, times: int) -> Money:
        if not isinstance(times, int):
            raise TypeError("Money can only be multiplied by an integer")
        return Money(self.fen * times)

    __rmul__ = __mul__

    def __bool__(self) -> bool:
        return self.fen != 0

    def format(self, symbol: str = "¥") -> str:
        """`¥12.90`, `-¥0.05`: two decimals, thousands separated."""
        sign = "-" if self.fen < 0 else ""
        yuan, fen = divmod(abs(self.fen), 100)
        return f"{sign}{symbol}{yuan:,}.{fen:02d}"

    def __str__(self) -> str:
        return self.format()


def format_fen(fen: int, symbol: str = "¥") -> str:
    """Format a bare integer amount of fen like `Money.format`."""
    return Money(fen).format(symbol)
