"""The decoding pipeline: one camera frame in, the codes on it out.

The order of passes was chosen by `bench/bench_decode.py` (see its output for the figures):

1. gray (a BGR frame costs well under a millisecond to convert);
2. a cheap coarse pass: zbar on the frame halved (INTER_AREA), when the frame is large;
3. the full-resolution frame with zxing-cpp, when it is installed: it finds small, blurred,
   rotated and inverted codes that zbar misses, at about zbar's cost;
4. zbar on the full frame, then on the inverted frame (phone screens in dark mode: zbar
   never reads light-on-dark codes by itself);
5. optional fallbacks for hard frames (contrast stretch, sharpening) listed in
   ``FALLBACKS``; each runs only when everything before it found nothing.

A pass that finds a code ends the frame: a cashier holds one code at a time, and the frames
without a code (most of them) are what the cost is paid on.

zbar is always told which symbologies to look for: that is free speed and fewer false reads.
Thread: a :class:`FrameDecoder` keeps no state between frames besides its settings; use one
per thread all the same (the zbar and zxing-cpp wrappers make no promise about sharing).
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from app.ports import Symbology

Polygon = tuple[tuple[int, int], ...]
Engine = Literal["auto", "pyzbar", "zxing", "both"]

# Member QR codes and the product barcodes a grocery till meets.
SYMBOLOGIES: tuple[Symbology, ...] = (
    Symbology.QRCODE,
    Symbology.EAN13,
    Symbology.EAN8,
    Symbology.UPCA,
    Symbology.CODE128,
)

_ZBAR_NAMES = {
    "QRCODE": Symbology.QRCODE,
    "EAN13": Symbology.EAN13,
    "EAN8": Symbology.EAN8,
    "UPCA": Symbology.UPCA,
    "CODE128": Symbology.CODE128,
}
_ZXING_NAMES = {
    "QR Code": Symbology.QRCODE,
    "EAN-13": Symbology.EAN13,
    "EAN-8": Symbology.EAN8,
    "UPC-A": Symbology.UPCA,
    "Code 128": Symbology.CODE128,
}

# Frames wider than this get the cheap halved pass first.
COARSE_MIN_WIDTH = 800


@dataclass(frozen=True, slots=True)
class Decoded:
    """One code found on a frame; ``polygon`` is in the frame's own pixel coordinates."""

    payload: str
    symbology: Symbology
    polygon: Polygon = ()


def zxing_available() -> bool:
    """True when the optional second decoder (zxing-cpp) is installed."""
    return importlib.util.find_spec("zxingcpp") is not None


def to_gray(frame: np.ndarray) -> np.ndarray:
    import cv2

    if frame.ndim == 2:
        return frame
    if frame.shape[2] == 4:
        return cv2.cvtColor(frame, cv2.COLOR_BGRA2GRAY)
    return cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)


# ---------------------------------------------------------------- the two decoders


class _Zbar:
    def __init__(self, symbologies: Sequence[Symbology]) -> None:
        from pyzbar import pyzbar

        self._decode = pyzbar.decode
        self._symbols = [pyzbar.ZBarSymbol[s.value] for s in symbologies if s.value in _ZBAR_NAMES]

    def __call__(self, gray: np.ndarray, scale: float = 1.0) -> list[Decoded]:
        found = []
        for r in self._decode(gray, symbols=self._symbols):
            sym = _ZBAR_NAMES.get(r.type)
            if sym is None:
                continue
            try:
                payload = r.data.decode("utf-8")
            except UnicodeDecodeError:
                payload = r.data.decode("latin-1")
            poly = tuple((round(p.x * scale), round(p.y * scale)) for p in r.polygon)
            found.append(Decoded(payload, sym, poly))
        return found


class _Zxing:
    def __init__(self, symbologies: Sequence[Symbology], try_downscale: bool = True) -> None:
        import zxingcpp

        self._zx: Any = zxingcpp
        wanted = {v: k for k, v in _ZXING_NAMES.items()}
        names = {
            "QR Code": "QRCode", "EAN-13": "EAN13", "EAN-8": "EAN8", "UPC-A": "UPCA", "Code 128": "Code128",
        }
        self._formats = [
            getattr(zxingcpp.BarcodeFormat, names[wanted[s]]) for s in symbologies if s in wanted
        ]
        self._try_downscale = try_downscale

    def __call__(self, gray: np.ndarray, scale: float = 1.0) -> list[Decoded]:
        found = []
        results = self._zx.read_barcodes(
            gray, formats=self._formats, try_rotate=True, try_invert=True,
            try_downscale=self._try_downscale,
        )
        for r in results:
            sym = _ZXING_NAMES.get(str(r.format))
            if sym is None or not r.valid:
                continue
            pos = r.position
            corners = (pos.top_left, pos.top_right, pos.bottom_right, pos.bottom_left)
            poly = tuple((round(p.x * scale), round(p.y * scale)) for p in corners)
            text = r.text
            if sym is Symbology.EAN13 and len(text) == 13 and text.startswith("0"):
                # zxing-cpp names a UPC-A as the EAN-13 it also is; zbar says UPC-A. Agree.
                sym, text = Symbology.UPCA, text[1:]
            found.append(Decoded(text, sym, poly))
        return found


# ---------------------------------------------------------------- preprocessing for hard frames


def _halve(gray: np.ndarray) -> np.ndarray:
    import cv2

    h, w = gray.shape[:2]
    return cv2.resize(gray, (w // 2, h // 2), interpolation=cv2.INTER_AREA)


def _stretch(gray: np.ndarray) -> np.ndarray:
    """Contrast stretch (CLAHE): washed-out frames, glare at one side, dim phone screens."""
    import cv2

    return cv2.createCLAHE(clipLimit=3.0, tileGridSize=(8, 8)).apply(gray)


def _sharpen(gray: np.ndarray) -> np.ndarray:
    """Unsharp mask: a code held slightly out of focus."""
    import cv2

    blur = cv2.GaussianBlur(gray, (0, 0), 2.0)
    return cv2.addWeighted(gray, 2.0, blur, -1.0, 0)


FALLBACKS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "stretch": _stretch,
    "sharpen": _sharpen,
}


# ---------------------------------------------------------------- the pipeline


class FrameDecoder:
    """Decodes camera frames (BGR or gray numpy arrays) with the measured pass order.

    ``engine``: "auto" uses zxing-cpp when installed and zbar always; "pyzbar" or "zxing"
    restrict to one decoder (for the benchmark and for tills without zxing-cpp);
    ``fallbacks`` names entries of ``FALLBACKS`` tried (with zbar) on frames nothing read.
    Raises ``RuntimeError`` at construction if the chosen decoder is not installed.
    """

    def __init__(
        self,
        symbologies: Sequence[Symbology] = SYMBOLOGIES,
        engine: Engine = "auto",
        fallbacks: Sequence[str] = (),
        coarse: bool = True,
        invert: bool = True,
    ) -> None:
        use_zxing = engine in ("zxing", "both") or (engine == "auto" and zxing_available())
        use_zbar = engine in ("pyzbar", "both", "auto")
        try:
            self._zbar = _Zbar(symbologies) if use_zbar else None
        except ImportError as exc:  # the zbar shared library is missing
            raise RuntimeError(f"the zbar decoder cannot be loaded: {exc}") from exc
        self._zxing = _Zxing(symbologies) if use_zxing else None
        unknown = [f for f in fallbacks if f not in FALLBACKS]
        if unknown:
            raise ValueError(f"unknown fallback step(s): {', '.join(unknown)}")
        self._fallbacks = [FALLBACKS[f] for f in fallbacks]
        self._coarse = coarse
        self._invert = invert

    @property
    def engines(self) -> tuple[str, ...]:
        return tuple(n for n, d in (("pyzbar", self._zbar), ("zxing-cpp", self._zxing)) if d)

    def decode(self, frame: np.ndarray) -> list[Decoded]:
        gray = to_gray(frame)
        if not gray.flags.c_contiguous:
            gray = np.ascontiguousarray(gray)
        for step in self._passes(gray):
            found = step()
            if found:
                return _unique(found)
        return []

    def _passes(self, gray: np.ndarray) -> list[Callable[[], list[Decoded]]]:
        zbar, zxing = self._zbar, self._zxing
        steps: list[Callable[[], list[Decoded]]] = []
        big = gray.shape[1] >= COARSE_MIN_WIDTH
        if zbar is not None and self._coarse and big:
            steps.append(lambda: zbar(_halve(gray), 2.0))
        if zxing is not None:
            steps.append(lambda: zxing(gray))
        if zbar is not None:
            steps.append(lambda: zbar(gray))
            if self._invert and zxing is None:
                steps.append(lambda: zbar(255 - gray))
            for fallback in self._fallbacks:
                steps.append(lambda f=fallback: zbar(f(gray)))  # type: ignore[misc]
        return steps


def _unique(found: list[Decoded]) -> list[Decoded]:
    seen: set[tuple[str, Symbology]] = set()
    out = []
    for d in found:
        key = (d.payload, d.symbology)
        if key not in seen:
            seen.add(key)
            out.append(d)
    return out
