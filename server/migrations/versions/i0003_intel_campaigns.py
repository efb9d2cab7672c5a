"""intel: campaigns run by the server, who each chose (and held out), bearer coupon batches

Revision ID: i0003
Revises: i0002
Create Date: 2026-12-02 16:50:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "i0003"
down_revision: str | None = "i0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON_ = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "intel_campaigns",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("params", JSON_, nullable=False),
        sa.Column("coupon", JSON_, nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("budget", sa.Integer(), nullable=True),
        sa.Column("per_member_cap", sa.Integer(), nullable=False),
        sa.Column("control_pct", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_intel_campaigns")),
    )
    op.create_table(
        "intel_campaign_issues",
        sa.Column("campaign_id", sa.String(length=40), nullable=False),
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("reason", sa.String(length=64), nullable=False),
        sa.Column("control", sa.Boolean(), nullable=False),
        sa.Column("coupon_id", sa.Uuid(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("campaign_id", "member_id", "reason", name=op.f("pk_intel_campaign_issues")),
    )
    op.create_index("ix_intel_campaign_issues_coupon", "intel_campaign_issues", ["coupon_id"], unique=False)
    op.create_table(
        "intel_coupon_batches",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("store_id", sa.String(length=40), nullable=True),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_intel_coupon_batches")),
    )


def downgrade() -> None:
    op.drop_table("intel_coupon_batches")
    op.drop_index("ix_intel_campaign_issues_coupon", table_name="intel_campaign_issues")
    op.drop_table("intel_campaign_issues")
    op.drop_table("intel_campaigns")
