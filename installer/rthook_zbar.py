"""PyInstaller runtime hook: pyzbar looks zbar up with ctypes.util.find_library, which knows
only the system's library folders; the bundle carries its own libzbar beside the program."""

import ctypes.util
import os
import sys

_find_library = ctypes.util.find_library


def _find_bundled(name: str) -> str | None:
    if name == "zbar":
        for candidate in ("libzbar.so.0", "libzbar-64.dll", "libzbar.dylib"):
            path = os.path.join(getattr(sys, "_MEIPASS", ""), candidate)
            if os.path.exists(path):
                return path
    return _find_library(name)


ctypes.util.find_library = _find_bundled
