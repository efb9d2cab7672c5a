"""program versions: the loyalty program versions pulled from HQ; the version a sale was priced with

Revision ID: p0004
Revises: 0003
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "p0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "program_versions",
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("effective_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("version", name=op.f("pk_program_versions")),
    )
    op.add_column("sales", sa.Column("program_version", sa.Integer(), nullable=True))  # no table rebuild


def downgrade() -> None:
    with op.batch_alter_table("sales") as batch:
        batch.drop_column("program_version")
    op.drop_table("program_versions")
