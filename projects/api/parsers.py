"""The API's JSON parser: strict, and bounded before Python's parser can fail.

Python's ``json`` recurses once per level of nesting: a body of 1,000 nested arrays
raises ``RecursionError``, which no handler expects (a 500). This parser measures the
nesting first, in one pass that keeps no stack, and refuses anything deeper than
``MAX_DEPTH`` (no body of this API is deeper than 2). It also refuses what ``json``
would accept silently: bytes that are not UTF-8, ``NaN`` and ``Infinity`` (not JSON),
and a member named twice in one object (the last one would quietly win).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

MAX_DEPTH = 32


def depth(text: str) -> int:
    """Return the deepest nesting of arrays and objects in JSON text (strings skipped)."""
    deepest = level = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            level += 1
            deepest = max(deepest, level)
        elif char in "]}":
            level -= 1
    return deepest


class Refused(ValueError):
    """A JSON text this parser refuses, with the reason in the reader's language."""


def _refuse_constant(name: str) -> Any:
    raise Refused(gettext("{constant} is not a JSON value").format(constant=name))


def _members(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    members: dict[str, Any] = {}
    for name, value in pairs:
        if name in members:
            raise Refused(gettext("the member “{name}” is given twice").format(name=name))
        members[name] = value
    return members


def loads(text: str) -> Any:
    """Parse JSON text strictly (see the module); raise Refused saying what is wrong."""
    if depth(text) > MAX_DEPTH:
        raise Refused(gettext("it is nested deeper than {limit} levels").format(limit=MAX_DEPTH))
    try:
        return json.loads(text, parse_constant=_refuse_constant, object_pairs_hook=_members)
    except json.JSONDecodeError as exc:
        raise Refused(
            gettext("it breaks off or goes wrong at line {line}, column {column}").format(
                line=exc.lineno, column=exc.colno
            )
        ) from None


class StrictJSONParser(JSONParser):
    """DRF's JSON parser, made strict: bounded nesting, UTF-8, no NaN, no repeated member."""

    def parse(
        self,
        stream: IO[bytes],
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        """Return the parsed body, or raise ParseError (400) saying what is wrong."""
        # The body was already bounded by API_MAX_BODY_BYTES (projects.api.problems).
        raw = stream.read(settings.API_MAX_BODY_BYTES + 1) if stream is not None else b""
        try:
            return loads(raw.decode("utf-8"))
        except UnicodeDecodeError:
            raise ParseError(gettext("The request body is not UTF-8 text.")) from None
        except Refused as exc:
            raise ParseError(
                gettext("The request body is not valid JSON: {reason}.").format(reason=exc)
            ) from None
