from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from server.feedback.i18n import LANGS, STRINGS, pick_language, t
from server.feedback.page import FormValues, page_path, render_form, render_message
from server.feedback.rules import CATEGORIES


@pytest.mark.parametrize(
    ("query", "header", "expected"),
    [
        (None, None, "zh"),
        (None, "en-US,en;q=0.9", "en"),
        (None, "zh-CN,zh;q=0.9,en;q=0.8", "zh"),
        (None, "fr-FR, en;q=0.5, zh;q=0.4", "en"),
        (None, "en;q=0.2, zh-TW;q=0.8", "zh"),
        (None, "de, fr", "zh"),
        (None, "en;q=0, zh;q=0.1", "zh"),
        (None, "en;q=bogus, zh", "zh"),
        ("en", "zh-CN", "en"),
        ("zh", "en-GB", "zh"),
        ("EN", None, "en"),
        ("xx", "en", "en"),  # an unknown ?lang= falls back to the header
    ],
)
def test_pick_language(query: str | None, header: str | None, expected: str) -> None:
    assert pick_language(query, header) == expected


def test_both_languages_have_the_same_keys() -> None:
    assert set(STRINGS["zh"]) == set(STRINGS["en"])
    for lang in LANGS:
        for c in CATEGORIES:
            assert t(lang, f"cat.{c}")
    assert t("en", "star_label", n=3) == "3 of 5 stars"


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


@pytest.mark.parametrize("lang", LANGS)
def test_form_is_self_contained_and_accessible(lang: str) -> None:
    html = render_form(lang, "/f/LTF1.abc.def", "S001-T01-000001")  # type: ignore[arg-type]
    p = _Collect()
    p.feed(html)
    tags = p.tags
    assert ("html", {"lang": "zh-CN" if lang == "zh" else "en"}) in tags
    assert not [a for tag, a in tags if tag in ("script", "link", "img", "iframe")]
    assert "http" not in html  # no external asset of any kind
    radios = [a for tag, a in tags if tag == "input" and a.get("type") == "radio"]
    assert sorted({str(a["name"]) for a in radios}) == ["category", "nps", "stars"]
    assert len([a for a in radios if a["name"] == "stars"]) == 5
    assert len([a for a in radios if a["name"] == "nps"]) == 11
    assert len([a for a in radios if a["name"] == "category"]) == len(CATEGORIES)
    label_for = {a.get("for") for tag, a in tags if tag == "label"}
    assert all(a["id"] in label_for for a in radios)  # every radio has a label
    assert "comment" in label_for
    assert sum(1 for tag, _ in tags if tag == "fieldset") == 3
    assert sum(1 for tag, _ in tags if tag == "legend") == 3
    form = next(a for tag, a in tags if tag == "form")
    assert form["method"] == "post" and form["action"] == f"/f/LTF1.abc.def?lang={lang}"
    assert '<meta name="viewport"' in html
    assert t(lang, "title") in html  # type: ignore[arg-type]


def test_form_keeps_values_and_shows_errors_escaped() -> None:
    values = FormValues(stars="2", nps="7", category="stock", comment="<script>x</script>", errors=("nps",))
    html = render_form("en", "/f/tok", "R<1>", values)
    assert "<script>" not in html and "&lt;script&gt;" in html and "R&lt;1&gt;" in html
    assert 'id="stars-2" name="stars" value="2" checked' in html
    assert 'id="category-stock" name="category" value="stock" checked' in html
    assert 'role="alert"' in html and t("en", "err.nps") in html


@pytest.mark.parametrize("kind", ["thanks", "already", "refused", "closed"])
def test_messages_in_both_languages(kind: str) -> None:
    zh = render_message("zh", kind)
    en = render_message("en", kind)
    assert t("zh", f"{kind}_title") in zh and t("en", f"{kind}_title") in en
    assert re.search(r'<html lang="zh-CN">', zh) and re.search(r'<html lang="en">', en)


def test_page_path_quotes_a_forged_token() -> None:
    assert page_path("LTF1.a-b_c.d") == "/f/LTF1.a-b_c.d"
    assert page_path('x"><script>') == "/f/x%22%3E%3Cscript%3E"
