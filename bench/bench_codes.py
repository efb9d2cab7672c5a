"""Rough throughput of signing/verifying member codes and hashing the audit chain.

Run: .venv/bin/python bench/bench_codes.py  (not a test; numbers depend on the machine)
"""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime

from app.domain.audit import next_record, verify_chain
from app.domain.codes import (
    Keyring,
    SigningKey,
    issue_feedback_token,
    issue_member_code,
    verify_feedback_token,
    verify_member_code,
)


def rate(label: str, n: int, fn: object) -> None:
    start = time.perf_counter()
    for _ in range(n):
        fn()  # type: ignore[operator]
    elapsed = time.perf_counter() - start
    print(f"{label:<28} {n / elapsed:>10,.0f}/s  ({elapsed / n * 1e6:,.0f} µs each)")


def main() -> None:
    key = SigningKey.generate("s001.t01")
    ring = Keyring([key.public()])
    now = datetime.now(UTC)
    member = uuid.uuid4()
    code = issue_member_code(member, key, now)
    token = issue_feedback_token("S001", "T01", uuid.uuid4(), "S001-T01-000123", key, now)
    rate("issue_member_code", 5000, lambda: issue_member_code(member, key, now))
    rate("verify_member_code", 5000, lambda: verify_member_code(code, ring, now))
    rate("verify_feedback_token", 5000, lambda: verify_feedback_token(token, ring))

    records = []
    prev = None
    start = time.perf_counter()
    for i in range(20000):
        prev = next_record(
            prev,
            at=now,
            terminal_id="T01",
            actor_id=None,
            action="sale",
            subject=str(i),
            details={"total_fen": i},
        )
        records.append(prev)
    built = time.perf_counter() - start
    start = time.perf_counter()
    assert verify_chain(records) == []
    checked = time.perf_counter() - start
    print(f"audit: build 20k in {built:.2f}s, verify 20k in {checked:.2f}s")


if __name__ == "__main__":
    main()
