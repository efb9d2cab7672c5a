"""refund reasons: why the goods came back (a code from the till's list) and the cashier's words

Revision ID: rb0001
Revises: p0001
Create Date: 2026-12-02 19:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "rb0001"
down_revision: str | None = "p0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("refunds", sa.Column("reason", sa.String(length=32), nullable=False, server_default=""))
    op.add_column(
        "refunds", sa.Column("reason_note", sa.String(length=200), nullable=False, server_default="")
    )


def downgrade() -> None:
    with op.batch_alter_table("refunds") as batch:
        batch.drop_column("reason_note")
        batch.drop_column("reason")
