"""The timeline's grammar: one sentence per event, who made it and through which door.

Sentences are translated with gettext when they are built, so build them with the
reader's language active. Names of organisations, milestones and people come from a
:class:`Names` lookup the caller loads once for a page of events (see
``projects.selectors.timeline_names``), so describing a page costs no query.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from projects.domain.plaintext import neutralise_lines
from projects.narrative.labels import localised
from registry.events import Event, Metadata, RecordedEvent, handler_registrar
from registry.serde import visible_json

Sentence = Callable[[Any, "Context"], str]

SENTENCES: dict[str, Sentence] = {}


def sentence(*event_classes: type[Event]) -> Callable[[Sentence], Sentence]:
    """Register a function as the sentence of each of ``event_classes`` (once each)."""
    return handler_registrar("the timeline", SENTENCES, event_classes)  # type: ignore[return-value]


@dataclasses.dataclass(frozen=True)
class Names:
    """Names the sentences refer to, loaded once per page of events.

    ``organisations`` maps ids to rows with ``name_en``/``name_zh_hant``/``name_zh_hans``,
    ``milestones`` maps ``CODE/M1`` keys to rows with ``title_*``, ``people`` maps user ids
    to full names.
    """

    organisations: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    milestones: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    people: Mapping[str, str] = dataclasses.field(default_factory=dict)

    def organisation(self, organisation_id: str | None) -> str:
        """Return an organisation's name in the reader's language (its id if unknown)."""
        row = self.organisations.get(organisation_id or "")
        return localised(row, "name") if row is not None else str(organisation_id or "")

    def milestone(self, project_code: str, milestone_id: str) -> str:
        """Return a milestone as 'M3 “its title”' in the reader's language."""
        row = self.milestones.get(f"{project_code}/{milestone_id}")
        if row is None:
            return milestone_id
        return titled(milestone_id, localised(row, "title"))

    def person(self, user_id: str | None) -> str:
        """Return an officer's full name, or say which account it was."""
        name = self.people.get(user_id or "")
        return name or _("officer {account}").format(account=user_id or "?")


@dataclasses.dataclass(frozen=True)
class Context:
    """What a sentence needs beside its event: the stream and the names."""

    stream_id: str
    names: Names

    def organisation(self, organisation_id: str | None) -> str:
        """Return an organisation's name in the reader's language."""
        return self.names.organisation(organisation_id)

    def milestone(self, milestone_id: str) -> str:
        """Return a milestone of this project as 'M3 “its title”'."""
        return self.names.milestone(self.stream_id, milestone_id)


@dataclasses.dataclass(frozen=True)
class Line:
    """One event of a timeline as people read it, with its raw form one click away."""

    version: int
    position: int
    event_type: str
    sentence: str
    actor: str
    door: str
    occurred_on: dt.date
    recorded_at: dt.datetime
    raw: str


# -- small pieces of grammar -------------------------------------------------------------


def titled(code: str, title: str) -> str:
    """Return a code with its title: 'M3 “Prototype delivered”'."""
    return _("{code} “{title}”").format(code=code, title=title) if title else code


def iso(day: dt.date | None) -> str:
    """Return a date as people read it here: ISO 8601 in every language."""
    return day.isoformat() if day is not None else "—"


def because(text: str, reason: str | None) -> str:
    """Return ``text`` followed by its reason, when there is one."""
    if not reason:
        return text
    # Recorded before the text rules, a reason may hold direction overrides: never shown.
    return _("{sentence}: {reason}").format(sentence=text, reason=neutralise_lines(reason))


def day_shift(days: int) -> str:
    """Return a move of ``days`` as '91 days later' or '3 days earlier'."""
    if days >= 0:
        return ngettext("{n} day later", "{n} days later", days).format(n=days)
    return ngettext("{n} day earlier", "{n} days earlier", -days).format(n=-days)


# -- who and through which door ----------------------------------------------------------


def door(source: str) -> str:
    """Return the door a change came through, in the reader's language."""
    doors = {
        "admin": _("admin"),
        "api": _("partner API"),
        "seed": _("seed loader"),
        "task": _("scheduled task"),
        "cli": _("command line"),
        "mail": _("link in a mail"),
    }
    return doors.get(source, source)


def actor(metadata: Metadata, names: Names) -> str:
    """Return who made a change: an officer's full name, a partner, seed data or the registry."""
    if metadata.actor_kind == "staff":
        return names.person(metadata.actor_id)
    if metadata.actor_kind == "partner":
        return names.organisation(metadata.organisation or metadata.actor_id)
    if metadata.actor_kind == "seed":
        return _("seed data")
    return _("the registry")


# -- whole lines -------------------------------------------------------------------------


def describe(event: RecordedEvent[Any], names: Names) -> str:
    """Return the event as a sentence in the active language."""
    fn = SENTENCES.get(event.event.event_type)
    context = Context(stream_id=event.stream_id, names=names)
    if fn is None:
        # An event type added without a sentence still reads as something; a test
        # makes sure every type of the domain has its own.
        return _("{event} recorded").format(event=event.event.event_type)
    text = fn(event.event, context)
    note = neutralise_lines(event.metadata.reason or "")
    if note and event.metadata.actor_kind != "seed" and note not in text:
        text = _("{sentence} (note: {note})").format(sentence=text, note=note)
    return text


def raw(event: RecordedEvent[Any]) -> str:
    """Return the event as stored, pretty-printed JSON for the curious."""
    body = {
        "stream": f"{event.stream_type}/{event.stream_id}",
        "version": event.version,
        "position": event.position,
        "event_type": event.event.event_type,
        "schema_version": event.event.schema_version,
        "occurred_at": event.occurred_at.isoformat(),
        "recorded_at": event.recorded_at.isoformat(),
        "data": event.event.to_data(),
        "metadata": event.metadata.to_json(),
        "hash": event.hash,
    }
    return visible_json(body)


def line(event: RecordedEvent[Any], names: Names) -> Line:
    """Return one timeline line for ``event``, in the active language and time zone."""
    return Line(
        version=event.version,
        position=event.position,
        event_type=event.event.event_type,
        sentence=describe(event, names),
        actor=actor(event.metadata, names),
        door=door(event.metadata.source),
        occurred_on=timezone.localtime(event.occurred_at).date(),
        recorded_at=timezone.localtime(event.recorded_at),
        raw=raw(event),
    )


def narrate(events: Iterable[RecordedEvent[Any]], names: Names) -> list[Line]:
    """Return timeline lines for ``events``, in the order given."""
    return [line(e, names) for e in events]
