"""Domain messages in the reader's language: the doors' side of ``projects.domain.text``.

The domain names organisations and people by id (it reads no read model); the reader
sees them by name, in their language: the ids in a refusal's parameters that name an
organisation or a person are turned into names here, at the door.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import gettext

from projects import selectors
from projects.domain.errors import DomainError
from projects.domain.text import LAST_LIST_SEPARATOR, LIST_SEPARATOR, Phrase, PhraseList, join_words
from projects.labels import localised

# The parameters of the domain's messages that hold an organisation's id, and a person's
# (``staff:<user id>``, ``contact:<id>``). Others that hold ids speak of the id itself
# ("No organisation with id '{organisation_id}'").
ORGANISATION_PARAMS = frozenset({"organisation", "responsible", "claimant"})
PERSON_PARAMS = frozenset({"recipient", "officer"})


def _names(params: Mapping[str, object]) -> dict[str, str]:
    """Return the readable name of every id in ``params`` that names someone, by param."""
    organisations = {k: v for k, v in params.items() if k in ORGANISATION_PARAMS}
    people = {k: v for k, v in params.items() if k in PERSON_PARAMS}
    found = selectors.organisations_named(str(v) for v in organisations.values())
    named = selectors.people_named(str(v) for v in people.values())
    names = {k: localised(found[str(v)], "name") for k, v in organisations.items() if v in found}
    names.update({k: named[str(v)] for k, v in people.items() if v in named})
    return names


def _translated(value: object) -> object:
    if isinstance(value, PhraseList):
        words = [gettext(phrase) for phrase in value]
        return join_words(words, gettext(LIST_SEPARATOR), gettext(LAST_LIST_SEPARATOR))
    if isinstance(value, Phrase):
        return gettext(value)
    return value


def error_message(error: DomainError) -> str:
    """Return ``error``'s message translated into the active language, naming people by name."""
    params = {name: _translated(value) for name, value in error.params.items()}
    params.update(_names(error.params))
    template = gettext(error.template)
    try:
        return template.format(**params) if params else template
    except (KeyError, IndexError, ValueError):
        # A translation whose placeholders do not match its template must not hide
        # the refusal: fall back to the English text.
        return error.message
