"""Project commands in the admin: a form per command, decided by the domain.

The view never saves a read model: it builds the command, runs it through
``services.execute`` with the version the form was opened at, and shows a domain error
as a form error. If someone else changed the project meanwhile, the form says who
changed what, and resubmitting applies the change on top of theirs.
"""

from __future__ import annotations

import dataclasses
import uuid
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from projects import models as rm
from projects import services
from projects.commandforms import command_from_form, field_of, form_fields
from projects.domain import project as pr
from projects.domain.errors import DomainError
from registry import store
from registry.errors import ConcurrencyConflict, EventValidationError
from registry.events import Metadata


@dataclasses.dataclass(frozen=True)
class Action:
    """A command offered on the project page."""

    slug: str
    command: type
    title: str


ACTIONS = {
    a.slug: a
    for a in (
        Action("schedule-milestone", pr.ScheduleMilestone, "Schedule a milestone"),
        Action("reschedule-milestone", pr.RescheduleMilestone, "Reschedule a milestone"),
        Action("claim-milestone", pr.ClaimMilestone, "Record a partner's claim"),
        Action("confirm-claim", pr.ConfirmMilestoneClaim, "Confirm a claim"),
        Action("return-claim", pr.ReturnMilestoneClaim, "Return a claim"),
        Action("cancel-milestone", pr.CancelMilestone, "Cancel a milestone"),
        Action("change-status", pr.ChangeProjectStatus, "Change the status"),
        Action("set-budget", pr.SetProjectBudget, "Set the budget"),
        Action("add-party", pr.AddParty, "Add a party"),
        Action("change-party-roles", pr.ChangePartyRoles, "Change a party's roles"),
        Action("remove-party", pr.RemoveParty, "Remove a party"),
        Action("correct-details", pr.CorrectProjectDetails, "Correct details"),
    )
}


GROUPS = (
    (
        "Milestones",
        (
            "schedule-milestone",
            "reschedule-milestone",
            "claim-milestone",
            "confirm-claim",
            "return-claim",
            "cancel-milestone",
        ),
    ),
    ("Project", ("change-status", "set-budget", "correct-details")),
    ("Parties", ("add-party", "change-party-roles", "remove-party")),
)


def action_links(code: str) -> list[dict[str, Any]]:
    """Return the project page's actions in groups, each with its title and URL."""
    return [
        {
            "group": group,
            "actions": [
                {
                    "title": ACTIONS[slug].title,
                    "url": reverse("admin:projects_project_command", args=[code, slug]),
                }
                for slug in slugs
            ],
        }
        for group, slugs in GROUPS
    ]


def _choices(project: rm.Project, action: Action) -> dict[str, list[tuple[str, str]]]:
    parties = [
        (p.organisation_id, p.organisation.name_en)
        for p in project.parties.select_related("organisation")
    ]
    milestones = [
        (
            m.milestone_id,
            f"{m.milestone_id} — {m.title_en} ({m.get_status_display()}, due {m.due_date})",
        )
        for m in project.milestones.order_by("due_date", "milestone_id")
    ]
    choices = {"responsible_party": parties, "claimant": parties}
    if action.command is not pr.ScheduleMilestone:
        choices["milestone_id"] = milestones
    if action.command is pr.AddParty:
        taken = {p[0] for p in parties}
        choices["organisation_id"] = [
            (o.id, o.name_en) for o in rm.Organisation.objects.exclude(id__in=taken)
        ]
    else:
        choices["organisation_id"] = parties
    return choices


def _form_class(project: rm.Project, action: Action) -> type[forms.Form]:
    fields: dict[str, Any] = form_fields(action.command, choices=_choices(project, action))
    fields["expected_version"] = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    return type(f"{action.command.__name__}Form", (forms.Form,), fields)


def _changes_since(code: str, version: int) -> str:
    lines = []
    for event in store.read_stream(pr.STREAM_TYPE, code):
        if event.version <= version:
            continue
        who = event.metadata.actor_id or event.metadata.organisation or event.metadata.actor_kind
        when = timezone.localtime(event.recorded_at).strftime("%Y-%m-%d %H:%M")
        lines.append(
            f"v{event.version} {event.event.event_type} by {who} via {event.metadata.source}"
            f" at {when}"
        )
    return "\n".join(lines)


def command_view(request: HttpRequest, object_id: str, slug: str) -> HttpResponse:
    """Show and run one project command."""
    if not request.user.has_perm("projects.change_project"):
        raise PermissionDenied
    action = ACTIONS.get(slug)
    if action is None:
        raise Http404("No such action")
    project = get_object_or_404(rm.Project, code=object_id)
    form_class = _form_class(project, action)
    change_url = reverse("admin:projects_project_change", args=[project.code])
    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid() and _run(request, form, project, action):
            messages.success(request, f"{action.title}: recorded for {project.code}.")
            return HttpResponseRedirect(change_url)
    else:
        form = form_class(initial={"expected_version": project.version})
    context = {
        **admin.site.each_context(request),
        "title": action.title,
        "opts": rm.Project._meta,
        "project": project,
        "form": form,
    }
    return TemplateResponse(request, "admin/projects/project/command_form.html", context)


def _run(request: HttpRequest, form: forms.Form, project: rm.Project, action: Action) -> bool:
    """Run the command; on refusal put the reason on the form and return False."""
    expected = form.cleaned_data["expected_version"]
    metadata = Metadata(
        actor_kind="staff",
        source="admin",
        actor_id=str(request.user.pk),
        request_id=uuid.uuid4().hex,
    )
    try:
        command = command_from_form(action.command, form.cleaned_data, project_code=project.code)
        with transaction.atomic(durable=True):
            services.execute(command, metadata=metadata, expected_version=expected)
    except ConcurrencyConflict as conflict:
        form.data = form.data.copy()
        form.data["expected_version"] = str(conflict.current_version)
        form.add_error(
            None,
            f"{project.code} was changed since you opened this form:\n"
            f"{_changes_since(project.code, expected)}\n"
            "Check the project, then submit again to apply your change on top.",
        )
        return False
    except DomainError as refusal:
        form.add_error(field_of(refusal.message, form), refusal.message)
        return False
    except EventValidationError as invalid:
        form.add_error(field_of(str(invalid), form), str(invalid).split(": ", 1)[-1])
        return False
    return True
