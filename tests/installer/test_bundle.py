"""The till as it is installed: the PyInstaller bundle and its .deb, built once per test
session (installer/build-linux; reused while the sources it was built from are unchanged),
unpacked into a fresh temporary folder and run there with no virtualenv on the PATH and a
bare environment: --version, db upgrade, demo seed, screenshots offscreen, doctor, the first
start with --demo, and an older database migrated with a backup kept first."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import subprocess
import sys
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "installer" / "dist"
SOURCES = ("app", "ui", "hardware", "sync", "till", "migrations", "resources", "installer")
pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux") or shutil.which("dpkg-deb") is None,
    reason="the Linux bundle and .deb are built on Linux with dpkg-deb",
)


def _source_hash() -> str:
    h = hashlib.sha256((ROOT / "pyproject.toml").read_bytes())
    for top in SOURCES:
        for path in sorted((ROOT / top).rglob("*")):
            rel = path.relative_to(ROOT)
            if (
                not path.is_file()
                or "__pycache__" in rel.parts
                or rel.parts[:2] in (("installer", "build"), ("installer", "dist"))
            ):
                continue
            h.update(str(rel).encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


@dataclass(frozen=True)
class Built:
    deb: Path
    build_s: float | None  # None: reused from an earlier session


@pytest.fixture(scope="session")
def built() -> Built:
    stamp = DIST / ".built-from"
    want = _source_hash()
    debs = sorted(DIST.glob("loyalty-till_*.deb"))
    if stamp.exists() and stamp.read_text() == want and debs and (DIST / "loyalty-till" / "till").exists():
        return Built(debs[-1], None)
    t0 = time.monotonic()
    out = subprocess.run(
        ["bash", "installer/build-linux"], cwd=ROOT, capture_output=True, text=True, timeout=1800
    )
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    build_s = time.monotonic() - t0
    stamp.write_text(want)
    debs = sorted(DIST.glob("loyalty-till_*.deb"))
    (DIST / "figures.json").write_text(
        json.dumps(
            {
                "build_s": round(build_s),
                "deb_bytes": debs[-1].stat().st_size,
                "bundle_bytes": sum(
                    p.stat().st_size for p in (DIST / "loyalty-till").rglob("*") if p.is_file()
                ),
            },
            indent=1,
        )
    )
    return Built(debs[-1], build_s)


@pytest.fixture(scope="session")
def program(built: Built, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The .deb unpacked into a fresh folder: its `till`."""
    root = tmp_path_factory.mktemp("unpacked")
    subprocess.run(["dpkg-deb", "-x", str(built.deb), str(root)], check=True, timeout=300)
    till = root / "opt" / "loyalty-till" / "till"
    assert till.is_file()
    return till


def _env(user: Path, **extra: str) -> dict[str, str]:
    """A bare environment: no virtualenv, no PYTHONPATH, only the system's folders on PATH."""
    user.mkdir(parents=True, exist_ok=True)
    return {
        "PATH": "/usr/bin:/bin",
        "HOME": str(user),
        "LANG": "C.UTF-8",
        "QT_QPA_PLATFORM": "offscreen",
        **extra,
    }


def _run(
    till: Path, user: Path, *args: str, timeout: float = 600, **extra: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(till), *args],
        cwd=user.parent,
        env=_env(user, **extra),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_the_deb_holds_the_program_a_desktop_entry_and_an_icon(built: Built) -> None:
    listing = subprocess.run(
        ["dpkg-deb", "-c", str(built.deb)], capture_output=True, text=True, check=True
    ).stdout
    for path in (
        "./opt/loyalty-till/till",
        "./usr/bin/till -> /opt/loyalty-till/till",
        "./usr/share/applications/loyalty-till.desktop",
        "./usr/share/icons/hicolor/scalable/apps/loyalty-till.svg",
        "/migrations/versions/0001_initial_schema.py",
        "/resources/translations/zh_CN.qm",
        "/escpos/capabilities.json",
        "/libzbar.so.0",
        "/platforms/libqoffscreen.so",
    ):
        assert path in listing, path
    assert "/server/" not in listing and "fastapi" not in listing  # the till only
    fields = subprocess.run(
        ["dpkg-deb", "-f", str(built.deb), "Package", "Version", "Depends"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert "Package: loyalty-till" in fields and f"Version: {version}" in fields
    assert "libxcb-cursor0" in fields


def test_the_bundle_runs_from_a_fresh_folder_without_python(program: Path, tmp_path: Path) -> None:
    user = tmp_path / "user"
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    out = _run(program, user, "--version")
    assert out.returncode == 0 and out.stdout.strip() == f"till {version}", out.stderr
    home = user / ".local" / "share" / "loyalty-till"  # the user's data folder
    out = _run(program, user, "db", "upgrade")
    assert out.returncode == 0 and str(home / "till.db") in out.stdout, out.stderr
    out = _run(program, user, "demo", "seed", "--members", "40", "--sales", "10")
    assert out.returncode == 0 and "1234" in out.stdout, out.stderr
    shots = tmp_path / "shots"
    out = _run(program, user, "screenshots", str(shots))
    assert out.returncode == 0, out.stderr[-2000:]
    pngs = sorted(shots.glob("*.png"))
    assert len(pngs) >= 10 and all(p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for p in pngs)
    names = [p.name for p in pngs]
    assert any("checkout" in n and "zh_CN" in n for n in names), names
    assert any("checkout" in n and "en" in n.removeprefix("checkout") for n in names), names
    config = home / "till.toml"
    config.write_text(config.read_text().replace('camera = "0"', 'camera = ""'))  # no camera here
    out = _run(program, user, "doctor")
    assert out.returncode == 0, out.stdout
    for line in ("OK    database: integrity ok", "OK    decoders: zbar and zxing-cpp load", "OK    printer"):
        assert line in out.stdout
    out = _run(program, user, "backup", "now")
    assert out.returncode == 0 and "integrity ok" in out.stdout


def test_the_first_start_with_demo_makes_the_home_and_opens_the_sign_in(
    program: Path, tmp_path: Path
) -> None:
    user = tmp_path / "user"
    t0 = time.time()
    out = _run(program, user, "--demo", TILL_EXIT_WHEN_SHOWN="1", TILL_START_T0=str(t0))
    assert out.returncode == 0, out.stderr[-2000:]
    assert "login screen shown after" in out.stdout
    home = user / ".local" / "share" / "loyalty-till"
    conn = sqlite3.connect(home / "till.db")
    try:
        assert conn.execute("SELECT count(*) FROM products").fetchone()[0] > 0
        assert conn.execute("SELECT count(*) FROM members").fetchone()[0] > 0
    finally:
        conn.close()
    assert (home / "translations" / "zh_CN.qm").stat().st_size > 1000  # the bundled translations
    shown = float(out.stdout.split("login screen shown after")[1].split()[0])
    (tmp_path / "first-start.txt").write_text(f"{shown:.1f} s\n")
    print(f"first start with --demo: sign-in shown after {shown:.1f} s")


def test_a_newer_bundle_migrates_an_older_store_and_keeps_a_backup_first(
    program: Path, tmp_path: Path
) -> None:
    from app.store.migrate import HEAD, current_revision, upgrade

    user = tmp_path / "user"
    home = user / ".local" / "share" / "loyalty-till"
    home.mkdir(parents=True)
    upgrade(home / "till.db", "0002")  # what an older version left behind
    out = _run(program, user, "db", "upgrade")
    assert out.returncode == 0, out.stderr
    assert "kept in" in out.stdout
    (kept,) = (home / "backups").glob("till-*-pre-upgrade.db")
    assert current_revision(kept) == "0002" and current_revision(home / "till.db") == HEAD
