"""program reach: `terminals.pull_cursor` (the change-log position a till's last pull said it
had applied) and a small index of the change log's program rows, so the console can tell which
tills have received each program version

Revision ID: pg0001
Revises: ia0001
Create Date: 2026-12-03 06:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "pg0001"
down_revision: str | None = "ia0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("terminals") as batch:
        batch.add_column(sa.Column("pull_cursor", sa.BigInteger(), server_default="0", nullable=False))
    op.create_index(
        "ix_changes_program",
        "changes",
        ["key"],
        unique=False,
        postgresql_where=sa.text("entity = 'program'"),
        sqlite_where=sa.text("entity = 'program'"),
    )


def downgrade() -> None:
    op.drop_index("ix_changes_program", table_name="changes")
    with op.batch_alter_table("terminals") as batch:
        batch.drop_column("pull_cursor")
