"""Camera-like benchmark frames for the decoding pipeline, generated from a fixed seed.

Each frame is a cluttered counter with at most one code: member QR codes (phone screens and
printed cards), EAN-13, EAN-8, UPC-A and Code 128; under perspective, rotation, blur (focus
and motion), noise, glare, low contrast, small sizes, inverted (dark-mode) screens, and JPEG
compression like an MJPG webcam; ~12% of frames have no code at all. 640x480 and 1280x720.

Frames are cached as JPEG under bench/.cache/frames-<seed>-<n>/ with a manifest.json
(the folder is ignored by git).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import cv2
import numpy as np

from app.domain.codes import SigningKey, issue_member_code
from hardware.scanner import synth

CACHE = Path(__file__).resolve().parent / ".cache"


@dataclass(frozen=True)
class FrameSpec:
    file: str
    width: int
    height: int
    symbology: str | None  # None: a negative (no code)
    payload: str | None
    tags: list[str]


def _ensure_cache() -> None:
    CACHE.mkdir(parents=True, exist_ok=True)
    ignore = CACHE / ".gitignore"
    if not ignore.exists():
        ignore.write_text("*\n")


def _code128(text: str, module_px: int) -> np.ndarray:
    import zxingcpp

    bars = np.asarray(zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.Code128).to_image())
    bars = bars[bars.shape[0] // 2 : bars.shape[0] // 2 + 1]  # one row, no margins
    bars = np.repeat(bars, module_px, axis=1)
    bars = np.tile(bars, (module_px * 40, 1))
    margins = ((module_px * 5, module_px * 5), (module_px * 12, module_px * 12))
    return np.pad(bars, margins, constant_values=255)


def _glare(img: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    h, w = img.shape
    cx, cy = rng.uniform(0.2, 0.8) * w, rng.uniform(0.2, 0.8) * h
    r = rng.uniform(0.15, 0.35) * w
    yy, xx = np.mgrid[0:h, 0:w]
    blob = np.exp(-(((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * r * r))) * rng.uniform(90, 170)
    return np.clip(img.astype(np.float32) + blob, 0, 255).astype(np.uint8)


def _motion_blur(img: np.ndarray, length: int, angle: float) -> np.ndarray:
    k = np.zeros((length, length), np.float32)
    k[length // 2, :] = 1.0 / length
    m = cv2.getRotationMatrix2D((length / 2 - 0.5, length / 2 - 0.5), angle, 1.0)
    k = cv2.warpAffine(k, m, (length, length))
    k /= max(k.sum(), 1e-6)
    return cv2.filter2D(img, -1, k)


def _member_codes(n: int, rng: np.random.Generator) -> list[str]:
    key = SigningKey.generate("s001.t01")
    now = datetime(2026, 11, 22, tzinfo=UTC)
    return [issue_member_code(uuid.UUID(int=int(rng.integers(1, 2**62))), key, now) for _ in range(n)]


def make_frame(i: int, rng: np.random.Generator, member: str) -> tuple[np.ndarray, FrameSpec]:
    big = i % 2 == 1
    h, w = (720, 1280) if big else (480, 640)
    s = w / 640  # sizes below are for 640 wide
    img = synth.clutter((h, w), int(rng.integers(0, 2**31)))
    tags: list[str] = []
    kind = rng.choice(
        ["qr", "qr", "qr", "card", "ean13", "ean13", "ean8", "upca", "code128", "none"],
        p=[0.16, 0.16, 0.14, 0.08, 0.12, 0.08, 0.06, 0.06, 0.06, 0.08],
    )
    sym: str | None = None
    payload: str | None = None
    if kind == "none":
        tags.append("negative")
        _decoys(img, rng, s, tags)
    else:
        sym, payload, code, width, angle = _symbol(str(kind), rng, member, s, tags)
        code = _spoil(code, str(kind), width, s, rng, tags)
        img = _place(code, img, width, angle, rng, tags)
    bgr = _camera(img, rng, s, tags)
    name = f"{i:04d}.jpg"
    return bgr, FrameSpec(name, w, h, sym, payload, tags)


def _decoys(img: np.ndarray, rng: np.random.Generator, s: float, tags: list[str]) -> None:
    """Sometimes, things that look a little like codes (drawn into `img`)."""
    h, w = img.shape[:2]
    if rng.random() < 0.5:
        for _ in range(int(rng.integers(1, 4))):
            x, y = int(rng.integers(0, w - 200 * s)), int(rng.integers(0, h - 120 * s))
            step = int(rng.integers(2, 6))
            for k in range(0, int(150 * s), step * 2):
                cv2.line(img, (x + k, y), (x + k, y + int(80 * s)), 0, step)
        tags.append("stripes")


def _symbol(
    kind: str, rng: np.random.Generator, member: str, s: float, tags: list[str]
) -> tuple[str, str, np.ndarray, float, float]:
    """The code of `kind`: symbology, payload, image, width on the frame and angle."""
    if kind in ("qr", "card"):
        payload = member if kind == "qr" else member[:60]
        code = synth.qr_image(payload, module_px=4)
        width = rng.uniform(120, 330) * s if kind == "qr" else rng.uniform(90, 260) * s
        angle = rng.uniform(-180, 180)
        if kind == "qr" and rng.random() < 0.5:  # a phone screen: dark bezel around it
            code = np.pad(code, 40, constant_values=20)
            width *= 1.35
            tags.append("phone")
        return "QRCODE", payload, code, width, angle
    if kind == "code128":
        payload = f"LT{int(rng.integers(0, 10**8)):08d}"
        code = _code128(payload, 3)
        width = rng.uniform(150, 360) * s
        return "CODE128", payload, code, width, rng.uniform(-25, 25) + (90 if rng.random() < 0.2 else 0)
    digits = {"ean13": 12, "ean8": 7, "upca": 11}[kind]
    body = (
        "69" + "".join(str(d) for d in rng.integers(0, 10, digits - 2))
        if kind == "ean13"
        else "".join(str(d) for d in rng.integers(0, 10, digits))
    )
    if kind == "upca":
        body = str(int(rng.integers(1, 10))) + body[1:]  # not starting with 0
    payload = synth.with_check(body)
    code = synth.ean_image(payload, module_px=3)
    width = rng.uniform(140, 360) * s
    angle = rng.uniform(-30, 30) + (90 if rng.random() < 0.2 else 0)
    return {"ean13": "EAN13", "ean8": "EAN8", "upca": "UPCA"}[kind], payload, code, width, angle


def _spoil(
    code: np.ndarray, kind: str, width: float, s: float, rng: np.random.Generator, tags: list[str]
) -> np.ndarray:
    """Small, low-contrast and inverted codes."""
    if width < 170 * s:
        tags.append("small")
    if rng.random() < 0.25:
        lo, hi = int(rng.integers(50, 110)), int(rng.integers(150, 210))
        code = (lo + code.astype(np.float32) * (hi - lo) / 255).astype(np.uint8)
        tags.append("low-contrast")
    if (kind == "qr" and rng.random() < 0.22) or rng.random() < 0.04:
        code = 255 - code
        tags.append("inverted")
    return code


def _place(
    code: np.ndarray, img: np.ndarray, width: float, angle: float, rng: np.random.Generator, tags: list[str]
) -> np.ndarray:
    """The code put on the frame somewhere, turned and tilted."""
    h, w = img.shape[:2]
    tilt = rng.uniform(0, 0.35) if rng.random() < 0.6 else 0.0
    if tilt:
        tags.append("perspective")
    if abs(angle) > 5:
        tags.append("rotated")
    margin = width * 0.75
    cx = rng.uniform(margin, max(margin + 1, w - margin))
    cy = rng.uniform(min(margin, h / 2), max(min(margin, h / 2) + 1, h - margin))
    return synth.place(code, img, (cx, cy), width, angle, tilt)


def _camera(img: np.ndarray, rng: np.random.Generator, s: float, tags: list[str]) -> np.ndarray:
    """What a webcam does to a frame: glare, blur, noise, a colour cast."""
    if rng.random() < 0.3:
        img = _glare(img, rng)
        tags.append("glare")
    r = rng.random()
    if r < 0.2:
        img = cv2.GaussianBlur(img, (0, 0), rng.uniform(0.8, 2.2) * s)
        tags.append("blur")
    elif r < 0.3:
        img = _motion_blur(img, int(rng.integers(3, 8) * s) | 1, rng.uniform(0, 180))
        tags.append("motion-blur")
    if rng.random() < 0.5:
        noise = rng.normal(0, rng.uniform(3, 12), img.shape)
        img = np.clip(img + noise, 0, 255).astype(np.uint8)
        tags.append("noise")
    bgr = synth.to_bgr(img)
    tint = rng.uniform(0.85, 1.15, 3)
    return np.clip(bgr.astype(np.float32) * tint, 0, 255).astype(np.uint8)


def load_frames(n: int = 400, seed: int = 20261122) -> list[tuple[np.ndarray, FrameSpec]]:
    """The benchmark frames (generated once, then read from the cache)."""
    _ensure_cache()
    folder = CACHE / f"frames-{seed}-{n}"
    manifest = folder / "manifest.json"
    if not manifest.exists():
        folder.mkdir(parents=True, exist_ok=True)
        rng = np.random.default_rng(seed)
        members = _member_codes(16, rng)
        specs = []
        for i in range(n):
            frame, spec = make_frame(i, rng, members[i % len(members)])
            quality = int(rng.integers(70, 95))  # an MJPG webcam's compression
            cv2.imwrite(str(folder / spec.file), frame, [cv2.IMWRITE_JPEG_QUALITY, quality])
            specs.append(spec)
        manifest.write_text(json.dumps([asdict(s) for s in specs], indent=1))
    specs = [FrameSpec(**d) for d in json.loads(manifest.read_text())]
    return [(cv2.imread(str(folder / s.file), cv2.IMREAD_COLOR), s) for s in specs]


if __name__ == "__main__":
    frames = load_frames()
    print(f"{len(frames)} frames in {CACHE}")
