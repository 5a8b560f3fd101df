"""Django forms built from command dataclasses, for the admin.

A form has one field per command field, chosen by the field's type: three for a text in
three languages, one per part of a nested value (an amount of money, a period), a
checkbox list for a tuple of codes, and a formset for a tuple of value objects
(identifiers, signatories), one row per value. ``CommandForm`` holds the form and its
formsets; ``command`` turns the cleaned data back into the command through the same
decoder that reads events, so a form can never build a command the domain would not
accept as well-formed. ``place_error`` puts a refusal on the field (or row) at fault.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import re
import types
import typing
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any

from django import forms
from django.forms.formsets import BaseFormSet, formset_factory
from django.utils.translation import gettext_lazy as _

from projects import unavailable
from projects.admin.fieldlabels import field_label
from projects.application import InvalidInput, parse
from projects.domain.errors import DomainError
from projects.domain.values import LocalisedText
from projects.i18n import error_message
from projects.labels import enum_choices
from registry import serde
from registry.errors import EventValidationError, LedgerBusy

LANGUAGES = (
    ("en", _("English")),
    ("zh_hant", _("Traditional Chinese")),
    ("zh_hans", _("Simplified Chinese")),
)
LONG_TEXT = {"reason", "note", "rationale", "descriptions"}
Choices = Mapping[str, list[tuple[str, str]]]
# ISO 8601 in every language: a date is typed and shown as YYYY-MM-DD, never in a
# locale's order (a browser's own date picker shows the browser's locale instead).
ISO_DATE = ["%Y-%m-%d"]
ISO_DATE_ATTRS = {
    "placeholder": "YYYY-MM-DD",
    "pattern": r"\d{4}-\d{2}-\d{2}",
    "inputmode": "numeric",
    "size": 10,
    "class": "iso-date",
}


def _unwrap(tp: Any) -> tuple[Any, bool]:
    """Return (the type, whether it is optional) for ``X | None``."""
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        return args[0], True
    return tp, False


def _is_value(tp: Any) -> bool:
    return isinstance(tp, type) and dataclasses.is_dataclass(tp)


def _tuple_item(tp: Any) -> Any | None:
    """Return T for ``tuple[T, ...]``, else None."""
    if typing.get_origin(tp) is tuple:
        return typing.get_args(tp)[0]
    return None


def value_tuples(cls: type) -> dict[str, type]:
    """Return the fields of ``cls`` that are tuples of value objects: name -> value class."""
    found = {}
    for name, declared in serde.field_types(cls).items():
        item = _tuple_item(_unwrap(declared)[0])
        if item is not None and _is_value(item):
            found[name] = item
    return found


def _coerce(tp: type[enum.Enum]) -> type:
    """Return the type of an enumeration's values (a choice posts text; 70 is an int)."""
    return type(next(iter(tp)).value)


def _text_field(name: str, label: Any, *, required: bool) -> forms.Field:
    widget = forms.Textarea(attrs={"rows": 3}) if name in LONG_TEXT else None
    return forms.CharField(label=label, required=required, widget=widget, strip=True)


def _field(
    name: str, tp: Any, *, label: Any, required: bool, choices: Choices
) -> dict[str, forms.Field]:
    """Return the form field(s) for one command field (several for a nested value)."""
    if name in choices:
        blank = [("", "—")]
        return {
            name: forms.ChoiceField(
                label=label, required=required, choices=blank + list(choices[name])
            )
        }
    if tp is LocalisedText:
        return {
            f"{name}__{code}": forms.CharField(
                label=f"{label} ({language})",
                required=required and code == "en",
                widget=forms.Textarea(attrs={"rows": 2}) if name in LONG_TEXT else None,
            )
            for code, language in LANGUAGES
        }
    if _is_value(tp):
        fields = {}
        for sub, sub_declared in serde.field_types(tp).items():
            sub_tp, sub_optional = _unwrap(sub_declared)
            sub_label = f"{label}: {field_label(sub, tp)}"
            for key, field in _field(
                sub, sub_tp, label=sub_label, required=required and not sub_optional, choices={}
            ).items():
                fields[f"{name}__{key}"] = field
        return fields
    item = _tuple_item(tp)
    if item is not None and isinstance(item, type) and issubclass(item, enum.Enum):
        return {
            name: forms.TypedMultipleChoiceField(
                label=label,
                required=required,
                choices=enum_choices(item),
                coerce=_coerce(item),  # type: ignore[arg-type]
                widget=forms.CheckboxSelectMultiple,
            )
        }
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        # A short list needs no blank choice to stand for "not chosen".
        blank = [] if len(tp) <= 4 else [("", "—")]
        return {
            name: forms.TypedChoiceField(
                label=label,
                required=required,
                choices=blank + enum_choices(tp),
                coerce=_coerce(tp),  # type: ignore[arg-type]
                empty_value=None,
            )
        }
    if tp is dt.date:
        return {
            name: forms.DateField(
                label=label,
                required=required,
                input_formats=ISO_DATE,
                widget=forms.DateInput(attrs=ISO_DATE_ATTRS, format="%Y-%m-%d"),
            )
        }
    if tp is Decimal:
        return {
            name: forms.DecimalField(
                label=label, required=required, max_digits=18, decimal_places=2
            )
        }
    if tp is str:
        return {name: _text_field(name, label, required=required)}
    raise TypeError(f"no form field for {name}: {tp!r}")


def form_fields(
    command_cls: type,
    *,
    choices: Choices,
    fixed: frozenset[str] = frozenset(),
    optional: bool = False,
) -> dict[str, forms.Field]:
    """Return the form fields for ``command_cls`` (tuples of value objects excepted).

    ``choices`` narrows id fields to a list; ``fixed`` fields (the stream id the page is
    about) are not asked for; ``optional`` makes every field optional (a section of a
    page that may be left blank).
    """
    nested = value_tuples(command_cls)
    fields: dict[str, forms.Field] = {}
    for name, declared in serde.field_types(command_cls).items():
        if name in fixed or name in nested:
            continue
        tp, is_optional = _unwrap(declared)
        required = not (is_optional or optional)
        label = field_label(name, command_cls)
        fields.update(_field(name, tp, label=label, required=required, choices=choices))
    return fields


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _blank(value: Any) -> bool:
    if isinstance(value, dict):
        return all(_blank(v) for v in value.values())
    return value in (None, "", [])


def form_json(
    cls: type,
    cleaned: Mapping[str, Any],
    *,
    fixed: Mapping[str, Any] | None = None,
    rows: Mapping[str, list[dict[str, Any]]] | None = None,
    prefix: str = "",
) -> dict[str, Any]:
    """Regroup a form's cleaned data into the JSON shape of ``cls`` (blank means unset)."""
    raw: dict[str, Any] = dict(fixed or {})
    rows = rows or {}
    for name, declared in serde.field_types(cls).items():
        if name in raw:
            continue
        if name in rows:
            raw[name] = rows[name]
            continue
        tp, optional = _unwrap(declared)
        key = f"{prefix}{name}"
        if tp is LocalisedText:
            parts = {code: cleaned.get(f"{key}__{code}") or "" for code, _ in LANGUAGES}
            if any(parts.values()) or not optional:
                raw[name] = parts
        elif _is_value(tp):
            nested = form_json(tp, cleaned, prefix=f"{key}__")
            if not (optional and _blank(nested)):
                raw[name] = nested
        else:
            value = cleaned.get(key)
            if value in (None, "", []) and optional:
                continue
            if value in (None, ""):
                continue  # a missing required value: the decoder names it
            raw[name] = _plain(value)
    return raw


def form_initial(cls: type, raw: Mapping[str, Any], *, prefix: str = "") -> dict[str, Any]:
    """Flatten a value's JSON into form initial data (the inverse of ``form_json``)."""
    initial: dict[str, Any] = {}
    nested = value_tuples(cls)
    for name, declared in serde.field_types(cls).items():
        if name not in raw or name in nested:
            continue
        tp, _optional = _unwrap(declared)
        value = raw[name]
        if _is_value(tp) and isinstance(value, Mapping):
            initial.update(form_initial(tp, value, prefix=f"{prefix}{name}__"))
        else:
            initial[f"{prefix}{name}"] = value
    return initial


class ValueRowForm(forms.Form):
    """One row of a formset: one value object (or one command of a page's sequence)."""

    value_class: type = object
    check_value = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Cells of a table have no <label>: name each input for screen readers (and tests).
        for field in self.fields.values():
            if not isinstance(field.widget, forms.CheckboxSelectMultiple):
                field.widget.attrs.setdefault("aria-label", str(field.label))

    def row_json(self) -> dict[str, Any]:
        """Return the row as the JSON of its value."""
        return form_json(self.value_class, self.cleaned_data)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.check_value and self.has_changed() and not self.errors:
            # The value refuses itself here, so the error lands on its own row.
            try:
                parse(self.value_class, self.row_json())
            except (DomainError, EventValidationError) as refusal:
                for error in each_refusal(refusal):
                    place_error(self, error)
        return cleaned


class RowFormSet(BaseFormSet):
    """Rows of values; blank rows and rows marked for removal are left out.

    With ``keep_initial_rows`` (a correction prefilled with what the registry holds) the
    prefilled rows count even when left as they are; without it (rows that merely
    propose a value, such as the next milestone id) a row counts once it is changed.
    """

    keep_initial_rows = True
    label: Any = ""

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        if self.keep_initial_rows:
            return {}
        return {"empty_permitted": True, "use_required_attribute": False}

    def filled_forms(self) -> Iterator[tuple[int, ValueRowForm]]:
        """Yield (index, form) for every row that was filled in and not removed."""
        for index, form in enumerate(self.forms):
            kept = self.keep_initial_rows and index < self.initial_form_count()
            if not (kept or form.has_changed()):
                continue
            if self.can_delete and self._should_delete_form(form):  # type: ignore[attr-defined]
                continue
            yield index, form

    def rows_json(self) -> list[dict[str, Any]]:
        """Return the filled rows as JSON, in order."""
        return [form.row_json() for _, form in self.filled_forms()]


def row_formset(
    value_cls: type,
    *,
    choices: Choices | None = None,
    fixed: frozenset[str] = frozenset(),
    extra: int = 2,
    check_value: bool = True,
    keep_initial_rows: bool = True,
) -> type[RowFormSet]:
    """Return a formset class whose rows are ``value_cls`` values."""
    fields: dict[str, Any] = form_fields(value_cls, choices=choices or {}, fixed=fixed)
    fields["value_class"] = value_cls
    fields["check_value"] = check_value
    form_cls = type(f"{value_cls.__name__}RowForm", (ValueRowForm,), fields)
    formset = formset_factory(form_cls, formset=RowFormSet, extra=extra, can_delete=True)
    assert issubclass(formset, RowFormSet)
    formset.keep_initial_rows = keep_initial_rows
    return formset


class CommandForm:
    """A command's form and a formset for each of its tuples of value objects."""

    def __init__(
        self,
        command_cls: type,
        *,
        data: Mapping[str, Any] | None = None,
        choices: Choices | None = None,
        fixed: Mapping[str, Any] | None = None,
        initial: Mapping[str, Any] | None = None,
        extra_fields: Mapping[str, forms.Field] | None = None,
        prefix: str | None = None,
        optional: bool = False,
    ) -> None:
        self.command_cls = command_cls
        self.fixed = dict(fixed or {})
        choices = choices or {}
        initial = dict(initial or {})
        fields: dict[str, Any] = form_fields(
            command_cls, choices=choices, fixed=frozenset(self.fixed), optional=optional
        )
        fields.update(extra_fields or {})
        form_cls = type(f"{command_cls.__name__}Form", (forms.Form,), fields)
        self.form = form_cls(data, initial=initial, prefix=prefix)
        self.formsets: dict[str, RowFormSet] = {}
        # Set when the ledger head stayed busy: the page is answered 503 with the form.
        self.busy: LedgerBusy | None = None
        for name, item in value_tuples(command_cls).items():
            rows = list(initial.get(name) or [])
            formset_cls = row_formset(item, choices=choices, extra=1 if rows else 2)
            self.formsets[name] = formset_cls(
                data,
                initial=[form_initial(item, row) for row in rows],
                prefix=f"{prefix}-{name}" if prefix else name,
            )
            self.formsets[name].label = field_label(name)

    def is_valid(self) -> bool:
        """Return True if the form and every formset are valid (all are checked)."""
        results = [self.form.is_valid(), *(fs.is_valid() for fs in self.formsets.values())]
        return all(results)

    def has_changed(self) -> bool:
        """Return True if anything was filled in."""
        return self.form.has_changed() or any(
            any(True for _ in fs.filled_forms()) for fs in self.formsets.values()
        )

    @property
    def cleaned_data(self) -> dict[str, Any]:
        """Return the main form's cleaned data."""
        return self.form.cleaned_data

    def command(self) -> Any:
        """Build the command from the cleaned data (raises InvalidInput, naming the fields)."""
        rows = {name: fs.rows_json() for name, fs in self.formsets.items()}
        raw = form_json(self.command_cls, self.form.cleaned_data, rows=rows)
        return parse(self.command_cls, raw, fixed=self.fixed)

    def add_error(self, refusal: Exception) -> None:
        """Put a refusal on the field or row at fault (each of them), or on the form."""
        for error in each_refusal(refusal):
            place_error(self.form, error, formsets=self.formsets)

    def add_busy(self, error: LedgerBusy) -> None:
        """Say that nothing was saved because the ledger head stayed busy; keep the input."""
        self.busy = error
        self.form.add_error(None, unavailable.detail(error))

    @property
    def media(self) -> forms.Media:
        """Return the media of the form and its formsets."""
        media = self.form.media
        for formset in self.formsets.values():
            media += formset.media
        return media


# ``signatories.1.person.en`` (the decoder's) or ``signatories[1].person.en``.
_PATH = re.compile(
    r"^(?P<name>\w+)(?:\[(?P<index>\d+)\]|\.(?P<dotted>\d+))?(?:\.(?P<rest>[\w.]+))?$"
)


def each_refusal(refusal: Exception) -> list[Exception]:
    """Return the refusals inside ``refusal``: each field's of a parse, or itself."""
    if isinstance(refusal, InvalidInput):
        return [error.error for error in refusal.errors]
    return [refusal]


def error_text(refusal: Exception) -> str:
    """Return a refusal's message for the reader, in the reader's language."""
    if isinstance(refusal, DomainError):
        return error_message(refusal)
    return str(getattr(refusal, "detail", None) or refusal)


def error_path(refusal: Exception) -> str | None:
    """Return the dotted path of the field at fault (``signatories.1.person.en``)."""
    field = getattr(refusal, "field", None)
    return str(field) if field else None


def _form_key(form: forms.Form, path: str) -> str | None:
    """Return the form field a dotted path names, trying shorter paths from the end."""
    parts = path.replace(".", "__")
    while parts:
        if parts in form.fields:
            return parts
        if f"{parts}__en" in form.fields:
            return f"{parts}__en"
        if f"{parts}__amount" in form.fields:
            return f"{parts}__amount"
        parts = parts.rpartition("__")[0]
    return None


def place_error(
    form: forms.Form,
    refusal: Exception,
    *,
    formsets: Mapping[str, RowFormSet] | None = None,
) -> None:
    """Show ``refusal`` on the field it names, on the row of a formset, or on the form.

    A path's index counts the values of the command's tuple; blank rows were left out
    of it, so the index is counted over the filled rows of the formset.
    """
    text = error_text(refusal)
    path = error_path(refusal)
    match = _PATH.match(path) if path else None
    if match and formsets and match["name"] in formsets:
        formset = formsets[match["name"]]
        filled = [index for index, _ in formset.filled_forms()]
        index = match["index"] or match["dotted"]
        position = int(index or 0)
        if index is not None and position < len(filled):
            row = formset.forms[filled[position]]
            key = _form_key(row, match["rest"] or "")
            row.add_error(key, text)
            return
        form.add_error(None, f"{formset.label}: {text}")
        return
    key = _form_key(form, path) if path else None
    form.add_error(key, text)
