"""Languages: Qt's translation system with `.ts` sources in resources/translations.

Each UI module makes its translator once, ``tr = translator("Checkout")``, and writes
``tr("Pay")`` with a literal string; ``N_("...")`` marks a string translated later (tables of
messages). ``python -m ui.ts_update`` collects both into the `.ts` files. The `.qm` files are
built from the `.ts` sources by ``lrelease`` into the till's home (``ensure_qm``) at first run
or by the setup script, never committed.

Money is shown as ¥ with two decimals in both languages (the till sells in renminbi).
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QTranslator

from app.domain.money import format_fen
from ui.checkout_text import parse_yuan

log = logging.getLogger(__name__)

__all__ = ["LANGUAGES", "N_", "Languages", "ensure_qm", "money", "parse_yuan", "translator"]

LANGUAGES = ("zh_CN", "en")
TS_DIR = Path(__file__).resolve().parent.parent / "resources" / "translations"
QM_DIR_NAME = "translations"


def translator(context: str) -> Callable[[str], str]:
    def tr(text: str) -> str:
        return QCoreApplication.translate(context, text)

    return tr


def N_(text: str) -> str:  # the gettext name for "translate later"
    return text


def money(fen: int) -> str:
    """`¥1,234.50`, `-¥0.05`."""
    return format_fen(fen)


def _lrelease() -> list[str] | None:
    import PySide6

    bundled = Path(PySide6.__file__).parent / ("lrelease.exe" if sys.platform == "win32" else "lrelease")
    if bundled.exists():
        return [str(bundled)]
    for name in ("pyside6-lrelease", "lrelease"):
        found = shutil.which(name) or shutil.which(str(Path(sys.executable).parent / name))
        if found:
            return [found]
    return None


def ensure_qm(dest: Path, ts_dir: Path = TS_DIR) -> Path:
    """Build `dest/<lang>.qm` from each `.ts` that is newer than its `.qm` (or has none).
    Returns `dest`. Without lrelease, logs why and leaves the UI in English."""
    dest.mkdir(parents=True, exist_ok=True)
    tool = None
    for ts in sorted(ts_dir.glob("*.ts")):
        qm = dest / (ts.stem + ".qm")
        if qm.exists() and qm.stat().st_mtime >= ts.stat().st_mtime:
            continue
        tool = tool or _lrelease()
        prebuilt = ts.with_suffix(".qm")
        if tool is None and prebuilt.exists():  # the installed bundle ships them built
            shutil.copyfile(prebuilt, qm)
            continue
        if tool is None:
            log.warning("lrelease not found; translations are not built (the UI stays in English)")
            return dest
        done = subprocess.run(
            [*tool, "-silent", str(ts), "-qm", str(qm)], capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            log.warning("lrelease failed on %s: %s", ts, done.stderr.strip())
    return dest


class Languages:
    """Installs one QTranslator and switches it; widgets retranslate on LanguageChange."""

    def __init__(self, qm_dir: Path, language: str = "zh_CN") -> None:
        self.qm_dir = qm_dir
        self.current = language
        self._translator: QTranslator | None = None

    def apply(self, language: str) -> bool:
        """Switch to `language` ("zh_CN" or "en"); False when its `.qm` could not be loaded."""
        app = QCoreApplication.instance()
        assert app is not None
        if self._translator is not None:
            app.removeTranslator(self._translator)
            self._translator = None
        self.current = language
        if language == "en":
            # English is the source language: no translator, but the screens must redraw.
            _announce_change()
            return True
        t = QTranslator(app)
        if not t.load(language, str(self.qm_dir)):
            log.warning("no translation %s in %s", language, self.qm_dir)
            return False
        app.installTranslator(t)
        self._translator = t
        return True

    def uninstall(self) -> None:
        """Remove the translator (when the window closes for good)."""
        app = QCoreApplication.instance()
        if self._translator is not None and app is not None:
            app.removeTranslator(self._translator)
        self._translator = None

    def toggle(self) -> str:
        self.apply("en" if self.current == "zh_CN" else "zh_CN")
        return self.current


def _announce_change() -> None:
    from PySide6.QtCore import QEvent
    from PySide6.QtWidgets import QApplication

    for w in QApplication.allWidgets():
        QCoreApplication.postEvent(w, QEvent(QEvent.Type.LanguageChange))
