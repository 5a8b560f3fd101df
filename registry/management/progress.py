"""Progress bars for long-running commands (on standard error, so output stays clean)."""

from __future__ import annotations

import sys
from typing import Any

from tqdm import tqdm


def bar(*, total: int | None, desc: str, unit: str = "event", **kwargs: Any) -> tqdm:
    """Return a progress bar written to standard error."""
    return tqdm(
        total=total,
        desc=desc,
        unit=unit,
        file=sys.stderr,
        mininterval=0.5,
        dynamic_ncols=True,
        **kwargs,
    )
