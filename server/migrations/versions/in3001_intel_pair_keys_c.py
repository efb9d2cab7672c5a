"""intel: pair and item keys in the "C" collation (byte order: index builds, sorts and
comparisons of the pair table's text keys without the locale's strcoll, abbreviated keys in
sorts); each pair oriented a < b in that order. The index on intel_sales (store_id, at),
which no query reads (KPIs read by `at`, members by `member_id, at`), is dropped; the pair
table's second index is on `b` alone (the reads of "pairs holding X as b" need no more; with
B-tree deduplication it is a quarter of the size of (b, a) and quicker to build)

Revision ID: in3001
Revises: c40001
Create Date: 2026-12-03 06:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "in3001"
down_revision: str | None = "c40001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_intel_sales_store_at", table_name="intel_sales")
    op.drop_index("ix_intel_pairs_b", table_name="intel_pairs")
    op.create_index("ix_intel_pairs_b", "intel_pairs", ["b"], unique=False)
    if op.get_bind().dialect.name != "postgresql":
        return  # intel runs on PostgreSQL only
    # The same order as before for ASCII skus; a pair the database's own collation ordered
    # otherwise is turned round (its count stays exact: a pair is unordered).
    op.execute('UPDATE intel_pairs SET a = b, b = a WHERE a COLLATE "C" > b COLLATE "C"')
    op.execute(
        'ALTER TABLE intel_pairs ALTER COLUMN a TYPE varchar(32) COLLATE "C", '
        'ALTER COLUMN b TYPE varchar(32) COLLATE "C"'
    )
    op.execute('ALTER TABLE intel_items ALTER COLUMN sku TYPE varchar(32) COLLATE "C"')


def downgrade() -> None:
    op.create_index("ix_intel_sales_store_at", "intel_sales", ["store_id", "at"], unique=False)
    op.drop_index("ix_intel_pairs_b", table_name="intel_pairs")
    op.create_index("ix_intel_pairs_b", "intel_pairs", ["b", "a"], unique=False)
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute('ALTER TABLE intel_items ALTER COLUMN sku TYPE varchar(32) COLLATE "default"')
    op.execute(
        'ALTER TABLE intel_pairs ALTER COLUMN a TYPE varchar(32) COLLATE "default", '
        'ALTER COLUMN b TYPE varchar(32) COLLATE "default"'
    )
    op.execute("UPDATE intel_pairs SET a = b, b = a WHERE a > b")
