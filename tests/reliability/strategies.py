"""Hypothesis strategies: any value of a serde type, and random project commands.

``values(tp)`` builds any value the event store can hold for a field type (the types
:mod:`registry.serde` supports), so every registered event class gets a strategy
without a hand-written one. ``project_commands`` draws commands against the AI project
of the scenario from small pools of ids, dates and reasons, so that sequences hit the
accepted paths and the refusals alike.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import functools
import types
import typing
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from projects.domain import (
    AddParty,
    CancelMilestone,
    ChangePartyRoles,
    ChangeProjectStatus,
    ClaimMilestone,
    ConfirmMilestoneClaim,
    CorrectProjectDetails,
    RemoveParty,
    RescheduleMilestone,
    ReturnMilestoneClaim,
    ScheduleMilestone,
    SetProjectBudget,
    checks,
    project,
)
from projects.domain.errors import DomainError
from projects.domain.values import (
    STATUS_TRANSITIONS,
    ActivityStatus,
    ClaimedStatus,
    Currency,
    LocalisedText,
    MilestoneType,
    Money,
    PartyRole,
    Sector,
)
from registry.errors import EventValidationError
from tests.projects.domain.scenario import PLANNED_END, PLANNED_START, PROJECT, TODAY, text

# Printable text in the three scripts the registry holds, never NUL; sometimes blank.
_ALPHABET = st.characters(
    codec="utf-8", categories=("L", "N", "P", "Zs"), exclude_characters="\x00"
)
_TEXT = st.text(_ALPHABET, min_size=1, max_size=30)


def _passes(check: Any, value: str) -> bool:
    try:
        check(value)
    except DomainError:
        return False
    return True


def _identifiers(pattern: str, check: Any) -> st.SearchStrategy[str]:
    return st.from_regex(pattern, fullmatch=True).filter(lambda v: _passes(check, v))


# Identifiers in the formats their checks accept, so that events carrying them are valid
# far more often than random text would be.
ID_FORMATS: dict[Any, st.SearchStrategy[str]] = {
    checks.check_organisation_id: _identifiers(
        r"[a-z0-9]{1,6}(-[a-z0-9]{1,6}){0,2}", checks.check_organisation_id
    ),
    checks.check_project_code: _identifiers(
        r"[A-Z0-9]{3,8}(-[A-Z0-9]{1,4}){0,2}", checks.check_project_code
    ),
    checks.check_agreement_code: _identifiers(
        r"[A-Z0-9]{3,8}(-[A-Z0-9]{1,4}){0,2}", checks.check_agreement_code
    ),
    checks.check_milestone_id: _identifiers(
        r"[A-Za-z0-9]{1,4}([.-][A-Za-z0-9]{1,3}){0,2}", checks.check_milestone_id
    ),
    checks.check_jurisdiction: _identifiers(
        r"[A-Z]{2}(-[A-Z0-9]{1,3}){0,2}", checks.check_jurisdiction
    ),
}


def _unambiguous(moment: dt.datetime) -> bool:
    """Return whether ``moment`` names one instant (not in a DST gap or fold)."""
    return moment.utcoffset() == moment.replace(fold=1 - moment.fold).utcoffset()


# Aware datetimes in any zone. Wall times in a DST gap or fold are left out: Python
# compares them unequal to any other zone's datetime (PEP 495), so an event holding one
# is stored correctly (as its UTC instant) yet never == its reloaded self.
_instants = st.datetimes(
    dt.datetime(1990, 1, 1), dt.datetime(2100, 1, 1), timezones=st.timezones()
).filter(_unambiguous)


def _value_object(cls: type) -> st.SearchStrategy[Any]:
    hints = typing.get_type_hints(cls, include_extras=True)  # with Annotated rules
    fields = {f.name: values(hints[f.name]) for f in dataclasses.fields(cls)}
    return st.builds(_build_or_reject, st.just(cls), st.fixed_dictionaries(fields))


def _build_or_reject(cls: type, fields: dict[str, Any]) -> Any:
    """Build ``cls``; a combination its own rules refuse is rejected, not an error."""
    try:
        return cls(**fields)
    except (EventValidationError, DomainError, ValueError):
        return None


def values(tp: Any) -> st.SearchStrategy[Any]:
    """Return a strategy for any value of serde field type ``tp``."""
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        base, *rules = typing.get_args(tp)
        for rule in rules:
            if isinstance(rule, checks.Checked) and rule.check in ID_FORMATS:
                return ID_FORMATS[rule.check]
        return values(base)  # length rules: the drawn texts are short enough
    if origin in (typing.Union, types.UnionType):
        return st.one_of(*(values(option) for option in typing.get_args(tp)))
    if origin is typing.Literal:
        return st.sampled_from(typing.get_args(tp))
    if origin is tuple:
        return st.lists(values(typing.get_args(tp)[0]), max_size=3).map(tuple)
    simple: dict[Any, st.SearchStrategy[Any]] = {
        type(None): st.none(),
        bool: st.booleans(),
        int: st.integers(-(2**40), 2**40),
        str: _TEXT,
        Decimal: st.decimals(min_value=Decimal("0.01"), max_value=Decimal("1e12"), places=2),
        dt.date: st.dates(dt.date(1990, 1, 1), dt.date(2100, 12, 31)),
        dt.datetime: _instants,
        typing.Any: st.none(),
    }
    if tp in simple:
        return simple[tp]
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return st.sampled_from(list(tp))
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return _value_object(tp).filter(lambda v: v is not None)
    raise TypeError(f"no strategy for {tp!r}")


def events_of(cls: type) -> st.SearchStrategy[Any]:
    """Return a strategy for valid instances of the event class ``cls``."""
    return _value_object(cls).filter(lambda v: v is not None)


# -- commands against the scenario's AI project ------------------------------------------

ORGANISATIONS = ("deepseek", "hk-itib", "unitree", "zj-gov", "not-registered")
STATUSES = (
    ActivityStatus.IMPLEMENTATION,
    ActivityStatus.FINALISATION,
    ActivityStatus.CLOSED,
    ActivityStatus.SUSPENDED,
    ActivityStatus.CANCELLED,
    ActivityStatus.PIPELINE,
)
_DAYS_PLANNED = (PLANNED_END - PLANNED_START).days
# Around the planned period, a little outside it on both sides.
_due = st.integers(-20, _DAYS_PLANNED + 20).map(lambda n: PLANNED_START + dt.timedelta(days=n))
# From before the planned start to a few days after "today".
_past = st.integers(-10, (TODAY - PLANNED_START).days + 3).map(
    lambda n: PLANNED_START + dt.timedelta(days=n)
)
_reason = st.sampled_from(["Agreed at the plenary", "Partner asked for time", "Audit", "", " "])
_roles = st.lists(st.sampled_from(list(PartyRole)), max_size=3).map(tuple)
_money = st.builds(
    Money,
    st.decimals(min_value=Decimal("0.01"), max_value=Decimal("1e9"), places=2),
    st.sampled_from(list(Currency)),
)
_note = st.none() | st.sampled_from(["Report attached", ""])


def _maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.none() | strategy


def commands_for(state: project.State) -> st.SearchStrategy[Any]:
    """Return a strategy for a command against ``state``: mostly plausible, some not.

    Ids come from what the project holds (and a few it does not), claims are made by
    the responsible party and decided while pending, and status changes follow the
    lifecycle, so sequences get as far as confirming claims and closing the project,
    not only as far as being refused.
    """
    return _commands(
        milestones=tuple(m.milestone_id for m in state.milestones),
        parties=tuple(p.organisation_id for p in state.parties),
        claimable=tuple(
            (m.milestone_id, m.responsible_party)
            for m in state.milestones
            if m.is_open and m.pending_claim is None
        ),
        pending=tuple(m.milestone_id for m in state.milestones if m.pending_claim is not None),
        status=state.status,
        since=state.status_since or PLANNED_START,
    )


@functools.lru_cache(maxsize=4096)
def _commands(
    *,
    milestones: tuple[str, ...],
    parties: tuple[str, ...],
    claimable: tuple[tuple[str, str], ...],
    pending: tuple[str, ...],
    status: ActivityStatus,
    since: dt.date,
) -> st.SearchStrategy[Any]:
    # Built once per shape of project: building strategies costs more than drawing.
    milestone = st.sampled_from([*milestones, f"M{len(milestones) + 1}", "M9"])
    organisation = st.sampled_from([*parties, *ORGANISATIONS])
    options = [
        st.builds(
            ScheduleMilestone,
            st.just(PROJECT),
            milestone,
            st.just(text("Joint report")),
            st.sampled_from(list(MilestoneType)),
            _due,
            organisation,
        ),
        st.builds(RescheduleMilestone, st.just(PROJECT), milestone, _due, _reason),
        st.builds(
            ClaimMilestone,
            st.just(PROJECT),
            milestone,
            organisation,
            st.sampled_from(list(ClaimedStatus)),
            _past,
            _note,
        ),
        st.builds(ConfirmMilestoneClaim, st.just(PROJECT), milestone),
        st.builds(ReturnMilestoneClaim, st.just(PROJECT), milestone, _reason),
        st.builds(CancelMilestone, st.just(PROJECT), milestone, _reason),
        st.builds(ChangeProjectStatus, st.just(PROJECT), st.sampled_from(STATUSES), _past, _reason),
        st.builds(SetProjectBudget, st.just(PROJECT), _money, _maybe(_reason)),
        st.builds(AddParty, st.just(PROJECT), organisation, _roles),
        st.builds(ChangePartyRoles, st.just(PROJECT), organisation, _roles),
        st.builds(RemoveParty, st.just(PROJECT), organisation, _reason),
        st.builds(
            CorrectProjectDetails,
            st.just(PROJECT),
            _reason,
            titles=_maybe(st.builds(LocalisedText, st.sampled_from(["Shared models", "LLMs"]))),
            sector=_maybe(st.sampled_from(list(Sector))),
            planned_start=_maybe(_due),
            planned_end=_maybe(_due),
        ),
    ]
    for milestone_id, responsible in claimable:
        options.append(
            st.builds(
                ClaimMilestone,
                st.just(PROJECT),
                st.just(milestone_id),
                st.just(responsible),
                st.sampled_from(list(ClaimedStatus)),
                _past,
                _note,
            )
        )
    # Along the lifecycle (cancelling is left to the random draws: it ends everything).
    allowed = sorted(STATUS_TRANSITIONS[status] - {ActivityStatus.CANCELLED}, key=str)
    if allowed:
        options.append(
            st.builds(
                ChangeProjectStatus,
                st.just(PROJECT),
                st.sampled_from(allowed),
                st.dates(since, TODAY),
                st.just("Decided at the plenary"),
            )
        )
    if pending:
        options.append(st.builds(ConfirmMilestoneClaim, st.just(PROJECT), st.sampled_from(pending)))
        options.append(
            st.builds(ReturnMilestoneClaim, st.just(PROJECT), st.sampled_from(pending), _reason)
        )
    return st.one_of(options)
