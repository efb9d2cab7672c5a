"""suspended sales: carts put aside before payment, recalled later on this till

Revision ID: k0001
Revises: p0004
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "k0001"
down_revision: str | None = "p0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "suspended_sales",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("terminal_id", sa.String(length=40), nullable=False),
        sa.Column("cashier_id", sa.Uuid(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("member_id", sa.Uuid(), nullable=True),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("items", sa.Integer(), nullable=False),
        sa.Column("cart", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_suspended_sales")),
    )
    op.create_index(op.f("ix_suspended_sales_terminal_id"), "suspended_sales", ["terminal_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_suspended_sales_terminal_id"), table_name="suspended_sales")
    op.drop_table("suspended_sales")
