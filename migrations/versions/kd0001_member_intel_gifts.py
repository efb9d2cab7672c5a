"""member intel and the gift catalogue pulled from HQ; gifts redeemed at this till

Revision ID: kd0001
Revises: kc0001
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "kd0001"
down_revision: str | None = "kc0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "member_intel",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("segment", sa.String(length=40), nullable=False),
        sa.Column("lifecycle", sa.String(length=16), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("suggestions", sa.JSON(), nullable=False),
        sa.Column("as_of", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_member_intel")),
    )
    op.create_table(
        "gifts",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("name_zh", sa.String(length=120), nullable=False),
        sa.Column("name_en", sa.String(length=120), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("stock", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gifts")),
    )
    op.create_table(
        "gift_redemptions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("gift_id", sa.String(length=40), nullable=False),
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Uuid(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("staff_id", sa.Uuid(), nullable=False),
        sa.Column("reversed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reversal_entry_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_gift_redemptions_member_id_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gift_redemptions")),
    )
    op.create_index(op.f("ix_gift_redemptions_member_id"), "gift_redemptions", ["member_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_gift_redemptions_member_id"), table_name="gift_redemptions")
    op.drop_table("gift_redemptions")
    op.drop_table("gifts")
    op.drop_table("member_intel")
