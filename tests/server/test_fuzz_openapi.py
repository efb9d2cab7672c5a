"""Fuzz the published OpenAPI schema against the running server: whatever the body, headers or
query, the answer is never a 5xx (malformed input is a 4xx, good input a 2xx). Both valid and
invalid (negative) cases are generated for every operation of the whole API, with valid
credentials (a till's token and device id, or HQ's token, as the operation's security scheme
says) and, for some cases, without."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from tests.server.conftest import HQ_TOKEN
from tests.server.support import ServerProcess, Till

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


def test_openapi_fuzz_never_5xx(server: ServerProcess, db_url: str) -> None:
    till = Till(server.url, db_url, "SFUZZ")
    till.enrol()
    schema = schemathesis.openapi.from_url(server.url + "/openapi.json")
    failures: list[str] = []
    operations = [op.ok() for op in schema.get_all_operations()]
    paths = {op.path for op in operations}
    assert {"/api/v1/sync/push", "/api/v1/members/lookup", "/api/v1/conflicts", "/api/v1/tickets"} <= paths
    schemes = schema.raw_schema["components"]["securitySchemes"]
    assert {"terminalToken", "deviceId", "hqToken"} <= set(schemes)
    for op in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            strategy = op.as_strategy(generation_mode=mode)

            @settings(
                max_examples=15,
                deadline=None,
                derandomize=True,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            @given(case=strategy)
            def run(case: Any) -> None:
                hq = any("hqToken" in req for req in case.operation.definition.raw.get("security", []))
                creds = {"Authorization": f"Bearer {HQ_TOKEN}"} if hq else till.headers()
                headers = creds if hash(repr(case.body)) % 3 else {}
                response = case.call(base_url=server.url, headers=headers, timeout=10)
                if response.status_code >= 500:
                    failures.append(
                        f"{case.method} {case.path} {str(case.body)[:200]!r}: "
                        f"{response.status_code} {response.text[:200]}"
                    )

            try:
                run()
            except Unsatisfiable:  # nothing invalid to make (e.g. no parameters at all)
                continue
    assert not failures, "\n".join(failures[:10])
