"""Project commands in the admin: a form per command, each offering only what it applies to.

The rescheduling form lists only open milestones with no pending claim, the
confirmation form only milestones whose claim awaits a decision, and so on; the domain
still decides. A milestone's page links here with ``?milestone_id=M3`` preselected.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import QueryDict
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from projects import models as rm
from projects import selectors
from projects.admin.commandforms import Choices
from projects.admin.commandviews import Action, Target
from projects.domain import project as pr
from projects.labels import localised

ACTIONS = (
    Action("schedule-milestone", pr.ScheduleMilestone, _("Schedule a milestone")),
    Action("reschedule-milestone", pr.RescheduleMilestone, _("Reschedule a milestone")),
    Action("claim-milestone", pr.ClaimMilestone, _("Record a partner's claim")),
    Action("confirm-claim", pr.ConfirmMilestoneClaim, _("Confirm a claim")),
    Action("return-claim", pr.ReturnMilestoneClaim, _("Return a claim")),
    Action("cancel-milestone", pr.CancelMilestone, _("Cancel a milestone")),
    Action("change-status", pr.ChangeProjectStatus, _("Change the status")),
    Action("set-budget", pr.SetProjectBudget, _("Set the budget")),
    Action("add-party", pr.AddParty, _("Add a party")),
    Action("change-party-roles", pr.ChangePartyRoles, _("Change a party's roles")),
    Action("remove-party", pr.RemoveParty, _("Remove a party")),
    Action("correct-details", pr.CorrectProjectDetails, _("Correct details")),
    Action("publish", pr.PublishProject, _("Publish as open data")),
    Action("withdraw", pr.WithdrawProject, _("Withdraw from open data")),
)
GROUPS = (
    (
        _("Milestones"),
        (
            "schedule-milestone",
            "reschedule-milestone",
            "claim-milestone",
            "confirm-claim",
            "return-claim",
            "cancel-milestone",
        ),
    ),
    (_("Project"), ("change-status", "set-budget", "correct-details")),
    (_("Parties"), ("add-party", "change-party-roles", "remove-party")),
    (_("Open data"), ("publish", "withdraw")),
)
# Which milestones each command applies to: (open only, pending claim wanted).
MILESTONE_SCOPE: dict[type, tuple[bool, bool | None]] = {
    pr.RescheduleMilestone: (True, False),
    pr.ClaimMilestone: (True, False),
    pr.CancelMilestone: (True, False),
    pr.ConfirmMilestoneClaim: (True, True),
    pr.ReturnMilestoneClaim: (True, True),
}
# The milestone commands a milestone's own page links to, in this order.
MILESTONE_LINKS = (
    "reschedule-milestone",
    "claim-milestone",
    "confirm-claim",
    "return-claim",
    "cancel-milestone",
)


def milestone_label(m: rm.Milestone) -> str:
    """Return how a milestone reads in a choice list: id, title, status and due date."""
    return gettext("{id} — {title} ({status}, due {due})").format(
        id=m.milestone_id,
        title=localised(m, "title"),
        status=m.get_status_display(),
        due=m.due_date.isoformat(),
    )


def applies_to(command: type, m: rm.Milestone) -> bool:
    """Return True if ``command`` may be offered for milestone ``m``."""
    scope = MILESTONE_SCOPE.get(command)
    if scope is None:
        return True
    open_only, pending = scope
    if open_only and not m.is_open:
        return False
    return pending is None or bool(m.claim_status) == pending


def _choices(project: rm.Project, action: Action) -> Choices:
    parties = [
        (p.organisation_id, localised(p.organisation, "name"))
        for p in selectors.project_parties(project.code)
    ]
    choices: dict[str, list[tuple[str, str]]] = {"responsible_party": parties, "claimant": parties}
    if action.command is not pr.ScheduleMilestone:
        choices["milestone_id"] = [
            (m.milestone_id, milestone_label(m))
            for m in selectors.project_milestones(project.code)
            if applies_to(action.command, m)
        ]
    if action.command is pr.AddParty:
        taken = {code for code, _name in parties}
        choices["organisation_id"] = [
            (o.id, localised(o, "name")) for o in selectors.organisation_list() if o.id not in taken
        ]
    else:
        choices["organisation_id"] = parties
    return choices


def _initial(project: rm.Project, action: Action, query: QueryDict) -> dict[str, Any]:
    initial: dict[str, Any] = {}
    if action.command is pr.ScheduleMilestone:
        initial["milestone_id"] = selectors.milestone_next_id(project.code)
    for name in ("milestone_id", "organisation_id"):
        if query.get(name):
            initial[name] = query[name]
    chosen = query.get("milestone_id")
    if action.command is pr.ClaimMilestone and chosen:
        # A claim is the responsible organisation's: it is whom the officer records.
        responsible = _responsible(project).get(str(chosen))
        if responsible:
            initial["claimant"] = responsible
    return initial


def _responsible(project: rm.Project) -> dict[str, str]:
    """Return each milestone's responsible organisation, by milestone id."""
    return {m.milestone_id: m.responsible_id for m in selectors.project_milestones(project.code)}


def _attrs(project: rm.Project, action: Action) -> dict[str, dict[str, str]]:
    if action.command is not pr.ClaimMilestone:
        return {}
    # The page's script sets "Reported by" to the milestone's responsible organisation.
    return {"claimant": {"data-responsible-of": json.dumps(_responsible(project))}}


TARGET = Target(
    model=rm.Project,
    stream_type=pr.STREAM_TYPE,
    stream_field="project_code",
    permission="projects.change_project",
    actions=ACTIONS,
    groups=GROUPS,
    choices=_choices,
    initial=_initial,
    attrs=_attrs,
)


def milestone_links(milestone: rm.Milestone) -> list[dict[str, Any]]:
    """Return the commands a milestone's page links to, those that apply to it now."""
    by_slug = {a.slug: a for a in ACTIONS}
    query = f"?milestone_id={milestone.milestone_id}"
    return [
        {
            "title": by_slug[slug].title,
            "url": reverse(f"admin:{TARGET.url_name}", args=[milestone.project_id, slug]) + query,
        }
        for slug in MILESTONE_LINKS
        if applies_to(by_slug[slug].command, milestone)
    ]
