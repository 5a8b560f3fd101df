"""Following aggregate: the projects an officer follows ("My projects").

Stream type ``following``; the stream id names the officer by id only (``staff:<user
id>``). An officer follows registered projects, up to ``MAX_FOLLOWED_PROJECTS``; the
dashboard and the project and milestone lists can be narrowed to them, and the officer
may choose to have the weekly digest cover only them.

``decide(state, command, context)`` takes a :class:`FollowingContext` saying whether the
officer exists and which of the projects the command names are registered.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

from projects.domain.decider import Decider
from projects.domain.errors import DomainError, InvalidIdentifier, NothingToChange, ProjectNotFound
from projects.domain.text import _
from projects.domain.values import ProjectCode
from registry.events import Event
from registry.serde import Value

STREAM_TYPE = "following"
MAX_FOLLOWED_PROJECTS = 200
_OFFICER = re.compile(r"staff:[1-9][0-9]{0,17}")


class OfficerNotFound(DomainError):
    """The staff account following projects does not exist."""


class TooManyProjectsFollowed(DomainError):
    """An officer follows as many projects as the registry allows."""


def check_officer(value: str) -> str:
    """Return ``value`` if it names a staff account as ``staff:<user id>``."""
    if not _OFFICER.fullmatch(value):
        raise InvalidIdentifier(
            _("{officer} is not a staff account: use staff:<user id>."),
            field="officer",
            officer=repr(value),
        )
    return value


@dataclasses.dataclass(frozen=True, kw_only=True)
class FollowingContext:
    """What the following decider needs from elsewhere."""

    today: dt.date
    exists: bool
    projects: frozenset[str] = frozenset()


# -- commands ----------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class FollowingCommand(Value):
    """Base of following commands; ``officer`` (``staff:<user id>``) is the stream id."""

    officer: str

    @property
    def stream_id(self) -> str:
        """Return the stream the command is decided against."""
        return self.officer

    def validate(self) -> None:
        check_officer(self.officer)


@dataclasses.dataclass(frozen=True)
class FollowProject(FollowingCommand):
    """Add a project to the officer's projects."""

    project_code: ProjectCode


@dataclasses.dataclass(frozen=True)
class UnfollowProject(FollowingCommand):
    """Take a project off the officer's projects."""

    project_code: ProjectCode


@dataclasses.dataclass(frozen=True)
class ChooseDigestScope(FollowingCommand):
    """Have the weekly digest cover only the projects followed, or all the officer follows."""

    followed_only: bool


# -- events ------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class ProjectFollowed(Event):
    """An officer follows a project."""

    officer: str
    project_code: str


@dataclasses.dataclass(frozen=True)
class ProjectUnfollowed(Event):
    """An officer no longer follows a project."""

    officer: str
    project_code: str


@dataclasses.dataclass(frozen=True)
class DigestScopeChosen(Event):
    """An officer's digest covers only the projects followed (or not)."""

    officer: str
    followed_only: bool


# -- state -------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class State:
    """The projects an officer follows (in code order) and the digest's scope."""

    officer: str
    projects: tuple[str, ...] = ()
    digest_followed_only: bool = False


def decide(
    state: State | None, command: FollowingCommand, context: FollowingContext
) -> list[Event]:
    """Return the events ``command`` leads to, or raise a DomainError."""
    if not context.exists:
        raise OfficerNotFound(
            _("Staff account {officer} does not exist."), field="officer", officer=command.officer
        )
    current = state or State(command.officer)
    if isinstance(command, FollowProject):
        return [_follow(current, command, context)]
    if isinstance(command, UnfollowProject):
        if command.project_code not in current.projects:
            raise NothingToChange(
                _("Project {code} is not among the projects followed."),
                field="project_code",
                code=command.project_code,
            )
        return [ProjectUnfollowed(command.officer, command.project_code)]
    if isinstance(command, ChooseDigestScope):
        if current.digest_followed_only == command.followed_only:
            raise NothingToChange(_("The digest already covers these projects."))
        return [DigestScopeChosen(command.officer, command.followed_only)]
    raise TypeError(f"unknown following command {type(command).__name__}")


def _follow(current: State, command: FollowProject, context: FollowingContext) -> ProjectFollowed:
    if command.project_code not in context.projects:
        raise ProjectNotFound(
            _("No project with code {code} is registered."),
            field="project_code",
            code=command.project_code,
        )
    if command.project_code in current.projects:
        raise NothingToChange(
            _("Project {code} is already among the projects followed."),
            field="project_code",
            code=command.project_code,
        )
    if len(current.projects) >= MAX_FOLLOWED_PROJECTS:
        raise TooManyProjectsFollowed(
            _("An officer may follow at most {limit} projects; stop following one first."),
            field="project_code",
            limit=MAX_FOLLOWED_PROJECTS,
        )
    return ProjectFollowed(command.officer, command.project_code)


def evolve(state: State | None, event: Event) -> State:
    """Return the state after ``event``."""
    if not isinstance(event, (ProjectFollowed, ProjectUnfollowed, DigestScopeChosen)):
        raise TypeError(f"cannot apply {type(event).__name__} to a following")
    current = state or State(event.officer)
    if isinstance(event, ProjectFollowed):
        projects = tuple(sorted({*current.projects, event.project_code}))
        return dataclasses.replace(current, projects=projects)
    if isinstance(event, ProjectUnfollowed):
        projects = tuple(code for code in current.projects if code != event.project_code)
        return dataclasses.replace(current, projects=projects)
    return dataclasses.replace(current, digest_followed_only=event.followed_only)


DECIDER: Decider[State, FollowingCommand, FollowingContext] = Decider(
    stream_type=STREAM_TYPE,
    command_type=FollowingCommand,
    state_type=State,
    decide=decide,
    evolve=evolve,
)
fold = DECIDER.fold
