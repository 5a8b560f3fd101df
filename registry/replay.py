"""Rebuilding read models from the log, and comparing them with a fresh replay."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import models, transaction

from registry import store
from registry.guards import projecting
from registry.ledger import canonical
from registry.models import StoredEvent
from registry.projections import select

Progress = Callable[[int], None]


def rebuild(
    names: Iterable[str] | None = None,
    *,
    batch_size: int = 1000,
    progress: Progress | None = None,
) -> int:
    """Empty the named projectors' read models and replay the whole log into them.

    Runs in one transaction, so readers never see a half-built read model. Returns
    the number of events replayed; ``progress`` is called with each batch's size.
    """
    projectors = select(names)
    replayed = 0
    with transaction.atomic():
        for projector in projectors:
            projector.reset()
        with projecting():
            pending = 0
            for event in store.read_all(batch_size=batch_size):
                for projector in projectors:
                    projector.handle(event)
                replayed += 1
                pending += 1
                if progress is not None and pending == batch_size:
                    progress(pending)
                    pending = 0
            if progress is not None and pending:
                progress(pending)
    return replayed


def event_count() -> int:
    """Return how many events the log holds."""
    return StoredEvent.objects.count()


def _row_fields(model: type[models.Model]) -> list[str]:
    # Surrogate auto keys differ between replays; natural keys and values must not.
    return [
        f.attname
        for f in model._meta.concrete_fields
        if not (f.primary_key and isinstance(f, models.AutoField))
    ]


def model_fingerprint(model: type[models.Model]) -> Counter[str]:
    """Return a multiset of row digests for every row of ``model``."""
    fields = _row_fields(model)
    rows: Counter[str] = Counter()
    for values in model._base_manager.values_list(*fields).iterator(chunk_size=2000):
        text = canonical([str(v) for v in values])
        rows[hashlib.sha256(text).hexdigest()] += 1
    return rows


def snapshot(names: Iterable[str] | None = None) -> dict[str, Counter[str]]:
    """Return the row fingerprints of the named projectors' read models."""
    return {
        model._meta.label: model_fingerprint(model)
        for projector in select(names)
        for model in projector.models
    }


@dataclass(frozen=True)
class Drift:
    """A read model whose rows differ from what a fresh replay produces."""

    model: str
    missing: int
    unexpected: int

    def __str__(self) -> str:
        return (
            f"{self.model}: {self.missing} row(s) a replay produces are missing or differ, "
            f"{self.unexpected} row(s) a replay does not produce"
        )


def drift(names: Iterable[str] | None = None, *, progress: Progress | None = None) -> list[Drift]:
    """Compare the read models with a fresh replay of the log, changing nothing."""
    names = list(names or [])
    found: list[Drift] = []
    with transaction.atomic():
        before = snapshot(names)
        rebuild(names, progress=progress)
        after = snapshot(names)
        for label, expected in after.items():
            actual = before.get(label, Counter())
            missing = sum((expected - actual).values())
            unexpected = sum((actual - expected).values())
            if missing or unexpected:
                found.append(Drift(label, missing, unexpected))
        transaction.set_rollback(True)
    return found
