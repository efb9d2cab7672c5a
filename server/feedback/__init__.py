"""The feedback loop (反馈闭环): the receipt QR's page, tickets for low scores, compensation.

* :mod:`server.feedback.rules` — pure policy: which answers open a ticket, severity, SLA, team;
* :mod:`server.feedback.i18n` and :mod:`server.feedback.page` — the zh/en page, no script;
* :mod:`server.feedback.models` — tables, on the server core's ``Base``;
* :mod:`server.feedback.service` — use cases over a ``Session`` (never commits);
* :mod:`server.feedback.routes` — ``GET/POST /f/{token}`` and ``/api/v1/tickets``.

Nothing here runs at import time but table and router definitions.
"""
