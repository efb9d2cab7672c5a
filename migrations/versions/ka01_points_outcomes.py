"""points outcomes: what the server decided about this till's points adjustments and compensations

Revision ID: ka01
Revises: kb0001
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "ka01"
down_revision: str | None = "kb0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "points_outcomes",
        sa.Column("entry_id", sa.Uuid(), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("entry_id", name=op.f("pk_points_outcomes")),
    )
    op.create_index(op.f("ix_points_outcomes_member_id"), "points_outcomes", ["member_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_points_outcomes_member_id"), table_name="points_outcomes")
    op.drop_table("points_outcomes")
