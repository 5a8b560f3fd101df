"""One way from outside data to a command, for every door.

An admin form's cleaned data, an API request's JSON body, a reminder link's form, a seed
file's record: each is plain data that must become a command before the domain can
judge it. :func:`parse` does that for all of them, on ``registry.serde`` (the decoder
that reads events), strictly: a field the command does not have is refused, a value of
the wrong JSON type is refused rather than coerced (a number is not a text), a date is
``YYYY-MM-DD`` exactly. Every field at fault is named (:class:`InvalidInput`), by the name
the outside used, so a form puts the message on its field and the API lists them.

Parsing checks the shape of each value; a value beyond a limit the domain sets (a
title's length, a date's range) raises the domain's own refusal (a DomainError), named
by the outside's field. Whether the command may be carried out is the decider's to
judge, against the log, never a door's against a read model.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from projects.domain.errors import DomainError
from registry import serde
from registry.errors import EventValidationError

C = TypeVar("C")


@dataclass(frozen=True)
class FieldError:
    """What is wrong (``error``) with one field (``field``: a dotted path; None: the whole)."""

    field: str | None
    error: EventValidationError | DomainError

    @property
    def detail(self) -> str:
        """Return what is wrong, in English (doors translate a DomainError themselves)."""
        return str(getattr(self.error, "detail", None) or self.error)


class InvalidInput(EventValidationError):
    """Outside data that does not make a well-formed command; ``errors`` names each field.

    Also an EventValidationError whose ``field`` and ``detail`` are the first error's,
    so a door that shows one message shows the first.
    """

    def __init__(self, errors: list[FieldError]) -> None:
        self.errors = errors
        first = errors[0]
        super().__init__(
            f"{first.field or 'input'}: {first.detail}", field=first.field, detail=first.detail
        )


def parse(
    command_type: type[C],
    data: object,
    *,
    names: Mapping[str, str] | None = None,
    fixed: Mapping[str, Any] | None = None,
) -> C:
    """Build ``command_type`` from outside ``data`` (a JSON object), or raise InvalidInput.

    ``names`` maps the outside's field names to the command's (``{"date":
    "claimed_date"}``); when given, only those fields may come from outside. ``fixed``
    holds fields the door sets itself (the project from the URL, the caller's
    organisation): the outside may not send them.
    """
    fixed = dict(fixed or {})
    hints = serde.field_types(command_type)  # type: ignore[arg-type]
    if names is None:
        names = {name: name for name in hints if name not in fixed}
    outside_of = {inside: outside for outside, inside in names.items()}
    if not isinstance(data, Mapping):
        error = EventValidationError(
            f"expected an object, got {type(data).__name__}",
            detail=f"expected an object, got {type(data).__name__}",
        )
        raise InvalidInput([FieldError(None, error)])
    errors: list[FieldError] = []
    raw: dict[str, Any] = {}
    for key in data:
        if not isinstance(key, str) or key not in names:
            unknown = _refusal(str(key), "is not a field of this request")
            errors.append(FieldError(str(key), unknown))
            continue
        inside = names[key]
        try:
            serde.decode(hints[inside], data[key], f"{command_type.__name__}.{inside}")
        except EventValidationError as error:
            errors.append(FieldError(_outside(error.field, outside_of) or key, error))
            continue
        raw[inside] = data[key]
    named = {error.field for error in errors}
    for field in dataclasses.fields(command_type):  # type: ignore[arg-type]
        required = field.default is dataclasses.MISSING
        required = required and field.default_factory is dataclasses.MISSING
        outside = outside_of.get(field.name)
        if required and field.name not in raw and outside is not None and outside not in named:
            errors.append(FieldError(outside, _refusal(outside, "is required")))
    if errors:
        raise InvalidInput(errors)
    try:
        command: C = serde.from_json(command_type, {**raw, **serde_json(fixed)})
    except DomainError as error:
        # A value beyond a domain limit (a note too long, a date out of range): the
        # domain's own refusal, naming the field as the outside knows it.
        error.field = _outside(error.field, outside_of)
        raise
    except EventValidationError as error:
        raise InvalidInput([FieldError(_outside(error.field, outside_of), error)]) from None
    return command


def serde_json(values: Mapping[str, Any]) -> dict[str, Any]:
    """Return typed values (dates, enums, value objects) as the JSON ``parse`` reads."""
    return {name: serde.encode(value) for name, value in values.items()}


def _refusal(field: str, detail: str) -> EventValidationError:
    return EventValidationError(f"{field}: {detail}", field=field, detail=detail)


def _outside(path: str | None, outside_of: Mapping[str, str]) -> str | None:
    """Return a command field path under the name the outside used for its first part."""
    if not path:
        return None
    head, dot, rest = path.partition(".")
    return outside_of.get(head, head) + dot + rest
