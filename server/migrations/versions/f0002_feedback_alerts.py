"""feedback alerts: escalated tickets announced to a webhook, retried until delivered

Revision ID: f0002
Revises: f0001
Create Date: 2026-12-01 11:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

JSONB = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")

revision: str = "f0002"
down_revision: str | None = "f0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "feedback_alerts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("ticket_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("to", sa.String(length=40), nullable=False),
        sa.Column("payload", JSONB, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["feedback_tickets.id"],
            name=op.f("fk_feedback_alerts_ticket_id_feedback_tickets"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback_alerts")),
    )
    op.create_index(op.f("ix_feedback_alerts_ticket_id"), "feedback_alerts", ["ticket_id"], unique=False)
    op.create_index("ix_feedback_alerts_due", "feedback_alerts", ["sent_at", "next_attempt_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_feedback_alerts_due", table_name="feedback_alerts")
    op.drop_index(op.f("ix_feedback_alerts_ticket_id"), table_name="feedback_alerts")
    op.drop_table("feedback_alerts")
