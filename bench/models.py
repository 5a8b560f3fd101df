"""What a user would write instead of an event store: one row per milestone, updated in place."""

from __future__ import annotations

from django.db import models


class CrudMilestone(models.Model):
    """A plain CRUD row holding the same data as one benchmark event."""

    key = models.CharField(max_length=128, unique=True)
    project_code = models.CharField(max_length=64)
    milestone_id = models.CharField(max_length=64)
    due_date = models.DateField()
    reason = models.TextField()
    seq = models.IntegerField()
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "bench"
        db_table = "bench_crud_milestone"

    def __str__(self) -> str:
        return f"{self.key} v{self.version}"
