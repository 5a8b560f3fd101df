"""How projectors write read models: row operations, run at once or a batch at a time.

A projector handler receives the event and a :class:`Rows`; it inserts, updates and
deletes rows by primary key, with plain values or with :class:`Add` (add to the stored
number) and :class:`IfNull` (set only where nothing is stored yet). Keys and values are
the model's field attnames (``project_id``, not ``project``).

- :class:`DirectRows` runs each operation as one statement, in the append's transaction:
  what the inline projectors use, so the admin and the API read their own writes.
- :class:`registry.rowbuffer.BufferedRows` keeps the rows it touches in memory and
  writes them in bulk when it must let some go, and at the end: what makes a replay of
  the log fast. It holds at most ``capacity`` rows, so memory stays flat however long
  the log.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from django.db import DEFAULT_DB_ALIAS, connection, connections, models

from registry import batch


@dataclass(frozen=True)
class Add:
    """A change that adds ``amount`` to the number stored in the column."""

    amount: Any


@dataclass(frozen=True)
class IfNull:
    """A change that stores ``value`` only where the column holds nothing (NULL)."""

    value: Any


class Rows(Protocol):
    """The row operations a projector handler may use."""

    def insert(self, model: type[models.Model], **values: Any) -> None:
        """Insert a row; fields not given take their model defaults."""

    def update(
        self, model: type[models.Model], pk: Any, *, returning: str | None = None, **changes: Any
    ) -> Any:
        """Change the row ``pk`` if it exists; return its new ``returning`` value (or None)."""

    def delete(self, model: type[models.Model], pk: Any) -> None:
        """Delete the row ``pk`` if it exists."""

    def get(self, model: type[models.Model], pk: Any) -> dict[str, Any] | None:
        """Return the row ``pk`` as a dict of attnames, or None."""


class Table:
    """A read model's table as the row writers see it."""

    def __init__(self, model: type[models.Model]) -> None:
        self.model = model
        self.fields = list(model._meta.concrete_fields)
        self.by_attname = {f.attname: f for f in self.fields}
        self.pk = model._meta.pk
        self.attnames = [f.attname for f in self.fields]
        self.name = model._meta.db_table
        self.json_fields = [isinstance(f, models.JSONField) for f in self.fields]
        self._known = frozenset(self.attnames)
        # A default that is a value is the same for every row: taken once, copied per row.
        self._made = [f for f in self.fields if f.has_default() and callable(f.default)]
        self._defaults = {
            f.attname: None if f in self._made else f.get_default() for f in self.fields
        }

    def full_row(self, values: dict[str, Any]) -> dict[str, Any]:
        """Return ``values`` with every other field at its default, as a new model's."""
        if not values.keys() <= self._known:
            unknown = sorted(set(values) - self._known)
            raise TypeError(f"{self.model.__name__} has no field(s) {', '.join(unknown)}")
        row = {**self._defaults, **values}
        for f in self._made:
            if f.attname not in values:
                row[f.attname] = f.get_default()
        return row

    def params(self, row: dict[str, Any]) -> list[Any]:
        """Return the row's values adapted for the database, in column order."""
        adapters = _adapters(self.model, connection.vendor)
        return [adapt(row[attname]) for attname, adapt in zip(self.attnames, adapters, strict=True)]

    def prep(self, attname: str, value: Any) -> Any:
        """Adapt one value of field ``attname`` for the database."""
        index = self.attnames.index(attname)
        return _adapters(self.model, connection.vendor)[index](value)


_AS_IS = {
    "AutoField",
    "BigAutoField",
    "BigIntegerField",
    "BooleanField",
    "CharField",
    "IntegerField",
    "PositiveBigIntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "SmallIntegerField",
    "TextField",
}


@functools.cache
def _adapters(model: type[models.Model], vendor: str) -> list[Callable[[Any], Any]]:
    """Return, per column of ``model``, how to adapt a value for this database.

    Django's ``get_db_prep_save`` for every value of a replay cost more than writing it;
    the values projectors pass already have their field's Python type, so most go to
    the driver as they are. Anything else takes Django's own way.
    """
    db = connections[DEFAULT_DB_ALIAS]  # the wrapper, not the per-call thread-local proxy
    adapters: list[Callable[[Any], Any]] = []
    for field in model._meta.concrete_fields:
        kind = field.get_internal_type()
        target = field.target_field.get_internal_type() if field.is_relation else kind  # type: ignore[attr-defined]
        if target in _AS_IS or (
            vendor == "postgresql" and target in {"DateField", "DateTimeField"}
        ):
            adapters.append(_as_is)
        else:
            adapters.append(functools.partial(_django_way, field, db))
    return adapters


def _as_is(value: Any) -> Any:
    return value


def _decimal(db: Any, max_digits: int, decimal_places: int, value: Any) -> Any:
    return db.ops.adapt_decimalfield_value(value, max_digits, decimal_places)


def _json_text(value: Any) -> Any:
    # What Django's JSONField stores on SQLite; SQL NULL stays NULL.
    return None if value is None else json.dumps(value)


def _django_way(field: models.Field[Any, Any], db: Any, value: Any) -> Any:
    return field.get_db_prep_save(value, db)


@functools.cache
def table(model: type[models.Model]) -> Table:
    """Return the Table of ``model``."""
    return Table(model)


def quote(name: str) -> str:
    """Return a table or column name quoted for the database."""
    return connection.ops.quote_name(name)


@functools.cache
def insert_sql(model: type[models.Model], vendor: str, upsert: bool) -> str:
    """Return the INSERT (``upsert``: or UPDATE on the key) of one whole row of ``model``."""
    t = table(model)
    columns = ", ".join(quote(f.column) for f in t.fields)
    values = ", ".join(["%s"] * len(t.fields))
    sql = f"INSERT INTO {quote(t.name)} ({columns}) VALUES ({values})"
    if upsert:
        others = [f for f in t.fields if f is not t.pk]
        assignments = ", ".join(f"{quote(f.column)} = EXCLUDED.{quote(f.column)}" for f in others)
        action = f"DO UPDATE SET {assignments}" if others else "DO NOTHING"
        sql += f" ON CONFLICT ({quote(t.pk.column)}) {action}"
    return sql


@functools.cache
def _update_sql(
    model: type[models.Model],
    vendor: str,
    shape: tuple[tuple[str, str], ...],
    returning: str | None,
) -> str:
    t = table(model)
    assignments = []
    for attname, kind in shape:
        column = quote(t.by_attname[attname].column)
        if kind == "add":
            assignments.append(f"{column} = {column} + %s")
        elif kind == "ifnull":
            assignments.append(f"{column} = COALESCE({column}, %s)")
        else:
            assignments.append(f"{column} = %s")
    sql = f"UPDATE {quote(t.name)} SET {', '.join(assignments)} WHERE {quote(t.pk.column)} = %s"
    if returning is not None:
        sql += f" RETURNING {quote(t.by_attname[returning].column)}"
    return sql


def _kind(change: Any) -> str:
    if isinstance(change, Add):
        return "add"
    if isinstance(change, IfNull):
        return "ifnull"
    return "set"


class DirectRows:
    """Row operations run at once, one statement each, in the caller's transaction.

    Inside ``registry.batch.batching`` (an append on PostgreSQL) the writes are queued and
    go with the append's other statements; a read sends what is queued first.
    """

    def insert(self, model: type[models.Model], **values: Any) -> None:
        """Insert a row; fields not given take their model defaults."""
        t = table(model)
        batch.execute(insert_sql(model, connection.vendor, False), t.params(t.full_row(values)))

    def update(
        self, model: type[models.Model], pk: Any, *, returning: str | None = None, **changes: Any
    ) -> Any:
        """Change the row ``pk`` if it exists; return its new ``returning`` value (or None)."""
        t = table(model)
        shape = tuple((attname, _kind(change)) for attname, change in changes.items())
        params = []
        for attname, change in changes.items():
            value = change.amount if isinstance(change, Add) else change
            value = change.value if isinstance(change, IfNull) else value
            params.append(t.prep(attname, value))
        params.append(t.prep(t.pk.attname, pk))
        sql = _update_sql(model, connection.vendor, shape, returning)
        if returning is None:
            batch.execute(sql, params)
            return None
        row = batch.fetch_one(sql, params)
        return None if row is None else row[0]

    def delete(self, model: type[models.Model], pk: Any) -> None:
        """Delete the row ``pk`` if it exists."""
        t = table(model)
        batch.execute(
            f"DELETE FROM {quote(t.name)} WHERE {quote(t.pk.column)} = %s",
            [t.prep(t.pk.attname, pk)],
        )

    def get(self, model: type[models.Model], pk: Any) -> dict[str, Any] | None:
        """Return the row ``pk`` as a dict of attnames, or None."""
        batch.flush()  # the row may be one a queued write makes or changes
        return model._base_manager.filter(pk=pk).values(*table(model).attnames).first()
