"""The declarative base the feedback tables register on: the server core's ``Base``.

Until the core's ``server.models`` exists, a stand-in base keeps this package importable and
testable on its own. Remove the fallback once the core has landed.
"""

from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase

try:
    from server.models import Base
except ModuleNotFoundError:  # the core has not landed yet

    class Base(DeclarativeBase):  # type: ignore[no-redef]
        pass


__all__ = ["Base"]
