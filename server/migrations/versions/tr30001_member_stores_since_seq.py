"""member_stores.since_seq: a store that starts seeing a member gets its current state, not
its older change rows (server/pull.py, "First sight")

Revision ID: tr30001
Revises: pg0001
Create Date: 2026-12-03 06:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "tr30001"
down_revision: str | None = "pg0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # NULL (every row already there): the store receives all of the member's rows, as before.
    op.add_column("member_stores", sa.Column("since_seq", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    op.drop_column("member_stores", "since_seq")
