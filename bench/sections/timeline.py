"""The timeline section (``bench.timeline``) as a section module."""

from __future__ import annotations

import argparse
from typing import Any

from bench.common import table
from bench.timeline import section_timeline, timeline_table

TITLE = "A project's timeline as its stream grows (HKZJ-2025-AI-01)"
# ``make bench-smoke``: the smallest sizes that still run every step of the section.
SMOKE = {"timeline_sizes": [100, 300]}


def options(parser: argparse.ArgumentParser) -> None:
    """Add this section's options."""
    parser.add_argument(
        "--timeline-sizes",
        type=lambda s: [int(x) for x in s.split(",")],
        default=[1_000, 30_000],
        help="project stream sizes for the History page, ascending (comma-separated)",
    )


def measure(args: argparse.Namespace) -> dict[str, Any]:
    """Time the History page, the print view and an unpaged timeline at each size."""
    return section_timeline(args)


def report(results: dict[str, dict[str, Any]], args: argparse.Namespace) -> str:
    """Return the timeline table."""
    return timeline_table({backend: {"timeline": r} for backend, r in results.items()}, table)
