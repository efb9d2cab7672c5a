"""The enrolment QR's text: made by the HQ console, read by every till reader."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.enrolment import BadEnrolQR, enrol_qr_text, looks_like_enrol_qr, read_enrol_qr
from app.domain.scan import ScanKind, classify_scan

hosts = st.from_regex(r"[a-z][a-z0-9-]{0,20}(\.[a-z]{2,6}){1,2}", fullmatch=True)
codes = st.from_regex(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", fullmatch=True)


@given(
    scheme=st.sampled_from(["http", "https"]),
    host=hosts,
    port=st.none() | st.integers(1, 65535),
    path=st.sampled_from(["", "/", "/hq", "/lt/api/"]),
    code=codes,
)
def test_what_the_console_writes_the_till_reads_back(
    scheme: str, host: str, port: int | None, path: str, code: str
) -> None:
    server = f"{scheme}://{host}{f':{port}' if port else ''}{path}"
    qr = read_enrol_qr(enrol_qr_text(server, code))
    assert qr is not None and qr.code == code and qr.server == server.rstrip("/")


def test_the_qr_is_found_after_what_the_field_held_and_around_blanks() -> None:
    text = enrol_qr_text("https://hq.example.com", "ABCD-1234-EFGH")
    for typed in ("https://" + text, f"  {text}\n", text.upper().replace("LOYALTY-TILL", "loyalty-till")):
        assert looks_like_enrol_qr(typed)
    qr = read_enrol_qr("https://" + text)
    assert qr is not None and qr.server == "https://hq.example.com"


@pytest.mark.parametrize(
    "text",
    [
        "loyalty-till:enrol?server=https%3A%2F%2Fhq.example.com",  # no code
        "loyalty-till:enrol?server=https%3A%2F%2Fhq.example.com&code=",
        "loyalty-till:enrol?code=ABCD-1234-EFGH",  # no server
        "loyalty-till:enrol?server=javascript%3Aalert(1)&code=ABCD-1234-EFGH",
        "loyalty-till:enrol?server=https%3A%2F%2F&code=ABCD-1234-EFGH",  # no host
        "loyalty-till:enrol?server=https%3A%2F%2Fhq%3Fx%3D1&code=ABCD",  # a query in the address
        "loyalty-till:enrol?server=https%3A%2F%2Fhq&code=AB%00CD",  # NUL in the code
        "loyalty-till:enrol?" + "x" * 700,
    ],
)
def test_a_damaged_qr_is_refused_with_words(text: str) -> None:
    with pytest.raises(BadEnrolQR) as bad:
        read_enrol_qr(text)
    assert str(bad.value)


@pytest.mark.parametrize("text", ["6901234567892", "13800138000", "https://hq.example.com", "", "loyalty"])
def test_other_text_is_no_enrolment_qr(text: str) -> None:
    assert read_enrol_qr(text) is None
    assert classify_scan(text).kind is not ScanKind.ENROL


def test_the_scan_field_knows_it() -> None:
    scanned = classify_scan(enrol_qr_text("https://hq.example.com", "ABCD-1234-EFGH"))
    assert scanned.kind is ScanKind.ENROL and not scanned.kind.identifies_member
