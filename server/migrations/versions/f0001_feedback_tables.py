"""feedback tables: one answer per receipt, its ticket and history, compensations

Revision ID: f0001
Revises: s0001
Create Date: 2026-11-23 16:58:45.264799
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

JSONB = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")

revision: str = "f0001"
down_revision: str | None = "s0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "feedback",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("sale_id", sa.Uuid(), nullable=False),
        sa.Column("store_id", sa.String(length=64), nullable=False),
        sa.Column("terminal_id", sa.String(length=64), nullable=False),
        sa.Column("receipt_no", sa.String(length=64), nullable=False),
        sa.Column("key_id", sa.String(length=40), nullable=False),
        sa.Column("token_nonce", sa.String(length=32), nullable=False),
        sa.Column("token_issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("stars", sa.Integer(), nullable=False),
        sa.Column("nps", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=24), nullable=True),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("lang", sa.String(length=8), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sale_linked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("linked_sale_id", sa.Uuid(), nullable=True),
        sa.Column("member_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["linked_sale_id"], ["sales.id"], name=op.f("fk_feedback_linked_sale_id_sales")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback")),
        sa.UniqueConstraint("linked_sale_id", name=op.f("uq_feedback_linked_sale_id")),
        sa.UniqueConstraint("sale_id", name=op.f("uq_feedback_sale_id")),
        sa.UniqueConstraint("store_id", "terminal_id", "receipt_no", name="uq_feedback_receipt"),
    )
    op.create_index(op.f("ix_feedback_member_id"), "feedback", ["member_id"], unique=False)
    op.create_index("ix_feedback_store_submitted", "feedback", ["store_id", "submitted_at"], unique=False)
    op.create_index("ix_feedback_unlinked", "feedback", ["sale_linked_at"], unique=False)
    op.create_table(
        "feedback_tickets",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("feedback_id", sa.Uuid(), nullable=False),
        sa.Column("store_id", sa.String(length=64), nullable=False),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("team", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("assignee", sa.String(length=80), nullable=True),
        sa.Column("escalated_to", sa.String(length=40), nullable=True),
        sa.Column("reasons", JSONB, nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolution", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["feedback_id"], ["feedback.id"], name=op.f("fk_feedback_tickets_feedback_id_feedback")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback_tickets")),
        sa.UniqueConstraint("feedback_id", name=op.f("uq_feedback_tickets_feedback_id")),
    )
    op.create_index("ix_feedback_tickets_status_due", "feedback_tickets", ["status", "due_at"], unique=False)
    op.create_index("ix_feedback_tickets_team_status", "feedback_tickets", ["team", "status"], unique=False)
    op.create_table(
        "feedback_compensations",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("ticket_id", sa.Uuid(), nullable=False),
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("ledger_entry_id", sa.Uuid(), nullable=True),
        sa.Column("coupon_amount", sa.Integer(), nullable=False),
        sa.Column("coupon_threshold", sa.Integer(), nullable=False),
        sa.Column("coupon_id", sa.Uuid(), nullable=True),
        sa.Column("coupon_code", sa.String(length=40), nullable=True),
        sa.Column("reason", sa.String(length=80), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=80), nullable=False),
        sa.Column("points_expire_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("coupon_valid_to", sa.DateTime(timezone=True), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["feedback_tickets.id"],
            name=op.f("fk_feedback_compensations_ticket_id_feedback_tickets"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback_compensations")),
        sa.UniqueConstraint("coupon_code", name=op.f("uq_feedback_compensations_coupon_code")),
        sa.UniqueConstraint("ticket_id", name=op.f("uq_feedback_compensations_ticket_id")),
    )
    op.create_index(
        op.f("ix_feedback_compensations_member_id"), "feedback_compensations", ["member_id"], unique=False
    )
    op.create_table(
        "feedback_ticket_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("ticket_id", sa.Uuid(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=80), nullable=False),
        sa.Column("action", sa.String(length=24), nullable=False),
        sa.Column("detail", JSONB, nullable=False),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["feedback_tickets.id"],
            name=op.f("fk_feedback_ticket_events_ticket_id_feedback_tickets"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback_ticket_events")),
    )
    op.create_index(
        op.f("ix_feedback_ticket_events_ticket_id"), "feedback_ticket_events", ["ticket_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_feedback_ticket_events_ticket_id"), table_name="feedback_ticket_events")
    op.drop_table("feedback_ticket_events")
    op.drop_index(op.f("ix_feedback_compensations_member_id"), table_name="feedback_compensations")
    op.drop_table("feedback_compensations")
    op.drop_index("ix_feedback_tickets_team_status", table_name="feedback_tickets")
    op.drop_index("ix_feedback_tickets_status_due", table_name="feedback_tickets")
    op.drop_table("feedback_tickets")
    op.drop_index("ix_feedback_unlinked", table_name="feedback")
    op.drop_index("ix_feedback_store_submitted", table_name="feedback")
    op.drop_index(op.f("ix_feedback_member_id"), table_name="feedback")
    op.drop_table("feedback")
