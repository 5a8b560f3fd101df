"""Domain messages in the reader's language: the doors' side of ``projects.domain.text``."""

from __future__ import annotations

from django.utils.translation import gettext

from projects.domain.errors import DomainError
from projects.domain.text import LAST_LIST_SEPARATOR, LIST_SEPARATOR, Phrase, PhraseList, join_words


def _translated(value: object) -> object:
    if isinstance(value, PhraseList):
        words = [gettext(phrase) for phrase in value]
        return join_words(words, gettext(LIST_SEPARATOR), gettext(LAST_LIST_SEPARATOR))
    if isinstance(value, Phrase):
        return gettext(value)
    return value


def error_message(error: DomainError) -> str:
    """Return ``error``'s message translated into the active language."""
    params = {name: _translated(value) for name, value in error.params.items()}
    template = gettext(error.template)
    try:
        return template.format(**params) if params else template
    except (KeyError, IndexError, ValueError):
        # A translation whose placeholders do not match its template must not hide
        # the refusal: fall back to the English text.
        return error.message
