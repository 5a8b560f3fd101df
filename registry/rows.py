"""How projectors write read models: row operations, run at once or a batch at a time.

A projector handler receives the event and a :class:`Rows`; it inserts, updates and
deletes rows by primary key, with plain values or with :class:`Add` (add to the stored
number) and :class:`IfNull` (set only where nothing is stored yet). Keys and values are
the model's field attnames (``project_id``, not ``project``).

- :class:`DirectRows` runs each operation as one statement, in the append's transaction:
  what the inline projectors use, so the admin and the API read their own writes.
- :class:`BufferedRows` keeps the rows it touches in memory and writes each read model
  once per batch (an upsert and a delete), which is what makes a replay of the log fast;
  it holds at most ``capacity`` rows, so memory stays flat however long the log.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from django.db import IntegrityError, connection, models


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

    def full_row(self, values: dict[str, Any]) -> dict[str, Any]:
        """Return ``values`` with every other field at its default, as a new model's."""
        unknown = set(values) - set(self.by_attname)
        if unknown:
            raise TypeError(f"{self.model.__name__} has no field(s) {', '.join(sorted(unknown))}")
        return {
            f.attname: values[f.attname] if f.attname in values else f.get_default()
            for f in self.fields
        }

    def params(self, row: dict[str, Any]) -> list[Any]:
        """Return the row's values adapted for the database, in column order."""
        return [f.get_db_prep_save(row[f.attname], connection) for f in self.fields]

    def prep(self, attname: str, value: Any) -> Any:
        """Adapt one value of field ``attname`` for the database."""
        return self.by_attname[attname].get_db_prep_save(value, connection)


@functools.cache
def table(model: type[models.Model]) -> Table:
    """Return the Table of ``model``."""
    return Table(model)


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


@functools.cache
def _insert_sql(model: type[models.Model], vendor: str, upsert: bool) -> str:
    t = table(model)
    columns = ", ".join(_q(f.column) for f in t.fields)
    values = ", ".join(["%s"] * len(t.fields))
    sql = f"INSERT INTO {_q(t.name)} ({columns}) VALUES ({values})"
    if upsert:
        others = [f for f in t.fields if f is not t.pk]
        assignments = ", ".join(f"{_q(f.column)} = EXCLUDED.{_q(f.column)}" for f in others)
        action = f"DO UPDATE SET {assignments}" if others else "DO NOTHING"
        sql += f" ON CONFLICT ({_q(t.pk.column)}) {action}"
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
        column = _q(t.by_attname[attname].column)
        if kind == "add":
            assignments.append(f"{column} = {column} + %s")
        elif kind == "ifnull":
            assignments.append(f"{column} = COALESCE({column}, %s)")
        else:
            assignments.append(f"{column} = %s")
    sql = f"UPDATE {_q(t.name)} SET {', '.join(assignments)} WHERE {_q(t.pk.column)} = %s"
    if returning is not None:
        sql += f" RETURNING {_q(t.by_attname[returning].column)}"
    return sql


def _kind(change: Any) -> str:
    if isinstance(change, Add):
        return "add"
    if isinstance(change, IfNull):
        return "ifnull"
    return "set"


class DirectRows:
    """Row operations run at once, one statement each, in the caller's transaction."""

    def insert(self, model: type[models.Model], **values: Any) -> None:
        """Insert a row; fields not given take their model defaults."""
        t = table(model)
        with connection.cursor() as cursor:
            cursor.execute(
                _insert_sql(model, connection.vendor, False), t.params(t.full_row(values))
            )

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
        with connection.cursor() as cursor:
            cursor.execute(_update_sql(model, connection.vendor, shape, returning), params)
            if returning is None:
                return None
            row = cursor.fetchone()
        return None if row is None else row[0]

    def delete(self, model: type[models.Model], pk: Any) -> None:
        """Delete the row ``pk`` if it exists."""
        t = table(model)
        with connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {_q(t.name)} WHERE {_q(t.pk.column)} = %s",
                [t.prep(t.pk.attname, pk)],
            )

    def get(self, model: type[models.Model], pk: Any) -> dict[str, Any] | None:
        """Return the row ``pk`` as a dict of attnames, or None."""
        return model._base_manager.filter(pk=pk).values(*table(model).attnames).first()


class RowExists(IntegrityError):
    """A projector inserted a row whose key is taken (as the database would refuse it)."""


class BufferedRows:
    """Row operations kept in memory and written a batch at a time by :meth:`flush`.

    ``empty`` says the tables start empty (a replay into fresh shadow tables): while no
    row has been evicted, a key not in memory is known not to exist, with no query.
    """

    def __init__(
        self, models_: Sequence[type[models.Model]], *, capacity: int = 50_000, empty: bool
    ) -> None:
        self.models = list(models_)
        self.capacity = capacity
        self._rows: dict[type[models.Model], dict[Any, dict[str, Any] | None]] = {
            m: {} for m in self.models
        }
        self._dirty: dict[type[models.Model], set[Any]] = {m: set() for m in self.models}
        self._deleted: dict[type[models.Model], set[Any]] = {m: set() for m in self.models}
        self._complete = empty

    def _load(self, model: type[models.Model], pk: Any) -> dict[str, Any] | None:
        cached = self._rows[model]
        if pk in cached:
            return cached[pk]
        row = None if self._complete else DirectRows().get(model, pk)
        cached[pk] = row
        return row

    def insert(self, model: type[models.Model], **values: Any) -> None:
        """Insert a row; fields not given take their model defaults."""
        t = table(model)
        row = t.full_row(values)
        pk = row[t.pk.attname]
        if self._load(model, pk) is not None:
            raise RowExists(f"{model._meta.label} {pk!r} exists already")
        self._rows[model][pk] = row
        self._dirty[model].add(pk)
        self._deleted[model].discard(pk)

    def update(
        self, model: type[models.Model], pk: Any, *, returning: str | None = None, **changes: Any
    ) -> Any:
        """Change the row ``pk`` if it exists; return its new ``returning`` value (or None)."""
        row = self._load(model, pk)
        if row is None:
            return None
        for attname, change in changes.items():
            if isinstance(change, Add):
                row[attname] += change.amount
            elif isinstance(change, IfNull):
                if row[attname] is None:
                    row[attname] = change.value
            else:
                row[attname] = change
        self._dirty[model].add(pk)
        return None if returning is None else row[returning]

    def delete(self, model: type[models.Model], pk: Any) -> None:
        """Delete the row ``pk`` if it exists."""
        if self._load(model, pk) is None:
            return
        self._rows[model][pk] = None
        self._dirty[model].discard(pk)
        self._deleted[model].add(pk)

    def get(self, model: type[models.Model], pk: Any) -> dict[str, Any] | None:
        """Return the row ``pk`` as a dict of attnames, or None."""
        row = self._load(model, pk)
        return None if row is None else dict(row)

    def flush(self) -> None:
        """Write what changed since the last flush: per read model, one delete and one upsert."""
        for model in self.models:
            t = table(model)
            deleted = self._deleted[model]
            if deleted:
                _delete_many(t, deleted)
                deleted.clear()
            dirty = self._dirty[model]
            if dirty:
                rows = self._rows[model]
                params = [t.params(rows[pk]) for pk in dirty]  # type: ignore[arg-type]
                with connection.cursor() as cursor:
                    cursor.executemany(_insert_sql(model, connection.vendor, True), params)
                dirty.clear()
        for cached in self._rows.values():
            for pk in [pk for pk, row in cached.items() if row is None]:
                del cached[pk]
        if sum(len(cached) for cached in self._rows.values()) > self.capacity:
            # Memory stays flat: forget everything; later misses read the table.
            for cached in self._rows.values():
                cached.clear()
            self._complete = False


def _delete_many(t: Table, pks: Iterable[Any], chunk: int = 500) -> None:
    keys = [t.prep(t.pk.attname, pk) for pk in pks]
    with connection.cursor() as cursor:
        for start in range(0, len(keys), chunk):
            part = keys[start : start + chunk]
            marks = ", ".join(["%s"] * len(part))
            cursor.execute(f"DELETE FROM {_q(t.name)} WHERE {_q(t.pk.column)} IN ({marks})", part)
