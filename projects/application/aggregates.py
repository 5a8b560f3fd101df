"""The aggregates the application runs: each domain decider with its context loader.

An :class:`Aggregate` pairs a pure :class:`~projects.domain.decider.Decider` (exported by
its domain module as ``DECIDER``) with the Django-side function that loads the context
its decisions need (which organisations exist, an agreement's folded state, whether a
staff account exists). A new aggregate joins with one ``register(Aggregate(...))``.

Contexts are read from the event store itself, never from a read model: the decider is
the one judge, and it judges against the log.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.conf import settings
from django.contrib.auth import get_user_model

from projects.application.addresses import addresses_of
from projects.domain import (
    access,
    agreement,
    contact,
    following,
    organisation,
    project,
    recipient,
    webhook,
)
from projects.domain.decider import Decider
from projects.domain.values import Signatory
from registry import snapshots
from registry.models import StoredEvent
from registry.serde import Value

S = TypeVar("S")
C = TypeVar("C")
X = TypeVar("X")

# Every command is a Value dataclass that names its stream (``stream_id``).
Command = Value


@dataclass(frozen=True)
class Aggregate(Generic[S, C, X]):
    """A decider and how to load the context of its decisions (``command, state, today``)."""

    decider: Decider[S, C, X]
    context: Callable[[C, S | None, dt.date], X]

    @property
    def stream_type(self) -> str:
        """Return the stream type the aggregate's events are appended to."""
        return self.decider.stream_type


_AGGREGATES: list[Aggregate[Any, Any, Any]] = []


def register(aggregate: Aggregate[S, C, X]) -> Aggregate[S, C, X]:
    """Make ``aggregate`` run the commands of its decider's command type."""
    decider = aggregate.decider
    if any(known.stream_type == decider.stream_type for known in _AGGREGATES):
        raise ValueError(f"stream type {decider.stream_type!r} has a decider already")
    for known in _AGGREGATES:
        theirs = known.decider.command_type
        if issubclass(decider.command_type, theirs) or issubclass(theirs, decider.command_type):
            raise ValueError(f"{decider.command_type.__name__} overlaps a registered command type")
    _AGGREGATES.append(aggregate)
    snapshots.register(decider)  # so that ``rebuild_snapshots`` can fold its streams
    return aggregate


def aggregate_for(command: object) -> Aggregate[Any, Any, Any]:
    """Return the aggregate ``command`` belongs to (TypeError for anything else)."""
    for aggregate in _AGGREGATES:
        if isinstance(command, aggregate.decider.command_type):
            return aggregate
    raise TypeError(f"{type(command).__name__} is not a command of this registry")


def registered() -> list[Aggregate[Any, Any, Any]]:
    """Return the registered aggregates, in the order they joined."""
    return list(_AGGREGATES)


def load_state(decider: Decider[S, Any, Any], stream_id: str) -> S | None:
    """Return a stream's current state (None when it does not exist)."""
    state: S | None = snapshots.load(decider, stream_id).state
    return state


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
    command: organisation.OrganisationCommand, state: organisation.State | None, today: dt.date
) -> organisation.OrganisationContext:
    return organisation.OrganisationContext(today=today)


def _agreement_context(
    command: agreement.AgreementCommand, state: agreement.State | None, today: dt.date
) -> agreement.AgreementContext:
    return agreement.AgreementContext(today=today, organisations=_organisations(command))


def _project_context(
    command: project.ProjectCommand, state: project.State | None, today: dt.date
) -> project.ProjectContext:
    agreement_state = None
    if isinstance(command, (project.RegisterProject, project.CorrectProjectDetails)):
        # Only these consult the agreement (in force, sectors covered).
        code = command.agreement_code if isinstance(command, project.RegisterProject) else None
        code = code or (state.agreement_code if state is not None else None)
        agreement_state = load_state(agreement.DECIDER, code) if code else None
    return project.ProjectContext(
        today=today, agreement=agreement_state, organisations=_organisations(command)
    )


def _contact_context(
    command: contact.ContactCommand, state: contact.State | None, today: dt.date
) -> contact.ContactContext:
    return contact.ContactContext(today=today, organisations=_organisations(command))


def _access_context(
    command: access.ApiTokenCommand, state: access.State | None, today: dt.date
) -> access.AccessContext:
    holder = getattr(command, "holder_id", "")
    # Staff accounts live in Django's auth tables, not in the log: look the holder up there.
    staff = get_user_model().objects.filter(is_staff=True, is_active=True)
    found = staff.filter(pk=holder).values_list("pk", flat=True) if holder.isdigit() else []
    return access.AccessContext(
        today=today,
        organisations=existing_streams(organisation.STREAM_TYPE, [holder]),
        staff_users=frozenset(str(pk) for pk in found),
    )


def _recipient_context(
    command: recipient.RecipientCommand, state: recipient.State | None, today: dt.date
) -> recipient.RecipientContext:
    # A contact counts while its vault row is not erased; an officer while the user exists.
    kind, _sep, ref = command.recipient_id.partition(":")
    if kind == "contact":
        found = load_state(contact.DECIDER, ref)
        exists = found is not None and not found.erased
    else:
        exists = get_user_model().objects.filter(pk=int(ref)).exists()
    named = getattr(command, "agreements", ())
    known = existing_streams(agreement.STREAM_TYPE, named)
    return recipient.RecipientContext(today=today, exists=exists, agreements=known)


def _following_context(
    command: following.FollowingCommand, state: following.State | None, today: dt.date
) -> following.FollowingContext:
    # Staff accounts live in Django's auth tables; projects are streams of the log.
    user_id = command.officer.partition(":")[2]
    exists = get_user_model().objects.filter(pk=int(user_id), is_staff=True).exists()
    named = [getattr(command, "project_code", "")]
    return following.FollowingContext(
        today=today, exists=exists, projects=existing_streams(project.STREAM_TYPE, named)
    )


def _webhook_context(
    command: webhook.WebhookCommand, state: webhook.State | None, today: dt.date
) -> webhook.WebhookContext:
    allow_private = bool(settings.WEBHOOK_ALLOW_PRIVATE)
    url = getattr(command, "url", None)
    if isinstance(command, webhook.EnableWebhook) and state is not None:
        url = state.url
    addresses: tuple[str, ...] | None = ()
    if url and not allow_private:
        try:
            _scheme, host, port = webhook.url_host(url)
        except webhook.WebhookUrlRefused:
            pass  # the decider refuses it with the same error
        else:
            addresses = addresses_of(host, port)
    owner = getattr(command, "organisation_id", "") or ""
    live = 0
    if isinstance(command, webhook.RegisterWebhook):
        streams = StoredEvent.objects.filter(stream_type=webhook.STREAM_TYPE)
        ids = set(
            streams.filter(
                event_type=webhook.WebhookRegistered.event_type, data__organisation_id=owner
            ).values_list("stream_id", flat=True)
        )
        gone = streams.filter(
            stream_id__in=ids, event_type=webhook.WebhookDeleted.event_type
        ).values_list("stream_id", flat=True)
        live = len(ids - set(gone))
    return webhook.WebhookContext(
        today=today,
        organisations=existing_streams(organisation.STREAM_TYPE, [owner]),
        webhooks=live,
        allow_private=allow_private,
        addresses=addresses,
    )


# -- the registry --------------------------------------------------------------------------

ORGANISATION = register(Aggregate(organisation.DECIDER, _organisation_context))
AGREEMENT = register(Aggregate(agreement.DECIDER, _agreement_context))
PROJECT = register(Aggregate(project.DECIDER, _project_context))
CONTACT = register(Aggregate(contact.DECIDER, _contact_context))
API_TOKEN = register(Aggregate(access.DECIDER, _access_context))
RECIPIENT = register(Aggregate(recipient.DECIDER, _recipient_context))
FOLLOWING = register(Aggregate(following.DECIDER, _following_context))
WEBHOOK = register(Aggregate(webhook.DECIDER, _webhook_context))
