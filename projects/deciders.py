"""The aggregates ``services.execute`` knows: one typed record each, in a small registry.

A :class:`Decider` says everything running a command needs: which stream type and
command base class it serves, how to decide and fold (the pure functions of
``projects.domain``), the state's class (snapshots are stored and read through serde)
and how to build the context a decision needs from other streams. A new aggregate
joins with one ``register(Decider(...))``.

Contexts are read from the event store itself (which organisations exist, an
agreement's folded state), never from a read model.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.contrib.auth import get_user_model

from projects.domain import access, agreement, contact, organisation, project, recipient
from projects.domain.values import Signatory
from registry import snapshots
from registry.events import Event
from registry.models import StoredEvent

S = TypeVar("S")
C = TypeVar("C")
X = TypeVar("X")


@dataclass(frozen=True)
class Decider(Generic[S, C, X]):
    """How one aggregate decides its commands and folds its stream.

    ``snapshot_tag`` is the fold's revision: raise it when ``evolve`` changes what it
    makes of the same events, so snapshots made by the old fold are no longer used
    (a change of the state's fields is noticed without it).
    """

    stream_type: str
    command_type: type[C]
    state_type: type[S]
    decide: Callable[[S | None, C, X], list[Event]]
    evolve: Callable[[S | None, Event], S]
    context: Callable[[C, S | None, dt.date], X]
    initial: S | None = None
    snapshot_tag: str = "1"

    def fold(self, events: Iterable[Event], *, initial: S | None = None) -> S | None:
        """Return the state after ``events``, from ``initial`` (or the decider's own)."""
        state = self.initial if initial is None else initial
        for event in events:
            state = self.evolve(state, event)
        return state


_DECIDERS: list[Decider[Any, Any, Any]] = []


def register(decider: Decider[Any, Any, Any]) -> Decider[Any, Any, Any]:
    """Make ``decider`` run the commands of its command type."""
    if any(known.stream_type == decider.stream_type for known in _DECIDERS):
        raise ValueError(f"stream type {decider.stream_type!r} has a decider already")
    for known in _DECIDERS:
        if issubclass(decider.command_type, known.command_type) or issubclass(
            known.command_type, decider.command_type
        ):
            raise ValueError(f"{decider.command_type.__name__} overlaps a registered command type")
    _DECIDERS.append(decider)
    snapshots.register(decider)  # so that ``rebuild_snapshots`` can fold its streams
    return decider


def decider_for(command: Any) -> Decider[Any, Any, Any]:
    """Return the decider of the aggregate ``command`` belongs to."""
    for decider in _DECIDERS:
        if isinstance(command, decider.command_type):
            return decider
    raise TypeError(f"{type(command).__name__} is not a command of this registry")


def load_state(decider: Decider[S, Any, Any], stream_id: str) -> S | None:
    """Return a stream's current state (None when it does not exist)."""
    return snapshots.load(decider, stream_id).state


# -- contexts ----------------------------------------------------------------------------


def existing_streams(stream_type: str, ids: Iterable[str]) -> frozenset[str]:
    """Return which of ``ids`` are streams of ``stream_type`` in the log."""
    wanted = {i for i in ids if i}
    if not wanted:
        return frozenset()
    found = StoredEvent.objects.filter(
        stream_type=stream_type, stream_id__in=wanted, version=1
    ).values_list("stream_id", flat=True)
    return frozenset(found)


def _referenced_organisations(command: Any) -> set[str]:
    ids: set[str] = set()
    for field in dataclasses.fields(command):
        value = getattr(command, field.name)
        if field.name in {"organisation_id", "responsible_party", "claimant"} and value:
            ids.add(value)
        elif field.name == "signatories":
            ids.update(s.organisation_id for s in value if isinstance(s, Signatory))
    return ids


def _organisations(command: Any) -> frozenset[str]:
    return existing_streams(organisation.STREAM_TYPE, _referenced_organisations(command))


def _organisation_context(
    command: Any, state: Any, today: dt.date
) -> organisation.OrganisationContext:
    return organisation.OrganisationContext(today=today)


def _agreement_context(command: Any, state: Any, today: dt.date) -> agreement.AgreementContext:
    return agreement.AgreementContext(today=today, organisations=_organisations(command))


def _project_context(command: Any, state: Any, today: dt.date) -> project.ProjectContext:
    agreement_state = None
    if isinstance(command, (project.RegisterProject, project.CorrectProjectDetails)):
        # Only these consult the agreement (in force, sectors covered).
        code = command.agreement_code if isinstance(command, project.RegisterProject) else None
        code = code or (state.agreement_code if state is not None else None)
        agreement_state = load_state(AGREEMENT, code) if code else None
    return project.ProjectContext(
        today=today, agreement=agreement_state, organisations=_organisations(command)
    )


def _contact_context(command: Any, state: Any, today: dt.date) -> contact.ContactContext:
    return contact.ContactContext(today=today, organisations=_organisations(command))


def _access_context(command: Any, state: Any, today: dt.date) -> access.AccessContext:
    holder = getattr(command, "holder_id", "")
    # Staff accounts live in Django's auth tables, not in the log: look the holder up there.
    staff = get_user_model().objects.filter(is_staff=True, is_active=True)
    found = staff.filter(pk=holder).values_list("pk", flat=True) if holder.isdigit() else []
    return access.AccessContext(
        today=today,
        organisations=existing_streams(organisation.STREAM_TYPE, [holder]),
        staff_users=frozenset(str(pk) for pk in found),
    )


def _recipient_context(command: Any, state: Any, today: dt.date) -> recipient.RecipientContext:
    # A contact counts while its vault row is not erased; an officer while the user exists.
    kind, _sep, ref = command.recipient_id.partition(":")
    if kind == "contact":
        found = load_state(CONTACT, ref)
        exists = found is not None and not found.erased
    else:
        exists = get_user_model().objects.filter(pk=int(ref)).exists()
    named = getattr(command, "agreements", ())
    known = existing_streams(agreement.STREAM_TYPE, named)
    return recipient.RecipientContext(today=today, exists=exists, agreements=known)


# -- the registry --------------------------------------------------------------------------

ORGANISATION = register(
    Decider(
        stream_type=organisation.STREAM_TYPE,
        command_type=organisation.OrganisationCommand,
        state_type=organisation.State,
        decide=organisation.decide,
        evolve=organisation.evolve,
        context=_organisation_context,
    )
)
AGREEMENT = register(
    Decider(
        stream_type=agreement.STREAM_TYPE,
        command_type=agreement.AgreementCommand,
        state_type=agreement.State,
        decide=agreement.decide,
        evolve=agreement.evolve,
        context=_agreement_context,
    )
)
PROJECT = register(
    Decider(
        stream_type=project.STREAM_TYPE,
        command_type=project.ProjectCommand,
        state_type=project.State,
        decide=project.decide,
        evolve=project.evolve,
        context=_project_context,
    )
)
CONTACT = register(
    Decider(
        stream_type=contact.STREAM_TYPE,
        command_type=contact.ContactCommand,
        state_type=contact.State,
        decide=contact.decide,
        evolve=contact.evolve,
        context=_contact_context,
    )
)
API_TOKEN = register(
    Decider(
        stream_type=access.STREAM_TYPE,
        command_type=access.ApiTokenCommand,
        state_type=access.State,
        decide=access.decide,
        evolve=access.evolve,
        context=_access_context,
    )
)
RECIPIENT = register(
    Decider(
        stream_type=recipient.STREAM_TYPE,
        command_type=recipient.RecipientCommand,
        state_type=recipient.State,
        decide=recipient.decide,
        evolve=recipient.evolve,
        context=_recipient_context,
    )
)
