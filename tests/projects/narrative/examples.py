"""One recorded example of every event type of the domain, for the timeline's sentences.

Free text in the examples (titles, reasons, names) is Chinese or a code, so a Chinese
sentence with English words in it can only have them from an untranslated template.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from projects.domain import access as ac
from projects.domain import agreement as ag
from projects.domain import contact as ct
from projects.domain import following as fo
from projects.domain import organisation as og
from projects.domain import project as pr
from projects.domain import recipient as rc
from projects.domain import webhook as wh
from projects.domain.values import (
    ActivityStatus,
    ClaimedStatus,
    Currency,
    Identifier,
    LocalisedText,
    MilestoneStatus,
    MilestoneType,
    Money,
    OrganisationType,
    PartyRole,
    Period,
    Sector,
    Signatory,
)
from projects.narrative import Names
from registry.events import Event, Metadata, RecordedEvent

AT = dt.datetime(2026, 9, 1, 2, 30, tzinfo=dt.UTC)


def zh(text: str) -> LocalisedText:
    """Return a text whose three languages are told apart by a prefix."""
    return LocalisedText(en=f"EN {text}", zh_hant=f"Ⓣ{text}", zh_hans=f"Ⓢ{text}")


def _org(name: str) -> SimpleNamespace:
    return SimpleNamespace(name_en=f"EN {name}", name_zh_hant=f"Ⓣ{name}", name_zh_hans=f"Ⓢ{name}")


NAMES = Names(
    organisations={"hk-itib": _org("創科局"), "deepseek": _org("深度求索")},
    milestones={
        "HKZJ-2025-AI-01/M3": SimpleNamespace(
            title_en="AI pilot deployed", title_zh_hant="部署試點", title_zh_hans="部署试点"
        )
    },
    people={"7": "陳大文"},
)

SIGNATORY = Signatory("hk-itib", zh("孫東"), zh("局長"))
HKD = Currency.HKD


def project_events() -> list[Event]:
    """Return an example of every project event."""
    return [
        pr.ProjectRegistered(
            "HKZJ-2025-AI-01",
            "HKZJ-2025-MECH",
            zh("大模型"),
            None,
            Sector.ARTIFICIAL_INTELLIGENCE,
            dt.date(2025, 5, 1),
            dt.date(2026, 12, 31),
        ),
        pr.ProjectDetailsCorrected(
            "更正錯字",
            titles=zh("大模型"),
            descriptions=zh("說明"),
            sector=Sector.ROBOTICS,
            planned_start=dt.date(2025, 6, 1),
            planned_end=dt.date(2027, 1, 31),
        ),
        pr.ProjectStatusChanged(
            ActivityStatus.IMPLEMENTATION, ActivityStatus.PIPELINE, dt.date(2025, 6, 25), "啟動會議"
        ),
        pr.ProjectBudgetSet(Money(Decimal("12000000"), HKD)),
        pr.ProjectPublished("首次開放數據發佈"),
        pr.ProjectWithdrawn("夥伴要求覆核數字"),
        pr.PartyAdded("deepseek", (PartyRole.IMPLEMENTING, PartyRole.PARTNER)),
        pr.PartyRolesChanged("deepseek", (PartyRole.LEAD,), (PartyRole.IMPLEMENTING,)),
        pr.PartyRemoved("deepseek", "退出"),
        pr.MilestoneScheduled(
            "M3", zh("部署"), MilestoneType.DELIVERY, dt.date(2026, 8, 31), "deepseek"
        ),
        pr.MilestoneRescheduled("M3", dt.date(2026, 8, 31), dt.date(2026, 11, 30), "供應商延誤"),
        pr.MilestoneClaimed("M3", "deepseek", ClaimedStatus.MET, dt.date(2026, 11, 20), "完成"),
        pr.MilestoneClaimConfirmed("M3", MilestoneStatus.MET, dt.date(2026, 11, 20)),
        pr.MilestoneClaimReturned("M3", "證據不足"),
        pr.MilestoneCancelled("M3", "不再需要"),
    ]


def other_events() -> list[tuple[str, str, Event]]:
    """Return (stream type, stream id, event) for every non-project event."""
    return [
        (
            "organisation",
            "hk-itib",
            og.OrganisationRegistered(
                "hk-itib",
                zh("創科局"),
                OrganisationType.GOVERNMENT,
                "HK",
                (Identifier("HK-GOV", "ITIB"),),
            ),
        ),
        (
            "organisation",
            "hk-itib",
            og.OrganisationCorrected(
                "改名",
                names=zh("創新科技及工業局"),
                org_type=OrganisationType.OTHER_PUBLIC_SECTOR,
                jurisdiction="HK",
                identifiers=(),
            ),
        ),
        (
            "agreement",
            "HKZJ-2025-MECH",
            ag.AgreementSigned(
                "HKZJ-2025-MECH",
                zh("合作機制"),
                dt.date(2025, 4, 24),
                zh("杭州"),
                (SIGNATORY,),
                Period(dt.date(2025, 4, 24)),
                (Sector.TRADE, Sector.ROBOTICS),
            ),
        ),
        (
            "agreement",
            "HKZJ-2025-MECH",
            ag.AgreementAmended(
                dt.date(2026, 1, 5),
                "延長",
                titles=zh("合作機制"),
                period=Period(dt.date(2025, 4, 24), dt.date(2031, 4, 23)),
                sectors=(Sector.HOUSING,),
            ),
        ),
        ("agreement", "HKZJ-2025-MECH", ag.AgreementTerminated(dt.date(2031, 4, 23), "期滿")),
        ("contact", "C-001", ct.ContactRegistered("C-001", "deepseek", ct.Language.ZH_HANS)),
        (
            "contact",
            "C-001",
            ct.ContactChanged(
                "C-001", ("email", "language", "name"), ct.Language.ZH_HANT, "hk-itib"
            ),
        ),
        ("contact", "C-001", ct.ContactErased("C-001")),
        (
            "api_token",
            "012345678901",
            ac.ApiTokenIssued(
                "012345678901",
                ac.HolderKind.ORGANISATION,
                "deepseek",
                "數據同步",
                "0" * 64,
                dt.date(2027, 1, 1),
            ),
        ),
        (
            "api_token",
            "109876543210",
            ac.ApiTokenIssued("109876543210", ac.HolderKind.STAFF, "7", "腳本", "1" * 64, None),
        ),
        ("api_token", "012345678901", ac.ApiTokenRevoked("012345678901", "外洩")),
        (
            "webhook",
            "0123456789012345",
            wh.WebhookRegistered("0123456789012345", "deepseek", "HTTPS://ERP.EXAMPLE/X", "ERP"),
        ),
        (
            "webhook",
            "0123456789012345",
            wh.WebhookChanged("0123456789012345", "HTTPS://ERP.EXAMPLE/Y", "帳務"),
        ),
        ("webhook", "0123456789012345", wh.WebhookDisabled("0123456789012345", "連續失敗三天")),
        ("webhook", "0123456789012345", wh.WebhookEnabled("0123456789012345")),
        ("webhook", "0123456789012345", wh.WebhookDeleted("0123456789012345")),
        (
            "recipient",
            "contact:C0010001",
            rc.Subscribed("contact:C0010001", rc.Kind.DIGEST, ct.Language.ZH_HANT),
        ),
        (
            "recipient",
            "contact:C0010001",
            rc.Unsubscribed("contact:C0010001", rc.Kind.REMINDERS, rc.Via.LINK),
        ),
        (
            "recipient",
            "staff:7",
            rc.StaffPreferencesSet("staff:7", None, ("HKZJ-2025-MECH",), (Sector.ROBOTICS,)),
        ),
        ("following", "staff:7", fo.ProjectFollowed("staff:7", "HKZJ-2025-AI-01")),
        ("following", "staff:7", fo.ProjectUnfollowed("staff:7", "HKZJ-2025-AI-01")),
        ("following", "staff:7", fo.DigestScopeChosen("staff:7", True)),
        (
            "recipient",
            "contact:C0010001",
            rc.ReminderFrequencySet("contact:C0010001", rc.Frequency.WEEKLY),
        ),
    ]


def recorded(
    stream_type: str, stream_id: str, event: Event, version: int = 1, **metadata: Any
) -> RecordedEvent[Any]:
    """Return ``event`` as the store would hand it back."""
    meta = {"actor_kind": "staff", "source": "admin", "actor_id": "7", **metadata}
    return RecordedEvent(
        stream_type=stream_type,
        stream_id=stream_id,
        version=version,
        event=event,
        metadata=Metadata(**meta),
        occurred_at=AT,
        position=version,
        recorded_at=AT,
        prev_hash="0" * 64,
        hash="1" * 64,
    )


def every_event() -> list[RecordedEvent[Any]]:
    """Return one recorded example of every event type of the domain."""
    ours = [recorded("project", "HKZJ-2025-AI-01", e) for e in project_events()]
    return ours + [recorded(t, i, e) for t, i, e in other_events()]
