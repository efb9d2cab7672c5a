"""Benchmark process start: whole `till` processes, timed from spawn to exit.

Run: python bench/bench_start.py [--runs 20] [--members 10000]

Measured, each as a fresh process (so imports, config, SQLite open and key loading count):

* `python -c pass`: the interpreter alone, the floor;
* "open_till": a process that imports the CLI module (as the `till` entry point does) and
  opens the core on an existing home: config, store check, signing key, keyring row, then
  exits (no Qt; the GUI adds its own start-up on top);
* `till member find PHONE`: open the core and look a member up (what a till does first);
* `till quote FILE`: price a basket per the quote contract (no database);
* `till --help`.

The home is the store built by bench/make_store.py (cached under bench/.cache/). Target:
a ready core in < 0.5 s.
"""

from __future__ import annotations

import argparse
import json
import resource
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

TARGET_S = 0.5
PY = sys.executable
TILL = str(Path(PY).parent / "till")

OPEN_TILL = (
    "import sys; from pathlib import Path; import till.cli; "
    "from app.services.context import open_till; "
    "ctx = open_till(Path(sys.argv[1])); ctx.close()"
)


def pct(values: Sequence[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, round(p / 100 * (len(s) - 1)))]


def run(cmd: list[str], runs: int) -> tuple[list[float], list[float]]:
    """Wall-clock seconds per process, and its CPU seconds (user + system) from rusage."""
    subprocess.run(cmd, check=True, capture_output=True)  # warm the page cache once
    wall, cpu = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        wall.append(time.perf_counter() - t)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return wall, cpu


def basket_file(tmp: Path) -> Path:
    src = ROOT / "tests" / "contract" / "baskets" / "04_gold_promotions.json"
    path = tmp / "basket.json"
    if src.exists():
        data = json.loads(src.read_text(encoding="utf-8"))
        basket = data.get("basket", data) if isinstance(data, dict) else data
        path.write_text(json.dumps(basket, ensure_ascii=False), encoding="utf-8")
    else:
        from bench_quote import build_basket_json

        path.write_text(json.dumps(build_basket_json(20, 8), ensure_ascii=False), encoding="utf-8")
    return path


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--members", type=int, default=10_000)
    args = ap.parse_args(argv)
    home = ensure_store(args.members)
    phone = phone_for(7)[3:]
    with tempfile.TemporaryDirectory() as tmp:
        basket = basket_file(Path(tmp))
        cases = [
            ("python -c pass", [PY, "-c", "pass"]),
            ("open_till (ready core)", [PY, "-c", OPEN_TILL, str(home)]),
            ("till member find", [TILL, "--home", str(home), "member", "find", phone]),
            ("till quote", [TILL, "quote", str(basket)]),
            ("till --help", [TILL, "--help"]),
        ]
        print(
            f"home: {args.members:,}-member store; {args.runs} runs each; target: ready core < {TARGET_S} s"
        )
        print(
            f"{'process':<26} {'p50 s':>7} {'p90 s':>7} {'max s':>7} {'mean s':>7} | "
            f"{'cpu p50':>7} {'cpu p90':>7}"
        )
        for name, cmd in cases:
            s, cpu = run(cmd, args.runs)
            note = ""
            if name.startswith("open_till"):
                note = "  ok" if pct(s, 90) < TARGET_S else "  MISSES TARGET"
            print(
                f"{name:<26} {pct(s, 50):7.3f} {pct(s, 90):7.3f} {max(s):7.3f} "
                f"{statistics.fmean(s):7.3f} | {pct(cpu, 50):7.3f} {pct(cpu, 90):7.3f}{note}",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
