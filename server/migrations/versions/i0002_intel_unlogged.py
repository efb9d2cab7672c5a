"""intel: derived tables unlogged (rebuilt by a full recompute), pair counts with room for HOT
updates, intel_lines without store_id

Revision ID: i0002
Revises: c0001
Create Date: 2026-12-02 16:45:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "i0002"
down_revision: str | None = "c0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# No WAL for what a full recompute rebuilds: a crash empties them, and intel_state with them,
# so the next recompute is a full one. HQ's segments and store zones stay logged.
DERIVED = (
    "intel_state",
    "intel_lines",
    "intel_sales",
    "intel_member_stats",
    "intel_scores",
    "intel_items",
    "intel_pairs",
    "intel_kpis",
)


def upgrade() -> None:
    with op.batch_alter_table("intel_lines") as batch:
        batch.drop_column("store_id")
    if op.get_bind().dialect.name == "postgresql":
        for table in DERIVED:
            op.execute(f"ALTER TABLE {table} SET UNLOGGED")
        # Room on each page, so adding to a count is a HOT update (no index entry to write).
        op.execute("ALTER TABLE intel_pairs SET (fillfactor = 70)")
        op.execute("ALTER TABLE intel_items SET (fillfactor = 70)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in DERIVED:
            op.execute(f"ALTER TABLE {table} SET LOGGED")
    with op.batch_alter_table("intel_lines") as batch:
        batch.add_column(sa.Column("store_id", sa.String(length=40), nullable=False, server_default=""))
