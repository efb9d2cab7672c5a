"""The decoding pipeline on drawn codes: every symbology, inverted, small, rotated, none."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import numpy as np
import pytest

from app.domain.codes import SigningKey, issue_member_code, looks_like_member_code
from app.ports import Symbology
from hardware.scanner import synth
from hardware.scanner.decode import FrameDecoder, zxing_available

ENGINES = ["pyzbar", "auto"] + (["zxing"] if zxing_available() else [])


@pytest.fixture(scope="module")
def member_code() -> str:
    key = SigningKey.generate("s001.t01")
    return issue_member_code(uuid.UUID(int=42), key, datetime(2026, 11, 22, tzinfo=UTC))


def frame_with(
    code: np.ndarray,
    width_px: float,
    angle: float = 0.0,
    tilt: float = 0.0,
    shape: tuple[int, int] = (480, 640),
    seed: int = 1,
) -> np.ndarray:
    bg = synth.clutter(shape, seed)
    return synth.to_bgr(synth.place(code, bg, (shape[1] / 2, shape[0] / 2), width_px, angle, tilt))


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(
    ("digits", "symbology", "expected"),
    [
        ("5901234123457", Symbology.EAN13, "5901234123457"),
        ("96385074", Symbology.EAN8, "96385074"),
        ("036000291452", Symbology.UPCA, "036000291452"),
    ],
)
def test_retail_barcodes(engine: str, digits: str, symbology: Symbology, expected: str) -> None:
    frame = frame_with(synth.ean_image(digits, module_px=3), 330, angle=4)
    found = FrameDecoder(engine=engine).decode(frame)  # type: ignore[arg-type]
    assert [(d.symbology, d.payload) for d in found] == [(symbology, expected)]


@pytest.mark.parametrize("engine", ENGINES)
def test_member_qr_on_clutter_with_polygon(engine: str, member_code: str) -> None:
    assert looks_like_member_code(member_code)
    frame = frame_with(synth.qr_image(member_code, module_px=5), 300, angle=15, shape=(720, 1280))
    found = FrameDecoder(engine=engine).decode(frame)  # type: ignore[arg-type]
    assert [d.payload for d in found] == [member_code]
    xs = [x for x, _ in found[0].polygon]
    ys = [y for _, y in found[0].polygon]
    assert len(found[0].polygon) >= 4
    # The polygon is in full-frame coordinates even when a halved pass found the code.
    assert 400 < min(xs) < max(xs) < 880 and 150 < min(ys) < max(ys) < 570


@pytest.mark.parametrize("engine", ENGINES)
def test_inverted_phone_screen(engine: str, member_code: str) -> None:
    dark = 255 - synth.qr_image(member_code, module_px=5)
    frame = frame_with(dark, 320)
    found = FrameDecoder(engine=engine).decode(frame)  # type: ignore[arg-type]
    assert [d.payload for d in found] == [member_code]


def test_zbar_alone_needs_the_inverted_pass(member_code: str) -> None:
    dark = synth.to_bgr(255 - synth.qr_image(member_code, module_px=5))
    assert FrameDecoder(passes=["zbar"]).decode(dark) == []
    assert FrameDecoder(engine="pyzbar").decode(dark)[0].payload == member_code


@pytest.mark.parametrize("engine", ENGINES)
def test_frames_without_codes_give_nothing(engine: str) -> None:
    decoder = FrameDecoder(engine=engine)  # type: ignore[arg-type]
    for seed in range(5):
        assert decoder.decode(synth.to_bgr(synth.clutter((480, 640), seed))) == []
    stripes = np.tile(np.repeat(np.array([0, 255] * 40, dtype=np.uint8), 4), (200, 1))
    assert decoder.decode(stripes) == []


@pytest.mark.skipif(not zxing_available(), reason="zxing-cpp not installed")
def test_small_tilted_code(member_code: str) -> None:
    frame = frame_with(synth.qr_image(member_code, module_px=4), 230, angle=20, tilt=0.2, shape=(720, 1280))
    assert [d.payload for d in FrameDecoder(engine="auto").decode(frame)] == [member_code]


def test_code_128_with_the_second_decoder() -> None:
    zxingcpp = pytest.importorskip("zxingcpp")
    bars = np.asarray(zxingcpp.create_barcode("TILL-000123", zxingcpp.BarcodeFormat.Code128).to_image())
    bars = np.kron(bars, np.ones((2, 2), dtype=np.uint8))
    frame = frame_with(np.pad(bars, 20, constant_values=255), 300)
    for engine in ("pyzbar", "auto"):
        found = FrameDecoder(engine=engine).decode(frame)  # type: ignore[arg-type]
        assert [(d.symbology, d.payload) for d in found] == [(Symbology.CODE128, "TILL-000123")]


def test_check_digits_are_refused_when_wrong() -> None:
    assert synth.with_check("590123412345") == "5901234123457"
    with pytest.raises(ValueError):
        synth.ean_modules("5901234123458")


def test_unknown_pass_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown decoding pass"):
        FrameDecoder(passes=["magic"])


def test_scanners_from_config_makes_what_is_configured() -> None:
    from app.config import ScannerConfig
    from hardware.scanner import scanners_from_config
    from hardware.scanner.camera import CameraScanner
    from hardware.scanner.serial_reader import SerialScanner

    assert scanners_from_config(ScannerConfig(camera="")) == []
    made = scanners_from_config(ScannerConfig(camera="0", serial_device="/dev/ttyUSB0"))
    assert [type(s) for s in made] == [CameraScanner, SerialScanner]
    assert all(s.status.state.value == "no_device" for s in made)  # nothing opened yet
