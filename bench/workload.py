"""The domain workload every contender runs: a project's life as commands.

``script(i)`` is project number i: registered, given three parties and five milestones,
then ten changes (a budget, the start of work, three reschedules, a partner's claim and
its confirmation, new roles for a party, a budget revision and a cancelled milestone).
The registry runs these commands through the application layer (``handle``); the other contenders
(``bench.history``, ``bench.es_app``) carry out the same changes their own way.

``generate`` decides commands in memory (the pure domain, no database) so that long
logs can be appended in large batches and still be a history the domain accepts.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any

from projects.application.actors import Actor
from projects.domain import (
    ActivityStatus,
    AddParty,
    CancelMilestone,
    ChangePartyRoles,
    ChangeProjectStatus,
    ClaimedStatus,
    ClaimMilestone,
    ConfirmMilestoneClaim,
    CorrectProjectDetails,
    Currency,
    Identifier,
    LocalisedText,
    MilestoneType,
    Money,
    OrganisationType,
    PartyRole,
    Period,
    RegisterOrganisation,
    RegisterProject,
    RescheduleMilestone,
    ReturnMilestoneClaim,
    ScheduleMilestone,
    Sector,
    SetProjectBudget,
    SignAgreement,
    Signatory,
    agreement,
    project,
)
from registry.events import Event, Metadata

TODAY = dt.date(2026, 6, 30)
AGREEMENT = "HKZJ-BENCH-MECH"
METADATA = Metadata(actor_kind="staff", source="admin", actor_id="officer-7", reason="benchmark")
ACTOR = Actor.of(METADATA)  # the same officer, for the application layer
ORGANISATIONS = ["hk-itib", "zj-dost", "deepseek", "unitree", "hk-cyberport", "zj-port"]
START, END = dt.date(2025, 5, 1), dt.date(2028, 12, 31)


def text(en: str) -> LocalisedText:
    """Return a trilingual text."""
    return LocalisedText(en=en, zh_hant=f"{en}（繁）", zh_hans=f"{en}（简）")


def founders() -> list[Any]:
    """Return the commands registering the organisations and the agreement."""
    commands: list[Any] = [
        RegisterOrganisation(
            org,
            text(org.replace("-", " ").title()),
            OrganisationType.GOVERNMENT if org[:2] in {"hk", "zj"} else OrganisationType.OTHER,
            "HK" if org.startswith("hk") else "CN-ZJ",
            (Identifier("HK-GOV", org.upper()),) if org.startswith("hk") else (),
        )
        for org in ORGANISATIONS
    ]
    commands.append(
        SignAgreement(
            AGREEMENT,
            text("Benchmark cooperation mechanism"),
            dt.date(2025, 4, 24),
            text("Hangzhou"),
            (
                Signatory("hk-itib", text("A. Secretary"), text("Secretary for Innovation")),
                Signatory("zj-dost", text("B. Director"), text("Director of Science")),
            ),
            Period(dt.date(2025, 4, 24), dt.date(2030, 4, 23)),
            (),
        )
    )
    return commands


def code(i: int) -> str:
    """Return the code of project number ``i``."""
    return f"BENCH-{i:06d}"


def parties(i: int) -> list[str]:
    """Return the three parties of project number ``i`` (lead, implementing, partner)."""
    return [ORGANISATIONS[(i + k) % len(ORGANISATIONS)] for k in range(3)]


def script(i: int) -> list[Any]:
    """Return the 19 commands of project number ``i``: 9 to set it up, then 10 changes."""
    c, (lead, doer, partner) = code(i), parties(i)
    due = {k: dt.date(2025, 6 + k, 15) for k in range(1, 6)}
    owner = {k: (doer, partner)[k % 2] for k in range(1, 6)}
    return [
        RegisterProject(
            c, AGREEMENT, text(f"Project {i}"), Sector.ARTIFICIAL_INTELLIGENCE, START, END
        ),
        AddParty(c, lead, (PartyRole.LEAD, PartyRole.FUNDING)),
        AddParty(c, doer, (PartyRole.IMPLEMENTING,)),
        AddParty(c, partner, (PartyRole.PARTNER,)),
        *[
            ScheduleMilestone(
                c, f"M{k}", text(f"Milestone {k}"), MilestoneType.DELIVERY, due[k], owner[k]
            )
            for k in range(1, 6)
        ],
        SetProjectBudget(c, Money(Decimal(1_000_000 + i), Currency.HKD)),
        ChangeProjectStatus(c, ActivityStatus.IMPLEMENTATION, dt.date(2025, 6, 1), "Work started"),
        RescheduleMilestone(c, "M1", dt.date(2025, 8, 30), "Servers arrived late"),
        RescheduleMilestone(c, "M2", dt.date(2025, 9, 30), "Waiting for the data"),
        ClaimMilestone(c, "M1", owner[1], ClaimedStatus.MET, dt.date(2025, 8, 28), "Delivered"),
        ConfirmMilestoneClaim(c, "M1"),
        ChangePartyRoles(c, partner, (PartyRole.PARTNER, PartyRole.FUNDING)),
        RescheduleMilestone(c, "M3", dt.date(2025, 11, 30), "The scope grew"),
        SetProjectBudget(c, Money(Decimal(1_200_000 + i), Currency.HKD), "Second phase approved"),
        CancelMilestone(c, "M5", "Merged into M4"),
    ]


def changes(i: int, n: int) -> Iterator[Any]:
    """Yield ``n`` changes for project ``i`` after its script, any number of times over.

    One in six is a reschedule (the state keeps every reschedule); the others are
    budget revisions, a partner's claim and its return, new roles and corrected titles.
    """
    c, (_lead, doer, partner) = code(i), parties(i)
    for k in range(n):
        kind = k % 6
        if kind == 0:
            yield SetProjectBudget(c, Money(Decimal(2_000_000 + k), Currency.CNY), f"Revision {k}")
        elif kind == 1:
            yield ClaimMilestone(c, "M4", doer, ClaimedStatus.PARTIALLY_MET, dt.date(2026, 1, 5))
        elif kind == 2:
            yield ReturnMilestoneClaim(c, "M4", "Evidence missing")
        elif kind == 3:
            roles = (PartyRole.PARTNER, PartyRole.FUNDING) if k % 12 == 3 else (PartyRole.PARTNER,)
            yield ChangePartyRoles(c, partner, roles)
        elif kind == 4:
            yield CorrectProjectDetails(c, f"Title revision {k}", titles=text(f"Project {i} ({k})"))
        else:
            new_due = dt.date(2026, 3, 1) + dt.timedelta(days=(k % 90) + 1)
            yield RescheduleMilestone(c, "M3", new_due, f"Moved again ({k})")


@functools.cache
def _context() -> project.ProjectContext:
    organisations = frozenset(ORGANISATIONS)
    signing = agreement.AgreementContext(today=TODAY, organisations=organisations)
    signed = agreement.decide(None, founders()[-1], signing)
    return project.ProjectContext(
        today=TODAY, agreement=agreement.fold(signed), organisations=organisations
    )


def generate(commands: Iterable[Any], state: Any = None) -> tuple[list[Event], Any]:
    """Decide project commands one after another in memory; return the events and state.

    The context knows every benchmark organisation and the benchmark agreement.
    """
    events: list[Event] = []
    for command in commands:
        decided = project.decide(state, command, _context())
        state = project.fold(decided, initial=state)
        events += decided
    return events, state
