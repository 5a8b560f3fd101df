"""Row operations kept in memory and written in bulk: how a replay writes read models.

A replay applies every event of the log, and most of them change a row that an event
shortly before also changed. :class:`BufferedRows` keeps the rows it touches, most
recently used last, changes them in memory, and writes them only when it must let some
go (the least recently used quarter, once it holds more than ``capacity``) and when
the replay asks it to :meth:`~BufferedRows.flush`: rows it made are copied in (COPY on
PostgreSQL), rows the table already had are upserted, deleted ones are deleted, each
kind in one statement per read model. Memory stays flat: ``capacity`` rows at most.

It is meant for a replay into tables only the replay writes (``registry.shadow``).
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import IntegrityError, connection, models

from registry.rows import Add, DirectRows, IfNull, Table, insert_sql, quote, table

Key = tuple[type[models.Model], Any]


class RowExists(IntegrityError):
    """A projector inserted a row whose key is taken (as the database would refuse it)."""


class _Slot:
    """A row as the buffer holds it."""

    __slots__ = ("dirty", "row", "stored")

    def __init__(self, row: dict[str, Any] | None, *, stored: bool, dirty: bool) -> None:
        self.row = row  # None: deleted
        self.stored = stored  # the table holds (a version of) this row
        self.dirty = dirty  # changed since it was last written


class BufferedRows:
    """Row operations on tables only this replay writes, kept in memory, written in bulk.

    ``empty`` says the tables start empty: until a row is let go, a key not held is
    known not to exist, without a query. After that a miss reads the table.
    """

    def __init__(
        self, models_: Sequence[type[models.Model]], *, capacity: int = 10_000, empty: bool
    ) -> None:
        self.models = list(models_)
        self.capacity = capacity
        # Least recently used first: a plain dict keeps insertion order, and a row used
        # again is taken out and put back at the end (cheaper than an OrderedDict's moves).
        self._slots: dict[Key, _Slot] = {}
        self._complete = empty

    def _slot(self, model: type[models.Model], pk: Any) -> _Slot | None:
        key = (model, pk)
        slot = self._slots.pop(key, None)
        if slot is not None:
            self._slots[key] = slot
            return slot
        if self._complete:
            return None
        row = DirectRows().get(model, pk)
        if row is None:
            return None
        return self._hold(key, _Slot(row, stored=True, dirty=False))

    def _hold(self, key: Key, slot: _Slot) -> _Slot:
        self._slots[key] = slot
        if len(self._slots) > self.capacity:
            self._let_go(self.capacity // 4 or 1)
        return slot

    def insert(self, model: type[models.Model], **values: Any) -> None:
        """Insert a row; fields not given take their model defaults."""
        t = table(model)
        row = t.full_row(values)
        key = (model, row[t.pk.attname])
        slot = self._slots.pop(key, None)
        if slot is not None:
            self._slots[key] = slot
            if slot.row is not None:
                raise RowExists(f"{model._meta.label} {key[1]!r} exists already")
            slot.row, slot.dirty = row, True  # deleted, then made again
            return
        # Not held: new (a key the table holds already fails when written, as it should).
        self._hold(key, _Slot(row, stored=False, dirty=True))

    def update(
        self, model: type[models.Model], pk: Any, *, returning: str | None = None, **changes: Any
    ) -> Any:
        """Change the row ``pk`` if it exists; return its new ``returning`` value (or None)."""
        slot = self._slot(model, pk)
        if slot is None or slot.row is None:
            return None
        row = slot.row
        for attname, change in changes.items():
            if isinstance(change, Add):
                row[attname] += change.amount
            elif isinstance(change, IfNull):
                if row[attname] is None:
                    row[attname] = change.value
            else:
                row[attname] = change
        slot.dirty = True
        return None if returning is None else row[returning]

    def delete(self, model: type[models.Model], pk: Any) -> None:
        """Delete the row ``pk`` if it exists."""
        slot = self._slot(model, pk)
        if slot is not None and slot.row is not None:
            slot.row, slot.dirty = None, True

    def get(self, model: type[models.Model], pk: Any) -> dict[str, Any] | None:
        """Return the row ``pk`` as a dict of attnames, or None."""
        slot = self._slot(model, pk)
        return None if slot is None or slot.row is None else dict(slot.row)

    def written_elsewhere(self) -> None:
        """Note that the tables now hold rows this buffer did not write (another part's).

        From here on a key not held is looked up in the table, not known to be absent.
        """
        self._complete = False

    def flush(self) -> None:
        """Write every change held; keep the rows (all clean now)."""
        self._write(list(self._slots.items()))
        for key in [key for key, slot in self._slots.items() if slot.row is None]:
            del self._slots[key]

    def _let_go(self, count: int) -> None:
        """Write and forget the ``count`` least recently used rows."""
        oldest = [(key, self._slots[key]) for key in itertools.islice(self._slots, count)]
        for key, _slot in oldest:
            del self._slots[key]
        self._write(oldest)
        self._complete = False

    def _write(self, slots: Iterable[tuple[Key, _Slot]]) -> None:
        by_model: dict[type[models.Model], list[tuple[Any, _Slot]]] = {}
        for (model, pk), slot in slots:
            if slot.dirty:
                by_model.setdefault(model, []).append((pk, slot))
        for model in reversed(self.models):  # children's rows go first
            gone = [pk for pk, slot in by_model.get(model, []) if slot.row is None and slot.stored]
            if gone:
                _delete(table(model), gone)
        for model in self.models:  # parents' rows come first
            held = by_model.get(model, [])
            new = [slot.row for _pk, slot in held if slot.row is not None and not slot.stored]
            old = [slot.row for _pk, slot in held if slot.row is not None and slot.stored]
            if new:
                _insert(table(model), new)
            if old:
                with connection.cursor() as cursor:
                    cursor.executemany(
                        insert_sql(model, connection.vendor, True),
                        [table(model).params(r) for r in old],
                    )
            for _pk, slot in held:
                slot.stored, slot.dirty = slot.row is not None, False


def _insert(t: Table, rows: list[dict[str, Any]]) -> None:
    """Insert new rows: by COPY on PostgreSQL, by one prepared INSERT on SQLite."""
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.executemany(
                insert_sql(t.model, connection.vendor, False), [t.params(r) for r in rows]
            )
        return
    columns = ", ".join(quote(f.column) for f in t.fields)
    attnames, json_fields = t.attnames, t.json_fields
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {quote(t.name)} ({columns}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(
                [
                    json.dumps(row[a]) if is_json and row[a] is not None else row[a]
                    for a, is_json in zip(attnames, json_fields, strict=True)
                ]
            )


def _delete(t: Table, pks: list[Any], chunk: int = 500) -> None:
    keys = [t.prep(t.pk.attname, pk) for pk in pks]
    with connection.cursor() as cursor:
        for start in range(0, len(keys), chunk):
            part = keys[start : start + chunk]
            marks = ", ".join(["%s"] * len(part))
            cursor.execute(
                f"DELETE FROM {quote(t.name)} WHERE {quote(t.pk.column)} IN ({marks})", part
            )
