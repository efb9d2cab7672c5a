"""Know the member (issue 13), on the server: RFM scores, lifecycle, segments and tags,
basket co-occurrence and suggestions, and the KPI tables HQ reads. Computed in SQL on
PostgreSQL by `till-server intel recompute [--full]` (server/intel/recompute.py)."""
