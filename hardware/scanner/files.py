"""Decoding image and video files: `till scan PATH...`, a diagnostic for store IT.

One result per file, JSON-ready: ``{"path", "codes": [{"symbology", "data"}], "ms"}`` plus
``"error"`` when the file cannot be read. A video's codes are the distinct codes of all its
frames, in the order they first appear.

An image's size is read from its header before anything is decoded: one of more than
:data:`MAX_PIXELS` pixels is refused as such (a 74-byte PNG can declare 65535×65535, and a
20000×20000 one would take gigabytes to decode). A video (and a camera, `camera.py`) is held
to the same limit per frame: its frame size is read from the stream once it is opened, before
frames are read (OpenCV's FFmpeg backend may have decoded one frame to learn it), and every
frame read is checked again. A file that fails in any other way gets its error line too; the
files after it are still scanned.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any, Final

import numpy as np

from hardware.scanner.decode import Decoded, FrameDecoder

MAX_PIXELS: Final = 40_000_000  # 40 MP (8000×5000): any photo of a code, 120 MB as BGR
# OpenCV's own limit, for formats Pillow cannot read the header of (read when cv2 loads).
os.environ.setdefault("OPENCV_IO_MAX_IMAGE_PIXELS", str(MAX_PIXELS))


class TooLarge(Exception):
    """The image declares more than MAX_PIXELS pixels; it is not decoded."""


def declared_size(path: Path) -> tuple[int, int] | None:
    """(width, height) from the image's header (no pixels decoded), or None when Pillow does
    not know the format (a video, say)."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as img:  # lazy: reads the header only
            return int(img.width), int(img.height)
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        return None
    except Image.DecompressionBombError:  # Pillow's own guard, past 2 × its limit
        raise TooLarge(
            f"the image declares more than {2 * (Image.MAX_IMAGE_PIXELS or 0):,} pixels, "
            f"over the {MAX_PIXELS:,}-pixel limit; not decoded"
        ) from None


def frame_too_large(width: float, height: float, max_pixels: int = MAX_PIXELS) -> str | None:
    """Why a video frame of `width`×`height` is refused, or None when it is within the limit
    (an unknown size, 0×0, is left to the per-frame check)."""
    w, h = int(width), int(height)
    if w * h <= max_pixels:
        return None
    return f"the video is {w}×{h} pixels a frame, over the {max_pixels:,}-pixel limit; not decoded"


def read_image(path: Path) -> np.ndarray | None:
    """The image at ``path`` as BGR, or None if it is not an image OpenCV can read. Reads the
    bytes first so that paths OpenCV cannot open itself (non-ASCII on Windows) work too."""
    import cv2

    try:
        data = np.fromfile(str(path), dtype=np.uint8)
    except OSError:
        return None
    if data.size == 0:
        return None
    size = declared_size(path)
    if size is not None and size[0] * size[1] > MAX_PIXELS:
        raise TooLarge(
            f"the image is {size[0]}×{size[1]} pixels, over the {MAX_PIXELS:,}-pixel limit; not decoded"
        )
    try:
        img = cv2.imdecode(data, cv2.IMREAD_COLOR)
    except cv2.error:
        return None
    return img if img is not None and img.size else None


def decode_video(
    path: Path, decoder: FrameDecoder, max_frames: int = 0, max_pixels: int = MAX_PIXELS
) -> list[Decoded] | None:
    """Distinct codes over the frames of a video, or None if it cannot be opened. Raises
    TooLarge for frames over `max_pixels` (declared by the stream, or as read)."""
    import cv2

    cap = cv2.VideoCapture(str(path))
    try:
        if not cap.isOpened():
            return None
        why = frame_too_large(
            cap.get(cv2.CAP_PROP_FRAME_WIDTH), cap.get(cv2.CAP_PROP_FRAME_HEIGHT), max_pixels
        )
        if why:
            raise TooLarge(why)
        found: dict[tuple[str, str], Decoded] = {}
        frames = 0
        while True:
            ok, frame = cap.read()
            if not ok or frame is None:
                break
            why = frame_too_large(frame.shape[1], frame.shape[0], max_pixels)
            if why:
                raise TooLarge(why)
            frames += 1
            for d in decoder.decode(frame):
                found.setdefault((d.symbology.value, d.payload), d)
            if max_frames and frames >= max_frames:
                break
        return list(found.values()) if frames else None
    finally:
        cap.release()


def scan_file(path: str | Path, decoder: FrameDecoder, max_pixels: int = MAX_PIXELS) -> dict[str, Any]:
    """Decode one image or video file; never raises for a bad file (it says so instead).
    `max_pixels` holds a video's frames (an image is held to MAX_PIXELS)."""
    p = Path(path)
    start = time.perf_counter()
    result: dict[str, Any] = {"path": str(path), "codes": []}
    codes: list[Decoded] | None
    error = "not an image or video this till can read"
    if not p.is_file():
        codes, error = None, "no such file"
    else:
        try:
            img = read_image(p)
            codes = (
                decoder.decode(img) if img is not None else decode_video(p, decoder, max_pixels=max_pixels)
            )
        except TooLarge as exc:
            codes, error = None, str(exc)
        except MemoryError:
            codes, error = None, "the file is too large to decode in this till's memory"
        except Exception as exc:  # a diagnostic over many files: say so and go on to the next
            codes, error = None, f"could not be decoded ({exc.__class__.__name__})"
    if codes is None:
        result["error"] = error
    else:
        result["codes"] = [{"symbology": d.symbology.value, "data": d.payload} for d in codes]
    result["ms"] = round((time.perf_counter() - start) * 1000, 1)
    return result
