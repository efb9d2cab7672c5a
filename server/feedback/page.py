"""Server-rendered HTML for the feedback page: small, mobile-first, accessible, no script.

Everything is inline (one ``<style>`` block, no fonts, images or scripts from elsewhere), so the
page works on a slow phone connection, without JavaScript, and under a strict CSP (see
:data:`SECURITY_HEADERS`). Choices are native radio buttons inside ``<fieldset>``/``<legend>``,
so screen readers and keyboards get them for free. Every value that is not ours is escaped.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from html import escape
from typing import Final
from urllib.parse import quote

from server.feedback.i18n import LANGS, Lang, html_lang, t
from server.feedback.rules import CATEGORIES, NPS_RANGE, STAR_RANGE

__all__ = [
    "COMMENT_MAX",
    "SECURITY_HEADERS",
    "FormValues",
    "render_form",
    "render_message",
]

COMMENT_MAX: Final = 1000

# The token in the URL is a capability: never send it on as a Referer, never cache the page.
SECURITY_HEADERS: Final[Mapping[str, str]] = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; "
        "base-uri 'none'; frame-ancestors 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}

_CSS: Final = """
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;
color:#1c1c1c;background:#f5f5f2}
main{max-width:34rem;margin:0 auto;padding:1rem}
h1{font-size:1.4rem;margin:.5rem 0}
p{margin:.5rem 0}
.lang{text-align:right;margin:0}
.lang a{color:#0b57d0}
.muted{color:#555;font-size:.9rem}
fieldset{border:0;margin:1.25rem 0;padding:0}
legend{font-weight:600;margin-bottom:.5rem;padding:0}
.choices{display:flex;flex-wrap:wrap;gap:.4rem}
.choices input{position:absolute;opacity:0;width:1px;height:1px}
.choices label{display:inline-block;min-width:2.75rem;min-height:2.75rem;padding:.55rem .7rem;
border:2px solid #8a8a8a;border-radius:.5rem;background:#fff;text-align:center;cursor:pointer}
.choices input:checked+label{background:#0b57d0;border-color:#0b57d0;color:#fff}
.choices input:focus-visible+label{outline:3px solid #f9ab00;outline-offset:2px}
.stars label{font-size:1.1rem}
.scale{display:flex;justify-content:space-between;font-size:.85rem;color:#555}
textarea{width:100%;min-height:7rem;font:inherit;padding:.5rem;border:2px solid #8a8a8a;
border-radius:.5rem}
textarea:focus{outline:3px solid #f9ab00}
button{width:100%;margin-top:1rem;padding:.8rem;font:inherit;font-weight:600;color:#fff;
background:#0b57d0;border:0;border-radius:.5rem;cursor:pointer}
button:focus-visible{outline:3px solid #f9ab00;outline-offset:2px}
.errors{border:2px solid #b3261e;background:#fdecea;border-radius:.5rem;padding:.5rem 1rem}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%);white-space:nowrap}
.card{background:#fff;border-radius:.75rem;padding:1.25rem;margin-top:1rem}
"""


@dataclass(frozen=True, slots=True)
class FormValues:
    """What the customer had filled in (kept when the form comes back with errors)."""

    stars: str = ""
    nps: str = ""
    category: str = ""
    comment: str = ""
    errors: tuple[str, ...] = field(default=())


def _lang_switch(lang: Lang, self_path: str) -> str:
    other = next(x for x in LANGS if x != lang)
    href = escape(f"{self_path}?lang={other}")
    return (
        f'<p class="lang"><a href="{href}" hreflang="{html_lang(other)}" '
        f'lang="{html_lang(other)}">{escape(t(lang, "switch"))}</a></p>'
    )


def _document(lang: Lang, title: str, body: str) -> str:
    return (
        "<!doctype html>\n"
        f'<html lang="{html_lang(lang)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        '<meta name="robots" content="noindex,nofollow">'
        '<meta name="referrer" content="no-referrer">'
        f"<title>{escape(title)}</title><style>{_CSS}</style></head>"
        f"<body><main>{body}</main></body></html>\n"
    )


def _radios(name: str, options: list[tuple[str, str, str]], checked: str, extra_class: str = "") -> str:
    """``options``: (value, visible text, accessible label)."""
    items = []
    for value, text, aria in options:
        ident = f"{name}-{value}"
        mark = " checked" if value == checked else ""
        shown = (
            f'<span aria-hidden="true">{escape(text)}</span><span class="sr">{escape(aria)}</span>'
            if aria
            else escape(text)
        )
        items.append(
            f'<input type="radio" id="{ident}" name="{name}" value="{escape(value)}"{mark}>'
            f'<label for="{ident}">{shown}</label>'
        )
    return f'<div class="choices {extra_class}">{"".join(items)}</div>'


def render_form(lang: Lang, self_path: str, receipt_no: str, values: FormValues | None = None) -> str:
    """The form. ``self_path`` is the page's own path (``/f/<token>``), used for the language
    link and the form's action so that the chosen language sticks on submit."""
    v = values or FormValues()
    parts = [_lang_switch(lang, self_path), f'<h1 id="title">{escape(t(lang, "title"))}</h1>']
    parts.append(f"<p>{escape(t(lang, 'intro'))}</p>")
    parts.append(f'<p class="muted">{escape(t(lang, "receipt"))}: {escape(receipt_no)}</p>')
    if v.errors:
        items = "".join(f"<li>{escape(t(lang, 'err.' + e))}</li>" for e in v.errors)
        parts.append(
            f'<div class="errors" role="alert" id="errors"><p>{escape(t(lang, "errors_title"))}</p>'
            f"<ul>{items}</ul></div>"
        )
    action = escape(f"{self_path}?lang={lang}")
    stars = [(str(n), "★" * n, t(lang, "star_label", n=n)) for n in STAR_RANGE]
    nps = [(str(n), str(n), "") for n in NPS_RANGE]
    cats = [(c, t(lang, f"cat.{c}"), "") for c in CATEGORIES]
    parts.append(
        f'<form method="post" action="{action}" accept-charset="utf-8" aria-labelledby="title">'
        f'<input type="hidden" name="lang" value="{lang}">'
        f"<fieldset><legend>{escape(t(lang, 'stars_legend'))}</legend>"
        f"{_radios('stars', stars, v.stars, 'stars')}</fieldset>"
        f"<fieldset><legend>{escape(t(lang, 'nps_legend'))}</legend>"
        f"{_radios('nps', nps, v.nps)}"
        f'<div class="scale" aria-hidden="true"><span>0 {escape(t(lang, "nps_low"))}</span>'
        f"<span>10 {escape(t(lang, 'nps_high'))}</span></div></fieldset>"
        f"<fieldset><legend>{escape(t(lang, 'category_legend'))}</legend>"
        f"{_radios('category', cats, v.category)}</fieldset>"
        f'<p><label for="comment"><b>{escape(t(lang, "comment_label"))}</b></label></p>'
        f'<textarea id="comment" name="comment" maxlength="{COMMENT_MAX}" '
        f'aria-describedby="comment-hint">{escape(v.comment)}</textarea>'
        f'<p class="muted" id="comment-hint">{escape(t(lang, "comment_hint"))}</p>'
        f'<button type="submit" id="submit">{escape(t(lang, "submit"))}</button>'
        "</form>"
    )
    return _document(lang, t(lang, "title"), "".join(parts))


def render_message(lang: Lang, kind: str, self_path: str | None = None, *, extra: str | None = None) -> str:
    """A short page: ``kind`` is ``thanks``, ``already``, ``refused`` or ``closed``; ``extra``
    names one more string key to show (e.g. ``thanks_ticket``)."""
    title = t(lang, f"{kind}_title")
    body = [_lang_switch(lang, self_path)] if self_path else []
    body.append(
        f'<div class="card" id="{escape(kind)}" role="status"><h1>{escape(title)}</h1>'
        f"<p>{escape(t(lang, f'{kind}_body'))}</p>"
    )
    if extra:
        body.append(f"<p>{escape(t(lang, extra))}</p>")
    body.append("</div>")
    return _document(lang, title, "".join(body))


def page_path(token: str, prefix: str = "/f") -> str:
    """The page's own path for a token (URL-safe already; quoted anyway for a forged one)."""
    return f"{prefix}/{quote(token, safe='')}"
