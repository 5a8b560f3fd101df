"""Punctuation that follows the reader's language: full-width in Chinese, ASCII in English.

``{% translate ":" %}`` gives the colon; ``{{ text|bracketed }}`` puts ``text`` in
brackets, "(text)" or "（text）", and ``{{ n|bracketed:_("Projects") }}`` a labelled
figure, "(Projects 3)", so that no ASCII bracket or colon stands beside Chinese text in
a page or a mail. ``{{ text|unbroken_dates }}`` keeps each ISO date of a sentence on
one line (a browser may break "2026-04-30" after a hyphen).
"""

from __future__ import annotations

import re

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
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


_ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


@register.filter(needs_autoescape=True)
def unbroken_dates(value: object, autoescape: bool = True) -> SafeString:
    """Return ``value`` (escaped) with every ISO date in a span that does not wrap."""
    text = str(conditional_escape(str(value)) if autoescape else value)
    return mark_safe(_ISO_DATE.sub(r'<span class="nowrap">\g<0></span>', text))
