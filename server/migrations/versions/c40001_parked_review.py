"""parked events reviewed in the console: who reviewed one and the note (`reviewed_at` was
already there); the `events` row, the dedup record, is not touched

Revision ID: c40001
Revises: tr30001
Create Date: 2026-12-03 07:25:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c40001"
down_revision: str | None = "tr30001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("parked_events") as batch:
        batch.add_column(sa.Column("reviewed_by", sa.String(length=80), nullable=True))
        batch.add_column(sa.Column("review_note", sa.String(length=500), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("parked_events") as batch:
        batch.drop_column("review_note")
        batch.drop_column("reviewed_by")
