"""The following decider: an officer's "My projects", as given/when/then."""

from __future__ import annotations

import pytest

from projects.domain import InvalidIdentifier, NothingToChange, ProjectNotFound, following
from projects.domain.following import (
    MAX_FOLLOWED_PROJECTS,
    ChooseDigestScope,
    DigestScopeChosen,
    FollowingContext,
    FollowProject,
    OfficerNotFound,
    ProjectFollowed,
    ProjectUnfollowed,
    TooManyProjectsFollowed,
    UnfollowProject,
)
from tests.projects.domain.scenario import PROJECT, TODAY, when

OFFICER = "staff:7"


def context(*projects: str, exists: bool = True) -> FollowingContext:
    """Return a following context in which ``projects`` are registered."""
    return FollowingContext(today=TODAY, exists=exists, projects=frozenset(projects))


def test_an_officer_follows_a_registered_project() -> None:
    events = when(following, command=FollowProject(OFFICER, PROJECT), context=context(PROJECT))

    assert events == [ProjectFollowed(OFFICER, PROJECT)]
    assert following.fold(events) == following.State(OFFICER, (PROJECT,))


def test_following_a_project_twice_changes_nothing() -> None:
    with pytest.raises(NothingToChange) as refused:
        when(
            following,
            given=[ProjectFollowed(OFFICER, PROJECT)],
            command=FollowProject(OFFICER, PROJECT),
            context=context(PROJECT),
        )
    assert refused.value.field == "project_code"


def test_a_project_that_is_not_registered_cannot_be_followed() -> None:
    with pytest.raises(ProjectNotFound):
        when(following, command=FollowProject(OFFICER, "HKZJ-2099-XX-99"), context=context())


def test_an_officer_stops_following_and_cannot_stop_twice() -> None:
    given = [ProjectFollowed(OFFICER, PROJECT)]

    events = when(
        following, given=given, command=UnfollowProject(OFFICER, PROJECT), context=context()
    )

    assert events == [ProjectUnfollowed(OFFICER, PROJECT)]
    assert following.fold([*given, *events]) == following.State(OFFICER, ())
    with pytest.raises(NothingToChange):
        when(
            following,
            given=[*given, *events],
            command=UnfollowProject(OFFICER, PROJECT),
            context=context(),
        )


def test_the_number_of_projects_followed_is_limited() -> None:
    codes = [f"HKZJ-2025-P-{n:03}" for n in range(MAX_FOLLOWED_PROJECTS)]
    given = [ProjectFollowed(OFFICER, code) for code in codes]

    with pytest.raises(TooManyProjectsFollowed) as refused:
        when(
            following,
            given=given,
            command=FollowProject(OFFICER, PROJECT),
            context=context(PROJECT),
        )
    assert refused.value.params["limit"] == MAX_FOLLOWED_PROJECTS


def test_the_digest_covers_the_projects_followed_once_chosen() -> None:
    events = when(following, command=ChooseDigestScope(OFFICER, True), context=context())

    assert events == [DigestScopeChosen(OFFICER, True)]
    assert following.fold(events).digest_followed_only  # type: ignore[union-attr]
    with pytest.raises(NothingToChange):
        when(following, given=events, command=ChooseDigestScope(OFFICER, True), context=context())


def test_only_an_existing_staff_account_follows() -> None:
    with pytest.raises(OfficerNotFound):
        when(following, command=FollowProject(OFFICER, PROJECT), context=context(exists=False))
    with pytest.raises(InvalidIdentifier):
        FollowProject("contact:0a1b2c3d", PROJECT)
