"""Enrolment: a till enrols once with a one-time code and gets its own credentials."""

from __future__ import annotations

from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from app.services.context import TillContext
from app.store.sync_state import set_feedback_base
from sync.client import Credentials, ServerClient, new_device_id, save_credentials
from sync.protocol import EnrolRequest
from sync.state import adopt_epoch


@dataclass(frozen=True)
class Enrolment:
    store_id: str
    terminal_id: str
    path: Path  # where the credentials were written
    mismatch: str | None  # the server's store/terminal differ from till.toml (words), or None


def _till_version() -> str:
    try:
        return version("loyalty-till")
    except PackageNotFoundError:
        return ""


def enrol(ctx: TillContext, url: str, code: str, client: ServerClient | None = None) -> Enrolment:
    """Present the one-time `code` and this till's public signing key; keep the terminal token
    the server returns in `sync.json` (0600). Raises sync.client.SyncError on failure."""
    device_id = new_device_id()
    request = EnrolRequest(
        code=code.strip(),
        device_id=device_id,
        key_id=ctx.signer.key_id,
        public_key=ctx.signer.public().to_base64(),
        till_version=_till_version(),
    )
    own = client is None
    client = client or ServerClient(url)
    try:
        resp = client.enrol(request)
    finally:
        if own:
            client.close()
    creds = Credentials(
        url=url.rstrip("/"),
        store_id=resp.store_id,
        terminal_id=resp.terminal_id,
        token=resp.token,
        device_id=device_id,
        epoch=resp.epoch,
    )
    path = save_credentials(ctx.home, creds)
    with ctx.uow() as uow:
        adopt_epoch(uow.session, resp.epoch)
        # The receipts' feedback QR leads to this server from now on (a server before it named
        # none: its own address, where it serves the page too).
        set_feedback_base(uow.session, resp.feedback_base_url or creds.url + "/f/")
        uow.commit()
    ctx.forget_feedback_base_url()
    mismatch = None
    if (resp.store_id, resp.terminal_id) != (ctx.store_id, ctx.terminal_id):
        mismatch = (
            f"the server enrolled this till as store {resp.store_id}, terminal "
            f"{resp.terminal_id}, but till.toml says store {ctx.store_id}, terminal "
            f"{ctx.terminal_id}: set [store] store_id and [terminal] terminal_id to match"
        )
    return Enrolment(resp.store_id, resp.terminal_id, path, mismatch)
