"""`till-server staff add|list|disable`: HQ registers which of a store's till staff may
approve adjustments there; the push counts an approval only from them. A real server process
and the CLI as a subprocess, on PostgreSQL."""

from __future__ import annotations

import uuid

import pytest

from tests.server.evil.support import balance, enrolled, results
from tests.server.support import ServerProcess, random_phone
from tests.server.test_catalogue_and_terms import till_server

pytestmark = pytest.mark.postgres


def test_staff_registered_by_the_cli_approve_adjustments_until_disabled(
    server: ServerProcess, db_url: str, store_id: str
) -> None:
    t = enrolled(server, db_url, store_id)
    mid, boss = uuid.uuid4(), uuid.uuid4()
    t.push([t.registration(random_phone(), mid)])
    first = results(t, [t.adjust(mid, 100, approver_id=boss)])[0]
    assert first["result"]["reason"] == "approver_unknown"

    unknown = till_server(db_url, "staff", "list", "--unknown", "--store", store_id)
    assert unknown.returncode == 0, unknown.stderr
    assert f"{store_id}\t{boss}\t1 held" in unknown.stdout

    added = till_server(
        db_url, "staff", "add", str(boss), "--store", store_id, "--role", "supervisor", "--name", "Wang Wei"
    )
    assert added.returncode == 0, added.stderr
    assert "supervisor, active" in added.stdout
    listed = till_server(db_url, "staff", "list", "--store", store_id)
    assert listed.stdout.strip() == f"{store_id}\t{boss}\tsupervisor\tactive\tWang Wei"
    assert str(boss) not in till_server(db_url, "staff", "list", "--unknown").stdout

    applied = results(t, [t.adjust(mid, 100, approver_id=boss)])[0]
    assert "held_for_approval" not in applied["result"]
    assert balance(db_url, mid) == 100

    off = till_server(db_url, "staff", "disable", str(boss), "--store", store_id)
    assert off.returncode == 0, off.stderr
    assert f"{boss}\tsupervisor\tdisabled" in till_server(db_url, "staff", "list").stdout
    held = results(t, [t.adjust(mid, 100, approver_id=boss)])[0]
    assert held["result"]["reason"] == "approver_unknown"
    assert balance(db_url, mid) == 100


def test_staff_cli_refuses_bad_input_with_a_line(db_url: str, store_id: str) -> None:
    bad_id = till_server(db_url, "staff", "add", "not-an-id", "--store", store_id, "--role", "supervisor")
    assert bad_id.returncode == 2 and "is not a staff id" in bad_id.stderr
    no_store = till_server(db_url, "staff", "add", str(uuid.uuid4()), "--store", "NOPE", "--role", "manager")
    assert no_store.returncode == 2 and "no store 'NOPE'" in no_store.stderr
    bad_role = till_server(db_url, "staff", "add", str(uuid.uuid4()), "--store", store_id, "--role", "boss")
    assert bad_role.returncode == 2 and "invalid choice" in bad_role.stderr
    missing = till_server(db_url, "staff", "disable", str(uuid.uuid4()), "--store", store_id)
    assert missing.returncode == 1 and "knows no staff" in missing.stderr
    for out in (bad_id, no_store, bad_role, missing):
        assert "Traceback" not in out.stderr
