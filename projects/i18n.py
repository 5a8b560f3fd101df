"""Domain messages in the reader's language: the doors' side of ``projects.domain.text``."""

from __future__ import annotations

from django.utils.translation import gettext

from projects.domain.errors import DomainError
from projects.domain.text import Phrase


def error_message(error: DomainError) -> str:
    """Return ``error``'s message translated into the active language."""
    params = {
        name: gettext(value) if isinstance(value, Phrase) else value
        for name, value in error.params.items()
    }
    template = gettext(error.template)
    try:
        return template.format(**params) if params else template
    except (KeyError, IndexError, ValueError):
        # A translation whose placeholders do not match its template must not hide
        # the refusal: fall back to the English text.
        return error.message
