"""Bad input at the till, through the real `till` command on real files: a damaged or foreign
`till.db`, a broken configuration or key, hostile `till quote` and `till scan` inputs. Each
gets a clear message (a JSON error for `till quote`) and loses nothing: no traceback, no file
rebuilt over, and files with secrets or member data readable by the owner only."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import stat
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from tests.integration.test_cli import run

TILL = Path(sys.executable).parent / "till"


@pytest.fixture(scope="module")
def good_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("good") / "home"
    r = run("member", "find", "13800138000", home=home)  # opens the till: database, key, config
    assert r.returncode == 1 and "no_member" in r.stdout, r.stderr
    return home


def _copy(good_home: Path, tmp_path: Path) -> Path:
    home = tmp_path / "home"
    shutil.copytree(good_home, home)
    return home


def _clean(r: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in r.stderr and "Traceback" not in r.stdout, r.stderr[-2000:]


def _damage(db: Path, how: str, good: bytes) -> None:
    if how == "truncated":
        db.write_bytes(good[:5000])
    elif how == "garbage":
        db.write_bytes(os.urandom(20000))
    elif how == "empty":
        db.write_bytes(b"")
    elif how == "foreign":
        db.unlink()
        conn = sqlite3.connect(db)
        conn.execute("CREATE TABLE recipes (name TEXT)")
        conn.commit()
        conn.close()
    elif how == "folder":
        db.unlink()
        db.mkdir()


@pytest.mark.parametrize("how", ["truncated", "garbage", "empty", "foreign", "folder"])
def test_a_damaged_database_is_named_and_left_alone(good_home: Path, tmp_path: Path, how: str) -> None:
    home = _copy(good_home, tmp_path)
    db = home / "till.db"
    _damage(db, how, (good_home / "till.db").read_bytes())
    before = db.read_bytes() if db.is_file() else None
    for args in (("member", "find", "13800138000"), ("db", "upgrade"), ("points", "expire"), ("sync",)):
        r = run(*args, home=home)
        _clean(r)
        assert r.returncode == 1, (args, r.stdout, r.stderr)
        assert f"The till database {db} is damaged" in r.stderr, r.stderr
        assert "Restore the last backup" in r.stderr and "resync from the server" in r.stderr
        assert (db.read_bytes() if db.is_file() else None) == before  # never rebuilt over
    assert not (home / "till.db-wal").exists()


def test_the_cashier_app_names_a_damaged_database(good_home: Path, tmp_path: Path) -> None:
    home = _copy(good_home, tmp_path)
    db = home / "till.db"
    db.write_bytes((good_home / "till.db").read_bytes()[:5000])
    r = run(home=home, env={"TILL_EXIT_WHEN_SHOWN": "1"})
    _clean(r)
    assert r.returncode == 1
    assert f"The till database {db} is damaged: it is cut short (5000 bytes" in r.stderr
    assert db.stat().st_size == 5000


def test_the_till_s_files_are_created_for_the_owner_only(good_home: Path) -> None:
    private = [good_home / "till.db", good_home / "keys" / "signing-key.pem"]
    private += [p for p in (good_home / "till.db-wal", good_home / "till.db-shm") if p.exists()]
    for path in private:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert stat.S_IMODE((good_home / "keys").stat().st_mode) == 0o700


def test_backups_are_for_the_owner_only(good_home: Path, tmp_path: Path) -> None:
    home = _copy(good_home, tmp_path)
    r = run("backup", "now", home=home)
    _clean(r)
    assert r.returncode == 0, r.stderr
    made = [p for p in (home / "backups").rglob("*") if p.is_file()]
    assert made
    for path in made:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def test_a_world_readable_database_is_made_private(good_home: Path, tmp_path: Path) -> None:
    home = _copy(good_home, tmp_path)
    (home / "till.db").chmod(0o644)
    r = run("member", "find", "13800138000", home=home)
    assert r.returncode == 1 and "no_member" in r.stdout
    assert stat.S_IMODE((home / "till.db").stat().st_mode) == 0o600


@pytest.mark.parametrize("how", ["not_utf8", "folder"])
def test_a_till_toml_that_cannot_be_read(good_home: Path, tmp_path: Path, how: str) -> None:
    home = _copy(good_home, tmp_path)
    cfg = home / "till.toml"
    if how == "folder":
        cfg.unlink()
        cfg.mkdir()
    else:
        cfg.write_bytes('[store]\nname_zh = "乐忠"\n'.encode("gb18030"))
    r = run("member", "find", "13800138000", home=home)
    _clean(r)
    assert r.returncode == 2 and str(cfg) in r.stderr
    assert ("not UTF-8" in r.stderr) if how == "not_utf8" else ("is a folder" in r.stderr)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        (b"[worker]\nbatch_size = 0\n", "[worker] batch_size: must be from 1 to 500, not 0"),
        (b"[worker]\ninterval_s = nan\n", "[worker] interval_s: must be from 1 to 86400"),
        (b'[worker]\ninterval_s = "soon"\n', "[worker] interval_s: must be float"),
        (b"[worker]\nbatch_size = 501\n", "[worker] batch_size: must be from 1 to 500, not 501"),
        (b"[worker]\n\xff\xfe = 1\n", "not UTF-8 text"),
        (b"[worker\n", "cannot be read"),
    ],
)
def test_a_bad_sync_toml_gets_a_clear_line(good_home: Path, tmp_path: Path, text: bytes, says: str) -> None:
    home = _copy(good_home, tmp_path)
    (home / "sync.toml").write_bytes(text)
    r = run("sync", home=home)
    _clean(r)
    assert r.returncode == 2 and str(home / "sync.toml") in r.stderr and says in r.stderr, r.stderr


@pytest.mark.parametrize("garbage", [b"not a key at all", b"-----BEGIN PRIVATE KEY-----\nAAAA\n"])
def test_a_garbage_key_file_gets_a_clear_line(good_home: Path, tmp_path: Path, garbage: bytes) -> None:
    home = _copy(good_home, tmp_path)
    pem = home / "keys" / "signing-key.pem"
    pem.write_bytes(garbage)
    r = run("member", "find", "13800138000", home=home)
    _clean(r)
    assert r.returncode == 1
    assert f"The signing key file {pem} is damaged" in r.stderr and "Move the keys folder aside" in r.stderr
    assert pem.read_bytes() == garbage


# ---------------------------------------------------------------- till quote

AT = '"at": "2026-11-22T10:30:00+08:00"'


def _quote_error(path: str, stdin: str | None = None) -> dict[str, str]:
    r = run("quote", path, stdin=stdin)
    _clean(r)
    assert r.returncode == 2, (r.stdout, r.stderr)
    body = json.loads(r.stdout)
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}
    assert body["error"]["message"]
    return dict(body["error"])


def test_quote_refuses_a_lone_surrogate(tmp_path: Path) -> None:
    f = tmp_path / "basket.json"
    f.write_text("{" + AT + ', "lines": [{"sku": "\\ud800", "category": "x", "unit_price": 100, "qty": 1}]}')
    assert _quote_error(str(f))["code"] == "malformed_json"
    raw = tmp_path / "raw.json"  # the surrogate's bytes as such: not UTF-8
    raw.write_bytes(b'{"lines": [{"sku": "\xed\xa0\x80"}]}')
    assert _quote_error(str(raw))["code"] == "malformed_json"


def test_quote_refuses_utf16(tmp_path: Path) -> None:
    f = tmp_path / "basket.json"
    f.write_text("{" + AT + ', "lines": []}', encoding="utf-16")
    err = _quote_error(str(f))
    assert err["code"] == "malformed_json" and "UTF-16" in err["message"]


@pytest.mark.parametrize("field", ["unit_price", "qty"])
def test_quote_refuses_ten_to_the_4000(tmp_path: Path, field: str) -> None:
    line = {"sku": "a", "category": "x", "unit_price": 100, "qty": 1}
    body = json.dumps({"at": "2026-11-22T10:30:00+08:00", "lines": [line]}).replace(
        f'"{field}": {line[field]}', f'"{field}": 1{"0" * 4000}'
    )
    f = tmp_path / "basket.json"
    f.write_text(body)
    err = _quote_error(str(f))
    assert err["code"] == "invalid_basket" and f"lines[0].{field}" in err["message"]
    huge = "1" + "0" * 4000  # both at once: a product of 8,001 digits, if it were priced
    f.write_text(
        json.dumps({"at": "2026-11-22T10:30:00+08:00", "lines": [line]})
        .replace('"qty": 1', f'"qty": {huge}')
        .replace('"unit_price": 100', f'"unit_price": {huge}')
    )
    assert _quote_error(str(f))["code"] == "invalid_basket"
    f.write_text(body.replace(huge, "1" + "0" * 5000))  # past Python's int parsing limit
    assert _quote_error(str(f))["code"] == "malformed_json"


def test_quote_reads_dev_zero_and_stdin_bounded(tmp_path: Path) -> None:
    assert _quote_error("/dev/zero")["code"] == "too_large"
    assert _quote_error("-", stdin="[" * 3_000_000)["code"] == "too_large"
    assert _quote_error(str(tmp_path))["code"] == "unreadable_file"


# ---------------------------------------------------------------- till scan


def _png(width: int, height: int, rows: bytes | None = None) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    head = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", head)
        + chunk(b"IDAT", rows or zlib.compress(b""))
        + chunk(b"IEND", b"")
    )


def _qr_png(path: Path, text: str) -> None:
    import qrcode

    qrcode.make(text, box_size=8, border=4).save(str(path))


def test_scan_refuses_a_huge_declared_image_and_goes_on(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(_png(65535, 65535))
    assert len(bomb.read_bytes()) < 100
    good = tmp_path / "code.png"
    _qr_png(good, "HELLO-TILL")
    r = run("scan", str(bomb), str(good))
    _clean(r)
    assert r.returncode == 1
    first, second = (json.loads(line) for line in r.stdout.splitlines())
    assert first["path"] == str(bomb) and "pixels" in first["error"] and "not decoded" in first["error"]
    assert second["path"] == str(good) and [c["data"] for c in second["codes"]] == ["HELLO-TILL"]


def test_scan_of_a_20000_square_image_stays_small(tmp_path: Path) -> None:
    big = tmp_path / "big.png"
    side = 20000
    squeeze = zlib.compressobj(1)
    row = b"\x00" * (side + 1)
    idat = b"".join(squeeze.compress(row) for _ in range(side)) + squeeze.flush()
    big.write_bytes(_png(side, side, idat))
    probe = (
        "import resource, subprocess, sys; "
        "r = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
        "print(r.stdout.strip()); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe, str(TILL), "scan", str(big)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout.splitlines()
    line, max_rss_kib = json.loads(out[0]), int(out[1])
    assert "20000×20000 pixels" in line["error"] or "declares more than" in line["error"]
    assert max_rss_kib < 400 * 1024, f"till scan used {max_rss_kib / 1024:.0f} MiB"
