"""Markdown for the reliability report (docs/RELIABILITY.md)."""

from __future__ import annotations


def table(headers: list[str], rows: list[list[str]]) -> str:
    """Return a Markdown table of ``rows`` under ``headers`` (cells already formatted)."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)
