"""Projects as open data: publishing and withdrawing are decisions recorded with a reason."""

from __future__ import annotations

import pytest

from projects.domain import project
from projects.domain.errors import AlreadyPublished, NotPublished, ProjectNotFound, ReasonRequired
from projects.domain.project import (
    ProjectPublished,
    ProjectWithdrawn,
    PublishProject,
    WithdrawProject,
)
from projects.domain.values import ActivityStatus
from tests.projects.domain.scenario import (
    PROJECT,
    project_context,
    running_project,
    status_changed,
    when,
)

S = ActivityStatus


def test_publishing_a_project_records_the_reason_and_marks_it_published():
    events = when(
        project,
        given=running_project(),
        command=PublishProject(PROJECT, "  Open data release  "),
        context=project_context(),
    )
    assert events == [ProjectPublished(reason="Open data release")]
    state = project.fold([*running_project(), *events])
    assert state is not None
    assert state.published


def test_a_new_project_is_not_published():
    state = project.fold(running_project())
    assert state is not None
    assert not state.published


def test_publishing_twice_is_refused():
    with pytest.raises(AlreadyPublished) as refused:
        when(
            project,
            given=running_project(ProjectPublished(reason="Release")),
            command=PublishProject(PROJECT, "Again"),
            context=project_context(),
        )
    assert refused.value.field == "project_code"


def test_publishing_needs_a_reason():
    with pytest.raises(ReasonRequired):
        when(
            project,
            given=running_project(),
            command=PublishProject(PROJECT, "   "),
            context=project_context(),
        )


def test_an_unknown_project_cannot_be_published():
    with pytest.raises(ProjectNotFound):
        when(project, command=PublishProject(PROJECT, "Release"), context=project_context())


def test_withdrawing_a_published_project_records_the_reason():
    given = running_project(ProjectPublished(reason="Release"))
    events = when(
        project,
        given=given,
        command=WithdrawProject(PROJECT, "Partner asked to review the figures"),
        context=project_context(),
    )
    assert events == [ProjectWithdrawn(reason="Partner asked to review the figures")]
    state = project.fold([*given, *events])
    assert state is not None
    assert not state.published


def test_withdrawing_an_unpublished_project_is_refused():
    with pytest.raises(NotPublished):
        when(
            project,
            given=running_project(),
            command=WithdrawProject(PROJECT, "Not needed"),
            context=project_context(),
        )


def test_withdrawing_needs_a_reason():
    with pytest.raises(ReasonRequired):
        when(
            project,
            given=running_project(ProjectPublished(reason="Release")),
            command=WithdrawProject(PROJECT, ""),
            context=project_context(),
        )


def test_a_cancelled_project_may_still_be_published_and_withdrawn():
    cancelled = running_project(status_changed(S.CANCELLED, S.PIPELINE))
    published = when(
        project,
        given=cancelled,
        command=PublishProject(PROJECT, "Release"),
        context=project_context(),
    )
    assert published == [ProjectPublished(reason="Release")]
    withdrawn = when(
        project,
        given=[*cancelled, *published],
        command=WithdrawProject(PROJECT, "Superseded"),
        context=project_context(),
    )
    assert withdrawn == [ProjectWithdrawn(reason="Superseded")]
