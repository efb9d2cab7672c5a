"""`till screenshots DIR`: every main screen, both languages, from a temporary demo till."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QImage

from till.cli import main


def test_screenshots_of_every_main_screen_in_both_languages(qapp, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["screenshots", str(tmp_path / "shots")]) == 0
    names = {p.name for p in (tmp_path / "shots").glob("*.png")}
    for lang in ("zh_CN", "en"):
        for screen in ("login", "checkout", "new-member", "refund", "shift-close"):
            assert f"{screen}-{lang}.png" in names
    image = QImage(str(tmp_path / "shots" / "checkout-en.png"))
    assert image.width() >= 1000 and image.height() >= 600
    assert str(tmp_path / "shots" / "checkout-zh_CN.png") in capsys.readouterr().out
