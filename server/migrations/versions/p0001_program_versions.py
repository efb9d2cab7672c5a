"""loyalty program versions (HQ's), each store's time zone, the version a sale was priced with

Revision ID: p0001
Revises: e0001
Create Date: 2026-12-02 16:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "p0001"
down_revision: str | None = "e0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "program_versions",
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("effective_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "body",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_by", sa.String(length=80), nullable=False),
        sa.PrimaryKeyConstraint("version", name=op.f("pk_program_versions")),
    )
    op.add_column(
        "stores", sa.Column("timezone", sa.String(length=64), nullable=False, server_default="Asia/Shanghai")
    )
    op.add_column("sales", sa.Column("program_version", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sales") as batch:
        batch.drop_column("program_version")
    with op.batch_alter_table("stores") as batch:
        batch.drop_column("timezone")
    op.drop_table("program_versions")
