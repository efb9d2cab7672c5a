"""gift catalogue, stock per store, gift redemptions; what member intel each member's tills hold

Revision ID: ga0001
Revises: rb0001
Create Date: 2026-12-02 20:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "ga0001"
down_revision: str | None = "rb0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "gifts",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("name_zh", sa.String(length=120), nullable=False),
        sa.Column("name_en", sa.String(length=120), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gifts")),
    )
    op.create_table(
        "gift_stock",
        sa.Column("gift_id", sa.String(length=40), nullable=False),
        sa.Column("store_id", sa.String(length=40), nullable=False),
        sa.Column("stock", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("gift_id", "store_id", name=op.f("pk_gift_stock")),
    )
    op.create_table(
        "gift_redemptions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("gift_id", sa.String(length=40), nullable=False),
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("store_id", sa.String(length=40), nullable=False),
        sa.Column("terminal_id", sa.String(length=40), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Uuid(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reversed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reversal_entry_id", sa.Uuid(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gift_redemptions")),
    )
    op.create_index(op.f("ix_gift_redemptions_gift_id"), "gift_redemptions", ["gift_id"])
    op.create_index(op.f("ix_gift_redemptions_member_id"), "gift_redemptions", ["member_id"])
    op.create_table(
        "intel_pull_sent",
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("member_id", name=op.f("pk_intel_pull_sent")),
    )


def downgrade() -> None:
    op.drop_table("intel_pull_sent")
    op.drop_index(op.f("ix_gift_redemptions_member_id"), table_name="gift_redemptions")
    op.drop_index(op.f("ix_gift_redemptions_gift_id"), table_name="gift_redemptions")
    op.drop_table("gift_redemptions")
    op.drop_table("gift_stock")
    op.drop_table("gifts")
