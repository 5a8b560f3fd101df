"""Django forms built from command dataclasses, for the admin.

A form has one field per command field (three for a text in three languages, two for
an amount of money), chosen by the field's type. ``command_from_form`` turns the
cleaned data back into the command through the same decoder that reads events, so a
form can never build a command the domain would not accept as well-formed.
"""

from __future__ import annotations

import datetime as dt
import enum
import types
import typing
from decimal import Decimal
from typing import Any

from django import forms

from projects.domain.values import LocalisedText, Money
from registry import serde

LANGUAGES = (
    ("en", "English"),
    ("zh_hant", "Traditional Chinese"),
    ("zh_hans", "Simplified Chinese"),
)
LONG_TEXT = {"reason", "note", "rationale", "descriptions"}


def _unwrap(tp: Any) -> tuple[Any, bool]:
    """Return (the type, whether it is optional) for ``X | None``."""
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        return args[0], True
    return tp, False


def _label(name: str) -> str:
    return name.replace("_", " ").capitalize()


def _enum_choices(tp: type[enum.Enum]) -> list[tuple[Any, str]]:
    return [(m.value, getattr(m, "label", None) or str(m.value)) for m in tp]


def _text_field(name: str, *, required: bool) -> forms.Field:
    widget = forms.Textarea(attrs={"rows": 3}) if name in LONG_TEXT else None
    return forms.CharField(label=_label(name), required=required, widget=widget, strip=True)


def form_fields(
    command_cls: type,
    *,
    choices: dict[str, list[tuple[str, str]]],
    fixed: frozenset[str] = frozenset(),
) -> dict[str, forms.Field]:
    """Return the form fields for ``command_cls``.

    ``choices`` narrows id fields to a list; ``fixed`` fields (the stream id the page is
    about) are not asked for.
    """
    fields: dict[str, forms.Field] = {}
    for name, declared in serde.field_types(command_cls).items():
        if name in fixed:
            continue
        tp, optional = _unwrap(declared)
        required = not optional
        label = _label(name)
        if name in choices:
            fields[name] = forms.ChoiceField(
                label=label, required=required, choices=[("", "—"), *choices[name]]
            )
        elif tp is LocalisedText:
            for code, language in LANGUAGES:
                fields[f"{name}__{code}"] = forms.CharField(
                    label=f"{label} ({language})",
                    required=required and code == "en",
                    widget=forms.Textarea(attrs={"rows": 2}) if name in LONG_TEXT else None,
                )
        elif tp is Money:
            fields[f"{name}__amount"] = forms.DecimalField(
                label=f"{label}: amount", required=required, max_digits=18, decimal_places=2
            )
            currency = serde.field_types(Money)["currency"]
            fields[f"{name}__currency"] = forms.ChoiceField(
                label=f"{label}: currency", required=required, choices=_enum_choices(currency)
            )
        elif typing.get_origin(tp) is tuple:
            (item, _ellipsis) = typing.get_args(tp)
            fields[name] = forms.MultipleChoiceField(
                label=label,
                required=required,
                choices=_enum_choices(item),
                widget=forms.CheckboxSelectMultiple,
            )
        elif isinstance(tp, type) and issubclass(tp, enum.Enum):
            fields[name] = forms.ChoiceField(
                label=label, required=required, choices=[("", "—"), *_enum_choices(tp)]
            )
        elif tp is dt.date:
            fields[name] = forms.DateField(
                label=label, required=required, widget=forms.DateInput(attrs={"type": "date"})
            )
        elif tp is Decimal:
            fields[name] = forms.DecimalField(label=label, required=required)
        elif tp is str:
            fields[name] = _text_field(name, required=required)
        else:
            raise TypeError(f"no form field for {command_cls.__name__}.{name}: {tp!r}")
    return fields


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def command_json(
    command_cls: type, cleaned: dict[str, Any], *, fixed: dict[str, Any]
) -> dict[str, Any]:
    """Regroup a form's cleaned data into the command's JSON shape (empty means unset)."""
    raw: dict[str, Any] = dict(fixed)
    for name, declared in serde.field_types(command_cls).items():
        if name in fixed:
            continue
        tp, optional = _unwrap(declared)
        if tp is LocalisedText:
            parts = {code: cleaned.get(f"{name}__{code}") or "" for code, _ in LANGUAGES}
            if any(parts.values()) or not optional:
                raw[name] = parts
        elif tp is Money:
            amount = cleaned.get(f"{name}__amount")
            if amount is not None:
                raw[name] = {"amount": str(amount), "currency": cleaned[f"{name}__currency"]}
        else:
            value = cleaned.get(name)
            if value in (None, "", []) and optional:
                continue
            raw[name] = [_plain(v) for v in value] if isinstance(value, list) else _plain(value)
    return raw


def command_from_form(command_cls: type, cleaned: dict[str, Any], *, fixed: dict[str, Any]) -> Any:
    """Build the command from a form's cleaned data (raises EventValidationError)."""
    return serde.from_json(command_cls, command_json(command_cls, cleaned, fixed=fixed))


def form_field(field: str | None, form: forms.Form) -> str | None:
    """Return the form field showing command field ``field`` (``"titles.en"``), if shown."""
    if field is None:
        return None
    parts = field.split(".")
    if len(parts) > 1 and f"{parts[0]}__{parts[1]}" in form.fields:
        return f"{parts[0]}__{parts[1]}"
    return parts[0] if parts[0] in form.fields else None
