"""Typed dataclasses to and from plain JSON, with validation.

Pure Python: the domain imports this without Django. Supported field types are
``str``, ``int``, ``bool``, ``Decimal``, ``date``, ``datetime`` (timezone-aware,
stored in UTC), ``Enum`` subclasses, ``Literal[...]``, ``X | None``,
``tuple[T, ...]`` and nested dataclasses built on :class:`Value`.

A field type may be ``Annotated[T, rule, ...]`` (also inside ``X | None``): each
``rule`` that is callable is called as ``rule(value, field_name)`` on every value
built, after the type check, and refuses by raising (a length or range limit, say), or
returns a value to keep instead (a normalised text); None keeps the value as it is.

A rule with ``input_only = True`` judges new input only, not history: it is not applied
to an :class:`Value` whose class sets ``records_history`` (events), nor to anything built
inside :func:`reading_history` (decoding stored events and snapshots). So a rule added
later never makes what was once accepted unreadable.

Every :class:`EventValidationError` names the field at fault as a dotted path
(``.field``: ``"signatories.1.organisation_id"``) beside what is wrong (``.detail``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import functools
import json
import re
import types
import typing
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar

from registry.errors import EventValidationError

JSON = None | bool | int | str | list["JSON"] | dict[str, "JSON"]


def _fail(path: str, message: str) -> typing.NoReturn:
    raise EventValidationError(f"{path}: {message}", field=field_path(path), detail=message)


def field_path(path: str) -> str | None:
    """Return the dotted field path of a display path: ``Cls.items[1].id`` -> ``items.1.id``."""
    dotted = path.replace("[", ".").replace("]", "")
    _owner, _dot, rest = dotted.partition(".")
    return rest or None


@functools.cache
def field_types(cls: type) -> dict[str, Any]:
    """Return the resolved type hints of a dataclass's fields."""
    hints = typing.get_type_hints(cls)
    return {f.name: hints[f.name] for f in dataclasses.fields(cls)}


def check(tp: Any, value: Any, path: str) -> None:
    """Raise EventValidationError unless ``value`` is an instance of type ``tp``."""
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        options = typing.get_args(tp)
        if value is None and type(None) in options:
            return
        errors = []
        for option in options:
            if option is type(None):
                continue
            try:
                check(option, value, path)
                return
            except EventValidationError as exc:
                errors.append(exc)
        if len(errors) == 1:
            # ``X | None``: the one option's reason (e.g. a NUL character) is the real one.
            raise errors[0]
        _fail(path, f"expected {_name(tp)}, got {type(value).__name__}")
    if origin is typing.Literal:
        if value not in typing.get_args(tp):
            allowed = ", ".join(repr(a) for a in typing.get_args(tp))
            _fail(path, f"must be one of {allowed}, got {value!r}")
        return
    if origin is tuple:
        if not isinstance(value, tuple):
            _fail(path, f"expected a tuple, got {type(value).__name__}")
        (item_tp, _ellipsis) = typing.get_args(tp)
        for i, item in enumerate(value):
            check(item_tp, item, f"{path}[{i}]")
        return
    if tp is typing.Any:
        return
    if tp is bool:
        if not isinstance(value, bool):
            _fail(path, f"expected true or false, got {type(value).__name__}")
        return
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            _fail(path, f"expected a whole number, got {type(value).__name__}")
        return
    if tp is str:
        if not isinstance(value, str):
            _fail(path, f"expected text, got {type(value).__name__}")
        if "\x00" in value:
            _fail(path, "text must not contain NUL characters")
        return
    if tp is Decimal:
        if not isinstance(value, Decimal) or not value.is_finite():
            _fail(path, f"expected a finite decimal number, got {value!r}")
        return
    if tp is dt.datetime:
        if not isinstance(value, dt.datetime) or value.utcoffset() is None:
            _fail(path, f"expected a timezone-aware date and time, got {value!r}")
        return
    if tp is dt.date:
        if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
            _fail(path, f"expected a date, got {value!r}")
        return
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        if not isinstance(value, tp):
            _fail(path, f"expected {tp.__name__}, got {value!r}")
        return
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        if not isinstance(value, tp):
            _fail(path, f"expected {tp.__name__}, got {type(value).__name__}")
        return
    raise TypeError(f"{path}: unsupported field type {tp!r}")


def _name(tp: Any) -> str:
    return " or ".join(
        getattr(a, "__name__", repr(a)) for a in typing.get_args(tp) if a is not type(None)
    )


def encode(value: Any) -> JSON:
    """Turn a validated value into plain JSON (decimals as strings, times in UTC)."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, enum.Enum):
        return typing.cast(JSON, value.value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime):
        return format_instant(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple):
        return [encode(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    raise TypeError(f"cannot encode {type(value).__name__}")


# Characters JSON may carry raw but a page should not: C1 controls, line and paragraph
# separators, bidi embeddings, overrides and isolates (they reorder what follows them).
_INVISIBLE = re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def visible_json(value: Any, *, indent: int | None = 2) -> str:
    """Return ``value`` as JSON for people: every invisible or reordering character escaped."""
    text = json.dumps(value, indent=indent, ensure_ascii=False)
    return _INVISIBLE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def format_instant(value: dt.datetime) -> str:
    """Format an aware datetime as UTC ISO 8601 with microseconds."""
    return value.astimezone(dt.UTC).isoformat(timespec="microseconds")


def decode(tp: Any, raw: Any, path: str) -> Any:
    """Build a value of type ``tp`` from plain JSON, or raise EventValidationError."""
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        if raw is None and type(None) in typing.get_args(tp):
            return None
        options = [option for option in typing.get_args(tp) if option is not type(None)]
        if len(options) == 1:
            # ``X | None``: the one option's reason (and field path) is the real one.
            return decode(options[0], raw, path)
        for option in options:
            try:
                return decode(option, raw, path)
            except EventValidationError:
                continue
        _fail(path, f"expected {_name(tp)}, got {raw!r}")
    if origin is tuple:
        if not isinstance(raw, list):
            _fail(path, f"expected a list, got {type(raw).__name__}")
        (item_tp, _ellipsis) = typing.get_args(tp)
        return tuple(decode(item_tp, item, f"{path}[{i}]") for i, item in enumerate(raw))
    if tp is Decimal:
        if isinstance(raw, bool) or not isinstance(raw, (str, int)):
            _fail(path, f"expected a decimal number as text, got {raw!r}")
        try:
            value = Decimal(raw)
        except InvalidOperation:
            _fail(path, f"expected a decimal number, got {raw!r}")
        check(tp, value, path)
        return value
    if tp is dt.datetime:
        if not isinstance(raw, str):
            _fail(path, f"expected an ISO 8601 date and time, got {raw!r}")
        try:
            instant = dt.datetime.fromisoformat(raw)
        except ValueError:
            _fail(path, f"expected an ISO 8601 date and time, got {raw!r}")
        check(tp, instant, path)
        return instant
    if tp is dt.date:
        if not isinstance(raw, str):
            _fail(path, f"expected an ISO 8601 date, got {raw!r}")
        try:
            return _day(raw)
        except (ValueError, _Rejected):
            _fail(path, f"expected an ISO 8601 date (YYYY-MM-DD), got {raw!r}")
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        try:
            return tp(raw)
        except ValueError:
            allowed = ", ".join(repr(m.value) for m in tp)
            _fail(path, f"must be one of {allowed}, got {raw!r}")
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return _from_json_checked(tp, raw, path=path)
    check(tp, raw, path)
    return raw


def from_json(cls: type, raw: Any, *, path: str | None = None) -> Any:
    """Build dataclass ``cls`` from a JSON object, naming the first bad field."""
    token = _decoded.set(True)
    try:
        return _decoder(cls)(raw)
    except Exception:  # any refusal: the checked path below names it exactly
        pass
    finally:
        _decoded.reset(token)
    return _from_json_checked(cls, raw, path=path or cls.__name__)


def _from_json_checked(cls: type, raw: Any, *, path: str) -> Any:
    """Build ``cls`` field by field, raising EventValidationError with the offending path."""
    if not isinstance(raw, dict):
        _fail(path, f"expected an object, got {type(raw).__name__}")
    hints = field_types(cls)
    unknown = sorted(set(raw) - set(hints))
    if unknown:
        _fail(path, f"unknown field(s): {', '.join(unknown)}")
    kwargs = {}
    for field in dataclasses.fields(cls):
        if field.name in raw:
            kwargs[field.name] = decode(hints[field.name], raw[field.name], f"{path}.{field.name}")
        elif field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING:
            _fail(f"{path}.{field.name}", "is required")
    # decode() has type-checked every field; the constructor need not check them again.
    token = _decoded.set(True)
    try:
        return cls(**kwargs)
    except EventValidationError as exc:
        # A nested value refusing itself names its own field; say where it sits.
        prefix = field_path(path)
        if prefix is not None:
            exc.field = f"{prefix}.{exc.field}" if exc.field else prefix
        raise
    finally:
        _decoded.reset(token)


# -- compiled decoders ----------------------------------------------------------------
#
# ``decode`` inspects the type at every value, which made reading events the slowest
# part of a replay (docs/BENCHMARKS.md). A compiled decoder does that inspection once
# per type and accepts exactly what ``decode`` accepts; on anything else it raises, and
# ``from_json`` runs the checked path again to name the error.

Decoder = Callable[[Any], Any]


class _Rejected(Exception):
    """A compiled decoder met a value ``decode`` would refuse."""


def _reject() -> typing.NoReturn:
    raise _Rejected


@functools.cache
def _decoder(tp: Any) -> Decoder:
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        return _union_decoder(tp)
    if origin is tuple:
        item = _decoder(typing.get_args(tp)[0])
        return lambda raw: tuple(map(item, raw)) if type(raw) is list else _reject()
    if origin is typing.Literal:
        allowed = typing.get_args(tp)
        return lambda raw: raw if raw in allowed else _reject()
    simple = _SIMPLE.get(tp)
    if simple is not None:
        return simple
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        members = tp._value2member_map_
        return lambda raw: members[raw]
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return _dataclass_decoder(tp)
    raise TypeError(f"unsupported field type {tp!r}")


def _union_decoder(tp: Any) -> Decoder:
    nullable = type(None) in typing.get_args(tp)
    options = [_decoder(a) for a in typing.get_args(tp) if a is not type(None)]
    if len(options) == 1:
        (only,) = options
        return lambda raw: None if raw is None and nullable else only(raw)

    def decode_union(raw: Any) -> Any:
        if raw is None and nullable:
            return None
        for option in options:
            try:
                return option(raw)
            except Exception:  # this option does not fit: try the next
                continue
        _reject()

    return decode_union


def _dataclass_decoder(cls: type) -> Decoder:
    hints = field_types(cls)
    names = frozenset(hints)
    fields = [
        (
            f.name,
            _decoder(hints[f.name]),
            f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING,
        )
        for f in dataclasses.fields(cls)
    ]

    def build(raw: Any) -> Any:
        if type(raw) is not dict or not raw.keys() <= names:
            _reject()
        kwargs = {}
        for name, decode_field, required in fields:
            if name in raw:
                kwargs[name] = decode_field(raw[name])
            elif required:
                _reject()
        return cls(**kwargs)

    return build


def _text(raw: Any) -> str:
    if type(raw) is not str or "\x00" in raw:
        _reject()
    return raw


def _whole(raw: Any) -> int:
    if type(raw) is not int:
        _reject()
    return raw


def _truth(raw: Any) -> bool:
    if type(raw) is not bool:
        _reject()
    return raw


def _decimal(raw: Any) -> Decimal:
    if type(raw) is not str and type(raw) is not int:
        _reject()
    value = Decimal(raw)
    if not value.is_finite():
        _reject()
    return value


def _instant(raw: Any) -> dt.datetime:
    value = dt.datetime.fromisoformat(raw) if type(raw) is str else _reject()
    if value.utcoffset() is None:
        _reject()
    return value


def _day(raw: Any) -> dt.date:
    # Exactly YYYY-MM-DD: fromisoformat alone also takes 20260101 and 2026-W01-1.
    if type(raw) is not str or len(raw) != 10 or not raw.isascii() or raw[4::3] != "--":
        _reject()
    return dt.date.fromisoformat(raw)


_SIMPLE: dict[Any, Decoder] = {
    str: _text,
    int: _whole,
    bool: _truth,
    Decimal: _decimal,
    dt.datetime: _instant,
    dt.date: _day,
    typing.Any: lambda raw: raw,
}


@functools.cache
def field_rules(cls: type) -> dict[str, tuple[Callable[[Any, str], None], ...]]:
    """Return the rules ``Annotated`` attaches to each field of a dataclass (if any)."""
    hints = typing.get_type_hints(cls, include_extras=True)
    rules = {}
    for field in dataclasses.fields(cls):
        found = _rules_of(hints[field.name])
        if found:
            rules[field.name] = found
    return rules


def _rules_of(tp: Any) -> tuple[Callable[[Any, str], None], ...]:
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        return tuple(rule for option in typing.get_args(tp) for rule in _rules_of(option))
    if typing.get_origin(tp) is typing.Annotated:
        return tuple(rule for rule in tp.__metadata__ if callable(rule))
    return ()


_decoded: ContextVar[bool] = ContextVar("serde_decoded", default=False)
_history: ContextVar[bool] = ContextVar("serde_history", default=False)
_trusted: ContextVar[bool] = ContextVar("serde_trusted", default=False)


@contextmanager
def reading_history() -> Iterator[None]:
    """Build values as recorded history: rules marked ``input_only`` are not applied."""
    token = _history.set(True)
    try:
        yield
    finally:
        _history.reset(token)


def reads_history() -> bool:
    """Return True inside ``reading_history``."""
    return _history.get()


@contextmanager
def trusting_history() -> Iterator[None]:
    """Build recorded history without applying any field rule (types are still checked).

    For replays of the whole log (``registry.replay``): every event was judged by the
    rules when it was recorded, and those that still apply to history only refuse (none
    normalises), so applying them again a million times decides nothing.
    """
    token = _trusted.set(True)
    try:
        with reading_history():
            yield
    finally:
        _trusted.reset(token)


class Value:
    """Base for immutable value objects: fields are type-checked on construction.

    Subclasses are ``@dataclass(frozen=True)``; a wrong type raises
    EventValidationError naming the field.
    """

    # True for records of what happened (events): input-only rules are not applied.
    records_history: ClassVar[bool] = False

    def __post_init__(self) -> None:
        if not _decoded.get():
            for name, tp in field_types(type(self)).items():  # type: ignore[arg-type]
                check(tp, getattr(self, name), f"{type(self).__name__}.{name}")
        history = self.records_history or _history.get()
        if history and _trusted.get():
            self.validate()
            return
        for name, rules in field_rules(type(self)).items():  # type: ignore[arg-type]
            value = getattr(self, name)
            if value is None:
                continue
            for rule in rules:
                if history and getattr(rule, "input_only", False):
                    continue
                kept = rule(value, name)
                if kept is not None and kept is not value:
                    # A normalising rule: the frozen dataclass keeps the normal form.
                    object.__setattr__(self, name, kept)
                    value = kept
        self.validate()

    def validate(self) -> None:
        """Check rules that span fields; raise EventValidationError to refuse."""

    def to_json(self) -> dict[str, JSON]:
        """Return the value as a plain JSON object."""
        result = encode(self)
        assert isinstance(result, dict)
        return result
