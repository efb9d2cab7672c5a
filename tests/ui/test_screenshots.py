"""`till screenshots DIR`: every main screen, both languages, from a temporary demo till."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QImage

from till.cli import main


def test_screenshots_of_every_main_screen_in_both_languages(qapp, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["screenshots", str(tmp_path / "shots"), "--size", "1024x768"]) == 0
    names = {p.name for p in (tmp_path / "shots").glob("*.png")}
    for lang in ("zh_CN", "en"):
        for screen in (
            "login",
            "checkout",
            "customer-display",
            "price-change",
            "history",
            "new-member",
            "refund",
            "shift-close",
        ):
            assert f"{screen}-{lang}-1024x768.png" in names
        for slip in ("slip-refund", "slip-x-report"):  # the printed slips, 80 mm
            assert f"{slip}-{lang}.png" in names
            assert QImage(str(tmp_path / "shots" / f"{slip}-{lang}.png")).width() == 576
    image = QImage(str(tmp_path / "shots" / "checkout-en-1024x768.png"))
    assert (image.width(), image.height()) == (1024, 768)
    for name in (n for n in names if not n.startswith("slip-")):  # no dialog is larger than the screen
        shot = QImage(str(tmp_path / "shots" / name))
        assert shot.width() <= 1024 and shot.height() <= 768, name
    assert str(tmp_path / "shots" / "checkout-zh_CN-1024x768.png") in capsys.readouterr().out
