"""Decoding errors carry the field at fault as data; ``Annotated`` rules run on every value.

A form or a problem+json answer reads ``.field`` (a dotted path) and ``.detail`` instead
of parsing ``"Cls.items[1].id: expected text"``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Annotated, Any

import pytest

from registry import serde
from registry.errors import EventValidationError
from registry.serde import Value
from tests.registry.events import CounterStamped


def at_most_three(value: str, field: str) -> None:
    """A rule: refuse text over three characters, naming the field."""
    if len(value) > 3:
        raise EventValidationError(f"{field}: too long", field=field, detail="too long")


Short = Annotated[str, at_most_three]


@dataclasses.dataclass(frozen=True)
class Item(Value):
    code: Short
    size: int = 0

    def validate(self) -> None:
        if self.size < 0:
            raise EventValidationError("Item.size: negative", field="size", detail="negative")


@dataclasses.dataclass(frozen=True)
class Basket(Value):
    label: Short | None
    items: tuple[Item, ...] = ()
    first: Item | None = None


@pytest.mark.parametrize(
    ("raw", "field", "detail"),
    [
        ({"label": 7}, "label", "expected text, got int"),
        ({"label": "a", "items": [{"code": "ok"}, {"code": 5}]}, "items.1.code", "expected text"),
        ({"label": "a", "first": {"code": "ok", "size": "2"}}, "first.size", "whole number"),
        ({"label": "a", "items": [{"code": "ok"}, {}]}, "items.1.code", "is required"),
        ({"label": "a", "items": {}}, "items", "expected a list"),
        ({"label": "a", "extra": 1}, None, "unknown field(s): extra"),
    ],
)
def test_a_decoding_error_names_the_field_path_and_what_is_wrong(
    raw: dict[str, Any], field: str | None, detail: str
) -> None:
    with pytest.raises(EventValidationError) as refused:
        serde.from_json(Basket, raw)

    assert refused.value.field == field
    assert detail in refused.value.detail
    assert refused.value.detail in str(refused.value)


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ({"label": "long"}, "label"),
        ({"label": "a", "items": [{"code": "ok"}, {"code": "toolong"}]}, "items.1.code"),
        ({"label": "a", "first": {"code": "ok", "size": -1}}, "first.size"),
    ],
)
def test_rules_and_validation_inside_nested_values_are_placed_on_the_full_path(
    raw: dict[str, Any], field: str
) -> None:
    with pytest.raises(EventValidationError) as refused:
        serde.from_json(Basket, raw)

    assert refused.value.field == field


def test_annotated_rules_run_when_a_value_is_built_directly() -> None:
    Basket(None)
    Basket("abc", (Item("xyz"),))

    with pytest.raises(EventValidationError) as refused:
        Item("four")

    assert refused.value.field == "code"
    assert serde.field_rules(Basket) == {"label": (at_most_three,)}
    assert serde.field_types(Basket)["label"] == str | None


def test_a_type_error_of_an_event_names_its_field() -> None:
    with pytest.raises(EventValidationError) as refused:
        CounterStamped(dt.datetime(2025, 5, 3, tzinfo=dt.UTC), count=2.0)  # type: ignore[arg-type]

    assert refused.value.field == "count"
    assert refused.value.detail == "expected a whole number, got float"


def test_a_replay_trusts_recorded_history_rules_but_still_checks_types() -> None:
    # A rule tightened after an event was recorded must not make a rebuild impossible;
    # the shape of the body is still checked (and validate(), which spans fields, runs).
    raw = {"label": "long", "items": [{"code": "toolong"}]}
    with serde.trusting_history():
        basket = serde.from_json(Basket, raw)
        with pytest.raises(EventValidationError):
            serde.from_json(Basket, {"label": 7})
        with pytest.raises(EventValidationError):
            serde.from_json(Basket, {"label": "a", "first": {"code": "ok", "size": -1}})

    assert (basket.label, [item.code for item in basket.items]) == ("long", ["toolong"])
    with pytest.raises(EventValidationError):
        serde.from_json(Basket, raw)  # outside a replay the rules apply as before
