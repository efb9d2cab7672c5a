"""The camera reader on real video files (MJPG in AVI) written by the test, played at their
frame rate like a webcam: codes at angles, blurred, small, inverted, on clutter, with frames
without any code; the dedupe window; a camera that is missing, comes back, and ends."""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import cv2
import numpy as np
import pytest

from app.domain.codes import SigningKey, issue_member_code
from app.ports import DeviceState, DeviceStatus, Scan, ScanSource, Symbology
from hardware.scanner import synth
from hardware.scanner.camera import CameraScanner, draw_overlay, parse_source
from hardware.scanner.decode import Decoded, FrameDecoder

FPS = 20
SHAPE = (480, 640)


@pytest.fixture(scope="module")
def member_code() -> str:
    key = SigningKey.generate("s001.t01")
    return issue_member_code(uuid.UUID(int=7), key, datetime(2026, 11, 22, tzinfo=UTC))


def write_video(path: Path, frames: list[np.ndarray], fps: int = FPS) -> Path:
    tmp = path.with_name(path.stem + ".part.avi")
    writer = cv2.VideoWriter(str(tmp), cv2.VideoWriter_fourcc(*"MJPG"), fps, (SHAPE[1], SHAPE[0]))
    assert writer.isOpened()
    for f in frames:
        writer.write(f)
    writer.release()
    os.replace(tmp, path)  # appears complete, like a camera plugged in
    return path


def scene(
    code: np.ndarray | None,
    seed: int,
    width: float = 260,
    angle: float = 0,
    tilt: float = 0,
    blur: int = 0,
    center: tuple[float, float] = (320, 240),
) -> np.ndarray:
    img = synth.clutter(SHAPE, seed)
    if code is not None:
        img = synth.place(code, img, center, width, angle, tilt)
    if blur:
        img = cv2.GaussianBlur(img, (0, 0), blur / 2)
    return synth.to_bgr(img)


def hold(frame: np.ndarray, n: int = 10) -> list[np.ndarray]:
    return [frame] * n


class Recorder:
    """Collects what a scanner reports, from its threads."""

    def __init__(self) -> None:
        self.scans: list[Scan] = []
        self.statuses: list[DeviceStatus] = []
        self.changed = threading.Condition()

    def on_scan(self, scan: Scan) -> None:
        with self.changed:
            self.scans.append(scan)
            self.changed.notify_all()

    def on_status(self, status: DeviceStatus) -> None:
        with self.changed:
            self.statuses.append(status)
            self.changed.notify_all()

    def wait_for(self, predicate: object, timeout: float = 10.0) -> bool:
        with self.changed:
            return self.changed.wait_for(predicate, timeout)  # type: ignore[arg-type]

    def payloads(self) -> list[str]:
        return [s.payload for s in self.scans]


@pytest.fixture
def run() -> Iterator[list[CameraScanner]]:
    """Scanners a test starts; every one is stopped when the test ends."""
    started: list[CameraScanner] = []
    yield started
    for s in started:
        s.stop()


def start(run: list[CameraScanner], scanner: CameraScanner) -> Recorder:
    rec = Recorder()
    run.append(scanner)
    scanner.start(rec.on_scan, rec.on_status)
    return rec


def test_every_code_in_a_varied_video_once_and_nothing_else(
    tmp_path: Path, member_code: str, run: list[CameraScanner]
) -> None:
    qr = synth.qr_image(member_code, module_px=4)
    card = synth.qr_image(member_code[:40] + "CARD", module_px=4)  # a printed card's code
    ean = synth.ean_image("6901234567892", module_px=3)
    ean8 = synth.ean_image("96385074", module_px=3)
    frames = (
        hold(scene(None, 1), 4)
        + hold(scene(qr, 2, width=280, angle=25, tilt=0.15))  # phone at an angle
        + hold(scene(None, 3), 4)
        + hold(scene(255 - qr, 4, width=300, angle=-10))  # dark-mode phone screen
        + hold(scene(ean, 5, width=330, angle=8, blur=2))  # blurred product barcode
        + hold(scene(None, 6), 4)
        + hold(scene(card, 7, width=170, center=(480, 330)))  # small, off-centre card
        + hold(scene(ean8, 8, width=240, angle=90))  # held sideways
        + hold(scene(None, 9), 4)
    )
    video = write_video(tmp_path / "counter.avi", frames)
    scanner = CameraScanner(str(video))
    rec = start(run, scanner)
    assert scanner.wait_ended(30)
    scanner.stop()
    got = {(s.symbology, s.payload) for s in rec.scans}
    assert got == {
        (Symbology.QRCODE, member_code),
        (Symbology.EAN13, "6901234567892"),
        (Symbology.QRCODE, member_code[:40] + "CARD"),
        (Symbology.EAN8, "96385074"),
    }
    # The dark-mode screen shows the same member code within 2 s: not delivered twice.
    assert len(rec.scans) == 4
    assert all(s.source is ScanSource.CAMERA and len(s.polygon) >= 4 for s in rec.scans)
    assert [s.state for s in rec.statuses] == [DeviceState.READY, DeviceState.NO_DEVICE]
    assert "ended" in rec.statuses[-1].reason


def test_dedupe_window_is_configurable(tmp_path: Path, member_code: str, run: list[CameraScanner]) -> None:
    qr = synth.qr_image(member_code, module_px=4)
    frames = hold(scene(qr, 1), 8) + hold(scene(None, 2), 12) + hold(scene(qr, 3), 8)
    video = write_video(tmp_path / "twice.avi", frames)

    default = CameraScanner(str(video))
    rec = start(run, default)
    assert default.wait_ended(20)
    assert rec.payloads() == [member_code]

    # With a short window the code shown again after the gap (0.6 s) is a new scan; while it
    # stays in view it is still one scan.
    short = CameraScanner(str(video), dedupe_seconds=0.25)
    rec = start(run, short)
    assert short.wait_ended(20)
    assert 2 <= len(rec.payloads()) <= 3 and set(rec.payloads()) == {member_code}


class SlowDecoder:
    """The real decoder, made slower than the camera's frame rate."""

    def __init__(self) -> None:
        self.inner = FrameDecoder()
        self.calls = 0

    def decode(self, frame: np.ndarray) -> list[Decoded]:
        self.calls += 1
        threading.Event().wait(0.12)
        return self.inner.decode(frame)


def test_newest_frame_wins_when_decoding_is_slow(
    tmp_path: Path, member_code: str, run: list[CameraScanner]
) -> None:
    qr = synth.qr_image(member_code, module_px=4)
    frames = hold(scene(None, 1), 10) + hold(scene(qr, 2), 30)
    video = write_video(tmp_path / "slow.avi", frames, fps=30)
    decoder = SlowDecoder()
    scanner = CameraScanner(str(video), decoder=decoder)
    rec = start(run, scanner)
    assert scanner.wait_ended(20)
    assert scanner.frames_grabbed == 40
    assert scanner.frames_dropped > 0
    # Every frame was either decoded or replaced by a newer one: nothing waits in a queue.
    assert scanner.frames_decoded + scanner.frames_dropped == scanner.frames_grabbed
    assert decoder.calls == scanner.frames_decoded
    assert rec.payloads() == [member_code]


def test_missing_camera_is_a_status_then_it_is_reopened(
    tmp_path: Path, member_code: str, run: list[CameraScanner]
) -> None:
    path = tmp_path / "later.avi"
    scanner = CameraScanner(str(path), reconnect_seconds=0.05)
    rec = start(run, scanner)
    assert rec.wait_for(lambda: rec.statuses)
    assert scanner.status.state is DeviceState.NO_DEVICE
    assert "No camera found" in scanner.status.reason
    assert not rec.scans

    write_video(path, hold(scene(synth.qr_image(member_code, module_px=4), 1), 10))
    assert rec.wait_for(lambda: rec.scans)
    assert scanner.wait_ended(20)
    states = [s.state for s in rec.statuses]
    assert states == [DeviceState.NO_DEVICE, DeviceState.READY, DeviceState.NO_DEVICE]
    assert rec.payloads() == [member_code]


def test_a_device_index_that_is_not_there(run: list[CameraScanner]) -> None:
    scanner = CameraScanner("63", reconnect_seconds=0.05)
    rec = start(run, scanner)
    assert rec.wait_for(lambda: rec.statuses)
    assert rec.statuses[0].state is DeviceState.NO_DEVICE
    scanner.stop()
    scanner.stop()  # twice is fine


def test_preview_gets_frames_and_polygons(tmp_path: Path, member_code: str, run: list[CameraScanner]) -> None:
    qr = synth.qr_image(member_code, module_px=4)
    video = write_video(tmp_path / "preview.avi", hold(scene(None, 1), 3) + hold(scene(qr, 2, angle=30), 6))
    seen: list[tuple[np.ndarray, list[Decoded]]] = []
    scanner = CameraScanner(str(video), on_preview=lambda f, d: seen.append((f, d)))
    start(run, scanner)
    assert scanner.wait_ended(20)
    with_code = [(f, d) for f, d in seen if d]
    assert with_code and any(not d for _, d in seen)
    frame, decoded = with_code[0]
    assert frame.shape == (*SHAPE, 3)
    overlay = draw_overlay(frame, decoded)
    green = (overlay[:, :, 1] == 200) & (overlay[:, :, 0] == 0) & (overlay[:, :, 2] == 0)
    assert green.sum() > 100
    assert not np.array_equal(overlay, frame)


def test_camera_setting_parses_index_or_path() -> None:
    assert parse_source("0") == 0
    assert parse_source(" 2 ") == 2
    assert parse_source("rtsp://cam/1") == "rtsp://cam/1"
    assert parse_source("/dev/video0") == "/dev/video0"


def test_a_decoder_that_cannot_start_is_an_error_status(
    tmp_path: Path, run: list[CameraScanner], monkeypatch: pytest.MonkeyPatch
) -> None:
    import hardware.scanner.camera as camera

    def missing_library() -> FrameDecoder:
        raise RuntimeError("the zbar decoder cannot be loaded: libzbar.so.0 not found")

    monkeypatch.setattr(camera, "FrameDecoder", missing_library)
    video = write_video(tmp_path / "any.avi", hold(scene(None, 1), 40))
    scanner = CameraScanner(str(video))
    rec = start(run, scanner)
    assert rec.wait_for(lambda: any(s.state is DeviceState.ERROR for s in rec.statuses))
    time.sleep(0.3)  # the ERROR stays (the grabber does not overwrite it) until stop()
    assert scanner.status.state is DeviceState.ERROR
    assert "libzbar" in scanner.status.reason
    scanner.stop()  # (stopped, it reports afresh when started again)


def test_a_video_over_the_pixel_limit_is_an_error_status_and_nothing_is_read(
    tmp_path: Path, member_code: str, run: list[CameraScanner]
) -> None:
    """Frames are held to a pixel limit like still images (files.MAX_PIXELS); a small limit
    stands in for it here, on a real video of 640×480 frames holding a member code."""
    code = synth.qr_image(member_code, module_px=4)
    video = write_video(tmp_path / "big.avi", hold(scene(code, 3), 20))
    scanner = CameraScanner(str(video), max_pixels=640 * 480 - 1)
    rec = start(run, scanner)
    assert rec.wait_for(lambda: any(s.state is DeviceState.ERROR for s in rec.statuses))
    assert scanner.wait_ended(5)
    assert scanner.status.state is DeviceState.ERROR
    assert "640×480 pixels a frame, over the 307,199-pixel limit" in scanner.status.reason
    assert rec.scans == [] and scanner.frames_grabbed == 0

    within = CameraScanner(str(video), max_pixels=640 * 480)  # the same video, at the limit: read
    rec2 = start(run, within)
    assert rec2.wait_for(lambda: member_code in rec2.payloads())


def test_scanning_a_video_file_over_the_pixel_limit_says_so_and_goes_on(
    tmp_path: Path, member_code: str
) -> None:
    from hardware.scanner.files import MAX_PIXELS, scan_file

    video = write_video(tmp_path / "big.avi", hold(scene(synth.qr_image(member_code, module_px=4), 3), 5))
    refused = scan_file(video, FrameDecoder(), max_pixels=100_000)
    assert refused["codes"] == []
    assert (
        refused["error"] == "the video is 640×480 pixels a frame, over the 100,000-pixel limit; not decoded"
    )
    read = scan_file(video, FrameDecoder())  # the default limit is the still images' one
    assert MAX_PIXELS == 40_000_000 and "error" not in read
    assert [c["data"] for c in read["codes"]] == [member_code]
