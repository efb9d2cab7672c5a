"""The enrolment QR the HQ console shows with a terminal's one-time code: one text holding the
server's address and the code, so a till is enrolled by scanning it (a barcode reader into the
address field, the scan field, or `till enrol` given the text) instead of typing both. The
console makes it with `enrol_qr_text`; every till reader takes it with `read_enrol_qr`."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode, urlsplit

PREFIX = "loyalty-till:enrol?"
MAX_LENGTH = 600  # an address and a code; anything longer is not one of ours


class BadEnrolQR(ValueError):
    """The text is an enrolment QR but cannot be used; the message says why."""


@dataclass(frozen=True, slots=True)
class EnrolQR:
    server: str  # http(s)://host[:port][/path], no trailing slash
    code: str


def enrol_qr_text(server: str, code: str) -> str:
    """The QR's text for `code` at `server` (as `read_enrol_qr` reads it back)."""
    return PREFIX + urlencode({"server": server.rstrip("/"), "code": code})


def looks_like_enrol_qr(text: str) -> bool:
    """True when `text` holds an enrolment QR (also after what a field held already, such as
    the `https://` a first-start address field starts with)."""
    return PREFIX in text.lower()


def read_enrol_qr(text: str) -> EnrolQR | None:
    """The server and code an enrolment QR holds; None for any other text; BadEnrolQR for
    one that starts like ours but is damaged (no code, no usable address)."""
    start = text.lower().find(PREFIX)
    if start < 0:
        return None
    text = text[start:].strip()
    if len(text) > MAX_LENGTH:
        raise BadEnrolQR("the enrolment code is too long to be one the HQ console made")
    fields = parse_qs(text[len(PREFIX) :], keep_blank_values=True, max_num_fields=4)
    server = (fields.get("server") or [""])[0].strip().rstrip("/")
    code = (fields.get("code") or [""])[0].strip()
    if not code or not code.isprintable():
        raise BadEnrolQR("the enrolment QR holds no one-time code: show it again in the HQ console")
    parts = urlsplit(server)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise BadEnrolQR("the enrolment QR holds no server address this till can use (http:// or https://)")
    return EnrolQR(server, code)
