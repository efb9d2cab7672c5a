"""Signed member codes and feedback tokens."""

from __future__ import annotations

import base64
import re
import struct
import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.codes import (
    FEEDBACK_TOKEN_MESSAGES,
    MEMBER_CODE_MESSAGES,
    CodeError,
    Keyring,
    RevocationList,
    SigningKey,
    VerifyKey,
    issue_feedback_token,
    issue_member_code,
    looks_like_feedback_token,
    looks_like_member_code,
    verify_feedback_token,
    verify_member_code,
)

T0 = datetime(2025, 3, 1, 10, 0, 0, tzinfo=UTC)
MEMBER = uuid.UUID("0195a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b")
SALE = uuid.UUID("0195a1b2-c3d4-7e5f-8a9b-000000000001")
KEY = SigningKey.generate("s001.t01")
OTHER = SigningKey.generate("s002.t07")
RING = Keyring([KEY.public(), OTHER.public()])
URL_SAFE = re.compile(r"[A-Za-z0-9._-]+")


def b64d(s: str) -> bytes:
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def b64e(b: bytes) -> str:
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def reason(fn: object, *args: object, **kwargs: object) -> str:
    with pytest.raises(CodeError) as info:
        fn(*args, **kwargs)  # type: ignore[operator]
    assert info.value.message  # every refusal has a human message
    return info.value.reason


# ---------------------------------------------------------------- member codes: happy path


def test_dynamic_code_round_trip() -> None:
    code = issue_member_code(MEMBER, KEY, T0)
    claims = verify_member_code(code, RING, T0)
    assert claims.member_id == MEMBER
    assert claims.key_id == "s001.t01"
    assert claims.issued_at == T0
    assert claims.expires_at == T0 + timedelta(minutes=2)
    assert claims.expires_at is not None
    assert code.startswith("LTM1.")
    assert URL_SAFE.fullmatch(code)
    assert len(code) < 140


def test_static_code_never_expires() -> None:
    code = issue_member_code(MEMBER, KEY, T0, ttl=None)
    claims = verify_member_code(code, RING, T0 + timedelta(days=3650))
    assert claims.expires_at is None


def test_issued_at_is_truncated_to_whole_seconds_and_zone_independent() -> None:
    shanghai = (T0 + timedelta(microseconds=999_999)).astimezone(ZoneInfo("Asia/Shanghai"))
    claims = verify_member_code(issue_member_code(MEMBER, KEY, shanghai), RING, T0)
    assert claims.issued_at == T0
    assert claims.issued_at.tzinfo is UTC


def test_scanner_line_ending_is_ignored() -> None:
    code = issue_member_code(MEMBER, KEY, T0)
    assert verify_member_code(code + "\r\n", RING, T0).member_id == MEMBER


def test_naive_times_are_refused() -> None:
    naive = datetime(2025, 3, 1, 10, 0, 0)
    with pytest.raises(ValueError, match="timezone-aware"):
        issue_member_code(MEMBER, KEY, naive)
    code = issue_member_code(MEMBER, KEY, T0)
    with pytest.raises(ValueError, match="timezone-aware"):
        verify_member_code(code, RING, naive)


@pytest.mark.parametrize("ttl", [timedelta(0), timedelta(milliseconds=500), timedelta(seconds=-5)])
def test_ttl_must_be_at_least_one_second(ttl: timedelta) -> None:
    with pytest.raises(ValueError):
        issue_member_code(MEMBER, KEY, T0, ttl=ttl)


# ---------------------------------------------------------------- validity window and leeway


def test_expired_dynamic_code_is_refused_after_ttl_plus_leeway() -> None:
    code = issue_member_code(MEMBER, KEY, T0, ttl=timedelta(minutes=2))
    edge = T0 + timedelta(minutes=2, seconds=30)
    assert verify_member_code(code, RING, edge).member_id == MEMBER
    assert reason(verify_member_code, code, RING, edge + timedelta(seconds=1)) == "expired"


def test_static_code_is_not_expired_where_dynamic_is() -> None:
    later = T0 + timedelta(hours=1)
    dynamic = issue_member_code(MEMBER, KEY, T0)
    static = issue_member_code(MEMBER, KEY, T0, ttl=None)
    assert reason(verify_member_code, dynamic, RING, later) == "expired"
    assert verify_member_code(static, RING, later).member_id == MEMBER


def test_code_from_the_future_beyond_leeway_is_not_yet_valid() -> None:
    code = issue_member_code(MEMBER, KEY, T0)
    assert verify_member_code(code, RING, T0 - timedelta(seconds=30)).member_id == MEMBER
    assert reason(verify_member_code, code, RING, T0 - timedelta(seconds=31)) == "not_yet_valid"
    static = issue_member_code(MEMBER, KEY, T0, ttl=None)
    assert reason(verify_member_code, static, RING, T0 - timedelta(hours=1)) == "not_yet_valid"


def test_leeway_is_configurable() -> None:
    code = issue_member_code(MEMBER, KEY, T0, ttl=timedelta(seconds=60))
    just_after = T0 + timedelta(seconds=61)
    assert reason(verify_member_code, code, RING, just_after, leeway=timedelta(0)) == "expired"
    assert verify_member_code(code, RING, just_after, leeway=timedelta(seconds=5))
    before = T0 - timedelta(seconds=1)
    assert reason(verify_member_code, code, RING, before, leeway=timedelta(0)) == "not_yet_valid"
    with pytest.raises(ValueError):
        verify_member_code(code, RING, T0, leeway=timedelta(seconds=-1))


# ---------------------------------------------------------------- keys


def test_unknown_key_id() -> None:
    stranger = SigningKey.generate("s009.t99")
    code = issue_member_code(MEMBER, stranger, T0)
    assert reason(verify_member_code, code, RING, T0) == "unknown_key"


def test_wrong_key_under_a_known_key_id_is_a_bad_signature() -> None:
    impostor = SigningKey.generate(KEY.key_id)  # same id, different private key
    code = issue_member_code(MEMBER, impostor, T0)
    assert reason(verify_member_code, code, RING, T0) == "bad_signature"


def test_signature_of_one_key_does_not_verify_under_another() -> None:
    code = issue_member_code(MEMBER, KEY, T0)
    ring = Keyring([VerifyKey(KEY.key_id, OTHER.public().public_bytes)])
    assert reason(verify_member_code, code, ring, T0) == "bad_signature"


def test_signing_key_pem_round_trip_plain_and_encrypted() -> None:
    for password in (None, b"correct horse"):
        pem = KEY.to_private_pem(password)
        assert pem.startswith(b"-----BEGIN")
        loaded = SigningKey.from_private_pem(KEY.key_id, pem, password)
        assert loaded.public() == KEY.public()
        code = issue_member_code(MEMBER, loaded, T0)
        assert verify_member_code(code, RING, T0).member_id == MEMBER
    with pytest.raises((TypeError, ValueError)):
        SigningKey.from_private_pem(KEY.key_id, KEY.to_private_pem(b"pw"), b"wrong")


def test_from_private_pem_refuses_other_key_types() -> None:
    pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    with pytest.raises(ValueError, match="Ed25519"):
        SigningKey.from_private_pem("k1", pem)


def test_signing_key_repr_does_not_leak_the_key() -> None:
    assert repr(KEY) == "SigningKey(key_id='s001.t01')"


@pytest.mark.parametrize("bad", ["", "-lead", "has space", "x" * 41, "ключ", "a/b"])
def test_key_id_rules(bad: str) -> None:
    with pytest.raises(ValueError, match="key id"):
        SigningKey.generate(bad)


def test_keyring_dict_round_trip() -> None:
    data = RING.to_dict()
    assert set(data) == {"s001.t01", "s002.t07"}
    assert all(len(base64.b64decode(v)) == 32 for v in data.values())
    again = Keyring.from_dict(data)
    assert again.to_dict() == data
    assert "s001.t01" in again and len(again) == 2
    assert again.get("s001.t01") == KEY.public()
    assert again.get("nope") is None
    assert [k.key_id for k in again] == again.key_ids() == ["s001.t01", "s002.t07"]


def test_keyring_refuses_rebinding_a_key_id() -> None:
    ring = Keyring([KEY.public()])
    ring.add(KEY.public())  # same key again: fine
    with pytest.raises(ValueError, match="already bound"):
        ring.add(VerifyKey(KEY.key_id, OTHER.public().public_bytes))
    ring.remove(KEY.key_id)
    assert KEY.key_id not in ring


@pytest.mark.parametrize("b64", ["not base64!", base64.b64encode(b"short").decode(), ""])
def test_keyring_from_dict_refuses_bad_keys(b64: str) -> None:
    with pytest.raises(ValueError):
        Keyring.from_dict({"k1": b64})


def test_verify_key_from_base64_round_trip() -> None:
    vk = KEY.public()
    assert VerifyKey.from_base64(vk.key_id, vk.to_base64()) == vk


# ---------------------------------------------------------------- tampering


def _tamper_payload(code: str, offset: int, xor: int = 0x01) -> str:
    _, payload, sig = code.split(".")
    raw = bytearray(b64d(payload))
    raw[offset] ^= xor
    return f"LTM1.{b64e(bytes(raw))}.{sig}"


# payload layout: version 0 | member id 1..16 | issued 17..20 | expires 21..24 | kid len 25 | kid
@pytest.mark.parametrize(
    ("region", "offset", "expected"),
    [
        ("version", 0, {"malformed"}),
        ("member id first byte", 1, {"bad_signature"}),
        ("member id last byte", 16, {"bad_signature"}),
        ("issued-at", 17, {"bad_signature"}),
        ("issued-at low byte", 20, {"bad_signature"}),
        ("expires-at", 22, {"bad_signature"}),
        ("expires-at low byte", 24, {"bad_signature"}),
        ("key id length", 25, {"malformed"}),
        ("key id first char", 26, {"unknown_key", "bad_signature", "malformed"}),
        ("key id last char", -1, {"unknown_key", "bad_signature", "malformed"}),
    ],
)
def test_tampering_with_any_payload_region_is_refused(region: str, offset: int, expected: set[str]) -> None:
    code = issue_member_code(MEMBER, KEY, T0)
    tampered = _tamper_payload(code, offset)
    assert reason(verify_member_code, tampered, RING, T0) in expected, region


def test_extending_expiry_is_a_bad_signature() -> None:
    code = issue_member_code(MEMBER, KEY, T0)
    _, payload, sig = code.split(".")
    raw = bytearray(b64d(payload))
    struct.pack_into(">I", raw, 21, int((T0 + timedelta(days=365)).timestamp()))
    forged = f"LTM1.{b64e(bytes(raw))}.{sig}"
    assert reason(verify_member_code, forged, RING, T0 + timedelta(days=1)) == "bad_signature"


def test_making_a_dynamic_code_static_is_a_bad_signature() -> None:
    code = issue_member_code(MEMBER, KEY, T0)
    _, payload, sig = code.split(".")
    raw = bytearray(b64d(payload))
    struct.pack_into(">I", raw, 21, 0)
    forged = f"LTM1.{b64e(bytes(raw))}.{sig}"
    assert reason(verify_member_code, forged, RING, T0) == "bad_signature"


@pytest.mark.parametrize("offset", [0, 31, 32, 63])
def test_tampering_with_the_signature_is_refused(offset: int) -> None:
    code = issue_member_code(MEMBER, KEY, T0)
    _, payload, sig = code.split(".")
    raw = bytearray(b64d(sig))
    raw[offset] ^= 0x80
    assert reason(verify_member_code, f"LTM1.{payload}.{b64e(bytes(raw))}", RING, T0) in {"bad_signature"}


@pytest.mark.parametrize(
    "text",
    [
        "",
        "LTM1.",
        "LTM1..",
        "LTM1.abc",
        "LTM1.abc.def.ghi",
        "ltm1.AAAA.AAAA",
        "6901234567892",
        "LTM1.!!!!.????",
        "LTM1.AAAA=.AAAA",  # padding is not part of the format
    ],
)
def test_garbage_is_malformed(text: str) -> None:
    assert reason(verify_member_code, text, RING, T0) == "malformed"


def test_truncated_or_extended_payload_is_malformed() -> None:
    code = issue_member_code(MEMBER, KEY, T0)
    _, payload, sig = code.split(".")
    raw = b64d(payload)
    for bad in (raw[:-1], raw + b"x", raw[:10]):
        assert reason(verify_member_code, f"LTM1.{b64e(bad)}.{sig}", RING, T0) == "malformed"
    assert reason(verify_member_code, f"LTM1.{payload}.{sig[:-2]}", RING, T0) == "malformed"


def test_non_canonical_base64_is_malformed() -> None:
    code = issue_member_code(MEMBER, KEY, T0)
    _, payload, sig = code.split(".")
    # 64 bytes -> 86 chars; the last char carries 2 unused bits that must be zero
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    last = alphabet.index(sig[-1])
    sibling = alphabet[last ^ 1]
    assert b64d(sig[:-1] + sibling) == b64d(sig)  # decodes to the same bytes...
    assert reason(verify_member_code, f"LTM1.{payload}.{sig[:-1]}{sibling}", RING, T0) == (
        "malformed"  # ...but is refused anyway
    )


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_any_single_character_change_is_refused(data: st.DataObject) -> None:
    code = issue_member_code(MEMBER, KEY, T0)
    index = data.draw(st.integers(0, len(code) - 1), label="index")
    replacement = data.draw(st.characters(codec="utf-8").filter(lambda c: c != code[index]), label="char")
    changed = code[:index] + replacement + code[index + 1 :]
    with pytest.raises(CodeError):
        verify_member_code(changed, RING, T0)


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_any_single_byte_change_in_payload_or_signature_is_refused(data: st.DataObject) -> None:
    code = issue_member_code(MEMBER, KEY, T0)
    _, payload, sig = code.split(".")
    parts = [bytearray(b64d(payload)), bytearray(b64d(sig))]
    which = data.draw(st.integers(0, 1), label="part")
    index = data.draw(st.integers(0, len(parts[which]) - 1), label="index")
    parts[which][index] ^= data.draw(st.integers(1, 255), label="xor")
    changed = f"LTM1.{b64e(bytes(parts[0]))}.{b64e(bytes(parts[1]))}"
    with pytest.raises(CodeError):
        verify_member_code(changed, RING, T0)


# ---------------------------------------------------------------- revocation


def test_revoked_by_member_key_or_code() -> None:
    code = issue_member_code(MEMBER, KEY, T0)
    other_member = issue_member_code(uuid.uuid4(), KEY, T0)
    other_key = issue_member_code(MEMBER, OTHER, T0)
    claims = verify_member_code(code, RING, T0)

    by_member = RevocationList()
    by_member.revoke_member(MEMBER)
    assert reason(verify_member_code, code, RING, T0, by_member) == "revoked"
    assert reason(verify_member_code, other_key, RING, T0, by_member) == "revoked"
    assert verify_member_code(other_member, RING, T0, by_member)

    by_key = RevocationList()
    by_key.revoke_key(KEY.key_id)
    assert reason(verify_member_code, code, RING, T0, by_key) == "revoked"
    assert reason(verify_member_code, other_member, RING, T0, by_key) == "revoked"
    assert verify_member_code(other_key, RING, T0, by_key)

    by_code = RevocationList()
    by_code.revoke_code(claims.code_id)
    assert reason(verify_member_code, code, RING, T0, by_code) == "revoked"
    assert verify_member_code(other_member, RING, T0, by_code)
    # a fresh code for the same member is not caught by a single-code revocation
    fresh = issue_member_code(MEMBER, KEY, T0 + timedelta(seconds=1))
    assert verify_member_code(fresh, RING, T0, by_code)


def test_revoked_static_card() -> None:
    card = issue_member_code(MEMBER, KEY, T0, ttl=None)
    revoked = RevocationList()
    revoked.add("code", verify_member_code(card, RING, T0).code_id)
    assert reason(verify_member_code, card, RING, T0 + timedelta(days=30), revoked) == "revoked"


def test_code_id_is_stable_and_distinct() -> None:
    code = issue_member_code(MEMBER, KEY, T0)
    a = verify_member_code(code, RING, T0).code_id
    b = verify_member_code(code, RING, T0 + timedelta(seconds=10)).code_id
    assert a == b
    assert re.fullmatch(r"[0-9a-f]{20}", a)
    other = issue_member_code(MEMBER, KEY, T0 + timedelta(seconds=1))
    assert verify_member_code(other, RING, T0).code_id != a


def test_revocation_list_dict_round_trip_and_add() -> None:
    rl = RevocationList()
    rl.add("member", str(MEMBER))
    rl.add("key", "s001.t01")
    rl.add("code", "abc")
    data = rl.to_dict()
    assert data == {"member_ids": [str(MEMBER)], "key_ids": ["s001.t01"], "code_ids": ["abc"]}
    assert RevocationList.from_dict(data) == rl
    assert RevocationList.from_dict({}) == RevocationList()
    with pytest.raises(ValueError, match="kind"):
        rl.add("phone", "x")


def test_revocation_outranks_expiry() -> None:
    code = issue_member_code(MEMBER, KEY, T0)
    rl = RevocationList()
    rl.revoke_member(MEMBER)
    assert reason(verify_member_code, code, RING, T0 + timedelta(hours=1), rl) == "revoked"


def test_every_reason_has_a_message() -> None:
    assert set(MEMBER_CODE_MESSAGES) == {
        "malformed",
        "unknown_key",
        "bad_signature",
        "expired",
        "not_yet_valid",
        "revoked",
    }
    with pytest.raises(CodeError) as info:
        verify_member_code("LTM1.x.y", RING, T0)
    assert str(info.value) == MEMBER_CODE_MESSAGES["malformed"]


# ---------------------------------------------------------------- feedback tokens


def _token(**kw: object) -> str:
    args: dict[str, object] = {
        "store_id": "S001",
        "terminal_id": "T01",
        "sale_id": SALE,
        "receipt_no": "S001-T01-000123",
        "key": KEY,
        "issued_at": T0,
    }
    args.update(kw)
    return issue_feedback_token(**args)  # type: ignore[arg-type]


def test_feedback_token_round_trip() -> None:
    token = _token()
    claims = verify_feedback_token(token, RING)
    assert claims.store_id == "S001"
    assert claims.terminal_id == "T01"
    assert claims.sale_id == SALE
    assert claims.receipt_no == "S001-T01-000123"
    assert claims.issued_at == T0
    assert claims.key_id == KEY.key_id
    assert len(claims.nonce) == 16
    assert URL_SAFE.fullmatch(token)
    assert len(token) < 200
    assert len(f"https://loyalty.example.cn/f/{token}") < 230


def test_feedback_token_with_chinese_store_id() -> None:
    claims = verify_feedback_token(_token(store_id="上海徐汇店"), RING)
    assert claims.store_id == "上海徐汇店"


def test_tokens_differ_for_the_same_sale() -> None:
    tokens = {_token() for _ in range(20)}
    assert len(tokens) == 20
    nonces = {verify_feedback_token(t, RING).nonce for t in tokens}
    assert len(nonces) == 20


def test_forged_feedback_token_is_refused() -> None:
    token = _token()
    _, payload, sig = token.split(".")
    raw = b64d(payload)
    forged_raw = raw.replace(b"S001-T01-000123", b"S001-T01-000124")
    assert forged_raw != raw
    forged = f"LTF1.{b64e(forged_raw)}.{sig}"
    assert reason(verify_feedback_token, forged, RING) == "bad_signature"
    impostor = SigningKey.generate(KEY.key_id)
    assert reason(verify_feedback_token, _token(key=impostor), RING) == "bad_signature"


def test_feedback_token_unknown_key() -> None:
    assert reason(verify_feedback_token, _token(key=SigningKey.generate("zz")), RING) == ("unknown_key")


def test_feedback_token_from_revoked_terminal() -> None:
    rl = RevocationList()
    rl.revoke_key(KEY.key_id)
    assert reason(verify_feedback_token, _token(), RING, rl) == "revoked"
    assert verify_feedback_token(_token(key=OTHER), RING, rl)


@pytest.mark.parametrize("text", ["", "LTF1.", "LTF1.a.b", "https://x/f/LTF1.a.b", "LTF1.AAAA.AAAA.AAAA"])
def test_feedback_garbage_is_malformed(text: str) -> None:
    assert reason(verify_feedback_token, text, RING) == "malformed"


def test_feedback_truncated_payload_is_malformed() -> None:
    _, payload, sig = _token().split(".")
    raw = b64d(payload)
    for bad in (raw[:-1], raw + b"\x00", raw[:37]):
        assert reason(verify_feedback_token, f"LTF1.{b64e(bad)}.{sig}", RING) == "malformed"


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_any_single_character_change_to_a_feedback_token_is_refused(data: st.DataObject) -> None:
    token = _token()
    index = data.draw(st.integers(0, len(token) - 1), label="index")
    replacement = data.draw(st.characters(codec="utf-8").filter(lambda c: c != token[index]), label="char")
    with pytest.raises(CodeError):
        verify_feedback_token(token[:index] + replacement + token[index + 1 :], RING)


def test_member_code_and_feedback_token_are_not_interchangeable() -> None:
    code = issue_member_code(MEMBER, KEY, T0)
    token = _token()
    assert reason(verify_member_code, token, RING, T0) == "malformed"
    assert reason(verify_feedback_token, code, RING) == "malformed"
    # same signature bytes under the other prefix: framing or context refuses it
    assert reason(verify_feedback_token, "LTF1." + code[5:], RING) in {"malformed", "bad_signature"}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("store_id", ""),
        ("terminal_id", "x" * 65),
        ("receipt_no", "line\nbreak"),
        ("store_id", "店" * 22),  # 66 bytes in UTF-8
    ],
)
def test_feedback_token_field_rules(field: str, value: str) -> None:
    with pytest.raises(ValueError, match=field):
        _token(**{field: value})


def test_feedback_token_needs_aware_time() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        _token(issued_at=datetime(2025, 3, 1))


def test_feedback_messages_cover_feedback_reasons() -> None:
    assert set(FEEDBACK_TOKEN_MESSAGES) == {"malformed", "unknown_key", "bad_signature", "revoked"}


# ---------------------------------------------------------------- scanner triage


def test_looks_like() -> None:
    code = issue_member_code(MEMBER, KEY, T0)
    token = _token()
    assert looks_like_member_code(code)
    assert looks_like_member_code(" " + code + "\n")
    assert not looks_like_member_code(token)
    assert looks_like_feedback_token(token)
    assert not looks_like_feedback_token(code)
    for barcode in ("6901234567892", "12345678", "", "LTM", "ltm1.abc"):
        assert not looks_like_member_code(barcode)
        assert not looks_like_feedback_token(barcode)
