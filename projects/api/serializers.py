"""Serializers: the input the API accepts (query parameters, claim bodies), validated,
and the output shapes ``projects.api.presenters`` produces, described for OpenAPI."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from projects.domain.dates import EARLIEST, LATEST
from projects.domain.limits import NOTE_LENGTH
from projects.domain.values import (
    ActivityStatus,
    ClaimedStatus,
    MilestoneStatus,
    MilestoneType,
    PartyRole,
    Sector,
)
from projects.selectors import PROJECT_ORDERINGS

# Positions and offsets beyond these are absurd, and larger integers would overflow
# PostgreSQL's bigint before reaching it.
MAX_POSITION = 2**62
MAX_OFFSET = 1_000_000
MAX_PAGE = 200
DEFAULT_PAGE = 50
SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
CODE = r"^[A-Z0-9]+(?:-[A-Z0-9]+)*$"
# Free text in a query string: anything but NUL, which config.middleware refuses in every
# address (declared, so that the schema promises no more than the API accepts).
FREE_TEXT = r"^[^\x00]*$"
# A note: what projects/domain/plaintext.py lets a multi-line text hold.
NOTE_TEXT = (
    r"^[^\x00-\x09\x0b\x0c\x0e-\x1f\x7f-\x9f"
    r"\u2028\u2029\u202a-\u202e\u2066-\u2069]*$"
)


def _choices(enum_cls: Any) -> list[str]:
    return [member.value for member in enum_cls]


# Named once for the schema (settings.SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]).
PROJECT_STATUSES = _choices(ActivityStatus)
MILESTONE_STATUSES = _choices(MilestoneStatus)
SECTORS = _choices(Sector)


# -- input -----------------------------------------------------------------------------

_DIGITS = re.compile(r"[0-9]{1,19}")
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class WholeNumberField(serializers.IntegerField):
    """A whole number written in digits only: ``1.0``, ``+1``, ``1e3`` and `` 1`` are refused.

    DRF's IntegerField strips a trailing ``.0`` and surrounding spaces: a position must be
    sent as the position, not as something that rounds to it.
    """

    default_error_messages = {"invalid": _("A whole number in digits is required.")}

    def to_internal_value(self, data: Any) -> int:
        """Return the number, or refuse anything but plain digits."""
        if isinstance(data, bool) or not _DIGITS.fullmatch(str(data)):
            self.fail("invalid")
        value: int = super().to_internal_value(data)
        return value


@extend_schema_field(
    {"type": "string", "format": "date", "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}
)
class DayField(serializers.DateField):
    """A date written exactly ``YYYY-MM-DD``, between 2000-01-01 and 2100-12-31."""

    default_error_messages = {
        "invalid": _("A date written YYYY-MM-DD is required."),
        "range": _("A date between {earliest} and {latest} is required."),
    }

    def to_internal_value(self, value: Any) -> dt.date:
        """Return the date, or refuse another form or an implausible date."""
        if not isinstance(value, str) or not _DAY.fullmatch(value):
            self.fail("invalid")
        day: dt.date = super().to_internal_value(value)
        if not EARLIEST <= day <= LATEST:
            self.fail("range", earliest=EARLIEST.isoformat(), latest=LATEST.isoformat())
        return day


class MomentField(serializers.DateTimeField):
    """An ISO 8601 moment within the registry's lifetime: from 2000-01-01 until now."""

    default_error_messages = {
        "range": _("A moment between {earliest} and now is required."),
    }

    def to_internal_value(self, value: Any) -> dt.datetime:
        """Return the moment, or refuse one before 2000 or in the future (never overflow)."""
        try:
            moment: dt.datetime = super().to_internal_value(value)
        except OverflowError:  # year 1 in a time zone ahead of UTC, say
            self.fail("range", earliest=EARLIEST.isoformat())
        start = dt.datetime.combine(EARLIEST, dt.time(), tzinfo=dt.UTC)
        if not start <= moment <= timezone.now():
            self.fail("range", earliest=EARLIEST.isoformat())
        return moment


class ProjectFilters(serializers.Serializer):
    """Query parameters of ``GET projects/``."""

    agreement = serializers.RegexField(CODE, max_length=40, required=False)
    sector = serializers.ChoiceField(choices=_choices(Sector), required=False)
    status = serializers.ChoiceField(choices=_choices(ActivityStatus), required=False)
    party = serializers.RegexField(SLUG, max_length=40, required=False)
    overdue = serializers.BooleanField(
        required=False,
        default=False,
        help_text=_(
            "true keeps projects with an overdue milestone: open (no outcome confirmed, not "
            "cancelled) and due before today in the registry's time zone."
        ),
    )
    due_before = DayField(
        required=False, help_text=_("YYYY-MM-DD, 2000-01-01 to 2100-12-31; not before due_after.")
    )
    due_after = DayField(required=False, help_text=_("YYYY-MM-DD, 2000-01-01 to 2100-12-31."))
    # Blank (or only spaces) means no search, as leaving it out does.
    search = serializers.RegexField(FREE_TEXT, max_length=200, required=False, allow_blank=True)
    ordering = serializers.ChoiceField(
        choices=[*PROJECT_ORDERINGS, *(f"-{o}" for o in PROJECT_ORDERINGS)],
        required=False,
        default="code",
    )
    limit = WholeNumberField(min_value=1, max_value=MAX_PAGE, required=False, default=DEFAULT_PAGE)
    offset = WholeNumberField(min_value=0, max_value=MAX_OFFSET, required=False, default=0)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        """Refuse a due-date range that ends before it starts."""
        _require_range(attrs, "due_after", "due_before")
        return attrs


def _require_range(attrs: dict[str, Any], start: str, end: str) -> None:
    if start in attrs and end in attrs and attrs[start] > attrs[end]:
        raise serializers.ValidationError(
            {
                end: _("The range ends before it starts ({start} is after {end}).").format(
                    start=start, end=end
                )
            }
        )


class ProjectAsOf(serializers.Serializer):
    """Query parameters of ``GET projects/{code}/``."""

    as_of = MomentField(
        required=False,
        help_text=_(
            "Answer the project as the registry had recorded it at this moment (ISO 8601, "
            "from 2000-01-01 until now). Recorded time, not business time: what the registry "
            "knew then. A moment without an offset is read in the registry's time zone "
            "(TIME_ZONE); write + in an offset as %2B."
        ),
    )


class EventCursor(serializers.Serializer):
    """Query parameters of the event feed and of a project's history."""

    after = WholeNumberField(
        min_value=0,
        max_value=MAX_POSITION,
        required=False,
        default=0,
        help_text=_("Return events after this position (0 for the beginning)."),
    )
    limit = WholeNumberField(min_value=1, max_value=MAX_PAGE, required=False, default=DEFAULT_PAGE)


class CalendarRange(serializers.Serializer):
    """Query parameters of the milestone calendar."""

    start = DayField(required=False, help_text=_("YYYY-MM-DD, 2000-01-01 to 2100-12-31."))
    end = DayField(
        required=False, help_text=_("YYYY-MM-DD, 2000-01-01 to 2100-12-31; not before start.")
    )
    # Read by QueryTokenAuthentication; here only so that it is a known parameter.
    token = serializers.RegexField(
        FREE_TEXT,
        required=False,
        allow_blank=True,
        max_length=100,
        help_text=_("Your API token, for calendar apps that cannot send headers."),
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        """Refuse a calendar range that ends before it starts."""
        _require_range(attrs, "start", "end")
        return attrs


class ClaimInput(serializers.Serializer):
    """The body of a milestone claim."""

    outcome = serializers.ChoiceField(choices=_choices(ClaimedStatus))
    date = DayField(
        help_text=_(
            "When the milestone was met (or found not met): YYYY-MM-DD, between the project's "
            "planned start and today in the registry's time zone."
        )
    )
    # The domain's limit and text rules for a note (projects/domain/limits.py, plaintext.py):
    # line breaks yes, other control, separator and direction characters no.
    # "" is no note (the pattern admits it; allow_blank would make the schema a oneOf that
    # "" matches twice).
    note = serializers.RegexField(NOTE_TEXT, max_length=NOTE_LENGTH, required=False, default="")


# -- output (for the schema) -----------------------------------------------------------


class Texts(serializers.Serializer):
    """A text in English, Traditional Chinese and Simplified Chinese."""

    en = serializers.CharField()
    zh_Hant = serializers.CharField()
    zh_Hans = serializers.CharField()

    def get_fields(self) -> dict[str, Any]:
        """Name the Chinese fields with their BCP 47 tags (``zh-Hant``, ``zh-Hans``)."""
        fields = super().get_fields()
        fields["zh-Hant"] = fields.pop("zh_Hant")
        fields["zh-Hans"] = fields.pop("zh_Hans")
        return fields


class Identifier(serializers.Serializer):
    scheme = serializers.CharField()
    id = serializers.CharField()


class OrganisationOut(serializers.Serializer):
    id = serializers.CharField()
    name = Texts()
    org_type = serializers.IntegerField(help_text=_("IATI OrganisationType code."))
    jurisdiction = serializers.CharField()
    identifiers = Identifier(many=True)
    version = serializers.IntegerField()


class AgreementOut(serializers.Serializer):
    code = serializers.CharField()
    title = Texts()
    signed_on = serializers.DateField()
    signed_place = Texts()
    signatories = serializers.ListField(child=serializers.DictField())
    period_start = serializers.DateField()
    period_end = serializers.DateField(allow_null=True)
    sectors = serializers.ListField(child=serializers.ChoiceField(choices=_choices(Sector)))
    in_force = serializers.BooleanField()
    terminated_on = serializers.DateField(allow_null=True)
    amendment_count = serializers.IntegerField()
    version = serializers.IntegerField()


class SectorOut(serializers.Serializer):
    code = serializers.ChoiceField(choices=_choices(Sector))
    dac_code = serializers.IntegerField(help_text=_("OECD DAC 5 purpose code."))
    name = Texts()


class Budget(serializers.Serializer):
    amount = serializers.CharField(help_text=_("Decimal amount as a string, e.g. '1500000.00'."))
    currency = serializers.CharField()


class PartyOut(serializers.Serializer):
    organisation = serializers.CharField()
    roles = serializers.ListField(child=serializers.ChoiceField(choices=_choices(PartyRole)))


class MilestoneSummary(serializers.Serializer):
    total = serializers.IntegerField()
    open = serializers.IntegerField()
    overdue = serializers.IntegerField(
        help_text=_("Open milestones due before today in the registry's time zone.")
    )
    next_due_date = serializers.DateField(allow_null=True)


class ProjectBase(serializers.Serializer):
    """What a listed project and a read one have in common."""

    code = serializers.CharField()
    agreement = serializers.CharField()
    sector = serializers.ChoiceField(choices=_choices(Sector))
    dac_code = serializers.IntegerField()
    title = Texts()
    status = serializers.ChoiceField(choices=_choices(ActivityStatus))
    planned_start = serializers.DateField()
    planned_end = serializers.DateField()
    actual_start = serializers.DateField(allow_null=True)
    actual_end = serializers.DateField(allow_null=True)
    budget = Budget(allow_null=True)
    parties = PartyOut(many=True)
    version = serializers.IntegerField()


class ProjectSummaryOut(ProjectBase):
    milestones = MilestoneSummary()
    updated_at = serializers.DateTimeField()


class ProjectPage(serializers.Serializer):
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    results = ProjectSummaryOut(many=True)


class ClaimOut(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=_choices(ClaimedStatus))
    date = serializers.DateField()
    note = serializers.CharField(allow_blank=True)
    claimant = serializers.CharField()


class MilestoneOut(serializers.Serializer):
    id = serializers.CharField()
    title = Texts()
    type = serializers.ChoiceField(choices=_choices(MilestoneType))
    status = serializers.ChoiceField(choices=_choices(MilestoneStatus))
    due_date = serializers.DateField()
    original_due_date = serializers.DateField()
    days_overdue = serializers.IntegerField(
        help_text=_(
            "Days since the due date while the milestone is open (a pending claim does not "
            "stop the count) and due before today in the registry's time zone; else 0."
        )
    )
    reschedule_count = serializers.IntegerField()
    days_slipped = serializers.IntegerField()
    responsible = serializers.CharField()
    date_met = serializers.DateField(allow_null=True)
    pending_claim = ClaimOut(allow_null=True)


class ProjectOut(ProjectBase):
    description = Texts()
    status_since = serializers.DateField(allow_null=True)
    milestones = MilestoneOut(many=True)
    as_of = serializers.DateTimeField(allow_null=True)


class Actor(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["staff", "partner", "system", "seed"])
    organisation = serializers.CharField(allow_null=True)


class EventOut(serializers.Serializer):
    position = serializers.IntegerField()
    version = serializers.IntegerField()
    type = serializers.CharField()
    data = serializers.DictField()  # type: ignore[assignment]
    occurred_at = serializers.DateTimeField()
    recorded_at = serializers.DateTimeField()
    actor = Actor()
    source = serializers.CharField()  # type: ignore[assignment]
    reason = serializers.CharField(allow_null=True)
    hash = serializers.CharField()


class FeedEventOut(EventOut):
    project = serializers.CharField()


class EventPageOut(serializers.Serializer):
    next = serializers.CharField(help_text=_("Follow this link to read on; never null."))
    results = EventOut(many=True)


class FeedPageOut(serializers.Serializer):
    next = serializers.CharField(help_text=_("Follow this link to read on; never null."))
    results = FeedEventOut(many=True)


class ClaimRecorded(serializers.Serializer):
    project = serializers.CharField()
    milestone = serializers.CharField()
    claim = ClaimInput()
    version = serializers.IntegerField(help_text=_("The project's version after the claim."))
    position = serializers.IntegerField(help_text=_("The claim event's position in the log."))


class FieldError(serializers.Serializer):
    field = serializers.CharField()
    detail = serializers.CharField()


class ProblemOut(serializers.Serializer):
    type = serializers.URLField(
        help_text=_(
            "The address of a page that explains the problem: {SITE_URL}/api/problems/<code>. "
            "Compare the code at its end."
        )
    )
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    instance = serializers.CharField(required=False)
    errors = FieldError(many=True, required=False)  # type: ignore[assignment]
    current_version = serializers.IntegerField(required=False)
