"""Punctuation that follows the reader's language: full-width in Chinese, ASCII in English.

``{% translate ":" %}`` gives the colon; ``{{ text|bracketed }}`` puts ``text`` in
brackets, "(text)" or "（text）", and ``{{ n|bracketed:_("Projects") }}`` a labelled
figure, "(Projects 3)", so that no ASCII bracket or colon stands beside Chinese text in
a page or a mail.
"""

from __future__ import annotations

from django import template
from django.utils.translation import gettext

register = template.Library()


@register.filter
def bracketed_as(value: object, label: object) -> str:
    """Return "(label: value)" in the brackets and colon of the active language."""
    return gettext("({label}: {text})").format(label=label, text=value)


@register.filter
def bracketed(value: object, label: object = "") -> str:
    """Return ``value`` (after ``label``, if given) in brackets of the active language."""
    if label:
        return gettext("({label} {text})").format(label=label, text=value)
    return gettext("({text})").format(text=value)
