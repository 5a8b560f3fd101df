"""Base class for read models: ordinary Django models that only projectors may write."""

from __future__ import annotations

from typing import Any

from django.db import models

from registry.errors import ReadModelWriteRefused
from registry.guards import is_projecting


def _refuse(model: type[models.Model], action: str) -> None:
    if not is_projecting():
        raise ReadModelWriteRefused(
            f"{model._meta.label} is a read model: {action} is allowed only in a projector; "
            "change state by appending events"
        )


class ReadModelQuerySet(models.QuerySet[Any]):
    """A queryset whose bulk writes are refused outside a projector."""

    def update(self, **kwargs: Any) -> int:
        _refuse(self.model, "update()")
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        _refuse(self.model, "delete()")
        return super().delete()

    def bulk_create(self, objs: Any, *args: Any, **kwargs: Any) -> list[Any]:
        _refuse(self.model, "bulk_create()")
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(self, objs: Any, *args: Any, **kwargs: Any) -> int:
        _refuse(self.model, "bulk_update()")
        return super().bulk_update(objs, *args, **kwargs)


class ReadModel(models.Model):
    """A projection of events. Prefer natural primary keys so a rebuild reproduces rows."""

    objects = ReadModelQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        _refuse(type(self), "save()")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        _refuse(type(self), "delete()")
        return super().delete(*args, **kwargs)
