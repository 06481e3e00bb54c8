"""The data-quality report of a load: each value that does not fit its column's declared
type, with its row (as a spreadsheet numbers it: the header is row 1) and
column. The value is loaded as empty (NULL) and reported, never turned into text
or dropped silently."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# The report lists the first problems in full and counts all of them.
LISTED = 1000


@dataclass
class Report:
    count: int = 0
    issues: list[dict[str, Any]] = field(default_factory=list)

    def mismatch(self, row: int, column: str, value: Any, code: str) -> None:
        self.count += 1
        if len(self.issues) < LISTED:
            self.issues.append({"row": row, "column": column, "value": str(value)[:200],
                                "type": code})

    def as_dict(self) -> dict[str, Any]:
        return {"count": self.count, "issues": self.issues}
