"""Each test builds its open-data files in a folder of its own.

Tests roll back, so two tests may reach the same ledger position with other events.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _open_data_dir(settings: Any, tmp_path: Path) -> None:
    settings.OPEN_DATA_DIR = tmp_path / "open-data"
