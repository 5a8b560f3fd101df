"""Writing the two files, streamed: one activity at a time, whatever the number of projects.

``lxml.etree.xmlfile`` writes the root element's start, then each ``iati-activity``
built and serialised on its own, then the end: memory holds one project's rows and
element at a time. The rows come from three ordered queries walked side by side
(:mod:`projects.selectors.publishing`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import IO, Any

from lxml import etree

from projects.publishing import codes, mapping
from projects.publishing.mapping import Finding
from projects.publishing.provenance import Provenance
from projects.publishing.publisher import Publisher
from projects.publishing.texts import all_texts

Row = Mapping[str, Any]


class RowsOutOfStep(Exception):
    """Parties or milestones were left over: the rows changed while they were read."""


@dataclasses.dataclass
class Written:
    """What a file holds: the activities written and the projects left out, with why."""

    activities: int = 0
    findings: list[Finding] = dataclasses.field(default_factory=list)

    @property
    def left_out(self) -> list[str]:
        """Return the codes of the projects left out of the file."""
        return sorted({f.project for f in self.findings if f.project})


class _Groups:
    """Rows ordered by project code, taken one project's group at a time."""

    def __init__(self, rows: Iterable[Row]) -> None:
        self._rows: Iterator[Row] = iter(rows)
        self._next: Row | None = next(self._rows, None)

    def take(self, code: str) -> list[Row]:
        """Return the rows of project ``code`` (they must come next, or there are none)."""
        group = []
        while self._next is not None and self._next["project_id"] == code:
            group.append(self._next)
            self._next = next(self._rows, None)
        return group

    def finish(self) -> None:
        """Refuse rows left over: they belong to no project read (a concurrent change)."""
        if self._next is not None:
            raise RowsOutOfStep(self._next["project_id"])


def write_activities(
    out: IO[bytes],
    *,
    provenance: Provenance,
    publisher: Publisher,
    projects: Iterable[Row],
    parties: Iterable[Row],
    milestones: Iterable[Row],
    progress: Callable[[int], None] | None = None,
) -> Written:
    """Write ``iati-activities`` to ``out``: one activity per project the checks let through."""
    written = Written()
    texts = all_texts()
    party_groups, milestone_groups = _Groups(parties), _Groups(milestones)
    root = {"version": codes.IATI_VERSION}
    if provenance.recorded_at is not None:
        root["generated-datetime"] = mapping.iso_datetime(provenance.recorded_at)
    with etree.xmlfile(out, encoding="utf-8") as xf:
        xf.write_declaration()
        xf.write(etree.Comment(provenance.comment("Activities")), pretty_print=True)
        with xf.element("iati-activities", root, nsmap={publisher.prefix: publisher.namespace}):
            xf.write("\n")
            for project in projects:
                code = project["code"]
                its_parties = party_groups.take(code)
                its_milestones = milestone_groups.take(code)
                found = mapping.check(project, its_parties)
                if found:
                    written.findings.extend(found)
                else:
                    element = mapping.activity(
                        project, its_parties, its_milestones, publisher=publisher, texts=texts
                    )
                    xf.write(element, pretty_print=True)
                    written.activities += 1
                if progress is not None:
                    progress(1)
        party_groups.finish()
        milestone_groups.finish()
    return written


def write_organisation(out: IO[bytes], *, provenance: Provenance, publisher: Publisher) -> None:
    """Write ``iati-organisations`` with the one reporting organisation to ``out``."""
    root = {"version": codes.IATI_VERSION}
    updated: dict[str, str] = {}
    if provenance.recorded_at is not None:
        root["generated-datetime"] = mapping.iso_datetime(provenance.recorded_at)
        updated["last-updated-datetime"] = root["generated-datetime"]
    with etree.xmlfile(out, encoding="utf-8") as xf:
        xf.write_declaration()
        xf.write(etree.Comment(provenance.comment("Organisation")), pretty_print=True)
        with xf.element("iati-organisations", root):
            organisation = etree.Element(
                "iati-organisation",
                {
                    **updated,
                    mapping.XML_LANG: codes.ENGLISH,
                    "default-currency": publisher.default_currency,
                },
                nsmap={publisher.prefix: publisher.namespace},
            )
            etree.SubElement(organisation, "organisation-identifier").text = publisher.ref
            publisher.name_narratives(etree.SubElement(organisation, "name"))
            publisher.reporting_org(organisation)
            xf.write("\n")
            xf.write(organisation, pretty_print=True)
