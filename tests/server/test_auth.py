"""Enrolment and terminal credentials: one-time codes, revoked terminals, a second device."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import requests

from sync.protocol import API_PREFIX
from tests.server.support import ROOT, ServerProcess, Till, enrol_code

pytestmark = pytest.mark.postgres


def test_enrol_code_is_one_time(server: ServerProcess, db_url: str, store_id: str) -> None:
    t = Till(server.url, db_url, store_id)
    code = enrol_code(db_url, store_id, t.terminal_id)
    body = {
        "code": code,
        "device_id": t.device_id,
        "key_id": t.key.key_id,
        "public_key": t.key.public().to_base64(),
    }
    first = requests.post(server.url + API_PREFIX + "/enrol", json=body, timeout=5)
    assert first.status_code == 200
    assert first.json()["terminal_id"] == t.terminal_id and first.json()["store_id"] == store_id
    again = requests.post(server.url + API_PREFIX + "/enrol", json=body, timeout=5)
    assert again.status_code == 401 and again.json()["code"] == "bad_enrol_code"


def test_calls_need_credentials(server: ServerProcess) -> None:
    url = server.url + API_PREFIX + "/sync/pull"
    assert requests.post(url, json={"cursor": 0}, timeout=5).status_code == 401
    r = requests.post(
        url,
        json={"cursor": 0},
        timeout=5,
        headers={"Authorization": "Bearer nope", "X-Device-Id": "abcdefgh"},
    )
    assert r.status_code == 401 and r.json()["code"] == "unauthenticated"


def test_second_device_is_refused(server: ServerProcess, db_url: str, store_id: str) -> None:
    t = Till(server.url, db_url, store_id)
    t.enrol()
    assert t.pull_all() is not None
    thief = {**t.headers(), "X-Device-Id": "another-device-1234"}
    r = requests.post(
        t.base + "/sync/push",
        json={"events": [], "till_time": "2026-01-01T00:00:00+00:00"},
        headers=thief,
        timeout=5,
    )
    assert r.status_code == 409 and r.json()["code"] == "device_conflict"
    assert t.push([])["results"] == []  # the first device carries on


def test_revoked_terminal_is_refused_and_others_told(
    server: ServerProcess, db_url: str, store_id: str
) -> None:
    t, other = Till(server.url, db_url, store_id), Till(server.url, db_url, store_id)
    t.enrol()
    other.enrol()
    other.pull_all()
    env = {**os.environ, "LT_SERVER_DATABASE_URL": db_url}
    out = subprocess.run(
        [sys.executable, "-m", "server.cli", "terminal", "revoke", t.terminal_id],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert out.returncode == 0, out.stderr
    r = t.push_raw([])
    assert r.status_code == 403 and r.json()["code"] == "terminal_revoked"
    revoked = [c for c in other.pull_all() if c["entity"] == "revocation"]
    assert {"kind": "key", "value": t.key.key_id} in [c["data"] for c in revoked]


def test_cli_enroll_prints_a_code_and_bad_settings_are_clear(db_url: str, store_id: str) -> None:
    env = {**os.environ, "LT_SERVER_DATABASE_URL": db_url}
    run = [sys.executable, "-m", "server.cli"]
    assert subprocess.run([*run, "store", "add", store_id], cwd=ROOT, env=env, timeout=30).returncode == 0
    out = subprocess.run(
        [*run, "terminal", "enroll", "T9", "--store", store_id],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert out.returncode == 0
    code = out.stdout.strip().splitlines()[-1]
    assert len(code.replace("-", "")) == 12
    bad = subprocess.run(
        [*run, "keys"],
        cwd=ROOT,
        env={**env, "LT_SERVER_DATABASE_URL": "mysql://x"},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert bad.returncode == 2 and "LT_SERVER_DATABASE_URL" in bad.stderr
