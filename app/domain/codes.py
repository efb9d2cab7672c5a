"""Signed codes: member QR codes and receipt feedback tokens, Ed25519, verifiable offline.

Formats (version 1). Both are ASCII, URL-safe (``[A-Za-z0-9_.-]``) and short enough for a QR
code on 58 mm paper:

* Member code: ``LTM1.<payload>.<signature>``; both parts unpadded base64url. The payload is
  packed binary::

      version u8 (=1) | member id 16 bytes | issued-at u32 (unix seconds)
      | expires-at u32 (unix seconds, 0 = static code for a printed card)
      | key-id length u8 | key id (ASCII)

  With a 6-character key id a code is about 125 characters.

* Feedback token: ``LTF1.<payload>.<signature>``; the payload is::

      version u8 (=1) | nonce 16 random bytes | sale id 16 bytes | issued-at u32
      | store id, terminal id, receipt no, key id: each length u8 + UTF-8 bytes

  About 190 characters for typical ids.

The signature covers a context string plus the payload (``_MEMBER_CONTEXT`` /
``_FEEDBACK_CONTEXT``), so a signature made for one kind of code can never be replayed as the
other. The key id travels in the signed payload so the verifier picks the right public key from
its :class:`Keyring`. Decoding is strict: non-canonical base64, trailing bytes, wrong lengths or
unknown versions are all "malformed", so any change to any character of a code is refused.

Times are carried in whole unix seconds as u32, which covers 1970 to 2106.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import secrets
import struct
import uuid
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Final, Literal, cast

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from app.domain.clock import require_aware
from app.domain.ids import MemberId, SaleId

__all__ = [
    "DEFAULT_LEEWAY",
    "DEFAULT_MEMBER_CODE_TTL",
    "FEEDBACK_PREFIX",
    "FEEDBACK_TOKEN_MESSAGES",
    "MEMBER_CODE_MESSAGES",
    "MEMBER_CODE_PREFIX",
    "CodeError",
    "CodeErrorReason",
    "FeedbackClaims",
    "Keyring",
    "MemberClaims",
    "RevocationKind",
    "RevocationList",
    "SigningKey",
    "VerifyKey",
    "issue_feedback_token",
    "issue_member_code",
    "looks_like_feedback_token",
    "looks_like_member_code",
    "verify_feedback_token",
    "verify_member_code",
]

MEMBER_CODE_PREFIX: Final = "LTM1."
FEEDBACK_PREFIX: Final = "LTF1."
DEFAULT_MEMBER_CODE_TTL: Final = timedelta(minutes=2)
DEFAULT_LEEWAY: Final = timedelta(seconds=30)

_VERSION: Final = 1
_MEMBER_CONTEXT: Final = b"loyalty-till member-code v1\x00"
_FEEDBACK_CONTEXT: Final = b"loyalty-till feedback-token v1\x00"
_MEMBER_HEAD: Final = struct.Struct(">B16sIIB")  # version, member id, issued, expires, kid len
_FEEDBACK_HEAD: Final = struct.Struct(">B16s16sI")  # version, nonce, sale id, issued
_SIG_LEN: Final = 64
_PUBLIC_KEY_LEN: Final = 32
_NONCE_LEN: Final = 16
_U32_MAX: Final = 2**32 - 1
_LABEL_MAX_BYTES: Final = 64

_KEY_ID_RE: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,39}")
_B64URL_RE: Final = re.compile(r"[A-Za-z0-9_-]*")

# ---------------------------------------------------------------- errors

CodeErrorReason = Literal["malformed", "unknown_key", "bad_signature", "expired", "not_yet_valid", "revoked"]

# Human messages for the cashier, kept as constants so the UI can translate them by reason.
MSG_MEMBER_MALFORMED: Final = (
    "This is not a valid member code. Ask the customer to show it again, "
    "or look the member up by phone number."
)
MSG_MEMBER_UNKNOWN_KEY: Final = (
    "This member code comes from a terminal this till does not know yet. "
    "Sync the till, or look the member up by phone number."
)
MSG_MEMBER_BAD_SIGNATURE: Final = "This member code is not genuine. Look the member up by phone number."
MSG_MEMBER_EXPIRED: Final = (
    "This member code has expired. Ask the customer to refresh the code on their phone."
)
MSG_MEMBER_NOT_YET_VALID: Final = (
    "This member code is dated in the future. Check the till's clock, or look the member up by phone number."
)
MSG_MEMBER_REVOKED: Final = "This member code or card has been blocked. Look the member up by phone number."
MSG_FEEDBACK_MALFORMED: Final = "This is not a valid feedback code."
MSG_FEEDBACK_UNKNOWN_KEY: Final = "This feedback code comes from a terminal that is not known."
MSG_FEEDBACK_BAD_SIGNATURE: Final = "This feedback code is not genuine."
MSG_FEEDBACK_REVOKED: Final = "This feedback code comes from a terminal that has been blocked."

MEMBER_CODE_MESSAGES: Final[Mapping[CodeErrorReason, str]] = {
    "malformed": MSG_MEMBER_MALFORMED,
    "unknown_key": MSG_MEMBER_UNKNOWN_KEY,
    "bad_signature": MSG_MEMBER_BAD_SIGNATURE,
    "expired": MSG_MEMBER_EXPIRED,
    "not_yet_valid": MSG_MEMBER_NOT_YET_VALID,
    "revoked": MSG_MEMBER_REVOKED,
}
FEEDBACK_TOKEN_MESSAGES: Final[Mapping[CodeErrorReason, str]] = {
    "malformed": MSG_FEEDBACK_MALFORMED,
    "unknown_key": MSG_FEEDBACK_UNKNOWN_KEY,
    "bad_signature": MSG_FEEDBACK_BAD_SIGNATURE,
    "revoked": MSG_FEEDBACK_REVOKED,
}


class CodeError(Exception):
    """A scanned code was refused.

    ``reason`` is a stable machine code (see :data:`CodeErrorReason`); ``message`` is an English
    sentence for the cashier (translate by ``reason``); ``detail`` is for logs only and may
    mention internals, never show it to a customer.
    """

    def __init__(self, reason: CodeErrorReason, message: str, detail: str = "") -> None:
        super().__init__(message)
        self.reason: CodeErrorReason = reason
        self.message = message
        self.detail = detail

    def __repr__(self) -> str:
        return f"CodeError(reason={self.reason!r}, detail={self.detail!r})"


def _member_error(reason: CodeErrorReason, detail: str = "") -> CodeError:
    return CodeError(reason, MEMBER_CODE_MESSAGES[reason], detail)


def _feedback_error(reason: CodeErrorReason, detail: str = "") -> CodeError:
    return CodeError(reason, FEEDBACK_TOKEN_MESSAGES[reason], detail)


# ---------------------------------------------------------------- keys


def _check_key_id(key_id: str) -> str:
    if not isinstance(key_id, str) or not _KEY_ID_RE.fullmatch(key_id):
        raise ValueError(
            "key id must be 1-40 ASCII characters from A-Z a-z 0-9 . _ : - "
            f"starting with a letter or digit, got {key_id!r}"
        )
    return key_id


@dataclass(frozen=True, slots=True)
class VerifyKey:
    """A public Ed25519 key (raw 32 bytes) and the id codes use to name it."""

    key_id: str
    public_bytes: bytes

    def __post_init__(self) -> None:
        _check_key_id(self.key_id)
        if not isinstance(self.public_bytes, bytes) or len(self.public_bytes) != _PUBLIC_KEY_LEN:
            raise ValueError("an Ed25519 public key is 32 raw bytes")
        Ed25519PublicKey.from_public_bytes(self.public_bytes)  # rejects invalid points

    def verify(self, signature: bytes, data: bytes) -> bool:
        try:
            Ed25519PublicKey.from_public_bytes(self.public_bytes).verify(signature, data)
        except InvalidSignature:
            return False
        return True

    def to_base64(self) -> str:
        """Standard base64 of the raw 32-byte key."""
        return base64.b64encode(self.public_bytes).decode("ascii")

    @classmethod
    def from_base64(cls, key_id: str, b64: str) -> VerifyKey:
        """Inverse of :meth:`to_base64`; raises ``ValueError`` on bad input."""
        if not isinstance(b64, str):
            raise ValueError(f"public key for {key_id!r} must be a base64 string")
        try:
            raw = base64.b64decode(b64, validate=True)
        except binascii.Error as exc:
            raise ValueError(f"public key for {key_id!r} is not valid base64") from exc
        return cls(key_id, raw)


class SigningKey:
    """A terminal's private Ed25519 key. Never logged: ``repr`` shows the key id only."""

    __slots__ = ("_private", "key_id")

    def __init__(self, key_id: str, private_key: Ed25519PrivateKey) -> None:
        if not isinstance(private_key, Ed25519PrivateKey):
            raise TypeError("SigningKey needs an Ed25519 private key")
        self.key_id: Final = _check_key_id(key_id)
        self._private: Final = private_key

    @classmethod
    def generate(cls, key_id: str) -> SigningKey:
        return cls(key_id, Ed25519PrivateKey.generate())

    def to_private_pem(self, password: bytes | None = None) -> bytes:
        """PKCS#8 PEM; encrypted with ``password`` when one is given."""
        encryption: serialization.KeySerializationEncryption = (
            serialization.BestAvailableEncryption(password) if password else serialization.NoEncryption()
        )
        return self._private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
        )

    @classmethod
    def from_private_pem(cls, key_id: str, pem: bytes, password: bytes | None = None) -> SigningKey:
        """Load a key written by :meth:`to_private_pem`. PEM does not carry the key id."""
        loaded = serialization.load_pem_private_key(pem, password=password)
        if not isinstance(loaded, Ed25519PrivateKey):
            raise ValueError("the PEM does not hold an Ed25519 private key")
        return cls(key_id, loaded)

    def public(self) -> VerifyKey:
        raw = self._private.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        return VerifyKey(self.key_id, raw)

    def sign(self, data: bytes) -> bytes:
        return self._private.sign(data)

    def __repr__(self) -> str:
        return f"SigningKey(key_id={self.key_id!r})"


class Keyring:
    """The public keys a till trusts: its own and other terminals' (pushed by the server)."""

    __slots__ = ("_keys",)

    def __init__(self, keys: Iterable[VerifyKey] = ()) -> None:
        self._keys: dict[str, VerifyKey] = {}
        for key in keys:
            self.add(key)

    def add(self, key: VerifyKey) -> None:
        """Add a key. Re-adding the same key is a no-op; a different key under a known id is
        refused (key ids are never reused: rotate to a new id instead)."""
        existing = self._keys.get(key.key_id)
        if existing is not None and existing.public_bytes != key.public_bytes:
            raise ValueError(f"key id {key.key_id!r} is already bound to a different key")
        self._keys[key.key_id] = key

    def remove(self, key_id: str) -> None:
        self._keys.pop(key_id, None)

    def get(self, key_id: str) -> VerifyKey | None:
        return self._keys.get(key_id)

    def key_ids(self) -> list[str]:
        return sorted(self._keys)

    def __contains__(self, key_id: object) -> bool:
        return key_id in self._keys

    def __len__(self) -> int:
        return len(self._keys)

    def __iter__(self) -> Iterator[VerifyKey]:
        return iter([self._keys[k] for k in sorted(self._keys)])

    def to_dict(self) -> dict[str, str]:
        """``{key_id: standard base64 of the raw 32-byte public key}``, JSON-able."""
        return {k: self._keys[k].to_base64() for k in sorted(self._keys)}

    @classmethod
    def from_dict(cls, data: Mapping[str, str]) -> Keyring:
        return cls(VerifyKey.from_base64(key_id, b64) for key_id, b64 in data.items())


# ---------------------------------------------------------------- encoding helpers


def _b64e(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _b64d(text: str) -> bytes:
    """Strict unpadded base64url: the only accepted spelling is the canonical one."""
    if not text or not _B64URL_RE.fullmatch(text) or len(text) % 4 == 1:
        raise ValueError("not unpadded base64url")
    raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    if _b64e(raw) != text:
        raise ValueError("non-canonical base64url")
    return raw


def _split(text: object, prefix: str) -> tuple[bytes, bytes] | None:
    """``prefix<payload>.<sig>`` -> (payload, signature) bytes, or None if malformed."""
    if not isinstance(text, str):
        return None
    text = text.strip()
    if not text.startswith(prefix):
        return None
    parts = text[len(prefix) :].split(".")
    if len(parts) != 2:
        return None
    try:
        payload, sig = _b64d(parts[0]), _b64d(parts[1])
    except ValueError:
        return None
    if len(sig) != _SIG_LEN:
        return None
    return payload, sig


def _seconds(at: datetime, what: str) -> int:
    require_aware(at, what)
    secs = int(at.timestamp() // 1)
    if not 0 < secs <= _U32_MAX:
        raise ValueError(f"{what} {at.isoformat()} is outside 1970-2106")
    return secs


def _from_seconds(secs: int) -> datetime:
    return datetime.fromtimestamp(secs, UTC)


def _label(value: str, what: str) -> bytes:
    if not isinstance(value, str) or not value:
        raise ValueError(f"{what} must be a non-empty string")
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in value):
        raise ValueError(f"{what} must not contain control characters")
    raw = value.encode("utf-8")
    if len(raw) > _LABEL_MAX_BYTES:
        raise ValueError(f"{what} must be at most {_LABEL_MAX_BYTES} bytes in UTF-8")
    return raw


class _Reader:
    __slots__ = ("_data", "_pos")

    def __init__(self, data: bytes, pos: int) -> None:
        self._data = data
        self._pos = pos

    def label(self) -> str:
        if self._pos >= len(self._data):
            raise ValueError("truncated")
        n = self._data[self._pos]
        start, end = self._pos + 1, self._pos + 1 + n
        if n == 0 or end > len(self._data):
            raise ValueError("bad label length")
        self._pos = end
        return self._data[start:end].decode("utf-8")

    def at_end(self) -> bool:
        return self._pos == len(self._data)


# ---------------------------------------------------------------- member codes


@dataclass(frozen=True, slots=True)
class MemberClaims:
    """What a verified member code says. ``expires_at`` is None for a static (card) code."""

    member_id: MemberId
    key_id: str
    issued_at: datetime
    expires_at: datetime | None
    code_id: str


def _code_id(payload: bytes) -> str:
    """Stable short id of one code (80 bits of SHA-256 of its payload), for revocation."""
    return hashlib.sha256(b"loyalty-till code-id\x00" + payload).hexdigest()[:20]


RevocationKind = Literal["member", "key", "code"]


@dataclass(slots=True)
class RevocationList:
    """Revoked member ids, signing-key ids and single codes (by ``code_id``).

    Built by the till from its synced ``revocations`` table (``add(kind, value)``) or from the
    server's JSON (:meth:`from_dict`). Revocations are only ever added on the till.
    """

    member_ids: set[uuid.UUID] = field(default_factory=set)
    key_ids: set[str] = field(default_factory=set)
    code_ids: set[str] = field(default_factory=set)

    def add(self, kind: str, value: str) -> None:
        """Add one revocation by kind ("member", "key" or "code") and its text value."""
        if kind == "member":
            self.member_ids.add(uuid.UUID(value))
        elif kind == "key":
            self.key_ids.add(value)
        elif kind == "code":
            self.code_ids.add(value)
        else:
            raise ValueError(f"unknown revocation kind {kind!r}; use member, key or code")

    def revoke_member(self, member_id: uuid.UUID) -> None:
        self.member_ids.add(member_id)

    def revoke_key(self, key_id: str) -> None:
        self.key_ids.add(key_id)

    def revoke_code(self, code_id: str) -> None:
        self.code_ids.add(code_id)

    def is_key_revoked(self, key_id: str) -> bool:
        return key_id in self.key_ids

    def is_revoked(self, claims: MemberClaims) -> bool:
        return (
            claims.member_id in self.member_ids
            or claims.key_id in self.key_ids
            or claims.code_id in self.code_ids
        )

    def to_dict(self) -> dict[str, list[str]]:
        """``{"member_ids": [...], "key_ids": [...], "code_ids": [...]}``, sorted, JSON-able."""
        return {
            "member_ids": sorted(str(m) for m in self.member_ids),
            "key_ids": sorted(self.key_ids),
            "code_ids": sorted(self.code_ids),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Iterable[str]]) -> RevocationList:
        return cls(
            {uuid.UUID(m) for m in data.get("member_ids", ())},
            {str(k) for k in data.get("key_ids", ())},
            {str(c) for c in data.get("code_ids", ())},
        )


def issue_member_code(
    member_id: uuid.UUID,
    key: SigningKey,
    now: datetime,
    ttl: timedelta | None = DEFAULT_MEMBER_CODE_TTL,
) -> str:
    """A signed member code. ``ttl=None`` makes a static code (printed card) that never
    expires by itself (revoke it instead); otherwise the code expires ``ttl`` after ``now``
    (whole seconds, at least one)."""
    issued = _seconds(now, "now")
    if ttl is None:
        expires = 0
    else:
        ttl_secs = int(ttl.total_seconds())
        if ttl_secs < 1:
            raise ValueError("ttl must be at least one second (or None for a static code)")
        expires = issued + ttl_secs
        if expires > _U32_MAX:
            raise ValueError("expiry is beyond 2106")
    kid = key.key_id.encode("ascii")
    payload = _MEMBER_HEAD.pack(_VERSION, member_id.bytes, issued, expires, len(kid)) + kid
    sig = key.sign(_MEMBER_CONTEXT + payload)
    return f"{MEMBER_CODE_PREFIX}{_b64e(payload)}.{_b64e(sig)}"


def _parse_member_payload(payload: bytes) -> tuple[uuid.UUID, int, int, str]:
    if len(payload) <= _MEMBER_HEAD.size:
        raise ValueError("payload too short")
    version, mid, issued, expires, kid_len = _MEMBER_HEAD.unpack_from(payload)
    if version != _VERSION:
        raise ValueError(f"unknown version {version}")
    kid_raw = payload[_MEMBER_HEAD.size :]
    if len(kid_raw) != kid_len:
        raise ValueError("key id length mismatch")
    kid = kid_raw.decode("ascii")
    _check_key_id(kid)
    if issued == 0 or (expires != 0 and expires <= issued):
        raise ValueError("bad validity window")
    return uuid.UUID(bytes=mid), issued, expires, kid


def verify_member_code(
    text: str,
    keyring: Keyring,
    now: datetime,
    revoked: RevocationList | None = None,
    leeway: timedelta = DEFAULT_LEEWAY,
) -> MemberClaims:
    """Check a scanned member code and return its claims, or raise :class:`CodeError`.

    Checks, in order: well-formed ("malformed"), key known ("unknown_key"), signature
    ("bad_signature"), revocation by member, key or code ("revoked"), issued no later than
    ``now + leeway`` ("not_yet_valid"), and for dynamic codes ``now <= expires_at + leeway``
    ("expired"). ``leeway`` absorbs clock drift between the phone/issuer and this till.
    Surrounding whitespace (a scanner's CR/LF suffix) is ignored.
    """
    require_aware(now, "now")
    if leeway < timedelta(0):
        raise ValueError("leeway must not be negative")
    parts = _split(text, MEMBER_CODE_PREFIX)
    if parts is None:
        raise _member_error("malformed", "bad framing or encoding")
    payload, sig = parts
    try:
        member_id, issued, expires, kid = _parse_member_payload(payload)
    except (ValueError, UnicodeDecodeError, struct.error) as exc:
        raise _member_error("malformed", str(exc)) from None
    vkey = keyring.get(kid)
    if vkey is None:
        raise _member_error("unknown_key", f"key id {kid!r}")
    if not vkey.verify(sig, _MEMBER_CONTEXT + payload):
        raise _member_error("bad_signature", f"key id {kid!r}")
    claims = MemberClaims(
        member_id=MemberId(member_id),
        key_id=kid,
        issued_at=_from_seconds(issued),
        expires_at=_from_seconds(expires) if expires else None,
        code_id=_code_id(payload),
    )
    if revoked is not None and revoked.is_revoked(claims):
        raise _member_error("revoked", f"code id {claims.code_id}")
    if claims.issued_at > now + leeway:
        raise _member_error("not_yet_valid", f"issued at {claims.issued_at.isoformat()}")
    if claims.expires_at is not None and now > claims.expires_at + leeway:
        raise _member_error("expired", f"expired at {claims.expires_at.isoformat()}")
    return claims


def looks_like_member_code(text: str) -> bool:
    """Cheap prefix test to tell a scanned member code from a product barcode."""
    return isinstance(text, str) and text.lstrip().startswith(MEMBER_CODE_PREFIX)


# ---------------------------------------------------------------- feedback tokens


@dataclass(frozen=True, slots=True)
class FeedbackClaims:
    """What a verified feedback token names. ``nonce`` (16 random bytes) makes each token
    unguessable and unique; the server can use ``nonce.hex()`` to dedupe submissions."""

    store_id: str
    terminal_id: str
    sale_id: SaleId
    receipt_no: str
    issued_at: datetime
    nonce: bytes
    key_id: str


def issue_feedback_token(
    store_id: str,
    terminal_id: str,
    sale_id: uuid.UUID,
    receipt_no: str,
    key: SigningKey,
    issued_at: datetime,
) -> str:
    """A signed, unguessable, URL-safe token for the receipt's feedback QR
    (``https://server/f/<token>``). The server verifies it by signature alone, so it works
    before the sale has synced. Each call gives a different token (fresh nonce)."""
    issued = _seconds(issued_at, "issued_at")
    kid = key.key_id.encode("ascii")
    body = b"".join(
        bytes([len(raw)]) + raw
        for raw in (
            _label(store_id, "store_id"),
            _label(terminal_id, "terminal_id"),
            _label(receipt_no, "receipt_no"),
            kid,
        )
    )
    nonce = secrets.token_bytes(_NONCE_LEN)
    payload = _FEEDBACK_HEAD.pack(_VERSION, nonce, sale_id.bytes, issued) + body
    sig = key.sign(_FEEDBACK_CONTEXT + payload)
    return f"{FEEDBACK_PREFIX}{_b64e(payload)}.{_b64e(sig)}"


def verify_feedback_token(
    token: str, keyring: Keyring, revoked: RevocationList | None = None
) -> FeedbackClaims:
    """Check a feedback token and return its claims, or raise :class:`CodeError` with reason
    "malformed", "unknown_key", "bad_signature", or "revoked" (only when ``revoked`` is given
    and lists the signing key). Tokens do not expire here; the server decides how long
    feedback stays open."""
    parts = _split(token, FEEDBACK_PREFIX)
    if parts is None:
        raise _feedback_error("malformed", "bad framing or encoding")
    payload, sig = parts
    try:
        if len(payload) <= _FEEDBACK_HEAD.size:
            raise ValueError("payload too short")
        version, nonce, sale, issued = _FEEDBACK_HEAD.unpack_from(payload)
        if version != _VERSION:
            raise ValueError(f"unknown version {version}")
        if issued == 0:
            raise ValueError("bad issued-at")
        reader = _Reader(payload, _FEEDBACK_HEAD.size)
        store_id, terminal_id, receipt_no, kid = (reader.label() for _ in range(4))
        if not reader.at_end():
            raise ValueError("trailing bytes")
        _check_key_id(kid)
        for value, what in (
            (store_id, "store_id"),
            (terminal_id, "terminal_id"),
            (receipt_no, "receipt_no"),
        ):
            _label(value, what)
    except (ValueError, UnicodeDecodeError, struct.error) as exc:
        raise _feedback_error("malformed", str(exc)) from None
    vkey = keyring.get(kid)
    if vkey is None:
        raise _feedback_error("unknown_key", f"key id {kid!r}")
    if not vkey.verify(sig, _FEEDBACK_CONTEXT + payload):
        raise _feedback_error("bad_signature", f"key id {kid!r}")
    if revoked is not None and revoked.is_key_revoked(kid):
        raise _feedback_error("revoked", f"key id {kid!r}")
    return FeedbackClaims(
        store_id=store_id,
        terminal_id=terminal_id,
        sale_id=SaleId(uuid.UUID(bytes=cast(bytes, sale))),
        receipt_no=receipt_no,
        issued_at=_from_seconds(issued),
        nonce=cast(bytes, nonce),
        key_id=kid,
    )


def looks_like_feedback_token(text: str) -> bool:
    """Cheap prefix test for a bare feedback token (not the full URL)."""
    return isinstance(text, str) and text.lstrip().startswith(FEEDBACK_PREFIX)
