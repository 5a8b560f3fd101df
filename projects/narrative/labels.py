"""The timeline's words for codes and texts, in the reader's language.

The codes' labels and the choice of a record's language are the admin's
(``projects.labels``, one place for every door); this module adds what sentences need
beyond them: the contact languages, lists joined as the reader's language joins them
("a, b" or "a、b"), and a ``LocalisedText`` value (not only its stored JSON) picked in the
reader's language.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from projects import labels
from projects.domain.contact import Language
from projects.domain.plaintext import neutralise_line
from projects.labels import language_suffix, localised, localised_json

__all__ = [
    "code_label",
    "codes_text",
    "joined",
    "label",
    "labels_text",
    "localised",
    "localised_text",
]

LANGUAGE_LABELS: dict[enum.Enum, Promise] = {
    Language.EN: _("English"),
    Language.ZH_HANT: _("Traditional Chinese"),
    Language.ZH_HANS: _("Simplified Chinese"),
}


def label(member: enum.Enum) -> str:
    """Return the translated label of an enumeration member (its value if it has none)."""
    text = LANGUAGE_LABELS.get(member)
    return str(text) if text is not None else labels.label(member)


def code_label(enum_cls: type[enum.Enum], value: Any) -> str:
    """Return the label of the member of ``enum_cls`` whose value is ``value``."""
    return labels.code_label(enum_cls, value)


def joined(items: Iterable[str]) -> str:
    """Return ``items`` as one list in the reader's language ("a, b" or "a、b")."""
    return labels.joined(items)


def labels_text(members: Iterable[enum.Enum]) -> str:
    """Return enumeration members (roles, sectors) as one readable list."""
    return joined(label(m) for m in members)


def codes_text(enum_cls: type[enum.Enum], values: Iterable[Any]) -> str:
    """Return stored codes (roles, sectors) as one readable list."""
    return joined(code_label(enum_cls, v) for v in values)


def localised_text(texts: Any, language: str | None = None) -> str:
    """Return a LocalisedText (or its stored JSON) in the reader's language, else English."""
    if texts is None:
        return ""
    if isinstance(texts, Mapping):
        return localised_json(dict(texts), language)
    return neutralise_line(str(getattr(texts, language_suffix(language), "") or texts.en))
