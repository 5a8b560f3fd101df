"""Messages the domain writes for people, marked for translation without Django.

The domain stays free of frameworks, so it cannot call gettext. It marks each message
template with :func:`_` (a keyword ``makemessages`` already extracts) and passes the
values separately; the doors translate the template and then fill it in
(:func:`projects.i18n.error_message`). A value that is itself words to translate
(``"reschedule a milestone"``) is wrapped in :class:`Phrase`.
"""

from __future__ import annotations


def _(message: str) -> str:
    """Return ``message`` unchanged: marks it for extraction into the message catalogues."""
    return message


class Phrase(str):
    """A message parameter that is words to translate, not a value to show as it is."""

    __slots__ = ()
