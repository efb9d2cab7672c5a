"""Synthetic code images and camera-like scenes, for the tests, the benchmark and store IT.

Drawn from the specifications, not by the decoders under test: EAN-13, EAN-8 and UPC-A bars
are drawn here; QR codes come from the `qrcode` package (imported only when asked for).
Everything is gray uint8, white = 255.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

_L = [
    "0001101",
    "0011001",
    "0010011",
    "0111101",
    "0100011",
    "0110001",
    "0101111",
    "0111011",
    "0110111",
    "0001011",
]
_R = ["".join("1" if b == "0" else "0" for b in code) for code in _L]
_G = [code[::-1] for code in _R]
_PARITY = ["LLLLLL", "LLGLGG", "LLGGLG", "LLGGGL", "LGLLGG", "LGGLLG", "LGGGLL", "LGLGLG", "LGLGGL", "LGGLGL"]


def check_digit(digits: str) -> str:
    """The GS1 check digit for the digits before it (EAN-13, EAN-8, UPC-A)."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits)))
    return str((10 - total % 10) % 10)


def with_check(digits: str) -> str:
    """``digits`` followed by their check digit."""
    return digits + check_digit(digits)


def ean_modules(code: str) -> str:
    """Bar pattern ('1' = dark module) of a complete code with its check digit: 13 digits
    EAN-13, 8 digits EAN-8, 12 digits UPC-A (drawn as EAN-13 with a leading 0, which is
    what UPC-A is)."""
    if not code.isdigit() or len(code) not in (8, 12, 13):
        raise ValueError(f"not an EAN-13, EAN-8 or UPC-A: {code!r}")
    if code[-1] != check_digit(code[:-1]):
        raise ValueError(f"bad check digit in {code}")
    if len(code) == 8:
        left = "".join(_L[int(d)] for d in code[:4])
        right = "".join(_R[int(d)] for d in code[4:])
        return "101" + left + "01010" + right + "101"
    if len(code) == 12:
        code = "0" + code
    parity = _PARITY[int(code[0])]
    left = "".join((_L if p == "L" else _G)[int(d)] for p, d in zip(parity, code[1:7], strict=True))
    right = "".join(_R[int(d)] for d in code[7:])
    return "101" + left + "01010" + right + "101"


def ean_image(code: str, module_px: int = 3, height_px: int = 0, quiet_modules: int = 11) -> np.ndarray:
    """A printed-label image of an EAN/UPC code: bars, quiet zone, white margin."""
    modules = ean_modules(code)
    height = height_px or module_px * 60
    row = np.array([0 if m == "1" else 255 for m in modules], dtype=np.uint8)
    row = np.repeat(row, module_px)
    quiet = np.full(quiet_modules * module_px, 255, dtype=np.uint8)
    row = np.concatenate([quiet, row, quiet])
    img = np.tile(row, (height, 1))
    pad = np.full((module_px * 6, img.shape[1]), 255, dtype=np.uint8)
    return np.vstack([pad, img, pad])


def qr_image(text: str, module_px: int = 4, border: int = 4) -> np.ndarray:
    """A QR code (error correction M, like the app's member codes) with a quiet zone."""
    import qrcode

    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=1, border=border)
    qr.add_data(text)
    qr.make(fit=True)
    matrix = np.array(qr.get_matrix(), dtype=bool)
    img = np.where(matrix, 0, 255).astype(np.uint8)
    return np.kron(img, np.ones((module_px, module_px), dtype=np.uint8))


def place(
    code: np.ndarray,
    background: np.ndarray,
    center: tuple[float, float],
    width_px: float,
    angle_deg: float = 0.0,
    tilt: float = 0.0,
) -> np.ndarray:
    """Paste ``code`` onto a copy of ``background`` (gray), ``width_px`` wide, rotated by
    ``angle_deg`` and foreshortened by ``tilt`` (0 = flat, 0.3 = one side 30% shorter)."""
    import cv2

    h, w = code.shape[:2]
    scale = width_px / w
    hw, hh = w * scale / 2, h * scale / 2
    quad = np.array([[-hw, -hh], [hw, -hh * (1 - tilt)], [hw, hh * (1 - tilt)], [-hw, hh]], dtype=np.float32)
    a = np.deg2rad(angle_deg)
    rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]], dtype=np.float32)
    dst = quad @ rot.T + np.array(center, dtype=np.float32)
    src = np.array([[0, 0], [w, 0], [w, h], [0, h]], dtype=np.float32)
    m = cv2.getPerspectiveTransform(src, dst)
    out_size = (background.shape[1], background.shape[0])
    warped = cv2.warpPerspective(code, m, out_size, flags=cv2.INTER_LINEAR, borderValue=0)
    mask = cv2.warpPerspective(np.full_like(code, 255), m, out_size, flags=cv2.INTER_LINEAR, borderValue=0)
    alpha = mask.astype(np.float32) / 255.0
    out = background.astype(np.float32) * (1 - alpha) + warped.astype(np.float32) * alpha
    return out.astype(np.uint8)


def clutter(shape: Sequence[int], seed: int) -> np.ndarray:
    """A busy counter-top background: gradients, boxes, lines and printed-looking text."""
    import cv2

    rng = np.random.default_rng(seed)
    h, w = int(shape[0]), int(shape[1])
    base = np.linspace(rng.integers(60, 140), rng.integers(120, 220), w, dtype=np.float32)
    img = np.tile(base, (h, 1)).astype(np.uint8)
    for _ in range(int(rng.integers(4, 12))):
        x, y = int(rng.integers(0, w)), int(rng.integers(0, h))
        cv2.rectangle(
            img,
            (x, y),
            (x + int(rng.integers(20, w // 3)), y + int(rng.integers(20, h // 3))),
            int(rng.integers(0, 255)),
            int(rng.choice([-1, 2, 4])),
        )
    for _ in range(int(rng.integers(3, 10))):
        cv2.line(
            img,
            (int(rng.integers(0, w)), int(rng.integers(0, h))),
            (int(rng.integers(0, w)), int(rng.integers(0, h))),
            int(rng.integers(0, 255)),
            int(rng.integers(1, 4)),
        )
    for _ in range(int(rng.integers(2, 6))):
        cv2.putText(
            img,
            "SALE 12.90 LOYALTY",
            (int(rng.integers(0, w - 100)), int(rng.integers(20, h))),
            cv2.FONT_HERSHEY_SIMPLEX,
            float(rng.uniform(0.4, 1.2)),
            int(rng.integers(0, 80)),
            2,
        )
    return img


def to_bgr(gray: np.ndarray) -> np.ndarray:
    import cv2

    return cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR)
