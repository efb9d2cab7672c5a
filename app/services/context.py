"""Wiring the till's core together (the composition root for everything below the UI).

`open_till(home)` reads the configuration, opens (and if needed migrates) the store, and loads
or makes the terminal's signing key. It does no network and no hardware work.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
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
from app.store.check import check_store, restrict
from app.store.db import Database
from app.store.orm import ProgramVersion, PublicKey, Revocation

KEY_FILE = "signing-key.pem"
KEY_ID_FILE = "signing-key.id"
# The offline rules a use case checks with `require_allowed_offline`: (error code, what).
_OFFLINE_REFUSALS = {
    "sales": ("offline_sales", "sales"),
    "register_members": ("offline_register", "registering members"),
    "refunds": ("offline_refunds", "refunds"),
    "points_adjustments": ("offline_adjustments", "points adjustments"),
}


@dataclass
class TillContext:
    """Everything a use case needs. Cheap to pass around; one per running till."""

    home: Path
    config: TillConfig
    db: Database
    signer: SigningKey
    hasher: PinHasher = field(default_factory=PinHasher)
    clock: Clock = utcnow
    # Set by whoever runs sync (the UI's services); None: no server, the store is the truth.
    link: ServerLink | None = None
    offline_rules: OfflineRules = field(default_factory=OfflineRules)
    # The program of a till with no server (home/program.json); HQ's pulled versions win.
    home_program: LoyaltyProgram = field(default_factory=LoyaltyProgram)
    # Trusted keys and revocations change only through sync; cached between those changes.
    _trust: tuple[Keyring, RevocationList] | None = field(default=None, repr=False)
    _versions: tuple[LoyaltyProgram, ...] | None = field(default=None, repr=False)

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

    def offline(self) -> bool:
        """True when the till has a server and cannot reach it now: the offline rules apply."""
        link = self.link
        return link is not None and not link.reachable()

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
        versions = self._versions
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
        self._versions = versions
        return versions

    def keyring(self, uow: UnitOfWork) -> Keyring:
        """The public keys member codes and feedback tokens are checked against."""
        return self._load_trust(uow)[0]

    def revocations(self, uow: UnitOfWork) -> RevocationList:
        return self._load_trust(uow)[1]

    def invalidate_trust(self) -> None:
        """Call after changing `public_keys` or `revocations` (sync does, when it pulls)."""
        self._trust = None

    def _load_trust(self, uow: UnitOfWork) -> tuple[Keyring, RevocationList]:
        if self._trust is None:
            self._trust = (self._read_keyring(uow), self._read_revocations(uow))
        return self._trust

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
) -> TillContext:
    """Open the till whose home folder is `home` (made if missing). Raises ConfigError for a
    bad `till.toml`, DamagedFile (StoreDamaged for `till.db`) for a file it cannot use."""
    home.mkdir(parents=True, exist_ok=True)
    config = load_config(home)
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
