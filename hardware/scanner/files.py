"""Decoding image and video files: `till scan PATH...`, a diagnostic for store IT.

One result per file, JSON-ready: ``{"path", "codes": [{"symbology", "data"}], "ms"}`` plus
``"error"`` when the file cannot be read. A video's codes are the distinct codes of all its
frames, in the order they first appear.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np

from hardware.scanner.decode import Decoded, FrameDecoder


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
    img = cv2.imdecode(data, cv2.IMREAD_COLOR)
    return img if img is not None and img.size else None


def decode_video(path: Path, decoder: FrameDecoder, max_frames: int = 0) -> list[Decoded] | None:
    """Distinct codes over the frames of a video, or None if it cannot be opened."""
    import cv2

    cap = cv2.VideoCapture(str(path))
    try:
        if not cap.isOpened():
            return None
        found: dict[tuple[str, str], Decoded] = {}
        frames = 0
        while True:
            ok, frame = cap.read()
            if not ok or frame is None:
                break
            frames += 1
            for d in decoder.decode(frame):
                found.setdefault((d.symbology.value, d.payload), d)
            if max_frames and frames >= max_frames:
                break
        return list(found.values()) if frames else None
    finally:
        cap.release()


def scan_file(path: str | Path, decoder: FrameDecoder) -> dict[str, Any]:
    """Decode one image or video file; never raises for a bad file (it says so instead)."""
    p = Path(path)
    start = time.perf_counter()
    result: dict[str, Any] = {"path": str(path), "codes": []}
    codes: list[Decoded] | None
    if not p.is_file():
        codes, error = None, "no such file"
    else:
        img = read_image(p)
        codes = decoder.decode(img) if img is not None else decode_video(p, decoder)
        error = "not an image or video this till can read"
    if codes is None:
        result["error"] = error
    else:
        result["codes"] = [{"symbology": d.symbology.value, "data": d.payload} for d in codes]
    result["ms"] = round((time.perf_counter() - start) * 1000, 1)
    return result
