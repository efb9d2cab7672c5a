"""Fuzz the intel and KPI operations of the published OpenAPI schema: whatever the path,
query or body, the answer is never a 5xx."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from tests.server.conftest import HQ_TOKEN
from tests.server.support import ServerProcess

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


def test_intel_api_fuzz_never_5xx(intel_server: ServerProcess) -> None:
    schema = schemathesis.openapi.from_url(intel_server.url + "/openapi.json")
    operations = [op.ok() for op in schema.get_all_operations()]
    operations = [op for op in operations if op.path.startswith(("/api/v1/intel", "/api/v1/kpi"))]
    assert any(op.path.endswith("/bought-with") for op in operations)
    failures: list[str] = []
    for op in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            strategy = op.as_strategy(generation_mode=mode)

            @settings(
                max_examples=8,
                deadline=None,
                derandomize=True,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            @given(case=strategy)
            def run(case: Any) -> None:
                headers = {"Authorization": f"Bearer {HQ_TOKEN}"} if hash(repr(case.body)) % 4 else {}
                response = case.call(base_url=intel_server.url, headers=headers, timeout=30)
                if response.status_code >= 500:
                    failures.append(
                        f"{case.method} {case.formatted_path} {case.query} "
                        f"{str(case.body)[:200]!r}: "
                        f"{response.status_code} {response.text[:200]}"
                    )

            try:
                run()
            except Unsatisfiable:
                continue
    assert not failures, "\n".join(failures[:10])
