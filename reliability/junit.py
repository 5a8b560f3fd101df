"""Reading the suite's results: pytest's junit XML, per test file, with recorded figures."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path
from typing import Any

COMMAND = "make reliability"


def _test_file(classname: str) -> str:
    """Return the test file of a junit classname (``tests.api.test_x.TestY`` -> path)."""
    parts = classname.split(".")
    if parts[:1] != ["tests"]:
        return classname
    module = next((i for i, part in enumerate(parts) if part.startswith("test_")), len(parts) - 1)
    return "/".join(parts[: module + 1]) + ".py"


def read_junit(junit: Path) -> dict[str, Any]:
    """Return the per-file results of a pytest junit XML file (xunit1): counts, figures."""
    files: dict[str, dict[str, Any]] = defaultdict(
        lambda: {"tests": 0, "failed": 0, "skipped": 0, "seconds": 0.0}
    )
    for case in ET.parse(junit).getroot().iter("testcase"):
        entry = files[_test_file(case.get("classname", ""))]
        failed = case.find("failure") is not None or case.find("error") is not None
        entry["tests"] += 1
        entry["seconds"] += float(case.get("time", 0))
        if failed:
            entry["failed"] += 1
            entry.setdefault("failures", []).append(case.get("name"))
        if case.find("skipped") is not None:
            entry["skipped"] += 1
        own: dict[str, Any] = {"tests": 1, "failed": int(failed), "figures": {}}
        entry.setdefault("cases", {})[case.get("name")] = own
        for prop in case.iter("property"):
            entry.setdefault("figures", {})[prop.get("name")] = prop.get("value")
            own["figures"][prop.get("name")] = prop.get("value")
    return dict(files)
