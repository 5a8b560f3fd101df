"""The partners' API (``bench.api``) as a section module: each endpoint, timed in process."""

from __future__ import annotations

import argparse
from typing import Any

from bench import api

TITLE = "The partners' API: each kind of request, in process (Django test client)"
# The worker's settings for this section: no request limit, no shared cache.
ENV = {"API_THROTTLE_RATE": "100000000/minute", "LOG_LEVEL": "ERROR"}
SMOKE = {"api_projects": 100, "requests": 5}


def options(parser: argparse.ArgumentParser) -> None:
    """Add this section's options."""
    parser.add_argument("--api-projects", type=int, default=api.PROJECTS, help="projects")
    parser.add_argument("--requests", type=int, default=api.REQUESTS, help="timed GETs per case")


def measure(args: argparse.Namespace) -> dict[str, Any]:
    """Fill the registry, then time each kind of request in turns."""
    return api.measure(args.api_projects, args.requests)


def report(results: dict[str, dict[str, Any]], args: argparse.Namespace) -> str:
    """Return the API table."""
    return api.report(results)
