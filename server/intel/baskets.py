"""Baskets: item-to-item co-occurrence over the sales of the last `basket_days`.

`intel_items.n` = baskets (sales) holding the sku, `intel_pairs.n` = baskets holding both
(a < b in byte order: the keys are in the "C" collation, migration in3001), counted over
every sale intel holds dated from the window's start on. No row holds a zero: a count the
window's leaving sales take to zero is deleted in the same run. A full run counts them
again; an incremental run adds the new sales and takes away the sales the window has left
behind since the last run, so both give the same rows.

Set-based throughout: the run's baskets (sale, sku, +1 for a new sale / -1 for one the
window left) go to a temporary table and their pairs are counted in one self-join.

* **full run**: the pair table is emptied, its indexes dropped, the self-join's counts go
  straight into it (one INSERT ... SELECT, no staging table) and each index is built once.
* **incremental, big change** (the changed pairs at least `pairs_rewrite_pct` (20) % of the
  table): old counts and changes summed in one aggregate into a staging table, the pair
  table truncated and loaded as in a full run (counts at zero left out). Readers of the
  pair table wait for the run's commit (the baskets step runs last for that).
* **incremental, small change**: one `INSERT ... ON CONFLICT DO UPDATE` in key order, then
  one DELETE of the counts that reached zero (joined to the negative changes only).

Measured on the pair table of 100k members / 2M lines after two days of 100k sales (2.4M
pairs, 1M changed, 2 shared cores at load 5-7), database CPU: upsert 15-20 s, rewrite
8.5 s; an UPDATE ... FROM plus INSERT of the new pairs was worse than both (the planner
probes the index once per changed pair in the changes' order, 33-40 s; forcing a hash join
hashes the whole table). The rewrite's cost follows the table, the upsert's the change:
break-even near a fifth. bench/README.md has the figures.

For a pair X, Y over N baskets: support = n(X,Y) / N, confidence(X→Y) = n(X,Y) / n(X),
lift = n(X,Y)·N / (n(X)·n(Y)), computed in SQL (`_FIGURES`). Pairs below `min_support`
(at least 1) baskets are ignored when read (kept counted, so the counts stay exact as the
window moves).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from server.intel.config import IntelConfig

# The baskets of the run: (sale, sku, +1 for a sale counted in / -1 for one the window left),
# the sku in the "C" collation of the pair and item keys (a < b is a byte comparison).
_BASKETS = """
CREATE TEMP TABLE intel_basket_delta ON COMMIT DROP AS
SELECT DISTINCT l.sale_id, l.sku COLLATE "C" AS sku, d.sign
FROM ({sales}) d JOIN intel_lines l ON l.sale_id = d.sale_id
WHERE l.sku <> ''
"""
_PAIRS_OF_BASKETS = """
SELECT x.sku AS a, y.sku AS b, sum(x.sign) AS n FROM intel_basket_delta x
JOIN intel_basket_delta y ON y.sale_id = x.sale_id AND x.sku < y.sku
GROUP BY x.sku, y.sku
"""


def basket_start(cfg: IntelConfig, as_of: datetime) -> datetime:
    return as_of - timedelta(days=cfg.basket_days)


def rebuild(s: Session, cfg: IntelConfig, as_of: datetime) -> None:
    """Count the window's baskets afresh: the items, then the pairs straight from the
    baskets' self-join into the emptied pair table (indexes built once after)."""
    s.execute(text("TRUNCATE intel_items, intel_pairs"))
    _baskets(
        s, "SELECT sale_id, 1 AS sign FROM intel_sales WHERE at >= :bs", {"bs": basket_start(cfg, as_of)}
    )
    s.execute(
        text("INSERT INTO intel_items (sku, n) SELECT sku, count(*) FROM intel_basket_delta GROUP BY sku")
    )
    _load_pairs(s, _PAIRS_OF_BASKETS)


def update(s: Session, cfg: IntelConfig, as_of: datetime, prev_as_of: datetime) -> None:
    """Add the new sales (``intel_new_sales``) in the window; remove the older sales dated
    in [previous window start, window start). Counts that reach zero are deleted."""
    sales = """
        SELECT sale_id, 1 AS sign FROM intel_new_sales WHERE at >= :bs
        UNION ALL
        SELECT x.sale_id, -1 FROM intel_sales x
        WHERE x.at >= :prev_bs AND x.at < :bs
          AND NOT EXISTS (SELECT 1 FROM intel_new_sales n WHERE n.sale_id = x.sale_id)"""
    _baskets(s, sales, {"bs": basket_start(cfg, as_of), "prev_bs": basket_start(cfg, prev_as_of)})
    s.execute(text(f"CREATE TEMP TABLE intel_pair_delta ON COMMIT DROP AS {_PAIRS_OF_BASKETS}"))
    s.execute(text("DELETE FROM intel_pair_delta WHERE n = 0"))  # a pair in as many baskets as left
    s.execute(text("ANALYZE intel_pair_delta"))
    s.execute(
        text("""
        INSERT INTO intel_items (sku, n) SELECT sku, sum(sign) FROM intel_basket_delta GROUP BY sku
        ON CONFLICT (sku) DO UPDATE SET n = intel_items.n + excluded.n""")
    )
    s.execute(text("DELETE FROM intel_items WHERE n <= 0"))  # a few thousand rows
    changed = int(s.execute(text("SELECT count(*) FROM intel_pair_delta")).scalar_one())
    # The planner's row count (exact after each full build's ANALYZE; -1: never analyzed).
    held = int(
        s.execute(
            text("SELECT GREATEST(reltuples, 0)::bigint FROM pg_class WHERE oid = 'intel_pairs'::regclass")
        ).scalar_one()
    )
    # A change of `pairs_rewrite_pct` (20) % of the table or more: rewrite it (old counts
    # and changes summed in one hash aggregate, the table truncated and loaded, indexes built
    # once): measured on 2.4M pairs and 1M changes, 8.5 s of database CPU against 15-20 s for
    # the upsert below, whose cost grows with the change while the rewrite's grows with the
    # table (break-even near a fifth). Not a new table swapped in: a reader waiting on the
    # old table's lock would then fail instead of reading the new counts after the commit.
    if changed * 100 >= held * cfg.pairs_rewrite_pct:
        s.execute(
            text("""
            CREATE TEMP TABLE intel_pairs_merged ON COMMIT DROP AS
            SELECT a, b, sum(n) AS n
            FROM (SELECT a, b, n FROM intel_pairs UNION ALL SELECT a, b, n FROM intel_pair_delta) x
            GROUP BY a, b HAVING sum(n) > 0""")
        )
        s.execute(text("TRUNCATE intel_pairs"))
        _load_pairs(s, "SELECT a, b, n FROM intel_pairs_merged")
        return
    # A change smaller than that: one upsert in key order (index probes walking the key
    # order, each a HOT update where the page has room), then the counts the window's
    # leaving sales took to zero are deleted (only pairs with a negative change can be).
    s.execute(
        text("""
        INSERT INTO intel_pairs (a, b, n) SELECT a, b, n FROM intel_pair_delta ORDER BY a, b
        ON CONFLICT (a, b) DO UPDATE SET n = intel_pairs.n + excluded.n""")
    )
    s.execute(
        text("""
        DELETE FROM intel_pairs p USING intel_pair_delta d
        WHERE d.n < 0 AND p.a = d.a AND p.b = d.b AND p.n <= 0""")
    )


def _baskets(s: Session, sales: str, params: dict[str, Any]) -> None:
    for t in ("intel_basket_delta", "intel_pair_delta", "intel_pairs_merged"):
        s.execute(text(f"DROP TABLE IF EXISTS {t}"))
    s.execute(text(_BASKETS.format(sales=sales)), params)
    s.execute(text("ANALYZE intel_basket_delta"))  # temporary tables have no statistics otherwise


def _load_pairs(s: Session, select_sql: str) -> None:
    """Fill the (empty) pair table: both indexes dropped, the rows appended, each index built
    once after (one sort each instead of a sorted insert plus a B-tree insert per row)."""
    s.execute(text("DROP INDEX IF EXISTS ix_intel_pairs_b"))
    s.execute(text("ALTER TABLE intel_pairs DROP CONSTRAINT IF EXISTS pk_intel_pairs"))
    s.execute(text(f"INSERT INTO intel_pairs (a, b, n) {select_sql}"))
    s.execute(text("ALTER TABLE intel_pairs ADD CONSTRAINT pk_intel_pairs PRIMARY KEY (a, b)"))
    s.execute(text("CREATE INDEX ix_intel_pairs_b ON intel_pairs (b)"))
    s.execute(text("ANALYZE intel_pairs"))


def baskets_in_window(s: Session, cfg: IntelConfig, as_of: datetime) -> int:
    return int(
        s.execute(
            text("SELECT count(*) FROM intel_sales WHERE at >= :bs"), {"bs": basket_start(cfg, as_of)}
        ).scalar_one()
    )


# The figures of a pair X, Y (columns n, n_x, n_y and total in scope), in exact arithmetic
# rounded to 6 places: the one home of support, confidence and lift (bought-with, a member's
# suggestions and the till's "often bought with" all rank and show these). A count at zero
# (a pair whose baskets all left the window) is never read: `n >= :min_support`, and
# `min_support` is at least 1.
_FIGURES = """
  round(CAST(n AS numeric) / NULLIF(total, 0), 6) AS support,
  COALESCE(round(CAST(n AS numeric) / NULLIF(n_x, 0), 6), 0) AS confidence,
  COALESCE(round(CAST(n AS numeric) * total / NULLIF(CAST(n_x AS numeric) * n_y, 0), 6), 0) AS lift
"""


def _figures(row: Any) -> dict[str, Any]:
    return {
        "sku": row.y,
        "because_of": row.x,
        "baskets": int(row.n),
        "support": float(row.support or 0),
        "confidence": float(row.confidence),
        "lift": float(row.lift),
    }


def bought_with(
    s: Session, cfg: IntelConfig, sku: str, as_of: datetime, limit: int = 10
) -> list[dict[str, Any]]:
    """The items most often in the same basket as `sku` (lift first), with the figures."""
    rows = s.execute(
        text(f"""
        WITH p AS (
          SELECT b AS y, n FROM intel_pairs WHERE a = :sku AND n >= :min_support
          UNION ALL SELECT a, n FROM intel_pairs WHERE b = :sku AND n >= :min_support
        ), c AS (
          SELECT CAST(:sku AS text) AS x, p.y, p.n, ia.n AS n_x, ib.n AS n_y,
                 (SELECT count(*) FROM intel_sales WHERE at >= :bs) AS total
          FROM p JOIN intel_items ia ON ia.sku = :sku JOIN intel_items ib ON ib.sku = p.y
        )
        SELECT x, y, n, {_FIGURES} FROM c
        ORDER BY lift DESC, confidence DESC, y COLLATE "C" LIMIT :limit"""),
        {"sku": sku, "min_support": cfg.min_support, "bs": basket_start(cfg, as_of), "limit": limit},
    ).all()
    return [_figures(r) for r in rows]


# Per member: the items paired (at the minimum support) with what the member bought in the
# basket window and not bought in the last `recent_days`; for each item the best pair (lift,
# then confidence, then the bought item), the items best first, `limit` of them. Members are
# given as an array. `{candidates}` yields (member_id, x, y, n, support, confidence, lift)
# for the member's bought items x.
_SUGGEST = """
WITH m AS (SELECT DISTINCT unnest(CAST(:ids AS uuid[])) AS member_id),
mine AS (SELECT DISTINCT l.member_id, l.sku COLLATE "C" AS sku FROM intel_lines l
         JOIN m ON m.member_id = l.member_id WHERE l.at >= :bs AND l.sku <> ''),
recent AS (SELECT DISTINCT l.member_id, l.sku COLLATE "C" AS sku FROM intel_lines l
           JOIN m ON m.member_id = l.member_id WHERE l.at >= :rs),
f AS ({candidates}),
best AS (SELECT DISTINCT ON (member_id, y) * FROM f
         ORDER BY member_id, y, lift DESC, confidence DESC, x COLLATE "C"),
ranked AS (SELECT *, row_number() OVER (PARTITION BY member_id
                                         ORDER BY lift DESC, confidence DESC, y COLLATE "C") AS rank
           FROM best)
SELECT member_id, x, y, n, support, confidence, lift FROM ranked WHERE rank <= :limit
ORDER BY member_id, rank
"""
_BOTH_WAYS = """(SELECT a AS x, b AS y, n FROM intel_pairs WHERE n >= :min_support
      UNION ALL SELECT b, a, n FROM intel_pairs WHERE n >= :min_support)"""
# A few members: every pair of each bought item (index probes on the pair table).
_EVERY_PAIR = f"""
  SELECT c.member_id, c.x, c.y, c.n, {_FIGURES} FROM (
    SELECT mine.member_id, p.x, p.y, p.n, ia.n AS n_x, ib.n AS n_y, t.total
    FROM mine
    JOIN {_BOTH_WAYS} p ON p.x = mine.sku
    JOIN intel_items ia ON ia.sku = p.x
    JOIN intel_items ib ON ib.sku = p.y
    CROSS JOIN (SELECT count(*) AS total FROM intel_sales WHERE at >= :bs) t
    WHERE NOT EXISTS (SELECT 1 FROM recent r WHERE r.member_id = mine.member_id AND r.sku = p.y)) c
"""
# Many members: every pair of a bought item is too much (100k members x their items x a
# popular item's thousands of partners: 750M rows at 100k/2M). Each item's partners are
# ranked once (`intel_partners`, by lift, confidence, sku) and a member takes only the first
# `limit` + (items it bought recently) partners of each item it bought: of those at most that
# many are excluded as bought recently, so at least `limit` remain, and any partner further
# down is beaten by `limit` items that are kept. The same answer as `_EVERY_PAIR`
# (tests/server_intel/test_publish.py compares them).
_PARTNERS = f"""
CREATE TEMP TABLE intel_partners ON COMMIT DROP AS
SELECT x, y, n, support, confidence, lift,
       row_number() OVER (PARTITION BY x ORDER BY lift DESC, confidence DESC, y COLLATE "C") AS r
FROM (SELECT p.x, p.y, p.n, {_FIGURES} FROM (
        SELECT p.x, p.y, p.n, ia.n AS n_x, ib.n AS n_y, t.total FROM {_BOTH_WAYS} p
        JOIN intel_items ia ON ia.sku = p.x JOIN intel_items ib ON ib.sku = p.y
        CROSS JOIN (SELECT count(*) AS total FROM intel_sales WHERE at >= :bs) t) p) f
"""
_TOP_PARTNERS = """
  SELECT mine.member_id, w.x, w.y, w.n, w.support, w.confidence, w.lift
  FROM mine LEFT JOIN (SELECT member_id, count(*) AS k FROM recent GROUP BY member_id) k
         ON k.member_id = mine.member_id
  CROSS JOIN LATERAL (SELECT * FROM intel_partners w
                      WHERE w.x = mine.sku AND w.r <= :limit + COALESCE(k.k, 0)) w
  WHERE NOT EXISTS (SELECT 1 FROM recent r WHERE r.member_id = mine.member_id AND r.sku = w.y)
"""
MANY_MEMBERS = 50  # from this many members on, the ranked partners


def suggestions_for(
    s: Session,
    cfg: IntelConfig,
    member_ids: Sequence[uuid.UUID],
    as_of: datetime,
    limit: int | None = None,
    *,
    ranked: bool | None = None,
) -> dict[uuid.UUID, list[dict[str, Any]]]:
    """Each member's suggestions (see `suggestions`), in a fixed number of statements for
    all of them (`ranked`: through each item's ranked partners; by default from
    `MANY_MEMBERS` members on); a member with none is absent."""
    out: dict[uuid.UUID, list[dict[str, Any]]] = {}
    if not member_ids:
        return out
    params = {
        "ids": list(member_ids),
        "bs": basket_start(cfg, as_of),
        "rs": as_of - timedelta(days=cfg.recent_days),
        "min_support": cfg.min_support,
        "limit": limit or cfg.suggestions,
    }
    if ranked is None:
        ranked = len(member_ids) >= MANY_MEMBERS
    if ranked:
        s.execute(text("DROP TABLE IF EXISTS intel_partners"))
        s.execute(text(_PARTNERS), params)
        s.execute(text("CREATE INDEX ON intel_partners (x, r)"))
        s.execute(text("ANALYZE intel_partners"))
    rows = s.execute(text(_SUGGEST.format(candidates=_TOP_PARTNERS if ranked else _EVERY_PAIR)), params)
    for r in rows:
        out.setdefault(r.member_id, []).append(_figures(r))
    return out


def suggestions(
    s: Session, cfg: IntelConfig, member_id: uuid.UUID, as_of: datetime, limit: int | None = None
) -> list[dict[str, Any]]:
    """Items often bought with what the member bought in the basket window, that the member
    has not bought in the last `recent_days`; best lift first, one entry per item."""
    return suggestions_for(s, cfg, [member_id], as_of, limit).get(member_id, [])
