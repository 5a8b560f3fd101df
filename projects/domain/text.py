"""Messages the domain writes for people, marked for translation without Django.

The domain stays free of frameworks, so it cannot call gettext. It marks each message
template with :func:`_` (a keyword ``makemessages`` already extracts) and passes the
values separately; the doors translate the template and then fill it in
(:func:`projects.i18n.error_message`). A value that is itself words to translate
(``"reschedule a milestone"``) is wrapped in :class:`Phrase`; a list of such words in
:class:`PhraseList`. Every template has its translations in ``projects/domain/locale``.
"""

from __future__ import annotations

from collections.abc import Iterable


def _(message: str) -> str:
    """Return ``message`` unchanged: marks it for extraction into the message catalogues."""
    return message


class Phrase(str):
    """A message parameter that is words to translate, not a value to show as it is."""

    __slots__ = ()


class PhraseList(tuple[Phrase, ...]):
    """A message parameter listing phrases; in English they read "a, b and c"."""

    def __new__(cls, phrases: Iterable[Phrase]) -> PhraseList:
        return super().__new__(cls, phrases)

    def __format__(self, spec: str) -> str:
        return format(join_words(self), spec)

    def __str__(self) -> str:
        return join_words(self)


LIST_SEPARATOR = _(", ")
LAST_LIST_SEPARATOR = _(" and ")


def join_words(
    words: Iterable[str], separator: str = LIST_SEPARATOR, last_separator: str = LAST_LIST_SEPARATOR
) -> str:
    """Return ``words`` joined as a list is read: "a, b and c"."""
    items = list(words)
    if len(items) < 2:
        return "".join(items)
    return separator.join(items[:-1]) + last_separator + items[-1]


LANGUAGE_NAMES: dict[str, Phrase] = {
    "en": Phrase(_("English")),
    "zh_hant": Phrase(_("Traditional Chinese")),
    "zh_hans": Phrase(_("Simplified Chinese")),
}
