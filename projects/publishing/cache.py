"""The files as served: built once per ledger head, kept on disk, shared by every web process.

Each build goes to a folder named by the position it reflects
(``OPEN_DATA_DIR/<position>/``: both files and their gzip copies), then
``current.json`` is replaced to point at it. A request reads the ledger's head
(one query) and ``current.json``; while they agree, the files are served as they are.
When the ledger has moved, one process rebuilds (an exclusive ``flock``; the others
wait, then find the new build) and the folder before the previous one is removed, so
a request that read the previous ``current.json`` still finds its files.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import gzip
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings

from projects import selectors
from projects.publishing.build import ACTIVITIES, ORGANISATION, Build, build

CURRENT = "current.json"
FILES = (ACTIVITIES, ORGANISATION)


@dataclasses.dataclass(frozen=True)
class Served:
    """A build on disk: its description and the folder holding its files."""

    build: Build
    folder: Path

    def path(self, name: str, *, compressed: bool = False) -> Path:
        """Return the path of file ``name`` (its gzip copy when ``compressed``)."""
        return self.folder / (f"{name}.gz" if compressed else name)


def root() -> Path:
    """Return the folder the served files live in (``OPEN_DATA_DIR``), made if missing."""
    folder = Path(settings.OPEN_DATA_DIR)
    if not folder.is_dir():
        folder.mkdir(parents=True, exist_ok=True)
    return folder


# The last ``current.json`` this process read, by its inode and modification time: it is
# replaced, never rewritten in place, so an unchanged stat means unchanged contents.
_read: dict[Path, tuple[tuple[int, int], Served]] = {}


def current() -> Served | None:
    """Return the build ``current.json`` points at, or None before the first one."""
    path = root() / CURRENT
    try:
        stat = path.stat()
        known = _read.get(path)
        if known is not None and known[0] == (stat.st_ino, stat.st_mtime_ns):
            return known[1]
        data = json.loads(path.read_text("utf-8"))
    except (FileNotFoundError, ValueError):
        return None
    served = Served(Build.from_json(data["build"]), path.parent / data["generation"])
    _read[path] = ((stat.st_ino, stat.st_mtime_ns), served)
    return served


def fresh() -> Served:
    """Return the build of the ledger's current head, building it if the ledger moved.

    The head is compared by position and hash: a registry restored from a backup may
    reach a position again with other events. Raises ``LedgerKeptMoving`` when no
    consistent reading could be had.
    """
    served = current()
    if served is not None and _reflects(served, selectors.publication_tip()):
        return served
    with _lock():
        served = current()
        if served is not None and _reflects(served, selectors.publication_tip()):
            return served
        return _rebuild()


def _reflects(served: Served, tip: tuple[int, str]) -> bool:
    provenance = served.build.provenance
    return (provenance.position, provenance.hash) == tip


@contextlib.contextmanager
def _lock() -> Iterator[None]:
    """Hold the folder's build lock (one builder at a time, across processes)."""
    with (root() / ".lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _rebuild() -> Served:
    base = root()
    work = Path(tempfile.mkdtemp(prefix=".building-", dir=base))
    try:
        built = build(work)
        for name in FILES:
            if (work / name).exists():
                _compress(work / name)
        generation = str(built.provenance.position)
        target = base / generation
        if target.exists():
            shutil.rmtree(target)
        os.replace(work, target)
        previous = current()
        _write_current({"generation": generation, "build": built.to_json()})
        keep = {generation, previous.folder.name if previous else generation}
        for old in base.iterdir():
            if old.is_dir() and old.name.isdigit() and old.name not in keep:
                shutil.rmtree(old, ignore_errors=True)
        return Served(built, target)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _compress(path: Path) -> None:
    """Write ``path.gz`` beside ``path``; mtime 0, so equal files compress to equal bytes."""
    with (
        path.open("rb") as source,
        path.with_name(f"{path.name}.gz").open("wb") as raw,
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as target,
    ):
        shutil.copyfileobj(source, target, 1 << 20)


def _write_current(data: dict[str, object]) -> None:
    handle, scratch = tempfile.mkstemp(prefix=".current.", dir=root())
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        json.dump(data, out)
    os.replace(scratch, root() / CURRENT)
