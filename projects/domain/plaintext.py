"""Plain text: one definition of what a single-line and a multi-line text may hold.

Single-line texts (titles, names, places, identifiers, token names) reach mail headers,
calendar summaries, spreadsheet cells and page titles, so they hold no control
character (C0, DEL, C1), no line or paragraph separator (U+2028, U+2029) and no bidi
embedding, override or isolate (U+202A–U+202E, U+2066–U+2069: "evil" shown as "live").
Multi-line texts (descriptions, reasons, notes) may also break lines: ``\\r\\n`` and a
lone ``\\r`` become ``\\n``, and nothing else of the above is accepted.

The rules judge new input only (``input_only``, see :mod:`registry.serde`): events
recorded before them stay readable. Readers therefore neutralise what the rules now
refuse with :func:`neutralise_line` and :func:`neutralise_lines`, so old data can break
no header, calendar or spreadsheet.
"""

from __future__ import annotations

import dataclasses
import re

from projects.domain.errors import InvalidText
from projects.domain.text import LANGUAGE_NAMES, Phrase, _

# What no text may hold: C0 controls but for the line feed (checked apart), DEL, C1
# controls, the line and paragraph separators, and the bidi embeddings, overrides and
# isolates.
_NEVER = "\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069"
REFUSED_IN_LINE = re.compile(f"[\n{_NEVER}]")
REFUSED_IN_LINES = re.compile(f"[{_NEVER}]")

# Breaks a reader turns into a space in one line, or into "\n" in several.
_BREAKS = re.compile("\r\n|[\r\n\x0b\x0c\x85\u2028\u2029]")
_TABS = re.compile("\t")


def normalise_breaks(text: str) -> str:
    """Return ``text`` with ``\\r\\n`` and a lone ``\\r`` turned into ``\\n``."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def refused_character(text: str, *, multi_line: bool = False) -> tuple[int, str] | None:
    """Return the 1-based position and the character the rule refuses first, if any."""
    pattern = REFUSED_IN_LINES if multi_line else REFUSED_IN_LINE
    found = pattern.search(text)
    return None if found is None else (found.start() + 1, found.group())


def code_point(character: str) -> str:
    """Return a character as people can read it whatever it does: ``U+202E``."""
    return f"U+{ord(character):04X}"


def check_text(
    text: str, *, what: Phrase, field: str, multi_line: bool = False, language: str | None = None
) -> str:
    """Return ``text`` (line breaks normalised when ``multi_line``) or refuse naming the field.

    ``what`` names the text for people (``Phrase(_("title"))``); ``language`` is the
    LocalisedText field holding it (``"zh_hant"``), if any.
    """
    if multi_line:
        text = normalise_breaks(text)
    found = refused_character(text, multi_line=multi_line)
    if found is None:
        return text
    position, character = found
    params: dict[str, object] = {"what": what, "character": code_point(character)}
    params["position"] = position
    if language is None:
        template = (
            _(
                "The {what} may break lines but holds no other control or direction "
                "character: it has {character} at position {position}."
            )
            if multi_line
            else _(
                "The {what} must be one line of plain text, without control or direction "
                "characters: it has {character} at position {position}."
            )
        )
    else:
        params["language"] = LANGUAGE_NAMES.get(language, Phrase(language))
        template = (
            _(
                "The {what} in {language} may break lines but holds no other control or "
                "direction character: it has {character} at position {position}."
            )
            if multi_line
            else _(
                "The {what} in {language} must be one line of plain text, without control "
                "or direction characters: it has {character} at position {position}."
            )
        )
    raise InvalidText(template, field=field, **params)


@dataclasses.dataclass(frozen=True)
class PlainText:
    """A rule for ``Annotated`` text fields (a str or each language of a LocalisedText).

    Refuses what :func:`check_text` refuses; a multi-line text is kept with its line
    breaks normalised. New input only: recorded events are read as they were written.
    """

    what: Phrase
    multi_line: bool = False
    input_only = True

    def __call__(self, value: object, field: str) -> object:
        """Return the value to keep (normalised), or refuse it naming the field."""
        if isinstance(value, str):
            return check_text(value, what=self.what, field=field, multi_line=self.multi_line)
        texts = {
            name: check_text(
                text,
                what=self.what,
                field=f"{field}.{name}",
                multi_line=self.multi_line,
                language=name,
            )
            for name, text in vars(value).items()
            if isinstance(text, str)
        }
        if all(texts[name] is getattr(value, name) for name in texts):
            return value
        return dataclasses.replace(value, **texts)  # type: ignore[type-var]


def single_line(what: str) -> PlainText:
    """Return the rule of a single-line text named ``what`` for people."""
    return PlainText(Phrase(what))


def multi_line(what: str) -> PlainText:
    """Return the rule of a multi-line text named ``what`` for people."""
    return PlainText(Phrase(what), multi_line=True)


# -- readers -----------------------------------------------------------------------------


def neutralise_line(text: str) -> str:
    """Return ``text`` fit for one line: breaks and tabs become spaces, the rest goes."""
    return REFUSED_IN_LINE.sub("", _TABS.sub(" ", _BREAKS.sub(" ", text)))


def neutralise_lines(text: str) -> str:
    """Return ``text`` with ``\\n`` line breaks only: other breaks normalised, the rest gone."""
    return REFUSED_IN_LINES.sub("", _TABS.sub(" ", _BREAKS.sub("\n", text)))
