"""Benchmark the cashier's app with the 1,000,000-member store.

Run: QT_QPA_PLATFORM=offscreen python bench/bench_ui.py [--runs 10] [--scans 300] [--members N]

1. Start to login screen: whole `till --home COPY` processes under QT_QPA_PLATFORM=offscreen
   with TILL_EXIT_WHEN_SHOWN=1 (ui/app.py prints the time since TILL_START_T0, set here just
   before spawning, once the event loop has shown the login screen; then the readers and the
   sync worker start, it prints that time too, and quits). The process's whole wall time
   (spawn to exit, shutdown included) is reported too. The first start (it
   builds the translations into the home) is a warm-up and not counted. Target < 1.5 s.
2. Scanned member code to member panel filled, in one process: the main window on the same
   store, the checkout open, a signed member code handed to the window as a reader delivers
   it (MainWindow.on_scan, on the GUI thread); timed until MemberPanel.show_member has run
   with that member (the lookup runs on the Op worker, the result comes back queued).
   Target < 100 ms.

The cached store (bench/.cache/store-N) is never opened by this script: it is copied to a
temporary folder first (the copy gets the translations and any migrations).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(ROOT))

from make_store import ensure_store, phone_for  # noqa: E402

TILL = str(Path(sys.executable).parent / "till")
START_TARGET_S = 1.5
SCAN_TARGET_MS = 100.0


def pct(values: Sequence[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, round(p / 100 * (len(s) - 1)))]


def copy_store(n: int, into: Path) -> Path:
    src = ensure_store(n, quiet=True)
    home = into / f"store-{n}"
    t = time.perf_counter()
    shutil.copytree(src, home)
    print(f"copied {src} to {home} in {time.perf_counter() - t:.1f} s", flush=True)
    return home


def _seconds(stdout: str, words: str) -> float | None:
    line = [ln for ln in stdout.splitlines() if words in ln]
    return float(line[0].split("after ")[1].split(" s")[0]) if line else None


def start_to_login(home: Path, runs: int) -> tuple[list[float], list[float], list[float]]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", TILL_EXIT_WHEN_SHOWN="1")
    shown, whole, ready = [], [], []
    for i in range(runs + 1):
        env["TILL_START_T0"] = repr(time.time())
        t0 = time.perf_counter()
        out = subprocess.run(
            [TILL, "--home", str(home)], env=env, capture_output=True, text=True, timeout=120
        )
        wall = time.perf_counter() - t0
        login = _seconds(out.stdout, "login screen shown")
        started = _seconds(out.stdout, "readers and sync started")
        if out.returncode != 0 or login is None:
            raise SystemExit(f"till failed ({out.returncode}):\n{out.stdout}\n{out.stderr}")
        if i == 0:
            continue  # first start: builds the .qm files into the home
        shown.append(login)
        whole.append(wall)
        if started is not None:
            ready.append(started)
    return shown, whole, ready


def scan_to_panel(home: Path, scans: int, n_members: int) -> list[float]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QApplication

    from app.services import members
    from app.services.context import open_till
    from app.services.staff import find_staff
    from hardware.printer.factory import make_printer
    from ui.main_window import MainWindow
    from ui.ops import wait_idle
    from ui.services import TillServices

    qt = QApplication.instance() or QApplication([])
    ctx = open_till(home)
    services = TillServices(ctx, make_printer(ctx.config.printer, home))
    window = MainWindow(services)
    window.show()
    cashier = find_staff(ctx, "1001")
    window.show_checkout(cashier, None)  # type: ignore[arg-type]
    co = window.checkout
    rng = random.Random(7)
    codes = []
    for i in rng.sample(range(n_members), scans + 20):
        view = members.identify(ctx, phone_for(i))
        codes.append((view.id, members.member_code(ctx, view.id)))

    filled: dict[str, float] = {}
    show = co.panel.show_member

    def timed_show(member, *args, **kw):  # type: ignore[no-untyped-def]
        show(member, *args, **kw)
        if member is not None:
            filled.setdefault(str(member.id), time.perf_counter())

    co.panel.show_member = timed_show  # type: ignore[method-assign]
    times = []
    for k, (member_id, code) in enumerate(codes):
        filled.clear()
        co.state.clear()
        t0 = time.perf_counter()
        window.on_scan(code)
        deadline = t0 + 10
        while str(member_id) not in filled:
            QCoreApplication.processEvents()
            if time.perf_counter() > deadline:
                raise SystemExit(f"member panel not filled for scan {k}: {co.message.text()}")
        if k >= 20:  # the first scans warm the caches and the worker thread
            times.append((filled[str(member_id)] - t0) * 1000)
    wait_idle()
    window.close()
    ctx.close()
    del qt
    return times


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--members", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--scans", type=int, default=300)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-ui-") as tmp:
        home = copy_store(args.members, Path(tmp))
        shown, whole, ready = start_to_login(home, args.runs)
        print(
            f"start -> login shown ({args.runs} processes): median {statistics.median(shown):.3f} s, "
            f"p95 {pct(shown, 95):.3f} s, max {max(shown):.3f} s (target < {START_TARGET_S} s); "
            f"whole process incl. shutdown median {statistics.median(whole):.3f} s"
        )
        if ready:
            print(
                f"start -> readers and sync started (after the login screen): median "
                f"{statistics.median(ready):.3f} s, p95 {pct(ready, 95):.3f} s"
            )
        times = scan_to_panel(home, args.scans, args.members)
        print(
            f"scan -> member panel filled ({len(times)} scans): p50 {pct(times, 50):.1f} ms, "
            f"p95 {pct(times, 95):.1f} ms, max {max(times):.1f} ms (target < {SCAN_TARGET_MS:.0f} ms)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
