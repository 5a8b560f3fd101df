"""The sentences the files write themselves, in English and both Chinese scripts.

Titles and descriptions come from the registry as officers wrote them; these few
sentences (a milestone's schedule and outcome, a description where none was given) are
written by the builder. They are translated once per build, not once per milestone.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from django.utils import translation
from django.utils.translation import gettext as _

from projects.domain.values import MilestoneStatus, MilestoneType
from projects.labels import ENUM_LABELS

# The file's languages: (language code for Django, field suffix of the read models).
LANGUAGES = (("en", "en"), ("zh-hans", "zh_hans"), ("zh-hant", "zh_hant"))


@dataclasses.dataclass(frozen=True)
class Texts:
    """The builder's sentences in one language, with their placeholders."""

    no_description: str
    title: str
    indicator: str
    schedule: str
    summary: str
    outcomes: dict[str, str]
    statuses: dict[str, str]
    types: dict[str, str]

    def milestone_summary(self, row: dict[str, object]) -> str:
        """Return the milestone's type, status and slippage as one sentence."""
        return self.summary.format(
            id=row["milestone_id"],
            type=self.types[str(row["milestone_type"])],
            status=self.statuses[str(row["status"])],
            count=row["reschedule_count"],
            days=row["days_slipped"],
        )

    def milestone_schedule(self, due: dt.date, original: dt.date) -> str:
        """Return when the milestone is due, and when it was first due."""
        return self.schedule.format(due=due.isoformat(), original=original.isoformat())

    def outcome(self, status: str, day: dt.date | None) -> str | None:
        """Return the milestone's recorded outcome (None while it has none)."""
        template = self.outcomes.get(status)
        if template is None:
            return None
        return template.format(date=day.isoformat() if day else "")


def texts(language: str) -> Texts:
    """Return the builder's sentences in ``language`` (a Django language code)."""
    with translation.override(language):
        return Texts(
            no_description=_("Cooperation project {code} under agreement {agreement}."),
            title=_("{id}: {title}"),
            indicator=_("Milestone {id} reached"),
            schedule=_("Due {due} (first due {original})"),
            summary=_(
                "Milestone {id} ({type}): {status}. Reschedules: {count}; days moved in "
                "total: {days}."
            ),
            outcomes={
                MilestoneStatus.MET.value: _("Met on {date}"),
                MilestoneStatus.PARTIALLY_MET.value: _("Partially met on {date}"),
                MilestoneStatus.NOT_MET.value: _("Not met"),
                MilestoneStatus.CANCELLED.value: _("Cancelled"),
            },
            statuses={s.value: str(ENUM_LABELS[s]).lower() for s in MilestoneStatus},
            types={t.value: str(ENUM_LABELS[t]).lower() for t in MilestoneType},
        )


def all_texts() -> dict[str, Texts]:
    """Return the sentences keyed by read-model suffix ('en', 'zh_hans', 'zh_hant')."""
    return {suffix: texts(language) for language, suffix in LANGUAGES}
