"""What ties a published file to the ledger: the head (position and hash) it was built from.

Every file says it twice: in an XML comment at its top and, when served, in the
``Ledger-Head: POSITION:HASH`` header (the format ``manage.py ledger_head`` prints), so
anyone holding the file can ask the registry, or a partner's copy of the log, whether
that head is in the chain. The ``ETag`` is the position.

Hook for signed tree heads (issue 20): when the registry signs tree heads over the log,
:meth:`Provenance.statements` is the one place to add the signed tree head that covers
``position`` (a line in the comment and a ``Signed-Tree-Head`` header): both the files
and their HTTP answers take their statements from here.
"""

from __future__ import annotations

import dataclasses
import datetime as dt


@dataclasses.dataclass(frozen=True)
class Provenance:
    """The ledger head a file reflects and when that head's event was recorded."""

    position: int
    hash: str
    recorded_at: dt.datetime | None

    @property
    def head(self) -> str:
        """Return the head as ``POSITION:HASH``."""
        return f"{self.position}:{self.hash}"

    def statements(self) -> dict[str, str]:
        """Return the statements a file and its HTTP answer make about the ledger."""
        return {"Ledger-Head": self.head}

    def comment(self, what: str) -> str:
        """Return the text of the comment that opens a file (no ``--`` can occur in it)."""
        recorded = self.recorded_at.isoformat() if self.recorded_at else "none (empty ledger)"
        lines = [
            f" {what}, IATI 2.03, built from the registry's hash-chained event log.",
            f" Ledger head: position {self.position}, hash {self.hash}",
            f" (the head's event was recorded at {recorded}).",
            " The file reflects every event up to and including that position.",
            *(f" {name}: {value}" for name, value in self.statements().items()),
            "",
        ]
        return "\n".join(lines).replace("--", "- -")
