"""Decoding benchmark: our pipeline against pyzbar, zxing-cpp and OpenCV's QR detector, side
by side, on the same camera-like frames (bench/scan_frames.py).

Run on one core:  taskset -c 0 .venv/bin/python bench/bench_decode.py [--frames 400] [--repeat 3]
Prints a Markdown table: frames read, false positives (a code that is not the one on the
frame, or any code on a frame without one), ms per frame (median, p95) for all frames and
for the 1280x720 ones, then whether our pipeline reads every frame that any of the three
other decoders reads. Results are written to bench/.cache/decode-results.json.
Not a test: the figures depend on the machine.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from scan_frames import CACHE, FrameSpec, load_frames

from hardware.scanner.decode import FrameDecoder, to_gray

Codes = set[tuple[str, str]]
Decoder = Callable[[np.ndarray], Codes]


def _norm(sym: str, payload: str) -> tuple[str, str]:
    if sym == "EAN13" and len(payload) == 13 and payload.startswith("0"):
        return "UPCA", payload[1:]
    return sym, payload


def pyzbar_decoder(explicit: bool) -> Decoder:
    from pyzbar import pyzbar

    symbols = [pyzbar.ZBarSymbol[s] for s in ("QRCODE", "EAN13", "EAN8", "UPCA", "CODE128")]

    def run(frame: np.ndarray) -> Codes:
        gray = to_gray(frame)
        found = pyzbar.decode(gray, symbols=symbols) if explicit else pyzbar.decode(gray)
        return {_norm(r.type, r.data.decode("utf-8", "replace")) for r in found}

    return run


def zxing_decoder() -> Decoder:
    import zxingcpp

    names = {"QR Code": "QRCODE", "EAN-13": "EAN13", "EAN-8": "EAN8", "UPC-A": "UPCA", "Code 128": "CODE128"}
    formats = [
        zxingcpp.BarcodeFormat.QRCode,
        zxingcpp.BarcodeFormat.EAN13,
        zxingcpp.BarcodeFormat.EAN8,
        zxingcpp.BarcodeFormat.UPCA,
        zxingcpp.BarcodeFormat.Code128,
    ]

    def run(frame: np.ndarray) -> Codes:
        found = zxingcpp.read_barcodes(to_gray(frame), formats=formats)
        return {_norm(names.get(str(r.format), str(r.format)), r.text) for r in found}

    return run


def opencv_qr_decoder() -> Decoder:
    detector = cv2.QRCodeDetector()

    def run(frame: np.ndarray) -> Codes:
        ok, texts, _, _ = detector.detectAndDecodeMulti(to_gray(frame))
        return {("QRCODE", t) for t in texts if t} if ok else set()

    return run


def ours(**kw: object) -> Decoder:
    decoder = FrameDecoder(**kw)  # type: ignore[arg-type]

    def run(frame: np.ndarray) -> Codes:
        return {(d.symbology.value, d.payload) for d in decoder.decode(frame)}

    return run


PIPELINES: dict[str, Callable[[], Decoder]] = {
    "pyzbar, all symbologies": lambda: pyzbar_decoder(False),
    "pyzbar, 5 symbologies": lambda: pyzbar_decoder(True),
    "zxing-cpp read_barcodes": zxing_decoder,
    "OpenCV QRCodeDetector (QR only)": opencv_qr_decoder,
    "ours, zbar only: half, full, inverted": lambda: ours(engine="pyzbar"),
    "ours, zbar only: + stretch + sharpen": lambda: ours(
        passes=["zbar-half", "zbar", "zbar-inverted", "zbar-stretch", "zbar-sharpen"]
    ),
    "ours: zxing": lambda: ours(passes=["zxing"]),
    "ours: zxing, zbar-half": lambda: ours(passes=["zxing", "zbar-half"]),
    "ours: zbar-half, zxing, zbar (full)": lambda: ours(passes=["zbar-half", "zxing", "zbar"]),
    "ours: zxing, zbar-half, zxing-stretch": lambda: ours(passes=["zxing", "zbar-half", "zxing-stretch"]),
    "ours: zxing, zbar-half, zxing-global": lambda: ours(passes=["zxing", "zbar-half", "zxing-global"]),
    "ours: zxing, zbar-half, zxing-sharpen": lambda: ours(passes=["zxing", "zbar-half", "zxing-sharpen"]),
    "ours: zxing, zbar-half, zbar-small, zxing-sharpen": lambda: ours(
        passes=["zxing", "zbar-half", "zbar-small", "zxing-sharpen"]
    ),
    "ours (chosen): zxing, zbar-half, zxing-half, zbar-small, zxing-sharpen": lambda: ours(),
}
BASELINES = [
    "pyzbar, all symbologies",
    "pyzbar, 5 symbologies",
    "zxing-cpp read_barcodes",
    "OpenCV QRCodeDetector (QR only)",
]
CHOSEN = "ours (chosen): zxing, zbar-half, zxing-half, zbar-small, zxing-sharpen"


def measure(
    decoder: Decoder, frames: list[tuple[np.ndarray, FrameSpec]], repeat: int
) -> list[dict[str, object]]:
    """Each frame decoded ``repeat`` times; the fastest time counts (other processes on a
    shared machine only ever add time)."""
    out = []
    decoder(frames[0][0])  # warm up (library loading)
    for frame, spec in frames:
        ms = float("inf")
        for _ in range(repeat):
            start = time.perf_counter()
            codes = decoder(frame)
            ms = min(ms, (time.perf_counter() - start) * 1000)
        expected = (spec.symbology, spec.payload) if spec.symbology else None
        out.append(
            {
                "file": spec.file,
                "read": expected in codes,
                "false": sorted(c for c in codes if c != expected),
                "ms": ms,
                "big": spec.width == 1280,
            }
        )
    return out


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--frames", type=int, default=400)
    ap.add_argument("--repeat", type=int, default=3, help="decode each frame this often; keep the fastest")
    ap.add_argument("--only", action="append", help="run only pipelines whose name contains this")
    args = ap.parse_args()
    cv2.setNumThreads(1)
    frames = load_frames(args.frames)
    specs = {s.file: s for _, s in frames}
    positives = sum(1 for _, s in frames if s.symbology)
    results: dict[str, list[dict[str, object]]] = {}
    for name, make in PIPELINES.items():
        if args.only and not any(o in name for o in args.only):
            continue
        print(f"... {name}", file=sys.stderr, flush=True)
        results[name] = measure(make(), frames, args.repeat)
    saved = CACHE / "decode-results.json"
    if args.only and saved.exists():  # compare with the baselines of an earlier full run
        results = {**{k: v for k, v in json.loads(saved.read_text()).items() if k in BASELINES}, **results}
    saved.write_text(json.dumps(results))

    n_big = sum(1 for _, s in frames if s.width == 1280)
    print(
        f"\n{len(frames)} frames ({positives} with a code, {len(frames) - positives} without; "
        f"{n_big} at 1280x720), one core\n"
    )
    print("| pipeline | read | false positives | ms median | ms p95 | 1280x720 median | 1280x720 p95 |")
    print("|---|---|---|---|---|---|---|")
    for name, rows in results.items():
        read = sum(1 for r in rows if r["read"])
        fps = sum(1 for r in rows if r["false"])
        ms = [float(r["ms"]) for r in rows]  # type: ignore[arg-type]
        big = [float(r["ms"]) for r in rows if r["big"]]  # type: ignore[arg-type]
        print(
            f"| {name} | {read}/{positives} ({100 * read / positives:.0f}%) | {fps} | "
            f"{statistics.median(ms):.1f} | {pct(ms, 95):.1f} | {statistics.median(big):.1f} | "
            f"{pct(big, 95):.1f} |"
        )

    present = [b for b in BASELINES if b in results]
    for mine in (n for n in results if n.startswith("ours")):
        union = {r["file"] for b in present for r in results[b] if r["read"]}
        got = {r["file"] for r in results[mine] if r["read"]}
        missed = sorted(union - got)
        print(
            f"\n{mine}: reads {len(got & union)}/{len(union)} of the baselines' union, "
            f"{len(got - union)} more; misses from the union: {missed[:12]}"
        )
    if CHOSEN in results:
        misses = Counter(
            t
            for r in results[CHOSEN]
            if not r["read"] and specs[str(r["file"])].symbology
            for t in specs[str(r["file"])].tags
        )
        print(f"\nwhat the frames the chosen pipeline misses have in common: {dict(misses.most_common())}")


if __name__ == "__main__":
    main()
