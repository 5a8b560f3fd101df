"""Read functions (selectors), one module per kind of reading.

- ``projects``: projects listed, filtered, searched and scoped to a reader;
- ``directory``: organisations, agreements and contacts;
- ``milestones``: due, overdue, by state, on a calendar, for reminders;
- ``dashboard``: the officers' dashboard and roll-ups;
- ``history``: the event log as doors read it (timelines, the feed, changes, the past);
- ``publishing``: the published projects, streamed for the open-data files.

Doors read only through these (never through ``registry.store``). Each list selector
returns a queryset with its related rows joined or prefetched, so callers iterate
without further queries. The names below are the package's public parts.

A door declares read-only work with ``replica_reads()``: inside it, the selectors may
read a streaming replica when one is configured (``registry.routing``).
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
    organisations_named,
    people_named,
)
from projects.selectors.history import (
    EventPage,
    changes_by_officer,
    ledger_head,
    milestone_timeline,
    position_recorded_before,
    project_as_of,
    project_as_of_versioned,
    project_changes,
    project_event_hash,
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
    followed_codes,
    followings,
    project_filter,
    project_get,
    project_list,
    project_parties,
    project_progress,
    project_scope,
    project_search,
    project_visible,
    project_with_progress,
    projects_followed,
    visible_projects,
)
from projects.selectors.publishing import (
    Head,
    publication_head,
    publication_moved,
    publication_tip,
    published_count,
    published_milestones,
    published_parties,
    published_projects,
    publisher_get,
)
from registry.routes import replica_reads

__all__ = [
    "DASHBOARD_ROWS",
    "IDLE_DAYS",
    "MILESTONE_STATES",
    "PROJECT_ORDERINGS",
    "EventPage",
    "Head",
    "agreement_list",
    "changes_by_officer",
    "contact_list",
    "dashboard",
    "followed_codes",
    "followings",
    "ledger_head",
    "milestone_calendar",
    "milestone_due_between",
    "milestone_list",
    "milestone_next_id",
    "milestone_overdue",
    "milestone_reminder_candidates",
    "milestone_rollup",
    "milestone_state",
    "milestone_timeline",
    "organisation_list",
    "organisation_milestones",
    "organisation_projects",
    "organisations_named",
    "people_named",
    "position_recorded_before",
    "project_as_of",
    "project_as_of_versioned",
    "project_changes",
    "project_event_hash",
    "project_event_page",
    "project_filter",
    "project_get",
    "project_idle_since",
    "project_list",
    "project_milestones",
    "project_parties",
    "project_progress",
    "project_reschedules",
    "project_scope",
    "project_search",
    "project_visible",
    "project_with_progress",
    "projects_followed",
    "publication_head",
    "publication_moved",
    "publication_tip",
    "published_count",
    "published_milestones",
    "published_parties",
    "published_projects",
    "publisher_get",
    "replica_reads",
    "rollup_by_agreement",
    "rollup_by_sector",
    "stream_events",
    "stream_timeline",
    "stream_version",
    "timeline_names",
    "visible_projects",
]
