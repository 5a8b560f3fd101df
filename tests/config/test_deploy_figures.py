"""DEPLOY.md's capacity of one primary is RELIABILITY.md's ledger-head table, copied (and its
best row named): when ``make reliability`` writes new figures there, this fails until
DEPLOY.md has them too."""

from __future__ import annotations

import re
from pathlib import Path

DOCS = Path(__file__).resolve().parent.parent.parent / "docs"


def table_after(text: str, heading: str) -> list[list[str]]:
    """Return the rows (cells) of the first Markdown table after ``heading``."""
    lines = text[text.index(heading) :].splitlines()
    start = next(n for n, line in enumerate(lines) if line.startswith("|"))
    rows = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip("|").split("|")])
    return rows[2:]  # without the header and its rule


def test_the_capacity_of_one_primary_quotes_the_ledger_head_run() -> None:
    measured = table_after(
        (DOCS / "RELIABILITY.md").read_text(), "## The ceiling the ledger head puts on writes"
    )
    quoted = table_after((DOCS / "DEPLOY.md").read_text(), "### The capacity of one primary")

    # RELIABILITY: writers, commands, commands/s, latency, head held p50 / p95, ceiling, busy
    expected = [
        [row[0], row[2], re.split(r"\s*/\s*", row[4])[0], row[5], row[6]] for row in measured
    ]
    assert quoted == expected
    assert len(quoted) >= 2
    best = max(int(row[2].replace(",", "")) for row in measured)
    assert f"at most about **{best:,} commands per second**" in (DOCS / "DEPLOY.md").read_text()
