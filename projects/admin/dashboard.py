"""The admin's home page: what needs a liaison officer's attention today.

Overdue milestones (worst first), those due in 7 and 30 days, partner claims awaiting
confirmation, projects idle for 60 days, and met / open / overdue counts per sector and
agreement drawn as small bars. Every figure links to the filtered list behind it. The
figures come from ``selectors.dashboard`` in a fixed number of queries.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from projects import selectors
from projects.domain.values import Sector
from projects.labels import code_label, localised

BAR_WIDTH = 160  # pixels of the longest bar


def _list(model: str, **params: str) -> str:
    return f"{reverse(f'admin:projects_{model}_changelist')}?{urlencode(params)}"


def _bars(
    rows: list[dict[str, Any]], key: str, param: str, names: dict[str, str]
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
                        "url": _list("milestone", **{param: value, **_state_params(state)}),
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
    """Return the dashboard's figures, rows and links for the logged-in officer."""
    today = timezone.localdate()
    data = selectors.dashboard(today, timezone.now())
    agreements = {a.code: f"{a.code} — {localised(a, 'title')}" for a in selectors.agreement_list()}
    sectors = {s.value: code_label(Sector, s.value) for s in Sector}
    counts = data["counts"]
    return {
        "today": today,
        "panels": [
            {
                "key": "overdue",
                "count": counts["overdue"],
                "url": _list("milestone", due="overdue"),
                "rows": _milestone_rows(data["overdue"], today),
            },
            {
                "key": "due7",
                "count": counts["due7"],
                "url": _list("milestone", due="7"),
                "rows": _milestone_rows(data["due7"], today),
            },
            {
                "key": "due30",
                "count": counts["due30"],
                "url": _list("milestone", due="30"),
                "rows": [],
            },
            {
                "key": "claimed",
                "count": counts["claimed"],
                "url": _list("milestone", claim="pending"),
                "rows": _milestone_rows(data["claimed"], today),
            },
            {
                "key": "idle",
                "count": counts["idle"],
                "url": _list("project", idle=str(selectors.IDLE_DAYS)),
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
                "rows": _bars(data["by_sector"], "project__sector", "sector", sectors),
            },
            {
                "key": "agreement",
                "rows": _bars(
                    data["by_agreement"], "project__agreement_id", "agreement", agreements
                ),
            },
        ],
    }
