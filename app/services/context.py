"""Wiring the till's core together (the composition root for everything below the UI).

`open_till(home)` is the bootstrap: it reads the configuration and this till's offline rules,
opens (and if needed migrates) the store, loads or makes the terminal's signing key, and
builds the one `TillContext` every use case gets. It does no network and no hardware work.

The context is immutable: its clock, its `Connection` to the server and its offline rules are
given when it is built, and nothing swaps them later. What does change at run time has its own
object: the `Connection` (the sync worker attaches itself while it runs) and the caches of
trusted keys and program versions (reloaded when sync stores new ones). A context at another
clock (the demo seed writes two years of history) is `dataclasses.replace(ctx, clock=...)`,
sharing the store, the connection and the caches.
"""

from __future__ import annotations

import os
import secrets
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import MappingProxyType
from zoneinfo import ZoneInfo

from sqlalchemy import select

from app.config import DB_NAME, TillConfig, load_config
from app.domain.clock import Clock, utcnow
from app.domain.codes import Keyring, RevocationList, SigningKey, VerifyKey
from app.domain.program import LoyaltyProgram, in_force, parse_program
from app.domain.staff import PinHasher
from app.files import DamagedFile
from app.ports import OfflineRules, ServerLink
from app.program_file import load_home_program
from app.services.errors import Refused
from app.services.uow import UnitOfWork
from app.settings_file import read_offline_overrides
from app.store.check import check_store, restrict
from app.store.db import Database
from app.store.orm import ProgramVersion, PublicKey, Revocation
from app.store.sync_state import feedback_base

KEY_FILE = "signing-key.pem"
KEY_ID_FILE = "signing-key.id"
# The offline rules a use case checks with `require_allowed_offline`: (error code, what).
_OFFLINE_REFUSALS = {
    "sales": ("offline_sales", "sales"),
    "register_members": ("offline_register", "registering members"),
    "refunds": ("offline_refunds", "refunds"),
    "points_adjustments": ("offline_adjustments", "points adjustments"),
}


class Connection:
    """The till's connection to its server: the sync worker (a `ServerLink`) attaches itself
    when it starts and detaches when it stops. Detached, the till has no server and its store
    is the whole truth; attached, the offline rules apply whenever the link is not reachable
    (before its first round too)."""

    def __init__(self, link: ServerLink | None = None) -> None:
        self._lock = threading.Lock()
        self._link = link

    def attach(self, link: ServerLink) -> None:
        with self._lock:
            self._link = link

    def detach(self, link: ServerLink | None = None) -> None:
        """Detach `link` (or whatever is attached, when None)."""
        with self._lock:
            if link is None or self._link is link:
                self._link = None

    @property
    def link(self) -> ServerLink | None:
        return self._link

    def offline(self) -> bool:
        """True when a server link is attached and cannot reach the server now."""
        link = self._link
        return link is not None and not link.reachable()


@dataclass(slots=True)
class _Caches:
    """What the context reads from the store once and keeps until sync changes it."""

    trust: tuple[Keyring, RevocationList] | None = None
    versions: tuple[LoyaltyProgram, ...] | None = None
    feedback_base: str | None = None  # until an enrolment changes it


@dataclass(frozen=True)
class TillContext:
    """Everything a use case needs. Cheap to pass around; one per running till; immutable
    (see the module's doc for what changes at run time and where)."""

    home: Path
    config: TillConfig
    db: Database
    signer: SigningKey
    hasher: PinHasher = field(default_factory=PinHasher)
    clock: Clock = utcnow
    # The sync worker attaches itself here while it runs (the UI's services start it).
    connection: Connection = field(default_factory=Connection)
    # This till's own offline rules (`sync.toml` `[offline]`), over the program's.
    offline_overrides: Mapping[str, bool] = field(default_factory=dict)
    # The program of a till with no server (home/program.json); HQ's pulled versions win.
    home_program: LoyaltyProgram = field(default_factory=LoyaltyProgram)
    # Trusted keys, revocations and program versions change only through sync.
    _caches: _Caches = field(default_factory=_Caches, repr=False, compare=False)

    @property
    def store_id(self) -> str:
        return self.config.store.store_id

    @property
    def terminal_id(self) -> str:
        return self.config.terminal.terminal_id

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.config.store.timezone)

    def now(self) -> datetime:
        return self.clock()

    @property
    def link(self) -> ServerLink | None:
        """The attached server link (None: no server, the store is the truth)."""
        return self.connection.link

    @property
    def offline_rules(self) -> OfflineRules:
        """What may be done offline now: the rules of the program in force, with this till's
        own `sync.toml` values over them (so a program pulled from HQ applies at once)."""
        return OfflineRules.of(self.program_at(self.now()).offline, self.offline_overrides)

    def offline(self) -> bool:
        """True when the till has a server and cannot reach it now: the offline rules apply."""
        return self.connection.offline()

    def require_allowed_offline(self, action: str) -> None:
        """Raise Refused when the till is offline and its offline rules do not allow `action`
        (an `OfflineRules` field name)."""
        if self.offline() and not self.offline_rules.allows(action):
            code, what = _OFFLINE_REFUSALS.get(action, ("offline_" + action, action))
            raise Refused(
                f"The server cannot be reached, and this till's offline rules do not "
                f"allow {what} without it.",
                code=code,
            )

    def uow(self, write: bool = True) -> UnitOfWork:
        return UnitOfWork(self.db, write)

    def program_at(self, at: datetime) -> LoyaltyProgram:
        """The loyalty program version in force at `at`: of the versions pulled from HQ, the one
        `app.domain.program.in_force` picks; before any of them applies, the home's program
        file (`home_program`). Every use case prices, posts, tiers and expires with this."""
        versions = self._caches.versions
        if versions is None:
            versions = self.reload_program()
        return in_force(versions, at) or self.home_program

    def reload_program(self) -> tuple[LoyaltyProgram, ...]:
        """Read the stored program versions again; call after storing a pulled one (sync does,
        on its thread, so that `program_at` on any other thread finds them read already)."""
        with self.uow(write=False) as uow:
            versions = tuple(
                parse_program(row.body) for row in uow.session.execute(select(ProgramVersion)).scalars()
            )
        self._caches.versions = versions
        return versions

    def feedback_base_url(self) -> str:
        """The base of the receipts' feedback QR codes, "" while they could not work (the till
        was never enrolled: `app.store.sync_state.feedback_base`). Read once; enrolment calls
        `forget_feedback_base_url`."""
        base = self._caches.feedback_base
        if base is None:
            with self.uow(write=False) as uow:
                base = feedback_base(uow.session, self.config.server.feedback_base_url)
            self._caches.feedback_base = base
        return base

    def forget_feedback_base_url(self) -> None:
        self._caches.feedback_base = None

    def keyring(self, uow: UnitOfWork) -> Keyring:
        """The public keys member codes and feedback tokens are checked against."""
        return self._load_trust(uow)[0]

    def revocations(self, uow: UnitOfWork) -> RevocationList:
        return self._load_trust(uow)[1]

    def invalidate_trust(self) -> None:
        """Call after changing `public_keys` or `revocations` (sync does, when it pulls)."""
        self._caches.trust = None

    def _load_trust(self, uow: UnitOfWork) -> tuple[Keyring, RevocationList]:
        trust = self._caches.trust
        if trust is None:
            trust = self._caches.trust = (self._read_keyring(uow), self._read_revocations(uow))
        return trust

    def _read_keyring(self, uow: UnitOfWork) -> Keyring:
        ring = Keyring()
        ring.add(self.signer.public())
        for row in uow.session.execute(select(PublicKey)).scalars():
            if row.key_id != self.signer.key_id:
                ring.add(VerifyKey.from_base64(row.key_id, row.public_key))
        return ring

    def _read_revocations(self, uow: UnitOfWork) -> RevocationList:
        revoked = RevocationList()
        for row in uow.session.execute(select(Revocation)).scalars():
            revoked.add(row.kind, row.value)
        return revoked

    def close(self) -> None:
        self.db.dispose()


def _key_damaged(path: Path, problem: str) -> DamagedFile:
    return DamagedFile(
        path,
        problem,
        what="signing key file",
        todo="Move the keys folder aside and start the till again: it makes a new key (if the "
        "till is enrolled with a server, enrol it again with `till enrol URL CODE` so the "
        "server learns the new key).",
    )


def load_or_make_signer(home: Path, store_id: str, terminal_id: str) -> SigningKey:
    """The terminal's Ed25519 key: made once, kept in the home folder (never in the repo),
    readable by the owner only. Raises DamagedFile for a key file that cannot be read."""
    keys = home / "keys"
    pem, kid = keys / KEY_FILE, keys / KEY_ID_FILE
    if pem.exists() and kid.exists():
        try:
            key_id = kid.read_text(encoding="ascii").strip()
            signer = SigningKey.from_private_pem(key_id, pem.read_bytes())
        except (OSError, UnicodeDecodeError) as exc:
            bad = pem if isinstance(exc, OSError) else kid
            raise _key_damaged(bad, f"it cannot be read ({exc.__class__.__name__})") from None
        except (ValueError, TypeError):
            raise _key_damaged(pem, "it is not a signing key this till can read") from None
        restrict(pem)
        return signer
    keys.mkdir(mode=0o700, parents=True, exist_ok=True)
    key_id = f"{store_id}.{terminal_id}.{secrets.token_hex(3)}"
    signer = SigningKey.generate(key_id)
    fd = os.open(pem, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(signer.to_private_pem())
    pem.chmod(0o600)
    kid.write_text(key_id + "\n")
    return signer


def open_till(
    home: Path,
    clock: Clock | None = None,
    hasher: PinHasher | None = None,
    migrate: bool = True,
    connection: Connection | None = None,
) -> TillContext:
    """Open the till whose home folder is `home` (made if missing). Raises ConfigError for a
    bad `till.toml` or `sync.toml` (SettingsError), DamagedFile (StoreDamaged for `till.db`)
    for a file it cannot use."""
    home.mkdir(parents=True, exist_ok=True)
    config = load_config(home)
    overrides = read_offline_overrides(home)
    program = load_home_program(home, config)
    db_path = home / DB_NAME
    check_store(db_path)  # a damaged or foreign till.db is named, never opened or migrated over
    if migrate:
        from app.store.migrate import is_current

        if not is_current(db_path):
            from app.services.backups import upgrade_keeping_backup

            upgrade_keeping_backup(home)
    restrict(db_path)
    db = Database(db_path)
    signer = load_or_make_signer(home, config.store.store_id, config.terminal.terminal_id)
    ctx = TillContext(
        home=home,
        config=config,
        db=db,
        signer=signer,
        hasher=hasher or PinHasher(),
        clock=clock or utcnow,
        connection=connection or Connection(),
        offline_overrides=MappingProxyType(overrides),
        home_program=program,
    )
    _register_own_key(ctx)
    return ctx


def _register_own_key(ctx: TillContext) -> None:
    with ctx.uow(write=False) as uow:
        known = uow.session.get(PublicKey, ctx.signer.key_id)
    if known is not None:
        return
    with ctx.uow() as uow:
        uow.session.merge(
            PublicKey(
                key_id=ctx.signer.key_id,
                public_key=ctx.signer.public().to_base64(),
                terminal_id=ctx.terminal_id,
                added_at=ctx.now(),
            )
        )
        uow.commit()
