"""Parties: registered organisations join a project with roles; removal guards milestones."""

from __future__ import annotations

import datetime as dt

import pytest

from projects.domain import project
from projects.domain.errors import (
    NothingToChange,
    PartyAlreadyAdded,
    PartyNotFound,
    PartyResponsibleForOpenMilestone,
    ReasonRequired,
    RolesRequired,
    UnknownOrganisation,
)
from projects.domain.project import (
    AddParty,
    ChangePartyRoles,
    MilestoneCancelled,
    MilestoneClaimConfirmed,
    PartyAdded,
    PartyRemoved,
    PartyRolesChanged,
    RemoveParty,
)
from projects.domain.values import MilestoneStatus, PartyRole
from tests.projects.domain.scenario import PROJECT, project_context, running_project, when

R = PartyRole


def test_adding_a_party_records_its_roles_in_a_canonical_order() -> None:
    command = AddParty(PROJECT, organisation_id="unitree", roles=(R.PARTNER, R.FUNDING, R.PARTNER))
    events = when(project, given=running_project(), command=command, context=project_context())
    assert events == [PartyAdded(organisation_id="unitree", roles=(R.FUNDING, R.PARTNER))]
    state = project.fold([*running_project(), *events])
    assert state is not None
    party = state.party("unitree")
    assert party is not None
    assert party.roles == (R.FUNDING, R.PARTNER)


def test_only_a_registered_organisation_can_become_a_party() -> None:
    command = AddParty(PROJECT, organisation_id="game-science", roles=(R.PARTNER,))
    with pytest.raises(UnknownOrganisation, match="game-science is not a registered organisation"):
        when(project, given=running_project(), command=command, context=project_context())


def test_an_organisation_can_be_a_party_only_once() -> None:
    command = AddParty(PROJECT, organisation_id="deepseek", roles=(R.LEAD,))
    with pytest.raises(PartyAlreadyAdded, match=r"already a party .* \(as implementing\)"):
        when(project, given=running_project(), command=command, context=project_context())


def test_a_party_needs_at_least_one_role() -> None:
    command = AddParty(PROJECT, organisation_id="unitree", roles=())
    with pytest.raises(RolesRequired, match="at least one role"):
        when(project, given=running_project(), command=command, context=project_context())


def test_changing_a_partys_roles_records_old_and_new() -> None:
    command = ChangePartyRoles(PROJECT, organisation_id="deepseek", roles=(R.IMPLEMENTING, R.LEAD))
    events = when(project, given=running_project(), command=command, context=project_context())
    assert events == [
        PartyRolesChanged(
            organisation_id="deepseek",
            roles=(R.LEAD, R.IMPLEMENTING),
            previous_roles=(R.IMPLEMENTING,),
        )
    ]
    state = project.fold([*running_project(), *events])
    assert state is not None
    assert [p.roles for p in state.parties] == [(R.LEAD, R.FUNDING), (R.LEAD, R.IMPLEMENTING)]


def test_changing_roles_to_the_same_ones_is_refused() -> None:
    command = ChangePartyRoles(PROJECT, organisation_id="hk-itib", roles=(R.FUNDING, R.LEAD))
    with pytest.raises(NothingToChange, match="already holds the roles lead and funding"):
        when(project, given=running_project(), command=command, context=project_context())


def test_changing_roles_to_none_is_refused() -> None:
    command = ChangePartyRoles(PROJECT, organisation_id="hk-itib", roles=())
    with pytest.raises(RolesRequired):
        when(project, given=running_project(), command=command, context=project_context())


def test_changing_the_roles_of_a_non_party_is_refused() -> None:
    command = ChangePartyRoles(PROJECT, organisation_id="unitree", roles=(R.LEAD,))
    with pytest.raises(PartyNotFound, match="unitree is not a party"):
        when(project, given=running_project(), command=command, context=project_context())


def test_removing_a_party_without_open_milestones() -> None:
    command = RemoveParty(PROJECT, organisation_id="hk-itib", reason="Handed over to CEDB")
    events = when(project, given=running_project(), command=command, context=project_context())
    assert events == [PartyRemoved(organisation_id="hk-itib", reason="Handed over to CEDB")]
    state = project.fold([*running_project(), *events])
    assert state is not None
    assert state.party("hk-itib") is None


def test_removing_a_party_responsible_for_an_open_milestone_is_refused() -> None:
    command = RemoveParty(PROJECT, organisation_id="deepseek", reason="Withdrew")
    with pytest.raises(PartyResponsibleForOpenMilestone, match="open milestone\\(s\\) M1"):
        when(project, given=running_project(), command=command, context=project_context())


def test_a_partially_met_milestone_still_keeps_its_party() -> None:
    given = running_project(
        MilestoneClaimConfirmed(
            milestone_id="M1", status=MilestoneStatus.PARTIALLY_MET, date_met=dt.date(2025, 8, 1)
        )
    )
    command = RemoveParty(PROJECT, organisation_id="deepseek", reason="Withdrew")
    with pytest.raises(PartyResponsibleForOpenMilestone):
        when(project, given=given, command=command, context=project_context())


@pytest.mark.parametrize(
    "closing",
    [
        MilestoneCancelled(milestone_id="M1", reason="Dropped"),
        MilestoneClaimConfirmed(
            milestone_id="M1", status=MilestoneStatus.MET, date_met=dt.date(2025, 8, 1)
        ),
    ],
    ids=["cancelled", "met"],
)
def test_a_party_whose_milestones_are_met_or_cancelled_can_be_removed(
    closing: project.MilestoneCancelled | project.MilestoneClaimConfirmed,
) -> None:
    command = RemoveParty(PROJECT, organisation_id="deepseek", reason="Work done")
    [event] = when(
        project, given=running_project(closing), command=command, context=project_context()
    )
    assert event == PartyRemoved(organisation_id="deepseek", reason="Work done")


def test_removing_a_party_needs_a_reason() -> None:
    command = RemoveParty(PROJECT, organisation_id="hk-itib", reason="")
    with pytest.raises(ReasonRequired, match="remove a party"):
        when(project, given=running_project(), command=command, context=project_context())


def test_removing_a_non_party_is_refused() -> None:
    command = RemoveParty(PROJECT, organisation_id="unitree", reason="x")
    with pytest.raises(PartyNotFound):
        when(project, given=running_project(), command=command, context=project_context())


def test_a_removed_organisation_can_join_again() -> None:
    given = running_project(PartyRemoved(organisation_id="hk-itib", reason="Handed over"))
    command = AddParty(PROJECT, organisation_id="hk-itib", roles=(R.ACCOUNTABLE,))
    [event] = when(project, given=given, command=command, context=project_context())
    assert event == PartyAdded(organisation_id="hk-itib", roles=(R.ACCOUNTABLE,))
