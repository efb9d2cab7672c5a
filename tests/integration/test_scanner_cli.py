"""`till scan PATH...`: one JSON line per file (image or video), in a real subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np

from hardware.scanner import synth


def till_scan(*paths: Path | str) -> tuple[int, list[dict[str, object]]]:
    proc = subprocess.run(
        [sys.executable, "-m", "till.cli", "scan", *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return proc.returncode, [json.loads(line) for line in proc.stdout.splitlines()]


def test_images_videos_and_a_missing_file(tmp_path: Path) -> None:
    ean = tmp_path / "ean.png"
    cv2.imwrite(
        str(ean),
        synth.place(synth.ean_image("6901234567892"), synth.clutter((480, 640), 1), (320, 240), 330, 10),
    )
    empty = tmp_path / "empty.jpg"
    cv2.imwrite(str(empty), synth.to_bgr(synth.clutter((480, 640), 2)))
    video = tmp_path / "two codes.avi"
    writer = cv2.VideoWriter(str(video), cv2.VideoWriter_fourcc(*"MJPG"), 10, (640, 480))
    for code in (synth.qr_image("LTM1.test.code"), None, synth.ean_image("96385074")):
        img = synth.clutter((480, 640), 3)
        if code is not None:
            img = synth.place(code, img, (320, 240), 260, 5)
        for _ in range(3):
            writer.write(synth.to_bgr(img))
    writer.release()
    notes = tmp_path / "notes.txt"
    notes.write_text("not a picture")

    code, lines = till_scan(ean, empty, video, notes, tmp_path / "missing.png")
    assert code == 1  # two files could not be read
    assert [line["path"] for line in lines] == [
        str(p) for p in (ean, empty, video, notes, tmp_path / "missing.png")
    ]
    assert lines[0]["codes"] == [{"symbology": "EAN13", "data": "6901234567892"}]
    assert lines[1]["codes"] == []
    assert lines[2]["codes"] == [
        {"symbology": "QRCODE", "data": "LTM1.test.code"},
        {"symbology": "EAN8", "data": "96385074"},
    ]
    assert "error" in lines[3] and "error" in lines[4]
    assert all(isinstance(line["ms"], float | int) and "error" not in line for line in lines[:3])


def test_all_readable_exits_zero(tmp_path: Path) -> None:
    img = tmp_path / "dark-mode.png"
    cv2.imwrite(str(img), np.pad(255 - synth.qr_image("LTM1.dark.mode"), 30, constant_values=40))
    code, lines = till_scan(img)
    assert code == 0
    assert lines == [
        {"path": str(img), "codes": [{"symbology": "QRCODE", "data": "LTM1.dark.mode"}], "ms": lines[0]["ms"]}
    ]


def test_importing_the_scanner_package_opens_nothing() -> None:
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, hardware.scanner.camera, hardware.scanner.serial_reader,"
            " hardware.scanner.files;"
            "print(sorted(m for m in ('cv2', 'pyzbar', 'zxingcpp', 'serial', 'PySide6')"
            " if m in sys.modules))",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert out.stdout.strip() == "[]"
