"""The HQ console: server-rendered screens (Jinja2 + htmx, ECharts) for staff accounts with
roles, served by the server process under ``/console`` (see server/console/README.md)."""
