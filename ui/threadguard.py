"""A guard that catches slow work on the GUI thread.

``GuiThreadGuard(services)`` stands in for the services object given to the views: every
method call made on the GUI thread is recorded in ``violations`` and raises
``GuiThreadViolation``. Tests wrap the services in it (and fail when anything was recorded);
``TILL_THREAD_GUARD=1`` does the same in the running app, for development.
"""

from __future__ import annotations

import functools
import traceback
from collections.abc import Callable
from typing import Any

from ui.ops import is_gui_thread


class GuiThreadViolation(AssertionError):
    """A service method (database, printer, PIN hash) was called on the GUI thread."""


class GuiThreadGuard:
    def __init__(self, target: object, violations: list[str] | None = None) -> None:
        self._target = target
        self.violations: list[str] = [] if violations is None else violations

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._target, name)
        if not callable(value):
            return value
        return self._guarded(name, value)

    def _guarded(self, name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def call(*args: Any, **kwargs: Any) -> Any:
            if is_gui_thread():
                where = "".join(traceback.format_stack(limit=6)[:-1])
                self.violations.append(f"{name}() ran on the GUI thread:\n{where}")
                raise GuiThreadViolation(f"{name}() must not run on the GUI thread; use ui.ops.Op")
            return fn(*args, **kwargs)

        return call
