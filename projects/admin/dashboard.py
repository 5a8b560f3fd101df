"""The admin's home page: what needs a liaison officer's attention today.

Overdue milestones (worst first), those due in 7 and 30 days, partner claims awaiting
confirmation, projects idle for 60 days, and met / open / overdue counts per sector and
agreement drawn as small bars. Every figure links to the filtered list behind it. The
figures come from ``selectors.dashboard`` in a fixed number of queries.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import urlencode

from projects import narrative, selectors
from projects.admin.mine import MINE, mine_codes
from projects.domain import agreement, organisation, project
from projects.domain.values import Sector
from projects.labels import code_label, localised

BAR_WIDTH = 160  # pixels of the longest bar
MY_CHANGES = 10  # events listed under "Recent changes by me"
# Where a change to each kind of record is read: its timeline in the admin.
HISTORY_PAGES = {
    project.STREAM_TYPE: "admin:projects_project_history",
    organisation.STREAM_TYPE: "admin:projects_organisation_history",
    agreement.STREAM_TYPE: "admin:projects_agreement_history",
}


def _lister(mine: bool) -> Callable[..., str]:
    """Return a function making list URLs, kept to "My projects" when the page is."""

    def list_url(model: str, **params: str) -> str:
        if mine:
            params = {**params, MINE: "1"}
        return f"{reverse(f'admin:projects_{model}_changelist')}?{urlencode(params)}"

    return list_url


def _bars(
    rows: list[dict[str, Any]],
    key: str,
    param: str,
    names: dict[str, str],
    list_url: Callable[..., str],
) -> list[dict[str, Any]]:
    """Return roll-up rows with their labels, links and bar widths."""
    most = max((row["total"] for row in rows), default=0) or 1
    result = []
    for row in rows:
        value = row[key]
        result.append(
            {
                "label": names.get(value, value),
                "total": row["total"],
                "figures": [
                    {
                        "state": state,
                        "count": row[state],
                        "width": round(BAR_WIDTH * row[state] / most),
                        "url": list_url("milestone", **{param: value, **_state_params(state)}),
                    }
                    for state in ("met", "open", "overdue")
                ],
            }
        )
    return result


def _state_params(state: str) -> dict[str, str]:
    return {"due": "overdue"} if state == "overdue" else {"state": state}


def _milestone_rows(milestones: list[Any], today: Any) -> list[dict[str, Any]]:
    return [
        {
            "key": m.key,
            "localised_title": localised(m, "title"),
            "responsible_name": localised(m.responsible, "name"),
            "due_date": m.due_date,
            "claim_date": m.claim_date,
            "late_by": m.days_overdue(today),
        }
        for m in milestones
    ]


def dashboard_context(request: HttpRequest) -> dict[str, Any]:
    """Return the dashboard's figures, rows and links for the logged-in officer.

    With ``?mine=1`` everything is narrowed to the projects the officer follows.
    """
    today = timezone.localdate()
    codes = mine_codes(request)
    data = selectors.dashboard(today, timezone.now(), projects=codes)
    agreements = {a.code: f"{a.code} — {localised(a, 'title')}" for a in selectors.agreement_list()}
    sectors = {s.value: code_label(Sector, s.value) for s in Sector}
    counts = data["counts"]
    list_url = _lister(codes is not None)
    return {
        "today": today,
        "mine": codes is not None,
        "mine_count": len(
            codes if codes is not None else selectors.followed_codes(request.user.pk)
        ),
        "panels": [
            {
                "key": "overdue",
                "count": counts["overdue"],
                "url": list_url("milestone", due="overdue"),
                "rows": _milestone_rows(data["overdue"], today),
            },
            {
                "key": "due7",
                "count": counts["due7"],
                "url": list_url("milestone", due="7"),
                "rows": _milestone_rows(data["due7"], today),
            },
            {
                "key": "due30",
                "count": counts["due30"],
                "url": list_url("milestone", due="30"),
                "rows": [],
            },
            {
                "key": "claimed",
                "count": counts["claimed"],
                "url": list_url("milestone", claim="pending"),
                "rows": _milestone_rows(data["claimed"], today),
            },
            {
                "key": "idle",
                "count": counts["idle"],
                "url": list_url("project", idle=str(selectors.IDLE_DAYS)),
                "projects": [
                    {
                        "code": p.code,
                        "localised_title": localised(p, "title"),
                        "updated_at": p.updated_at,
                    }
                    for p in data["idle"]
                ],
            },
        ],
        "rollups": [
            {
                "key": "sector",
                "rows": _bars(data["by_sector"], "project__sector", "sector", sectors, list_url),
            },
            {
                "key": "agreement",
                "rows": _bars(
                    data["by_agreement"], "project__agreement_id", "agreement", agreements, list_url
                ),
            },
        ],
    }


def _history_url(stream_type: str, stream_id: str, version: int) -> str:
    name = HISTORY_PAGES.get(stream_type)
    if name is None:
        return ""
    try:
        return reverse(name, args=[stream_id]) + f"#event-{version}"
    except NoReverseMatch:
        return ""


def my_changes(user_id: int) -> list[dict[str, Any]]:
    """Return the officer's newest changes as sentences, each linked to its record's timeline.

    Read from the ledger (the events recorded with this officer as actor), so every
    change shows, whichever door it came through.
    """
    events = selectors.changes_by_officer(user_id, limit=MY_CHANGES)
    lines = narrative.narrate(events, selectors.timeline_names(events))
    return [
        {
            "sentence": line.sentence,
            "recorded_at": line.recorded_at,
            "record": event.stream_id,
            "url": _history_url(event.stream_type, event.stream_id, event.version),
        }
        for event, line in zip(events, lines, strict=True)
    ]
