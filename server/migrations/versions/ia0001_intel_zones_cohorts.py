"""intel: a store's zone is `stores.timezone` (intel_store_zones moved into it and dropped);
sales found by the time their event was received through the view `intel_sales_received`
(not push's result JSON); per-member cohort rows for incremental retention and CLV

Revision ID: ia0001
Revises: ga0001
Create Date: 2026-12-02 19:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "ia0001"
down_revision: str | None = "ga0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# What intel reads of push: a sale (the sales table) and when the event that carried it was
# received (events.received_at, a column of the event log). Push may change what it writes
# in `events.result` without intel noticing.
VIEW = """
CREATE VIEW intel_sales_received AS
SELECT s.id AS sale_id, s.member_id, s.store_id, s.at, e.received_at
FROM sales s JOIN events e ON e.id = s.event_id
"""


def upgrade() -> None:
    # A zone set for a store the server does not know is dropped with the table: no till of
    # such a store can have pushed a sale (a till enrols at a known store).
    op.execute("UPDATE stores SET timezone = z.tz FROM intel_store_zones z WHERE z.store_id = stores.id")
    op.drop_table("intel_store_zones")
    op.create_index("ix_intel_sales_event", "sales", ["event_id"], unique=False)
    op.execute(VIEW)
    op.create_table(
        "intel_member_cohorts",
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("store_id", sa.String(length=40), nullable=False),
        sa.Column("store_cohort", sa.Date(), nullable=False),
        sa.Column("chain_cohort", sa.Date(), nullable=False),
        sa.Column("store_months", sa.Integer(), nullable=False),
        sa.Column("chain_months", sa.Integer(), nullable=False),
        sa.Column("spend", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("member_id", name=op.f("pk_intel_member_cohorts")),
    )
    # The new cohort rows are empty and the pair counts are now merged differently: the next
    # recompute is a full one (no `as_of` in intel_state).
    op.execute("DELETE FROM intel_state")
    if op.get_bind().dialect.name == "postgresql":
        # Derived (rebuilt by a full recompute): no WAL, like the other intel tables (i0002).
        op.execute("ALTER TABLE intel_member_cohorts SET UNLOGGED")


def downgrade() -> None:
    op.drop_table("intel_member_cohorts")
    op.execute("DROP VIEW intel_sales_received")
    op.drop_index("ix_intel_sales_event", table_name="sales")
    op.create_table(
        "intel_store_zones",
        sa.Column("store_id", sa.String(length=40), nullable=False),
        sa.Column("tz", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("store_id", name=op.f("pk_intel_store_zones")),
    )
    op.execute("INSERT INTO intel_store_zones (store_id, tz) SELECT id, timezone FROM stores")
