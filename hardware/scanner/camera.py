"""The webcam reader: OpenCV VideoCapture on one thread, decoding on another.

* The grabber thread owns the VideoCapture (opened, read and released there only) and keeps
  just the newest frame in a one-frame slot; a frame not yet decoded when the next arrives
  is dropped, so nothing queues up and the decoder always works on what the camera sees now.
* The decoder thread decodes the newest frame, offers it with the decoded codes to the
  preview callback, and delivers each code once: the same code (payload and symbology) is
  not delivered again while it has been seen within ``dedupe_seconds`` (a code held still
  in front of the camera is one scan; taken away and shown again later, it is a new one).
* An unplugged camera is a status, never an exception: NO_DEVICE when it cannot be opened,
  RECONNECTING when it stops giving frames, READY again once it is back. A video *file*
  that ends is the end of that source: NO_DEVICE, and it is not replayed.

Handlers run on the decoder thread (scans, preview) or the grabber thread (status); the UI
marshals them to the GUI thread. ``stop()`` may be called from any thread and joins both.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from app.ports import DeviceState, DeviceStatus, Scan, ScanHandler, ScanSource, StatusHandler
from hardware.scanner.decode import Decoded, FrameDecoder
from hardware.scanner.files import MAX_PIXELS, frame_too_large

log = logging.getLogger(__name__)

PreviewHandler = Callable[[np.ndarray, list[Decoded]], None]


class Decoder(Protocol):
    def decode(self, frame: np.ndarray) -> list[Decoded]: ...


def parse_source(source: str | int) -> str | int:
    """A config ``camera`` value: digits are a device index, anything else a file or URL."""
    if isinstance(source, int):
        return source
    text = source.strip()
    return int(text) if text.isdigit() else text


def draw_overlay(frame: np.ndarray, decoded: list[Decoded]) -> np.ndarray:
    """A copy of ``frame`` (BGR) with each decoded code outlined in green, for the preview."""
    import cv2

    out = frame.copy() if frame.ndim == 3 else cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR)
    for d in decoded:
        if len(d.polygon) >= 3:
            pts = np.array(d.polygon, dtype=np.int32).reshape(-1, 1, 2)
            cv2.polylines(out, [pts], True, (0, 200, 0), 3)
    return out


class CameraScanner:
    """A :class:`app.ports.Scanner` for a webcam, a video file or a stream URL."""

    def __init__(
        self,
        source: str | int,
        *,
        dedupe_seconds: float = 2.0,
        reconnect_seconds: float = 1.0,
        decoder: Decoder | None = None,
        on_preview: PreviewHandler | None = None,
        pace: bool | None = None,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        max_pixels: int = MAX_PIXELS,
    ) -> None:
        self._source = parse_source(source)
        self._max_pixels = max_pixels
        src = self._source
        self._is_file = isinstance(src, str) and "://" not in src and not src.startswith("/dev/")
        self._pace = self._is_file if pace is None else pace
        self._dedupe = dedupe_seconds
        self._reconnect = reconnect_seconds
        self._decoder = decoder
        self._on_preview = on_preview
        self._clock = clock
        self._wall_clock = wall_clock
        self._status = DeviceStatus(DeviceState.NO_DEVICE, "The camera has not been started.")
        self._status_lock = threading.Lock()
        self._slot: np.ndarray | None = None
        self._end_pending = False
        self._slot_cond = threading.Condition()
        self._stop = threading.Event()
        self._ended = threading.Event()
        self._failed = False
        self._threads: list[threading.Thread] = []
        self._seen: dict[tuple[str, str], float] = {}
        self._on_scan: ScanHandler = lambda scan: None
        self._on_status: StatusHandler = lambda status: None
        self.frames_grabbed = 0
        self.frames_decoded = 0
        self.frames_dropped = 0

    # ------------------------------------------------------------ Scanner protocol

    @property
    def status(self) -> DeviceStatus:
        with self._status_lock:
            return self._status

    def start(self, on_scan: ScanHandler, on_status: StatusHandler) -> None:
        """Start both threads and return at once. Raises RuntimeError if already running."""
        if self._threads:
            raise RuntimeError("the camera scanner is already running")
        self._on_scan, self._on_status = on_scan, on_status
        self._stop.clear()
        self._ended.clear()
        self._slot, self._end_pending, self._failed = None, False, False
        with self._status_lock:  # started again, it reports afresh (even "ready" as before)
            self._status = DeviceStatus(DeviceState.NO_DEVICE, "The camera has not been started.")
        self._threads = [
            threading.Thread(target=self._grab_loop, name="camera-grab", daemon=True),
            threading.Thread(target=self._decode_loop, name="camera-decode", daemon=True),
        ]
        for t in self._threads:
            t.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop and join both threads; the camera is released. Safe to call twice."""
        self._stop.set()
        with self._slot_cond:
            self._slot_cond.notify_all()
        for t in self._threads:
            if t is not threading.current_thread():
                t.join(timeout)
        self._threads = []  # the last status stays readable (an error says why it stopped)

    def set_preview(self, on_preview: PreviewHandler | None) -> None:
        """Offer each decoded frame and its codes to ``on_preview`` (None: no preview)."""
        self._on_preview = on_preview

    def wait_ended(self, timeout: float | None = None) -> bool:
        """For a video file: wait until its last frame has been decoded."""
        return self._ended.wait(timeout)

    # ------------------------------------------------------------ status

    def _set_status(self, state: DeviceState, reason: str = "") -> None:
        status = DeviceStatus(state, reason)
        with self._status_lock:
            if status == self._status or (self._failed and state is not DeviceState.ERROR):
                return
            self._status = status
        try:
            self._on_status(status)
        except Exception:
            log.exception("camera status handler failed")

    # ------------------------------------------------------------ grabber thread

    def _open(self) -> Any | None:
        import cv2

        # OpenCV prints a warning on every failed open (once a second while a camera is
        # unplugged); the cashier sees the status instead, so keep the console quiet.
        cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_ERROR)
        if self._is_file and not Path(str(self._source)).is_file():
            return None
        try:
            cap = cv2.VideoCapture(self._source)
        except Exception:  # OpenCV raises on some backends instead of returning closed
            log.exception("opening camera %r failed", self._source)
            return None
        if not cap.isOpened():
            cap.release()
            return None
        return cap

    def _grab_loop(self) -> None:
        lost = False
        while not self._stop.is_set():
            cap = self._open()
            if cap is None:
                if lost:
                    self._set_status(
                        DeviceState.RECONNECTING, "The camera was disconnected. Trying to reconnect…"
                    )
                else:
                    self._set_status(
                        DeviceState.NO_DEVICE,
                        f"No camera found ({self._source}). Check that it is plugged in.",
                    )
                self._stop.wait(self._reconnect)
                continue
            try:
                why = self._too_large(cap)
                if why is None:
                    self._set_status(DeviceState.READY, "")
                    why = self._read_frames(cap)
            finally:
                cap.release()
            if why is not None:  # frames too large: an ERROR that stays, like a decoder that fails
                self._set_status(DeviceState.ERROR, why)
                self._failed = True
                self._put(None, end=True)
                return
            if self._stop.is_set():
                break
            if self._is_file:
                self._set_status(DeviceState.NO_DEVICE, "The camera video has ended.")
                self._put(None, end=True)
                return
            lost = True
            self._set_status(DeviceState.RECONNECTING, "The camera was disconnected. Trying to reconnect…")
            self._stop.wait(self._reconnect)
        self._put(None, end=True)

    def _too_large(self, cap: Any) -> str | None:
        import cv2

        why = frame_too_large(
            cap.get(cv2.CAP_PROP_FRAME_WIDTH), cap.get(cv2.CAP_PROP_FRAME_HEIGHT), self._max_pixels
        )
        return None if why is None else f"The camera's picture is too large to read: {why}."

    def _read_frames(self, cap: Any) -> str | None:
        """Frames to the decoder until the stream ends or stops; why it stopped when a frame
        was over the pixel limit, else None."""
        import cv2

        fps = cap.get(cv2.CAP_PROP_FPS) if self._pace else 0.0
        period = 1.0 / fps if fps and 1 <= fps <= 240 else 0.0
        started = time.monotonic()
        n = 0
        while not self._stop.is_set():
            try:
                ok, frame = cap.read()
            except cv2.error:
                log.exception("reading from camera %r failed", self._source)
                return None
            if not ok or frame is None:
                return None
            why = frame_too_large(frame.shape[1], frame.shape[0], self._max_pixels)
            if why is not None:
                return f"The camera's picture is too large to read: {why}."
            n += 1
            self.frames_grabbed += 1
            self._put(frame)
            if period:
                delay = started + n * period - time.monotonic()
                if delay > 0:
                    self._stop.wait(delay)
        return None

    def _put(self, frame: np.ndarray | None, end: bool = False) -> None:
        with self._slot_cond:
            if frame is not None:
                if self._slot is not None:
                    self.frames_dropped += 1
                self._slot = frame
            if end:
                self._end_pending = True
            self._slot_cond.notify_all()

    # ------------------------------------------------------------ decoder thread

    def _decode_loop(self) -> None:
        try:
            decoder = self._decoder or FrameDecoder()
        except Exception as exc:
            log.exception("the frame decoder cannot start")
            self._failed = True  # an ERROR status stays; the grabber stops
            self._set_status(DeviceState.ERROR, f"The code reader cannot start: {exc}")
            self._stop.set()
            return
        while True:
            with self._slot_cond:
                while self._slot is None and not self._end_pending and not self._stop.is_set():
                    self._slot_cond.wait(0.5)
                if self._stop.is_set():
                    return
                frame, self._slot = self._slot, None
                if frame is None and self._end_pending:
                    self._ended.set()
                    return
            if frame is not None:
                self._handle(decoder, frame)

    def _handle(self, decoder: Decoder, frame: np.ndarray) -> None:
        try:
            found = decoder.decode(frame)
        except Exception:
            log.exception("decoding a camera frame failed")
            return
        self.frames_decoded += 1
        if self._on_preview is not None:
            try:
                self._on_preview(frame, found)
            except Exception:
                log.exception("camera preview handler failed")
        now = self._clock()
        for d in found:
            key = (d.symbology.value, d.payload)
            last = self._seen.get(key)
            self._seen[key] = now
            if last is not None and now - last < self._dedupe:
                continue
            scan = Scan(d.payload, d.symbology, ScanSource.CAMERA, self._wall_clock(), d.polygon)
            try:
                self._on_scan(scan)
            except Exception:
                log.exception("scan handler failed")
        if len(self._seen) > 256:
            self._seen = {k: t for k, t in self._seen.items() if now - t < self._dedupe}
