"""Read functions (selectors), one module per kind of reading.

- ``projects``: projects listed, filtered, searched and scoped to a reader;
- ``directory``: organisations, agreements and contacts;
- ``milestones``: due, overdue, by state, on a calendar, for reminders;
- ``dashboard``: the officers' dashboard and roll-ups;
- ``history``: the event log as doors read it (timelines, the feed, changes, the past).

Doors read only through these (never through ``registry.store``). Each list selector
returns a queryset with its related rows joined or prefetched, so callers iterate
without further queries. The names below are the package's public parts.
"""

from projects.selectors.dashboard import (
    DASHBOARD_ROWS,
    IDLE_DAYS,
    dashboard,
    milestone_rollup,
    project_idle_since,
    rollup_by_agreement,
    rollup_by_sector,
)
from projects.selectors.directory import (
    agreement_list,
    contact_list,
    organisation_list,
    organisation_milestones,
    organisation_projects,
)
from projects.selectors.history import (
    EventPage,
    ledger_head,
    position_recorded_before,
    project_as_of,
    project_as_of_versioned,
    project_changes,
    project_event_page,
    stream_events,
    stream_timeline,
    stream_version,
    timeline_names,
)
from projects.selectors.milestones import (
    MILESTONE_STATES,
    milestone_calendar,
    milestone_due_between,
    milestone_list,
    milestone_next_id,
    milestone_overdue,
    milestone_reminder_candidates,
    milestone_state,
    project_milestones,
    project_reschedules,
)
from projects.selectors.projects import (
    PROJECT_ORDERINGS,
    project_filter,
    project_get,
    project_list,
    project_parties,
    project_scope,
    project_search,
    project_visible,
    visible_projects,
)

__all__ = [
    "DASHBOARD_ROWS",
    "IDLE_DAYS",
    "MILESTONE_STATES",
    "PROJECT_ORDERINGS",
    "EventPage",
    "agreement_list",
    "contact_list",
    "dashboard",
    "ledger_head",
    "milestone_calendar",
    "milestone_due_between",
    "milestone_list",
    "milestone_next_id",
    "milestone_overdue",
    "milestone_reminder_candidates",
    "milestone_rollup",
    "milestone_state",
    "organisation_list",
    "organisation_milestones",
    "organisation_projects",
    "position_recorded_before",
    "project_as_of",
    "project_as_of_versioned",
    "project_changes",
    "project_event_page",
    "project_filter",
    "project_get",
    "project_idle_since",
    "project_list",
    "project_milestones",
    "project_parties",
    "project_reschedules",
    "project_scope",
    "project_search",
    "project_visible",
    "rollup_by_agreement",
    "rollup_by_sector",
    "stream_events",
    "stream_timeline",
    "stream_version",
    "timeline_names",
    "visible_projects",
]
