"""What applying pulled changes did (`ApplyReport`)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ApplyReport:
    applied: int = 0
    kept_local: int = 0  # not applied: the till has an unsent change to that row
    skipped: int = 0  # not applied: nothing to do, or not applicable at this till
    failed: int = 0  # not applied: the change could not be read or stored
    merges: int = 0
    trust_changed: bool = False
    problems: list[str] = field(default_factory=list)

    def add(self, other: ApplyReport) -> None:
        self.applied += other.applied
        self.kept_local += other.kept_local
        self.skipped += other.skipped
        self.failed += other.failed
        self.merges += other.merges
        self.trust_changed = self.trust_changed or other.trust_changed
        self.problems.extend(other.problems)

    def note(self, text: str) -> None:
        if len(self.problems) < 50:
            self.problems.append(text)

    def count(self, outcome: str) -> None:
        """Count one change's outcome ('applied', 'kept_local', 'failed'; anything else is a
        skip)."""
        if outcome == "applied":
            self.applied += 1
        elif outcome == "kept_local":
            self.kept_local += 1
        elif outcome == "failed":
            self.failed += 1
        else:
            self.skipped += 1
