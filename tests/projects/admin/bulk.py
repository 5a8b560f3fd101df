"""Many projects quickly: each project's events appended in one go, through the projectors.

The deciders are skipped (the events are the ones they would decide), but every row comes
from the store's inline projectors, exactly as in the running registry.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from projects.domain import project as pr
from projects.domain.values import (
    ClaimedStatus,
    LocalisedText,
    MilestoneType,
    PartyRole,
    Sector,
)
from registry import store
from tests.projects.builders import AGREEMENT, staff

SECTORS = (Sector.ARTIFICIAL_INTELLIGENCE, Sector.TRADE, Sector.ROBOTICS)


def grow(count: int, *, start: int = 0) -> None:
    """Register projects ``start`` .. ``start + count - 1``, each with two parties and milestones.

    Milestone M1 falls overdue, M2 falls due within a week; every third project has a
    pending claim on M2: every panel of the dashboard has rows to show.
    """
    today = timezone.localdate()
    with transaction.atomic():
        for n in range(start, start + count):
            code = f"BULK-{n:05d}"
            events = [
                pr.ProjectRegistered(
                    project_code=code,
                    agreement_code=AGREEMENT,
                    titles=LocalisedText(f"Bulk project {n}", f"批量項目 {n}", f"批量项目 {n}"),
                    descriptions=None,
                    sector=SECTORS[n % len(SECTORS)],
                    planned_start=today - dt.timedelta(days=400),
                    planned_end=today + dt.timedelta(days=400),
                ),
                pr.PartyAdded(organisation_id="hk-itib", roles=(PartyRole.LEAD,)),
                pr.PartyAdded(organisation_id="deepseek", roles=(PartyRole.IMPLEMENTING,)),
                pr.MilestoneScheduled(
                    milestone_id="M1",
                    title=LocalisedText("Plan agreed", "計劃議定", "计划议定"),
                    milestone_type=MilestoneType.APPROVAL,
                    due_date=today - dt.timedelta(days=1 + n % 90),
                    responsible_party="hk-itib",
                ),
                pr.MilestoneScheduled(
                    milestone_id="M2",
                    title=LocalisedText("Pilot delivered", "試點交付", "试点交付"),
                    milestone_type=MilestoneType.DELIVERY,
                    due_date=today + dt.timedelta(days=n % 7),
                    responsible_party="deepseek",
                ),
            ]
            if n % 3 == 0:
                events.append(
                    pr.MilestoneClaimed(
                        milestone_id="M2",
                        claimant="deepseek",
                        claimed_status=ClaimedStatus.MET,
                        claimed_date=today,
                    )
                )
            store.append(pr.STREAM_TYPE, code, events, expected_version=0, metadata=staff())
