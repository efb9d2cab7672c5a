"""The reprint queue: receipts that did not print wait here, as files, with the reason.

`home/print-queue/<receipt_no>.json` holds the sale reference, the receipt number, why the
last attempt failed (a PrinterState value or "timeout") and a copy of the receipt document,
so a retry needs neither a database session nor the sale to be looked up again (pass `load`
to rebuild the receipt from the store instead). One file per receipt: a receipt that fails
again is updated, not queued twice. Files are replaced whole (write, then rename).

Thread-safe within one process; the print worker and the UI may share one queue.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from app.domain.receipt import Receipt, ReceiptLine, ReceiptPoints, ReceiptTotals, SlipRow
from app.ports import PrintError, PrinterState, ReceiptPrinter
from hardware.printer.printers import safe_name

log = logging.getLogger(__name__)

QUEUE_DIR = "print-queue"


def receipt_to_dict(r: Receipt) -> dict[str, Any]:
    d = asdict(r)
    d["at"] = r.at.isoformat()
    return d


def receipt_from_dict(d: dict[str, Any]) -> Receipt:
    pts = d.get("points")
    totals = dict(d["totals"])
    totals["payments"] = tuple((str(k), int(v)) for k, v in totals["payments"])
    return Receipt(
        **{
            k: d[k]
            for k in (
                "store_name",
                "store_address",
                "store_phone",
                "terminal_id",
                "receipt_no",
                "sale_id",
                "cashier",
                "member",
                "feedback_url",
                "member_code",
                "language",
                "kind",
                "copy",
                "title",
            )
            if k in d
        },
        at=datetime.fromisoformat(d["at"]),
        lines=tuple(ReceiptLine(**ln) for ln in d["lines"]),
        totals=ReceiptTotals(**totals),
        coupons=tuple((str(c), int(v)) for c, v in d["coupons"]),
        points=ReceiptPoints(**pts) if pts else None,
        footer=tuple(d.get("footer", ())),
        rows=tuple(SlipRow(**row) for row in d.get("rows", ())),
    )


@dataclass(frozen=True, slots=True)
class PrintJob:
    """A receipt waiting to be printed again."""

    job_id: str
    sale_id: str
    receipt_no: str
    reason: str
    message: str
    queued_at: str
    attempts: int = 1
    last_attempt_at: str = ""
    receipt: dict[str, Any] = field(default_factory=dict, repr=False)

    def document(self) -> Receipt:
        return receipt_from_dict(self.receipt)


@dataclass(frozen=True, slots=True)
class RetryResult:
    printed: tuple[str, ...]  # receipt numbers
    failed: PrintJob | None  # the job that failed (retrying stops there: the printer is down)
    remaining: int


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class PrintQueue:
    def __init__(self, home: Path) -> None:
        self.dir = home / QUEUE_DIR
        self._lock = threading.RLock()

    def _path(self, job_id: str) -> Path:
        return self.dir / f"{job_id}.json"

    def _save(self, job: PrintJob) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{job.job_id}.", dir=self.dir)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(asdict(job), f, ensure_ascii=False, indent=1)
            os.replace(tmp, self._path(job.job_id))
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def add(self, receipt: Receipt, error: PrintError) -> PrintJob:
        """Queue `receipt` (or update its job) with the failure's reason."""
        job_id = safe_name(receipt.receipt_no)
        with self._lock:
            old = self.get(job_id)
            job = PrintJob(
                job_id=job_id,
                sale_id=receipt.sale_id,
                receipt_no=receipt.receipt_no,
                reason=error.reason,
                message=error.message,
                queued_at=old.queued_at if old else _now(),
                attempts=(old.attempts + 1) if old else 1,
                last_attempt_at=_now(),
                receipt=receipt_to_dict(receipt),
            )
            self._save(job)
        log.warning("receipt %s queued for reprint: %s", receipt.receipt_no, error.message)
        return job

    def get(self, job_id: str) -> PrintJob | None:
        try:
            data = json.loads(self._path(job_id).read_text(encoding="utf-8"))
            return PrintJob(**data)
        except FileNotFoundError:
            return None
        except (OSError, ValueError, TypeError) as exc:
            log.error("print queue entry %s is unreadable: %s", job_id, exc)
            return None

    def jobs(self) -> list[PrintJob]:
        """Waiting jobs, oldest first."""
        with self._lock:
            if not self.dir.is_dir():
                return []
            found = [self.get(p.stem) for p in self.dir.glob("*.json")]
        return sorted((j for j in found if j is not None), key=lambda j: (j.queued_at, j.job_id))

    def __len__(self) -> int:
        return len(self.jobs())

    def remove(self, job_id: str) -> None:
        with self._lock:
            self._path(job_id).unlink(missing_ok=True)

    def retry(
        self, printer: ReceiptPrinter, job_id: str | None = None, load: Callable[[str], Receipt] | None = None
    ) -> RetryResult:
        """Print waiting jobs (all, oldest first, or one), removing each that prints. Stops at
        the first failure, which is recorded on its job. `load(sale_id)` rebuilds a receipt
        from the store; without it the stored copy is printed. Blocks like `print_receipt`."""
        printed: list[str] = []
        todo = [j for j in self.jobs() if job_id is None or j.job_id == job_id]
        for job in todo:  # no lock held while printing: a print may take the printer's timeout
            try:
                printer.print_receipt(load(job.sale_id) if load else job.document())
            except PrintError as exc:
                failed = replace(
                    job,
                    reason=exc.reason,
                    message=exc.message,
                    attempts=job.attempts + 1,
                    last_attempt_at=_now(),
                )
                with self._lock:
                    self._save(failed)
                return RetryResult(tuple(printed), failed, len(self.jobs()))
            self.remove(job.job_id)
            printed.append(job.receipt_no)
        return RetryResult(tuple(printed), None, len(self.jobs()))


class QueuedPrinter:
    """A printer whose failed receipts go to the reprint queue before the error is raised,
    so the caller shows the cashier why and the sale stands."""

    def __init__(self, inner: ReceiptPrinter, queue: PrintQueue) -> None:
        self.inner = inner
        self.queue = queue

    def print_receipt(self, receipt: Receipt) -> None:
        try:
            self.inner.print_receipt(receipt)
        except PrintError as exc:
            self.queue.add(receipt, exc)
            raise

    def status(self) -> PrinterState:
        return self.inner.status()

    def kick_drawer(self) -> None:
        self.inner.kick_drawer()

    def retry_queued(
        self, job_id: str | None = None, load: Callable[[str], Receipt] | None = None
    ) -> RetryResult:
        return self.queue.retry(self.inner, job_id, load)
