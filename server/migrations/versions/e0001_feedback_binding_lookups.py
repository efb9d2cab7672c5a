"""feedback answers unique per (terminal, sale); the member look-ups log

A feedback token names a sale; an answer from another till's key naming the same sale must not
block the real one, so the answer is unique per signing terminal and sale (and indexed by
sale). ``member_lookups`` records every online look-up (who, when, by what, why, which member).

Revision ID: e0001
Revises: t0001
Create Date: 2026-12-02 16:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "e0001"
down_revision: str | None = "t0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("feedback") as batch:
        batch.drop_constraint("uq_feedback_sale_id", type_="unique")
        batch.create_unique_constraint("uq_feedback_terminal_sale", ["terminal_id", "sale_id"])
        batch.create_index("ix_feedback_sale_id", ["sale_id"])
    op.create_table(
        "member_lookups",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("terminal_id", sa.String(length=40), nullable=False),
        sa.Column("store_id", sa.String(length=40), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("by", sa.String(length=8), nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("outcome", sa.String(length=12), nullable=False),
        sa.Column("member_id", sa.Uuid(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_member_lookups")),
    )
    op.create_index("ix_member_lookups_terminal_at", "member_lookups", ["terminal_id", "at"])
    op.create_index(op.f("ix_member_lookups_member_id"), "member_lookups", ["member_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_member_lookups_member_id"), table_name="member_lookups")
    op.drop_index("ix_member_lookups_terminal_at", table_name="member_lookups")
    op.drop_table("member_lookups")
    with op.batch_alter_table("feedback") as batch:
        batch.drop_index("ix_feedback_sale_id")
        batch.drop_constraint("uq_feedback_terminal_sale", type_="unique")
        batch.create_unique_constraint("uq_feedback_sale_id", ["sale_id"])
