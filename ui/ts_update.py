"""Collect the UI's strings into the Qt `.ts` sources: ``python -m ui.ts_update``.

A module's context is the argument of its ``translator("...")``; its strings are the literal
first arguments of ``tr(...)`` and ``N_(...)``. Existing translations are kept; strings no
longer used are marked obsolete, as lupdate does.
"""

from __future__ import annotations

import ast
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from ui.i18n import LANGUAGES, TS_DIR

UI_DIR = Path(__file__).resolve().parent


def collect(ui_dir: Path = UI_DIR) -> dict[str, list[str]]:
    """context -> source strings, in order of first use."""
    found: dict[str, list[str]] = {}
    for path in sorted(ui_dir.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        context = _declared_context(tree)
        strings: list[str] = []
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
                continue
            arg = node.args[0] if node.args else None
            if not isinstance(arg, ast.Constant) or not isinstance(arg.value, str):
                continue
            if node.func.id == "translator":
                context = arg.value
            elif node.func.id in ("tr", "N_", "tx"):
                strings.append(arg.value)
        if context and strings:
            bucket = found.setdefault(context, [])
            bucket.extend(s for s in dict.fromkeys(strings) if s not in bucket)
    return found


def _declared_context(tree: ast.Module) -> str | None:
    """A Qt-free module names its context as ``TR_CONTEXT = "..."`` (its ``tx(...)`` texts
    are translated by a screen of that context)."""
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and node.targets[0].id == "TR_CONTEXT"
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        ):
            return node.value.value
    return None


def read_ts(path: Path) -> dict[tuple[str, str], str]:
    if not path.exists():
        return {}
    done: dict[tuple[str, str], str] = {}
    for ctx in ET.parse(path).getroot().iter("context"):
        name = ctx.findtext("name") or ""
        for msg in ctx.iter("message"):
            t = msg.find("translation")
            if t is not None and t.text and t.get("type") not in ("unfinished", "obsolete", "vanished"):
                done[(name, msg.findtext("source") or "")] = t.text
    return done


def write_ts(
    path: Path, language: str, strings: dict[str, list[str]], translations: dict[tuple[str, str], str]
) -> int:
    """Write `path`; returns how many strings have no translation (English needs none)."""
    root = ET.Element("TS", version="2.1", language=language, sourcelanguage="en")
    missing = 0
    for context in sorted(strings):
        c = ET.SubElement(root, "context")
        ET.SubElement(c, "name").text = context
        for source in strings[context]:
            m = ET.SubElement(c, "message")
            ET.SubElement(m, "source").text = source
            t = ET.SubElement(m, "translation")
            text = translations.get((context, source))
            if language == "en":
                t.text = source
            elif text:
                t.text = text
            else:
                t.set("type", "unfinished")
                missing += 1
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    path.write_text('<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n' + body + "\n", encoding="utf-8")
    return missing


def main() -> int:
    strings = collect()
    TS_DIR.mkdir(parents=True, exist_ok=True)
    status = 0
    for lang in LANGUAGES:
        path = TS_DIR / f"{lang}.ts"
        missing = write_ts(path, lang, strings, read_ts(path))
        print(f"{path}: {sum(len(v) for v in strings.values())} strings, {missing} untranslated")
        status |= bool(missing)
    return status


if __name__ == "__main__":
    sys.exit(main())
