"""The decoding pipeline: one camera frame in, the codes on it out.

The order of passes was chosen by `bench/bench_decode.py` (see its output for the figures):

1. gray (a BGR frame costs well under a millisecond to convert);
2. zxing-cpp on the full frame, when installed: it reads small, blurred, rotated, tilted and
   inverted codes that zbar misses, and costs a fraction of zbar's full-frame pass;
3. zbar on the frame halved (INTER_AREA) when the frame is large: cheap, and it reads a few
   codes zxing-cpp does not;
4. zxing-cpp on that halved frame (its own downscaling differs): ~3 ms, reads blurred
   barcodes that otherwise only full-resolution zbar reads;
5. zbar on the full frame, but only for small frames: on a 1280x720 frame it costs 30-90 ms
   and earned too few frames to keep under the per-frame budget;
6. zxing-cpp on an unsharp-masked frame: the best of the fallbacks measured for codes held
   out of focus (contrast stretch and a global-histogram binarizer earned less; the same
   steps through zbar cost more than they earned).

Without zxing-cpp the order is zbar halved, zbar full, then zbar on the inverted frame
(phone screens in dark mode: zbar never reads light-on-dark codes by itself).

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
            "QR Code": "QRCode",
            "EAN-13": "EAN13",
            "EAN-8": "EAN8",
            "UPC-A": "UPCA",
            "Code 128": "Code128",
        }
        self._formats = [
            getattr(zxingcpp.BarcodeFormat, names[wanted[s]]) for s in symbologies if s in wanted
        ]
        self._try_downscale = try_downscale

    def __call__(self, gray: np.ndarray, scale: float = 1.0, global_histogram: bool = False) -> list[Decoded]:
        found = []
        binarizer = self._zx.Binarizer.LocalAverage
        if global_histogram:
            binarizer = self._zx.Binarizer.GlobalHistogram
        results = self._zx.read_barcodes(
            gray,
            formats=self._formats,
            try_rotate=True,
            try_invert=True,
            try_downscale=self._try_downscale,
            binarizer=binarizer,
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

# The passes a pipeline may use: a decoder, then optionally how the gray frame is prepared
# for it. "zbar-half" and "zxing-half" run only on frames at least COARSE_MIN_WIDTH wide (on
# smaller ones halving loses too many codes); "zbar-small" is the full-resolution zbar pass
# on frames narrower than that only (full-resolution zbar on a big frame costs 30-90 ms).
PASSES = (
    "zbar-half",
    "zbar-small",
    "zxing",
    "zbar",
    "zbar-inverted",
    "zbar-stretch",
    "zbar-sharpen",
    "zxing-half",
    "zxing-stretch",
    "zxing-sharpen",
    "zxing-global",
)
# Chosen by bench/bench_decode.py; see the module docstring.
DEFAULT_PASSES = ("zxing", "zbar-half", "zxing-half", "zbar-small", "zxing-sharpen")
# Without zxing-cpp, zbar must also try the inverted frame itself (dark-mode screens).
ZBAR_ONLY_PASSES = ("zbar-half", "zbar", "zbar-inverted")


class FrameDecoder:
    """Decodes camera frames (BGR or gray numpy arrays) with the measured pass order.

    ``passes`` names entries of ``PASSES`` tried in order until one finds a code; by default
    ``DEFAULT_PASSES`` when zxing-cpp is installed, else ``ZBAR_ONLY_PASSES``. ``engine``
    "pyzbar" forces the zbar-only passes (and "zxing" the zxing pass alone).
    Raises ``RuntimeError`` at construction if a needed decoder cannot be loaded and
    ``ValueError`` for an unknown pass name.
    """

    def __init__(
        self,
        symbologies: Sequence[Symbology] = SYMBOLOGIES,
        engine: Engine = "auto",
        passes: Sequence[str] | None = None,
    ) -> None:
        if passes is None:
            if engine == "zxing":
                passes = ("zxing",)
            elif engine == "pyzbar" or not zxing_available():
                passes = ZBAR_ONLY_PASSES
            else:
                passes = DEFAULT_PASSES
        unknown = [p for p in passes if p not in PASSES]
        if unknown:
            raise ValueError(f"unknown decoding pass(es): {', '.join(unknown)}")
        self._passes = tuple(passes)
        self._zbar: _Zbar | None = None
        self._zxing: _Zxing | None = None
        if any(p.startswith("zbar") for p in self._passes):
            try:
                self._zbar = _Zbar(symbologies)
            except ImportError as exc:  # the zbar shared library is missing
                raise RuntimeError(f"the zbar decoder cannot be loaded: {exc}") from exc
        if any(p.startswith("zxing") for p in self._passes):
            try:
                self._zxing = _Zxing(symbologies)
            except ImportError as exc:
                raise RuntimeError(f"the zxing-cpp decoder cannot be loaded: {exc}") from exc

    @property
    def passes(self) -> tuple[str, ...]:
        return self._passes

    def decode(self, frame: np.ndarray) -> list[Decoded]:
        """The codes on ``frame``, each once, with polygons in frame coordinates."""
        gray = to_gray(frame)
        if not gray.flags.c_contiguous:
            gray = np.ascontiguousarray(gray)
        for name in self._passes:
            found = self._run(name, gray)
            if found:
                return _unique(found)
        return []

    def _run(self, name: str, gray: np.ndarray) -> list[Decoded]:
        engine, _, prep = name.partition("-")
        if engine == "zxing":
            assert self._zxing is not None
            if prep == "global":
                return self._zxing(gray, global_histogram=True)
            if prep == "half":
                big = gray.shape[1] >= COARSE_MIN_WIDTH
                return self._zxing(_halve(gray), 2.0) if big else []
            return self._zxing(FALLBACKS[prep](gray) if prep else gray)
        zbar = self._zbar
        assert zbar is not None
        big = gray.shape[1] >= COARSE_MIN_WIDTH
        if prep == "half":
            return zbar(_halve(gray), 2.0) if big else []
        if prep == "small":
            return [] if big else zbar(gray)
        if prep == "inverted":
            return zbar(255 - gray)
        return zbar(FALLBACKS[prep](gray) if prep else gray)


def _unique(found: list[Decoded]) -> list[Decoded]:
    seen: set[tuple[str, Symbology]] = set()
    out = []
    for d in found:
        key = (d.payload, d.symbology)
        if key not in seen:
            seen.add(key)
            out.append(d)
    return out
