"""Ids are UUIDv7, made where the record is born (app.domain.ids.new_id): time-ordered, so
rows cluster by age in every index (tests/unit/test_money_ids_config.py checks new_id). A
random uuid4 in the product's code is a slip."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("app", "server", "sync", "till", "ui", "hardware")


def test_no_product_code_makes_random_uuid4_ids() -> None:
    slips = [
        f"{path.relative_to(ROOT)}:{n}"
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if re.search(r"\buuid4\(", line)
    ]
    assert slips == []
