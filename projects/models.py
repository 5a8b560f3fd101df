"""Read models of the cooperation domain: written only by ``projects.projections``.

Natural primary keys (organisation id, agreement code, project code, ``CODE/M1``) make
a rebuild reproduce every row exactly. Contacts are the exception: they hold personal
data, which stays out of the event log so that it can be erased (see ``Contact``).
"""

from __future__ import annotations

import datetime as dt

from django.db import models

from projects.domain.values import (
    ActivityStatus,
    Currency,
    MilestoneStatus,
    MilestoneType,
    OrganisationType,
    Sector,
)
from registry.readmodels import ReadModel

ORG_TYPES = [(t.value, t.label) for t in OrganisationType]
SECTORS = [(s.value, s.label) for s in Sector]
STATUSES = [(s.value, s.value.capitalize()) for s in ActivityStatus]
CURRENCIES = [(c.value, c.value) for c in Currency]
MILESTONE_TYPES = [(t.value, t.value.capitalize()) for t in MilestoneType]
MILESTONE_STATUSES = [
    ("scheduled", "Scheduled"),
    ("met", "Met"),
    ("notMet", "Not met"),
    ("partiallyMet", "Partially met"),
    ("cancelled", "Cancelled"),
]
OPEN_MILESTONE_STATUSES = [s.value for s in MilestoneStatus if s.is_open]


class Organisation(ReadModel):
    """An organisation taking part in cooperation (IATI OrganisationType)."""

    id = models.CharField(max_length=64, primary_key=True)
    name_en = models.CharField("name (English)", max_length=300)
    name_zh_hant = models.CharField("name (Traditional Chinese)", max_length=300, blank=True)
    name_zh_hans = models.CharField("name (Simplified Chinese)", max_length=300, blank=True)
    org_type = models.PositiveSmallIntegerField("type", choices=ORG_TYPES)
    jurisdiction = models.CharField(max_length=20, db_index=True)
    identifiers = models.JSONField(default=list)
    version = models.PositiveIntegerField()

    class Meta:
        ordering = ["name_en"]
        # The admin's list: by name, then by key (the admin appends "-pk").
        indexes = [models.Index(fields=["name_en", "-id"], name="organisation_by_name")]

    def __str__(self) -> str:
        return self.name_en


class Agreement(ReadModel):
    """A framework agreement (memorandum of understanding) covering many projects."""

    code = models.CharField(max_length=40, primary_key=True)
    title_en = models.CharField("title (English)", max_length=400)
    title_zh_hant = models.CharField("title (Traditional Chinese)", max_length=400)
    title_zh_hans = models.CharField("title (Simplified Chinese)", max_length=400)
    signed_on = models.DateField()
    signed_place_en = models.CharField("signed at", max_length=200)
    signed_place_zh_hant = models.CharField(max_length=200, blank=True)
    signed_place_zh_hans = models.CharField(max_length=200, blank=True)
    signatories = models.JSONField(default=list)
    period_start = models.DateField()
    period_end = models.DateField(null=True, blank=True)
    sectors = models.JSONField(default=list)
    in_force = models.BooleanField(default=True)
    terminated_on = models.DateField(null=True, blank=True)
    termination_reason = models.TextField(blank=True)
    amendment_count = models.PositiveIntegerField(default=0)
    version = models.PositiveIntegerField()

    class Meta:
        ordering = ["signed_on", "code"]
        indexes = [models.Index(fields=["signed_on", "code"], name="agreement_by_signing")]

    def __str__(self) -> str:
        return f"{self.code} — {self.title_en}"


class Project(ReadModel):
    """A cooperation project (IATI activity) under an agreement."""

    code = models.CharField(max_length=40, primary_key=True)
    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="projects")
    sector = models.CharField(max_length=40, choices=SECTORS, db_index=True)
    dac_code = models.PositiveIntegerField("OECD DAC code")
    title_en = models.CharField("title (English)", max_length=400)
    title_zh_hant = models.CharField("title (Traditional Chinese)", max_length=400)
    title_zh_hans = models.CharField("title (Simplified Chinese)", max_length=400)
    description_en = models.TextField("description (English)", blank=True)
    description_zh_hant = models.TextField("description (Traditional Chinese)", blank=True)
    description_zh_hans = models.TextField("description (Simplified Chinese)", blank=True)
    status = models.CharField(max_length=20, choices=STATUSES, db_index=True)
    status_code = models.PositiveSmallIntegerField("IATI status code")
    status_since = models.DateField(null=True, blank=True)
    planned_start = models.DateField()
    planned_end = models.DateField()
    actual_start = models.DateField(null=True, blank=True)
    actual_end = models.DateField(null=True, blank=True)
    budget_amount = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True)
    budget_currency = models.CharField(max_length=3, choices=CURRENCIES, blank=True)
    version = models.PositiveIntegerField()
    registered_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["code"]
        indexes = [models.Index(fields=["agreement", "sector"], name="project_agreement_sector")]

    def __str__(self) -> str:
        return f"{self.code} — {self.title_en}"


class Participation(ReadModel):
    """An organisation's part in a project, with its roles."""

    key = models.CharField(max_length=110, primary_key=True)  # "CODE/organisation-id"
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="parties")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="participations"
    )
    roles = models.JSONField(default=list)
    is_lead = models.BooleanField(default=False)

    class Meta:
        ordering = ["project", "-is_lead", "organisation"]
        indexes = [
            models.Index(fields=["project", "-is_lead", "organisation"], name="party_in_order")
        ]
        constraints = [
            models.UniqueConstraint(fields=["project", "organisation"], name="one_party_per_org")
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} in {self.project_id} ({', '.join(self.roles)})"


class Milestone(ReadModel):
    """A project milestone (OCDS) with its derived figures."""

    key = models.CharField(max_length=80, primary_key=True)  # "CODE/M1"
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    milestone_id = models.CharField(max_length=30)
    title_en = models.CharField("title (English)", max_length=400)
    title_zh_hant = models.CharField("title (Traditional Chinese)", max_length=400)
    title_zh_hans = models.CharField("title (Simplified Chinese)", max_length=400)
    milestone_type = models.CharField("type", max_length=20, choices=MILESTONE_TYPES)
    due_date = models.DateField()
    original_due_date = models.DateField()
    responsible = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="milestones_responsible"
    )
    status = models.CharField(max_length=20, choices=MILESTONE_STATUSES)
    date_met = models.DateField(null=True, blank=True)
    reschedule_count = models.PositiveIntegerField(default=0)
    days_slipped = models.IntegerField(default=0)
    claim_status = models.CharField(max_length=20, blank=True)
    claim_date = models.DateField(null=True, blank=True)
    claimant = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    claim_note = models.TextField(blank=True)
    cancellation_reason = models.TextField(blank=True)
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["due_date", "key"]
        indexes = [
            # The admin's milestone list reads its first page in this order.
            models.Index(fields=["due_date", "key"], name="milestone_by_due"),
            models.Index(fields=["status", "due_date"], name="milestone_status_due"),
            models.Index(fields=["responsible", "status", "due_date"], name="milestone_resp_due"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["project", "milestone_id"], name="milestone_in_project")
        ]

    def __str__(self) -> str:
        return f"{self.key} — {self.title_en}"

    @property
    def is_open(self) -> bool:
        """Return True unless the milestone is met or cancelled."""
        return self.status in OPEN_MILESTONE_STATUSES

    def days_overdue(self, today: dt.date) -> int:
        """Return how many days past due an open milestone is on ``today`` (else 0)."""
        if not self.is_open or today <= self.due_date:
            return 0
        return (today - self.due_date).days


class MilestoneReschedule(ReadModel):
    """One move of a milestone's due date, with its reason."""

    key = models.CharField(max_length=90, primary_key=True)  # "CODE/M1/1"
    milestone = models.ForeignKey(Milestone, on_delete=models.CASCADE, related_name="reschedules")
    sequence = models.PositiveIntegerField()
    old_due_date = models.DateField()
    new_due_date = models.DateField()
    days = models.IntegerField()
    reason = models.TextField()
    occurred_at = models.DateTimeField()

    class Meta:
        ordering = ["milestone", "sequence"]
        indexes = [models.Index(fields=["milestone", "sequence"], name="reschedule_in_order")]

    def __str__(self) -> str:
        return f"{self.key}: {self.old_due_date} → {self.new_due_date}"


class Contact(models.Model):
    """Personal data of a contact person: the erasable vault beside the log.

    Not a read model: names and emails are kept out of events so they can be erased
    without breaking the hash chain. ``projects.contacts`` writes this table together
    with the ``contact`` stream's events (registered, changed, erased), in one
    transaction, so the log records every change without holding the data.
    """

    id = models.CharField(max_length=64, primary_key=True)
    organisation_id = models.CharField(max_length=64, db_index=True)
    name = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    language = models.CharField(
        max_length=8,
        choices=[("en", "English"), ("zh-hant", "繁體中文"), ("zh-hans", "简体中文")],
        default="en",
    )
    erased_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["organisation_id", "name"]

    def __str__(self) -> str:
        return self.name or f"(erased contact {self.id})"
