"""Read models of the cooperation domain: written only by ``projects.projections``.

Natural primary keys (organisation id, agreement code, project code, ``CODE/M1``) make
a rebuild reproduce every row exactly. Contacts are the exception: they hold personal
data, which stays out of the event log so that it can be erased (see ``Contact``).
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils.translation import gettext_lazy as _

from projects.domain import limits
from projects.domain.values import (
    ActivityStatus,
    Currency,
    MilestoneStatus,
    MilestoneType,
    OrganisationType,
    Sector,
)
from projects.labels import enum_choices, localised
from registry.readmodels import ReadModel

ORG_TYPES = enum_choices(OrganisationType)
SECTORS = enum_choices(Sector)
STATUSES = enum_choices(ActivityStatus)
CURRENCIES = [(c.value, c.value) for c in Currency]
MILESTONE_TYPES = enum_choices(MilestoneType)
MILESTONE_STATUSES = enum_choices(MilestoneStatus)
OPEN_MILESTONE_STATUSES = [s.value for s in MilestoneStatus if s.is_open]


class Organisation(ReadModel):
    """An organisation taking part in cooperation (IATI OrganisationType)."""

    id = models.CharField(_("id"), max_length=64, primary_key=True)
    name_en = models.CharField(_("name (English)"), max_length=limits.NAME_LENGTH)
    name_zh_hant = models.CharField(
        _("name (Traditional Chinese)"), max_length=limits.NAME_LENGTH, blank=True
    )
    name_zh_hans = models.CharField(
        _("name (Simplified Chinese)"), max_length=limits.NAME_LENGTH, blank=True
    )
    org_type = models.PositiveSmallIntegerField(_("type"), choices=ORG_TYPES)
    jurisdiction = models.CharField(
        _("jurisdiction"), max_length=limits.JURISDICTION_LENGTH, db_index=True
    )
    identifiers = models.JSONField(_("identifiers"), default=list)
    version = models.PositiveIntegerField(_("version"))

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        # The admin's list: by name, then by key (the admin appends "-pk").
        indexes = [models.Index(fields=["name_en", "-id"], name="organisation_by_name")]

    def __str__(self) -> str:
        return localised(self, "name")


class Agreement(ReadModel):
    """A framework agreement (memorandum of understanding) covering many projects."""

    code = models.CharField(_("code"), max_length=limits.CODE_LENGTH, primary_key=True)
    title_en = models.CharField(_("title (English)"), max_length=limits.TITLE_LENGTH)
    title_zh_hant = models.CharField(
        _("title (Traditional Chinese)"), max_length=limits.TITLE_LENGTH
    )
    title_zh_hans = models.CharField(
        _("title (Simplified Chinese)"), max_length=limits.TITLE_LENGTH
    )
    signed_on = models.DateField(_("signed on"))
    signed_place_en = models.CharField(_("signed at"), max_length=limits.PLACE_LENGTH)
    signed_place_zh_hant = models.CharField(
        _("signed at (Traditional Chinese)"), max_length=limits.PLACE_LENGTH, blank=True
    )
    signed_place_zh_hans = models.CharField(
        _("signed at (Simplified Chinese)"), max_length=limits.PLACE_LENGTH, blank=True
    )
    signatories = models.JSONField(_("signatories"), default=list)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"), null=True, blank=True)
    sectors = models.JSONField(_("sectors"), default=list)
    in_force = models.BooleanField(_("in force"), default=True)
    terminated_on = models.DateField(_("terminated on"), null=True, blank=True)
    termination_reason = models.TextField(_("termination reason"), blank=True)
    amendment_count = models.PositiveIntegerField(_("amendments"), default=0)
    version = models.PositiveIntegerField(_("version"))

    class Meta:
        ordering = ["signed_on", "code"]
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        indexes = [models.Index(fields=["signed_on", "code"], name="agreement_by_signing")]

    def __str__(self) -> str:
        return f"{self.code} — {localised(self, 'title')}"


class Project(ReadModel):
    """A cooperation project (IATI activity) under an agreement."""

    code = models.CharField(_("code"), max_length=limits.CODE_LENGTH, primary_key=True)
    agreement = models.ForeignKey(
        Agreement, on_delete=models.PROTECT, related_name="projects", verbose_name=_("agreement")
    )
    sector = models.CharField(_("sector"), max_length=40, choices=SECTORS, db_index=True)
    dac_code = models.PositiveIntegerField(_("OECD DAC code"))
    title_en = models.CharField(_("title (English)"), max_length=limits.TITLE_LENGTH)
    title_zh_hant = models.CharField(
        _("title (Traditional Chinese)"), max_length=limits.TITLE_LENGTH
    )
    title_zh_hans = models.CharField(
        _("title (Simplified Chinese)"), max_length=limits.TITLE_LENGTH
    )
    description_en = models.TextField(_("description (English)"), blank=True)
    description_zh_hant = models.TextField(_("description (Traditional Chinese)"), blank=True)
    description_zh_hans = models.TextField(_("description (Simplified Chinese)"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=STATUSES, db_index=True)
    status_code = models.PositiveSmallIntegerField(_("IATI status code"))
    status_since = models.DateField(_("status since"), null=True, blank=True)
    planned_start = models.DateField(_("planned start"))
    planned_end = models.DateField(_("planned end"))
    actual_start = models.DateField(_("actual start"), null=True, blank=True)
    actual_end = models.DateField(_("actual end"), null=True, blank=True)
    budget_amount = models.DecimalField(
        _("budget amount"),
        max_digits=limits.AMOUNT_DIGITS,
        decimal_places=limits.AMOUNT_PLACES,
        null=True,
        blank=True,
    )
    budget_currency = models.CharField(
        _("budget currency"), max_length=3, choices=CURRENCIES, blank=True
    )
    version = models.PositiveIntegerField(_("version"))
    registered_at = models.DateTimeField(_("registered at"))
    updated_at = models.DateTimeField(_("updated at"))
    # The open-data decision (PublishProject / WithdrawProject): in the IATI files or not.
    published = models.BooleanField(_("published as open data"), default=False, db_index=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        indexes = [models.Index(fields=["agreement", "sector"], name="project_agreement_sector")]

    def __str__(self) -> str:
        return f"{self.code} — {localised(self, 'title')}"


class Participation(ReadModel):
    """An organisation's part in a project, with its roles."""

    key = models.CharField(_("key"), max_length=110, primary_key=True)  # "CODE/organisation-id"
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="parties", verbose_name=_("project")
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="participations",
        verbose_name=_("organisation"),
    )
    roles = models.JSONField(_("roles"), default=list)
    is_lead = models.BooleanField(_("lead"), default=False)

    class Meta:
        ordering = ["project", "-is_lead", "organisation"]
        verbose_name = _("party")
        verbose_name_plural = _("parties")
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

    key = models.CharField(_("key"), max_length=80, primary_key=True)  # "CODE/M1"
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="milestones", verbose_name=_("project")
    )
    milestone_id = models.CharField(_("milestone id"), max_length=30)
    title_en = models.CharField(_("title (English)"), max_length=limits.TITLE_LENGTH)
    title_zh_hant = models.CharField(
        _("title (Traditional Chinese)"), max_length=limits.TITLE_LENGTH
    )
    title_zh_hans = models.CharField(
        _("title (Simplified Chinese)"), max_length=limits.TITLE_LENGTH
    )
    milestone_type = models.CharField(_("type"), max_length=20, choices=MILESTONE_TYPES)
    due_date = models.DateField(_("due date"))
    original_due_date = models.DateField(_("original due date"))
    responsible = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="milestones_responsible",
        verbose_name=_("responsible"),
    )
    status = models.CharField(_("status"), max_length=20, choices=MILESTONE_STATUSES)
    date_met = models.DateField(_("date met"), null=True, blank=True)
    reschedule_count = models.PositiveIntegerField(_("reschedules"), default=0)
    days_slipped = models.IntegerField(_("days slipped"), default=0)
    claim_status = models.CharField(_("claim"), max_length=20, blank=True)
    claim_date = models.DateField(_("claim date"), null=True, blank=True)
    claimant = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("claimant"),
    )
    claim_note = models.TextField(_("claim note"), blank=True)
    cancellation_reason = models.TextField(_("cancellation reason"), blank=True)
    updated_at = models.DateTimeField(_("updated at"))
    # The project stream's version at the milestone's last change: a link in a mail
    # names it, so a report made from an old mail is refused once the milestone moved on.
    version = models.PositiveIntegerField(_("version"), default=0)

    class Meta:
        ordering = ["due_date", "key"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
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
        return f"{self.key} — {localised(self, 'title')}"

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

    key = models.CharField(_("key"), max_length=90, primary_key=True)  # "CODE/M1/1"
    milestone = models.ForeignKey(
        Milestone, on_delete=models.CASCADE, related_name="reschedules", verbose_name=_("milestone")
    )
    sequence = models.PositiveIntegerField(_("sequence"))
    old_due_date = models.DateField(_("old due date"))
    new_due_date = models.DateField(_("new due date"))
    days = models.IntegerField(_("days"))
    reason = models.TextField(_("reason"))
    occurred_at = models.DateTimeField(_("occurred at"))

    class Meta:
        ordering = ["milestone", "sequence"]
        verbose_name = _("reschedule")
        verbose_name_plural = _("reschedules")
        indexes = [models.Index(fields=["milestone", "sequence"], name="reschedule_in_order")]

    def __str__(self) -> str:
        return f"{self.key}: {self.old_due_date} → {self.new_due_date}"


class Following(ReadModel):
    """The projects an officer follows ("My projects") and whether the digest covers only them."""

    officer = models.CharField(_("staff account"), max_length=30, primary_key=True)  # "staff:<id>"
    # Not a foreign key: a read model is rebuilt from the log alone.
    user_id = models.BigIntegerField(unique=True)
    projects = models.JSONField(_("projects followed"), default=list)
    digest_followed_only = models.BooleanField(_("digest of the projects followed only"))
    version = models.PositiveIntegerField(_("version"))

    class Meta:
        ordering = ["user_id"]
        verbose_name = _("projects followed")
        verbose_name_plural = _("projects followed")

    def __str__(self) -> str:
        return self.officer


class Contact(models.Model):
    """Personal data of a contact person: the erasable vault beside the log.

    Not a read model: names and emails are kept out of events so they can be erased
    without breaking the hash chain. ``projects.application.contacts`` writes this table together
    with the ``contact`` stream's events (registered, changed, erased), in one
    transaction, so the log records every change without holding the data.
    """

    id = models.CharField(_("id"), max_length=64, primary_key=True)
    organisation_id = models.CharField(_("organisation id"), max_length=64, db_index=True)
    name = models.CharField(_("name"), max_length=limits.CONTACT_NAME_LENGTH, blank=True)
    email = models.EmailField(_("email"), max_length=limits.EMAIL_LENGTH, blank=True)
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=[("en", "English"), ("zh-hant", "繁體中文"), ("zh-hans", "简体中文")],
        default="en",
    )
    erased_at = models.DateTimeField(_("erased at"), null=True, blank=True)

    class Meta:
        ordering = ["organisation_id", "name"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self) -> str:
        return self.name or f"(erased contact {self.id})"


class Webhook(ReadModel):
    """A partner's webhook as the log records it (``projects.domain.webhook``); no secret."""

    webhook_id = models.CharField(
        _("webhook id"), max_length=limits.WEBHOOK_ID_LENGTH, primary_key=True
    )
    organisation_id = models.CharField(_("organisation id"), max_length=64, db_index=True)
    url = models.TextField(_("URL"))
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(_("created at"))
    changed_at = models.DateTimeField(_("changed at"))
    disabled_at = models.DateTimeField(_("disabled at"), null=True, blank=True)
    disabled_reason = models.TextField(_("why it was disabled"), blank=True)
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"))

    # Checked on the primary: a webhook deleted a moment ago must stop receiving at once.
    replica_readable = False

    class Meta:
        ordering = ["organisation_id", "created_at", "webhook_id"]
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")

    def __str__(self) -> str:
        return f"{self.webhook_id} ({self.organisation_id}) → {self.url}"

    @property
    def active(self) -> bool:
        """Return True if events are sent to it (neither disabled nor deleted)."""
        return self.disabled_at is None and self.deleted_at is None


class WebhookSecret(models.Model):
    """A webhook's signing secret, encrypted: the vault beside the log, like ``Contact``.

    Not a read model: the secret never enters an event (a ledger anyone may verify must
    not hold what signs a partner's messages). ``projects.application.webhooks`` writes it
    in the transaction that records ``WebhookRegistered`` and deletes it with
    ``WebhookDeleted``; it is encrypted with a key derived from ``SECRET_KEY``.
    """

    webhook_id = models.CharField(
        _("webhook id"), max_length=limits.WEBHOOK_ID_LENGTH, primary_key=True
    )
    ciphertext = models.TextField(_("encrypted secret"))

    class Meta:
        verbose_name = _("webhook secret")
        verbose_name_plural = _("webhook secrets")

    def __str__(self) -> str:
        return f"secret of {self.webhook_id}"
