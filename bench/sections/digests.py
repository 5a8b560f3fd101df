"""The weekly digests (``bench.digests``) as a section module: build, render, send."""

from __future__ import annotations

import argparse
from typing import Any

from bench import digests

TITLE = "Weekly digests to every recipient, to a local SMTP server"
SMOKE = {"digest_projects": 60, "recipients": 40}


def options(parser: argparse.ArgumentParser) -> None:
    """Add this section's options."""
    parser.add_argument("--digest-projects", type=int, default=5000, help="projects")
    parser.add_argument(
        "--recipients", type=int, default=digests.RECIPIENTS, help="contacts and officers"
    )


def measure(args: argparse.Namespace) -> dict[str, Any]:
    """Record the registry and its people, then time the three ways of sending."""
    return digests.measure(args.digest_projects, args.recipients)


def report(results: dict[str, dict[str, Any]], args: argparse.Namespace) -> str:
    """Return the digest table."""
    return digests.report(results)
