"""A small registry with people to write to, built through the commands.

On top of the founding organisations and agreement (``tests.projects.builders``): the
AI project (ITIB lead, DeepSeek implementing, M1 due 31 August 2025, DeepSeek
responsible) and a robotics project of Unitree alone (R1 due 30 September 2025); a
contact at DeepSeek (Simplified Chinese), one at Unitree (English), one at ITIB
(Traditional Chinese) and a liaison officer with admin access and the view permission.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, Permission

from projects.application import contacts
from projects.domain import AddParty, Sector
from projects.domain.values import PartyRole
from projects.models import Contact
from tests.projects.builders import (
    OFFICER,
    register_founders,
    register_project,
    run,
    running_project,
)
from tests.projects.builders import schedule as schedule_milestone

AI = "HKZJ-2025-AI-01"
ROBOTS = "HKZJ-2025-RB-01"
M1_DUE = dt.date(2025, 8, 31)
R1_DUE = dt.date(2025, 9, 30)
OFFICER_EMAIL = "officer@liaison.example.org"


@dataclasses.dataclass(frozen=True)
class World:
    """Who is in the small registry."""

    deepseek: Contact
    unitree: Contact
    itib: Contact
    officer: AbstractBaseUser

    def recipient(self, who: Contact | AbstractBaseUser) -> str:
        """Return the recipient id of a contact or the officer."""
        return f"contact:{who.pk}" if isinstance(who, Contact) else f"staff:{who.pk}"


def contact(organisation_id: str, name: str, email: str, language: str) -> Contact:
    """Register a contact through the contact commands."""
    return contacts.contact_register(
        organisation_id=organisation_id,
        name=name,
        email=email,
        language=language,
        actor=OFFICER,
    )


def officer(username: str = "officer", email: str = OFFICER_EMAIL) -> AbstractBaseUser:
    """Create a liaison officer: admin access, an address, permission to view projects."""
    user = get_user_model().objects.create_user(
        username=username, email=email, password="unused-in-tests", is_staff=True
    )
    user.user_permissions.add(Permission.objects.get(codename="view_project"))
    return user


def build_world() -> World:
    """Register the organisations, two projects with a milestone each, and the people."""
    register_founders()
    running_project(AI)
    register_project(ROBOTS, sector=Sector.ROBOTICS)
    run(AddParty(ROBOTS, "unitree", (PartyRole.LEAD,)))
    schedule_milestone("R1", code=ROBOTS, due_date=R1_DUE, responsible="unitree")
    return World(
        deepseek=contact("deepseek", "王晓明", "wang.xm@deepseek.example.com", "zh-hans"),
        unitree=contact("unitree", "Li Wei", "li.wei@unitree.example.com", "en"),
        itib=contact("hk-itib", "陳家樂", "chan.kl@itib.example.org", "zh-hant"),
        officer=officer(),
    )
