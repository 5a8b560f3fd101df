"""Given events / when command / then events: a tiny harness for the domain deciders.

``when(aggregate, given=[...], command=..., context=...)`` folds the given events, decides
the command and returns the new events, after checking that every new event survives a
JSON round trip (as the event store will store it) and applies to the state. Refusals
surface as the DomainError the decider raised, for ``pytest.raises``.

Builders below make the Hong Kong–Zhejiang founding data: one mechanism agreement, one AI
project with DeepSeek and the Innovation, Technology and Industry Bureau as parties.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from decimal import Decimal
from types import ModuleType
from typing import Any

from projects.domain import agreement, organisation, project
from projects.domain.values import (
    Currency,
    LocalisedText,
    MilestoneType,
    Money,
    PartyRole,
    Period,
    Sector,
    Signatory,
)
from registry.events import Event, load_event

TODAY = dt.date(2025, 9, 1)
AGREEMENT = "HKZJ-2025-MECH"
PROJECT = "HKZJ-2025-AI-01"
PLANNED_START = dt.date(2025, 5, 1)
PLANNED_END = dt.date(2026, 12, 31)
ORGANISATIONS = frozenset({"hk-gov", "zj-gov", "hk-itib", "deepseek", "unitree"})


def text(en: str) -> LocalisedText:
    """Return a trilingual text whose Chinese versions are marked copies of ``en``."""
    return LocalisedText(en=en, zh_hant=f"{en}（繁）", zh_hans=f"{en}（简）")


def when(
    aggregate: ModuleType, *, given: Sequence[Event] = (), command: Any, context: Any
) -> list[Event]:
    """Return the events ``aggregate.decide`` makes of ``command`` after ``given``."""
    state = aggregate.fold(given)
    events = aggregate.decide(state, command, context)
    for event in events:
        stored = json.loads(json.dumps(event.to_data()))
        assert load_event(event.event_type, event.schema_version, stored) == event
    aggregate.fold(events, initial=state)
    return events


# -- contexts ----------------------------------------------------------------------------


def org_context(today: dt.date = TODAY) -> organisation.OrganisationContext:
    """Return an organisation context for ``today``."""
    return organisation.OrganisationContext(today=today)


def agreement_context(today: dt.date = TODAY) -> agreement.AgreementContext:
    """Return an agreement context knowing the founding organisations."""
    return agreement.AgreementContext(today=today, organisations=ORGANISATIONS)


def project_context(
    *,
    today: dt.date = TODAY,
    agreement_state: agreement.State | None = None,
    organisations: frozenset[str] = ORGANISATIONS,
) -> project.ProjectContext:
    """Return a project context with the founding agreement and organisations."""
    return project.ProjectContext(
        today=today,
        agreement=agreement_state if agreement_state is not None else mechanism(),
        organisations=organisations,
    )


# -- agreements --------------------------------------------------------------------------


def signatories() -> tuple[Signatory, ...]:
    """Return the two signatories of the mechanism agreement."""
    return (
        Signatory("hk-gov", text("Signatory for Hong Kong"), text("Chief Executive")),
        Signatory("zj-gov", text("Signatory for Zhejiang"), text("Governor")),
    )


def agreement_signed(**overrides: Any) -> agreement.AgreementSigned:
    """Return the signing of the Hong Kong–Zhejiang cooperation mechanism."""
    fields: dict[str, Any] = {
        "agreement_code": AGREEMENT,
        "titles": text("Hong Kong–Zhejiang cooperation mechanism"),
        "signed_on": dt.date(2025, 4, 17),
        "signed_place": text("Hangzhou"),
        "signatories": signatories(),
        "period": Period(dt.date(2025, 4, 17), dt.date(2030, 4, 16)),
        "sectors": (Sector.ARTIFICIAL_INTELLIGENCE, Sector.TRADE, Sector.ROBOTICS),
    }
    return agreement.AgreementSigned(**{**fields, **overrides})


def mechanism(*events: Event, **overrides: Any) -> agreement.State:
    """Return the folded agreement state after signing (and ``events``)."""
    state = agreement.fold([agreement_signed(**overrides), *events])
    assert state is not None
    return state


# -- projects ----------------------------------------------------------------------------


def project_registered(**overrides: Any) -> project.ProjectRegistered:
    """Return the registration of the AI project."""
    fields: dict[str, Any] = {
        "project_code": PROJECT,
        "agreement_code": AGREEMENT,
        "titles": text("Large language models for cross-border services"),
        "descriptions": None,
        "sector": Sector.ARTIFICIAL_INTELLIGENCE,
        "planned_start": PLANNED_START,
        "planned_end": PLANNED_END,
    }
    return project.ProjectRegistered(**{**fields, **overrides})


def party_added(organisation_id: str, *roles: PartyRole) -> project.PartyAdded:
    """Return ``organisation_id`` joining with ``roles`` (partner if none)."""
    return project.PartyAdded(organisation_id=organisation_id, roles=roles or (PartyRole.PARTNER,))


def milestone_scheduled(
    milestone_id: str = "M1",
    *,
    due_date: dt.date = dt.date(2025, 8, 31),
    responsible_party: str = "deepseek",
    milestone_type: MilestoneType = MilestoneType.DELIVERY,
) -> project.MilestoneScheduled:
    """Return a milestone being scheduled."""
    return project.MilestoneScheduled(
        milestone_id=milestone_id,
        title=text(f"Milestone {milestone_id}"),
        milestone_type=milestone_type,
        due_date=due_date,
        responsible_party=responsible_party,
    )


def status_changed(
    status: Any, previous: Any, effective_on: dt.date = dt.date(2025, 6, 1)
) -> project.ProjectStatusChanged:
    """Return a status change."""
    return project.ProjectStatusChanged(
        status=status, previous_status=previous, effective_on=effective_on, reason="As planned"
    )


def running_project(*events: Event) -> list[Event]:
    """Return a registered project with two parties and milestone M1, then ``events``."""
    return [
        project_registered(),
        party_added("hk-itib", PartyRole.LEAD, PartyRole.FUNDING),
        party_added("deepseek", PartyRole.IMPLEMENTING),
        milestone_scheduled("M1"),
        *events,
    ]


def hkd(amount: str) -> Money:
    """Return an amount in Hong Kong dollars."""
    return Money(Decimal(amount), Currency.HKD)
