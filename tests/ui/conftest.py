"""UI fixtures: the till's services wrapped in the GUI-thread guard, and a clean worker."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("pytestqt")


@pytest.fixture
def violations() -> Iterator[list[str]]:
    """Calls to a service that ran on the GUI thread; any at all fails the test."""
    found: list[str] = []
    yield found
    assert not found, "slow work ran on the GUI thread:\n" + "\n".join(found)


@pytest.fixture
def printer_home(till) -> Path:  # type: ignore[no-untyped-def]
    return Path(till.home)


@pytest.fixture
def services(till, violations):  # type: ignore[no-untyped-def]
    """The real use cases on the test till (file printer in its home), behind the guard."""
    from hardware.printer.factory import make_printer
    from ui.services import TillServices
    from ui.threadguard import GuiThreadGuard

    real = TillServices(till, make_printer(till.config.printer, till.home))
    return GuiThreadGuard(real, violations)


@pytest.fixture(autouse=True)
def _idle_worker(qapp) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """No operation of one test is still running when the next starts (or the till closes)."""
    yield
    from ui.ops import wait_idle

    wait_idle(10_000)
