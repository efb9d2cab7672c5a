"""sale lines: weighed goods (grams, price per kg) and manual price changes (kind, value,
reason, discount, the approval and its approver)

Revision ID: kc0001
Revises: ka01
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "kc0001"
down_revision: str | None = "ka01"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = (
    ("grams", sa.Integer()),
    ("per_kg", sa.Integer()),
    ("manual_kind", sa.String(length=16)),
    ("manual_value", sa.Integer()),
    ("manual_reason", sa.String(length=80)),
    ("approval_id", sa.Uuid()),
    ("approver_id", sa.Uuid()),
)


def upgrade() -> None:
    # add_column only: SQLite needs no table rebuild for nullable columns and a constant default
    for name, type_ in _COLUMNS:
        op.add_column("sale_lines", sa.Column(name, type_, nullable=True))
    op.add_column(
        "sale_lines", sa.Column("manual_discount", sa.Integer(), nullable=False, server_default="0")
    )
    op.create_index(op.f("ix_sale_lines_approval_id"), "sale_lines", ["approval_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_sale_lines_approval_id"), table_name="sale_lines")
    with op.batch_alter_table("sale_lines") as batch:
        batch.drop_column("manual_discount")
        for name, _ in reversed(_COLUMNS):
            batch.drop_column(name)
