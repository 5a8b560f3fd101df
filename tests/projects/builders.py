"""Building registry data the way the admin and the API do: through the application layer.

``register_founders`` records the organisations and the mechanism agreement of the
Hong Kong–Zhejiang scenario (see ``tests/projects/domain/scenario.py``); the rest build
one AI project on top of them. Every command is decided "today" on ``TODAY``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections import Counter
from typing import Any

from projects.application import Actor, handle
from projects.domain import (
    AddParty,
    Identifier,
    LocalisedText,
    MilestoneType,
    OrganisationType,
    Period,
    RegisterOrganisation,
    RegisterProject,
    ScheduleMilestone,
    Sector,
    SignAgreement,
)
from projects.domain.values import PartyRole
from registry import context, replay, store
from registry.events import Metadata
from registry.models import IdempotencyRecord, StoredEvent
from registry.store import AppendResult
from tests.projects.domain.scenario import (
    AGREEMENT,
    PLANNED_END,
    PLANNED_START,
    PROJECT,
    TODAY,
    signatories,
    text,
)

__all__ = ["AGREEMENT", "PLANNED_END", "PLANNED_START", "PROJECT", "TODAY", "text"]

ORGANISATIONS: dict[str, tuple[str, OrganisationType, str]] = {
    "hk-gov": ("Government of the HKSAR", OrganisationType.GOVERNMENT, "HK"),
    "zj-gov": (
        "Zhejiang Provincial People's Government",
        OrganisationType.LOCAL_GOVERNMENT,
        "CN-ZJ",
    ),
    "hk-itib": ("Innovation, Technology and Industry Bureau", OrganisationType.GOVERNMENT, "HK"),
    "deepseek": ("DeepSeek", OrganisationType.PRIVATE_SECTOR, "CN-ZJ"),
    "unitree": ("Unitree Robotics", OrganisationType.PRIVATE_SECTOR, "CN-ZJ"),
}
COVERED = (Sector.ARTIFICIAL_INTELLIGENCE, Sector.TRADE, Sector.ROBOTICS)


def staff(**fields: Any) -> Metadata:
    """Return the metadata of a liaison officer working in the admin."""
    return Metadata(actor_kind="staff", source="admin", actor_id="officer-7", **fields)


OFFICER = Actor.officer("officer-7")  # the liaison officer of ``staff()``, as an actor


def partner(organisation: str, **fields: Any) -> Metadata:
    """Return the metadata of a partner organisation calling the API."""
    return Metadata(
        actor_kind="partner",
        source="api",
        actor_id=f"{organisation}-api",
        organisation=organisation,
        **fields,
    )


def execute(command: Any, *, metadata: Metadata, **options: Any) -> AppendResult:
    """Handle ``command`` as the actor ``metadata`` names, with its reason, key and ids."""
    ids = context.using(request=metadata.request_id, correlation=metadata.correlation_id)
    if metadata.request_id is None and metadata.correlation_id is None:
        ids = contextlib.nullcontext()
    with ids:
        return handle(
            command,
            actor=Actor.of(metadata),
            reason=metadata.reason,
            idempotency_key=metadata.idempotency_key,
            **options,
        )


def run(command: Any, *, metadata: Metadata | None = None, **options: Any) -> AppendResult:
    """Execute ``command`` as a liaison officer (unless told otherwise) on ``TODAY``."""
    options.setdefault("today", TODAY)
    return execute(command, metadata=metadata or staff(), **options)


def register_organisation(organisation_id: str) -> AppendResult:
    """Register one of the scenario's organisations."""
    name, org_type, jurisdiction = ORGANISATIONS[organisation_id]
    return run(
        RegisterOrganisation(
            organisation_id,
            text(name),
            org_type,
            jurisdiction,
            (Identifier("HK-GOV", organisation_id.upper()),) if jurisdiction == "HK" else (),
        )
    )


def sign_agreement(code: str = AGREEMENT, *, sectors: tuple[Sector, ...] = COVERED) -> AppendResult:
    """Record the signing of a Hong Kong–Zhejiang agreement."""
    return run(
        SignAgreement(
            code,
            text(f"Agreement {code}"),
            dt.date(2025, 4, 17),
            text("Hangzhou"),
            signatories(),
            Period(dt.date(2025, 4, 17), dt.date(2030, 4, 16)),
            sectors,
        )
    )


def register_founders() -> None:
    """Register every scenario organisation and sign the mechanism agreement."""
    for organisation_id in ORGANISATIONS:
        register_organisation(organisation_id)
    sign_agreement()


def register_project(
    code: str = PROJECT,
    *,
    agreement: str = AGREEMENT,
    sector: Sector = Sector.ARTIFICIAL_INTELLIGENCE,
    **options: Any,
) -> AppendResult:
    """Register an AI project under the mechanism agreement."""
    return run(
        RegisterProject(
            code,
            agreement,
            text("Large language models for cross-border services"),
            sector,
            PLANNED_START,
            PLANNED_END,
            LocalisedText("Shared models for public services on both sides."),
        ),
        **options,
    )


def schedule(
    milestone_id: str = "M1",
    *,
    code: str = PROJECT,
    due_date: dt.date = dt.date(2025, 8, 31),
    responsible: str = "deepseek",
) -> AppendResult:
    """Schedule a delivery milestone of the project."""
    return run(
        ScheduleMilestone(
            code,
            milestone_id,
            text(f"Milestone {milestone_id}"),
            MilestoneType.DELIVERY,
            due_date,
            responsible,
        )
    )


def running_project(code: str = PROJECT) -> AppendResult:
    """Register the project with ITIB (lead, funding) and DeepSeek (implementing), and M1."""
    register_project(code)
    run(AddParty(code, "hk-itib", (PartyRole.LEAD, PartyRole.FUNDING)))
    run(AddParty(code, "deepseek", (PartyRole.IMPLEMENTING,)))
    return schedule(code=code)


def written() -> tuple[int, int, int, dict[str, Counter[str]]]:
    """Return what the registry holds: events, head position, idempotency keys, read models."""
    return (
        StoredEvent.objects.count(),
        store.head()[0],
        IdempotencyRecord.objects.count(),
        replay.snapshot(),
    )
