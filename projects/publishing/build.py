"""Building the two files from one consistent reading of the registry, named by its head.

The rows come from three queries that are not one snapshot, so a build checks its own
reading: it takes the ledger head before reading and, when done, asks whether any event
after that head touched a project or an organisation. If none did, every row it read is
the state at that head, which the files then name. If one did (or rows were left over),
it reads again, up to ``ATTEMPTS`` times, and otherwise says the ledger kept moving: a
file never names a head it does not reflect. Nothing here takes a lock a writer needs.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import tempfile
from collections.abc import Callable, Generator
from pathlib import Path
from typing import Any

from django.utils import timezone

from projects import selectors
from projects.publishing import writer
from projects.publishing.mapping import Finding
from projects.publishing.provenance import Provenance
from projects.publishing.publisher import Publisher, publisher

ACTIVITIES = "activities.xml"
ORGANISATION = "organisation.xml"
ATTEMPTS = 3


class LedgerKeptMoving(Exception):
    """Every reading overlapped a change to what is published; no file was written."""


@dataclasses.dataclass(frozen=True)
class Build:
    """What a build wrote: the head it reflects, its activities and what it left out."""

    provenance: Provenance
    activities: int
    findings: list[Finding]
    built_at: dt.datetime

    def to_json(self) -> dict[str, Any]:
        """Return the build as JSON (kept beside the files it describes)."""
        recorded = self.provenance.recorded_at
        return {
            "position": self.provenance.position,
            "hash": self.provenance.hash,
            "recorded_at": recorded.isoformat() if recorded else None,
            "activities": self.activities,
            "findings": [f.to_json() for f in self.findings],
            "built_at": self.built_at.isoformat(),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Build:
        """Return the build ``to_json`` described."""
        recorded = data["recorded_at"]
        return cls(
            provenance=Provenance(
                data["position"],
                data["hash"],
                dt.datetime.fromisoformat(recorded) if recorded else None,
            ),
            activities=data["activities"],
            findings=[Finding(**f) for f in data["findings"]],
            built_at=dt.datetime.fromisoformat(data["built_at"]),
        )

    @property
    def left_out(self) -> list[str]:
        """Return the codes of the projects the checks kept out of the file."""
        return sorted({f.project for f in self.findings if f.project})


def publisher_findings(who: Publisher) -> list[Finding]:
    """Return what is wrong with the publisher's settings (found once per build)."""
    if who.registered:
        return []
    return [Finding("", "reporting-org", "no-publisher", {"organisation": who.organisation})]


def build(folder: Path, *, progress: Callable[[int], None] | None = None) -> Build:
    """Write ``activities.xml`` and ``organisation.xml`` into ``folder`` (replacing them).

    With no activity to publish, ``activities.xml`` is removed instead: IATI's schema
    has no empty activity file.
    """
    folder.mkdir(parents=True, exist_ok=True)
    who = publisher()
    for _attempt in range(ATTEMPTS):
        head = selectors.publication_head()
        provenance = Provenance(head.position, head.hash, head.recorded_at)
        activities = _scratch(folder, ACTIVITIES)
        organisation = _scratch(folder, ORGANISATION)
        rows: tuple[Generator[dict[str, Any]], ...] = (
            selectors.published_projects(),
            selectors.published_parties(),
            selectors.published_milestones(),
        )
        try:
            with activities.open("wb") as out:
                written = writer.write_activities(
                    out,
                    provenance=provenance,
                    publisher=who,
                    projects=rows[0],
                    parties=rows[1],
                    milestones=rows[2],
                    progress=progress,
                )
            with organisation.open("wb") as out:
                writer.write_organisation(out, provenance=provenance, publisher=who)
            moved = selectors.publication_moved(head.position, selectors.publication_tip()[0])
            if not moved:
                for path in (activities, organisation):
                    path.chmod(0o644)  # published files: readable by the web server's user
                if written.activities:
                    os.replace(activities, folder / ACTIVITIES)
                else:  # IATI's schema needs one activity at least: no file, not an invalid one
                    (folder / ACTIVITIES).unlink(missing_ok=True)
                os.replace(organisation, folder / ORGANISATION)
                return Build(
                    provenance=provenance,
                    activities=written.activities,
                    findings=[*publisher_findings(who), *written.findings],
                    built_at=timezone.now(),
                )
        except writer.RowsOutOfStep:
            pass
        finally:
            for cursor in rows:  # a failed build closes its cursors now, not at collection
                cursor.close()
            activities.unlink(missing_ok=True)
            organisation.unlink(missing_ok=True)
    raise LedgerKeptMoving(
        f"the projects kept changing during {ATTEMPTS} readings; no file was written"
    )


def _scratch(folder: Path, name: str) -> Path:
    """Return a fresh temporary path beside ``name`` (renamed over it once complete)."""
    handle, path = tempfile.mkstemp(prefix=f".{name}.", suffix=".part", dir=folder)
    os.close(handle)
    return Path(path)
