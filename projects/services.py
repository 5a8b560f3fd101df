"""Command handlers: load the stream, fold, decide, append with the expected version.

``execute`` is the one way the admin, the API, tasks and the seed loader change the
registry. It runs in the caller's transaction (entry points open a durable one) and
looks up what the decider needs from other streams (the agreement, which organisations
exist) in the event store itself, never in a read model.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections.abc import Callable, Iterable
from types import ModuleType
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from projects.domain import access, agreement, contact, organisation, project, recipient
from projects.domain.values import Signatory
from registry import serde, store
from registry.errors import ConcurrencyConflict
from registry.events import Metadata
from registry.ledger import canonical
from registry.models import StoredEvent
from registry.store import AppendResult

_AGGREGATES: tuple[tuple[type, ModuleType], ...] = (
    (organisation.OrganisationCommand, organisation),
    (agreement.AgreementCommand, agreement),
    (project.ProjectCommand, project),
    (contact.ContactCommand, contact),
    (access.ApiTokenCommand, access),
    (recipient.RecipientCommand, recipient),
)
_RETRIES = 3


def aggregate_of(command: Any) -> ModuleType:
    """Return the aggregate module (organisation, agreement, project) a command belongs to."""
    for base, module in _AGGREGATES:
        if isinstance(command, base):
            return module
    raise TypeError(f"{type(command).__name__} is not a command of this registry")


def execute(
    command: Any,
    *,
    metadata: Metadata,
    expected_version: int | None = None,
    occurred_at: dt.datetime | None = None,
    today: dt.date | None = None,
) -> AppendResult:
    """Decide ``command`` against its stream and append the resulting events.

    ``expected_version`` is the stream version the caller saw (the admin form's or the
    API's ``If-Match``); a stale one raises ConcurrencyConflict. Without it, a race
    with another writer is retried against the fresh stream. A domain rule broken
    raises a DomainError and nothing is written; an idempotency key already used by
    the same caller returns the first result.
    """
    aggregate = aggregate_of(command)
    today = today or timezone.localdate()
    if metadata.idempotency_key is not None and metadata.request_digest is None:
        metadata = dataclasses.replace(metadata, request_digest=command_digest(command))
    for attempt in range(_RETRIES):
        try:
            with transaction.atomic():
                return _execute_once(
                    aggregate, command, metadata, expected_version, occurred_at, today
                )
        except ConcurrencyConflict:
            if expected_version is not None or attempt == _RETRIES - 1:
                raise
    raise AssertionError("unreachable")


def _execute_once(
    aggregate: ModuleType,
    command: Any,
    metadata: Metadata,
    expected_version: int | None,
    occurred_at: dt.datetime | None,
    today: dt.date,
) -> AppendResult:
    earlier = store.find_idempotent(metadata)
    if earlier is not None:
        return earlier
    stream_id = command.stream_id
    history = store.read_stream(aggregate.STREAM_TYPE, stream_id)
    version = history[-1].version if history else 0
    if expected_version is not None and expected_version != version:
        raise ConcurrencyConflict(
            stream_type=aggregate.STREAM_TYPE,
            stream_id=stream_id,
            expected_version=expected_version,
            current_version=version,
        )
    state = aggregate.fold(e.event for e in history)
    context = _CONTEXTS[aggregate.STREAM_TYPE](command, state, today)
    events = aggregate.decide(state, command, context)
    return store.append(
        aggregate.STREAM_TYPE,
        stream_id,
        events,
        expected_version=version,
        metadata=metadata,
        occurred_at=occurred_at,
    )


def command_digest(command: Any) -> str:
    """Return a SHA-256 digest identifying a command by its type and fields."""
    body = [type(command).__name__, serde.encode(command)]
    return hashlib.sha256(canonical(body)).hexdigest()


def existing_streams(stream_type: str, ids: Iterable[str]) -> frozenset[str]:
    """Return which of ``ids`` are streams of ``stream_type`` in the log."""
    wanted = {i for i in ids if i}
    if not wanted:
        return frozenset()
    found = StoredEvent.objects.filter(
        stream_type=stream_type, stream_id__in=wanted, version=1
    ).values_list("stream_id", flat=True)
    return frozenset(found)


def load_state(aggregate: ModuleType, stream_id: str) -> Any:
    """Fold a stream into its aggregate state (None when it does not exist)."""
    return aggregate.fold(e.event for e in store.read_stream(aggregate.STREAM_TYPE, stream_id))


def _referenced_organisations(command: Any) -> set[str]:
    ids: set[str] = set()
    for field in dataclasses.fields(command):
        value = getattr(command, field.name)
        if field.name in {"organisation_id", "responsible_party", "claimant"} and value:
            ids.add(value)
        elif field.name == "signatories":
            ids.update(s.organisation_id for s in value if isinstance(s, Signatory))
    return ids


def _organisation_context(command: Any, state: Any, today: dt.date) -> Any:
    return organisation.OrganisationContext(today=today)


def _agreement_context(command: Any, state: Any, today: dt.date) -> Any:
    known = existing_streams(organisation.STREAM_TYPE, _referenced_organisations(command))
    return agreement.AgreementContext(today=today, organisations=known)


def _project_context(command: Any, state: Any, today: dt.date) -> Any:
    agreement_state = None
    if isinstance(command, (project.RegisterProject, project.CorrectProjectDetails)):
        # Only these consult the agreement (in force, sectors covered).
        code = command.agreement_code if isinstance(command, project.RegisterProject) else None
        code = code or (state.agreement_code if state is not None else None)
        agreement_state = load_state(agreement, code) if code else None
    known = existing_streams(organisation.STREAM_TYPE, _referenced_organisations(command))
    return project.ProjectContext(today=today, agreement=agreement_state, organisations=known)


def _contact_context(command: Any, state: Any, today: dt.date) -> Any:
    known = existing_streams(organisation.STREAM_TYPE, _referenced_organisations(command))
    return contact.ContactContext(today=today, organisations=known)


def _access_context(command: Any, state: Any, today: dt.date) -> Any:
    holder = getattr(command, "holder_id", "")
    # Staff accounts live in Django's auth tables, not in the log: look the holder up there.
    staff = get_user_model().objects.filter(is_staff=True, is_active=True)
    found = staff.filter(pk=holder).values_list("pk", flat=True) if holder.isdigit() else []
    return access.AccessContext(
        today=today,
        organisations=existing_streams(organisation.STREAM_TYPE, [holder]),
        staff_users=frozenset(str(pk) for pk in found),
    )


def _recipient_context(command: Any, state: Any, today: dt.date) -> Any:
    # A contact counts while its vault row is not erased; an officer while the user exists.
    kind, _sep, ref = command.recipient_id.partition(":")
    if kind == "contact":
        found = load_state(contact, ref)
        exists = found is not None and not found.erased
    else:
        exists = get_user_model().objects.filter(pk=int(ref)).exists()
    named = getattr(command, "agreements", ())
    known = existing_streams(agreement.STREAM_TYPE, named)
    return recipient.RecipientContext(today=today, exists=exists, agreements=known)


_CONTEXTS: dict[str, Callable[[Any, Any, dt.date], Any]] = {
    organisation.STREAM_TYPE: _organisation_context,
    agreement.STREAM_TYPE: _agreement_context,
    project.STREAM_TYPE: _project_context,
    contact.STREAM_TYPE: _contact_context,
    access.STREAM_TYPE: _access_context,
    recipient.STREAM_TYPE: _recipient_context,
}
