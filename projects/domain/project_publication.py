"""Decisions about open data: publishing a project in the IATI files, or withdrawing it.

What the registry publishes is a decision an officer records, with a reason, like any
other change: the files (``projects.publishing``) include exactly the projects whose
latest such decision is ``ProjectPublished``. A closed or cancelled project may still be
published or withdrawn: IATI publishes finished activities too.
"""

from __future__ import annotations

from projects.domain.checks import require_reason
from projects.domain.errors import AlreadyPublished, NotPublished
from projects.domain.project_commands import ProjectContext, PublishProject, WithdrawProject
from projects.domain.project_events import ProjectPublished, ProjectWithdrawn
from projects.domain.project_guards import require_project
from projects.domain.project_state import State
from projects.domain.text import Phrase, _
from registry.events import Event


def publish(state: State | None, command: PublishProject, context: ProjectContext) -> list[Event]:
    """Publish a project that is not published yet."""
    project = require_project(state, command.project_code)
    reason = require_reason(command.reason, to=Phrase(_("publish a project as open data")))
    if project.published:
        raise AlreadyPublished(
            _("Project {code} is already published as open data."),
            field="project_code",
            code=project.project_code,
        )
    return [ProjectPublished(reason=reason)]


def withdraw(state: State | None, command: WithdrawProject, context: ProjectContext) -> list[Event]:
    """Withdraw a published project from open data."""
    project = require_project(state, command.project_code)
    reason = require_reason(command.reason, to=Phrase(_("withdraw a project from open data")))
    if not project.published:
        raise NotPublished(
            _("Project {code} is not published as open data; there is nothing to withdraw."),
            field="project_code",
            code=project.project_code,
        )
    return [ProjectWithdrawn(reason=reason)]
