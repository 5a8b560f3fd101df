"""What a user would write instead of an event store: rows updated in place.

``CrudMilestone`` is the plain CRUD row of the append benchmark. The ``Hist*`` models
are what most teams would build for the domain workload: plain models whose every
change django-simple-history copies into a history table.
"""

from __future__ import annotations

from typing import ClassVar, Self

from django.db import models
from simple_history.models import HistoricalRecords


class CrudMilestone(models.Model):
    """A plain CRUD row holding the same data as one benchmark event."""

    objects: ClassVar[models.Manager[Self]]

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


# -- Django + django-simple-history: the same project, parties and milestones as rows ----


class HistProject(models.Model):
    """A project as a plain row; simple-history keeps a copy of every version."""

    objects: ClassVar[models.Manager[Self]]

    code = models.CharField(max_length=40, unique=True)
    agreement_code = models.CharField(max_length=40)
    title_en = models.CharField(max_length=400)
    title_zh_hant = models.CharField(max_length=400)
    title_zh_hans = models.CharField(max_length=400)
    sector = models.CharField(max_length=40)
    planned_start = models.DateField()
    planned_end = models.DateField()
    status = models.CharField(max_length=20, default="pipeline")
    status_since = models.DateField(null=True)
    actual_start = models.DateField(null=True)
    budget_amount = models.DecimalField(max_digits=18, decimal_places=2, null=True)
    budget_currency = models.CharField(max_length=3, blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        app_label = "bench"

    def __str__(self) -> str:
        return self.code


class HistParty(models.Model):
    """An organisation's part in a project, with its roles."""

    objects: ClassVar[models.Manager[Self]]

    project = models.ForeignKey(HistProject, on_delete=models.CASCADE, related_name="parties")
    project_id: str
    organisation_id = models.CharField(max_length=64)
    roles = models.JSONField(default=list)
    history = HistoricalRecords()

    class Meta:
        app_label = "bench"
        constraints = [
            models.UniqueConstraint(fields=["project", "organisation_id"], name="hist_party_once")
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} in {self.project_id}"


class HistMilestone(models.Model):
    """A project milestone with its derived figures."""

    objects: ClassVar[models.Manager[Self]]

    project = models.ForeignKey(HistProject, on_delete=models.CASCADE, related_name="milestones")
    project_id: str
    milestone_id = models.CharField(max_length=30)
    title_en = models.CharField(max_length=400)
    title_zh_hant = models.CharField(max_length=400)
    title_zh_hans = models.CharField(max_length=400)
    milestone_type = models.CharField(max_length=20)
    due_date = models.DateField()
    original_due_date = models.DateField()
    responsible_id = models.CharField(max_length=64)
    status = models.CharField(max_length=20, default="scheduled")
    date_met = models.DateField(null=True)
    reschedule_count = models.PositiveIntegerField(default=0)
    days_slipped = models.IntegerField(default=0)
    claim_status = models.CharField(max_length=20, blank=True)
    claim_date = models.DateField(null=True)
    claimant_id = models.CharField(max_length=64, blank=True)
    claim_note = models.TextField(blank=True)
    cancellation_reason = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        app_label = "bench"
        constraints = [
            models.UniqueConstraint(fields=["project", "milestone_id"], name="hist_milestone_once")
        ]

    def __str__(self) -> str:
        return f"{self.project_id}/{self.milestone_id}"
