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
from projects.admin.commandforms import command_from_form, form_field, form_fields
from projects.domain import project as pr
from projects.domain.errors import DomainError, version_ahead
from projects.i18n import error_message
from registry import store
from registry.errors import ConcurrencyConflict, EventValidationError
from registry.events import Metadata


@dataclasses.dataclass(frozen=True)
class Action:
    """A command offered on the project page."""

    slug: str
    command: type
    title: str


PROJECT_FIXED = frozenset({"project_code"})

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


def _form_class(
    command: type, choices: dict[str, list[tuple[str, str]]], fixed: frozenset[str]
) -> type[forms.Form]:
    fields: dict[str, Any] = form_fields(command, choices=choices, fixed=fixed)
    fields["expected_version"] = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    return type(f"{command.__name__}Form", (forms.Form,), fields)


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
    form_class = _form_class(action.command, _choices(project, action), PROJECT_FIXED)
    change_url = reverse("admin:projects_project_change", args=[project.code])
    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid() and _run(request, form, action.command, project.code):
            messages.success(request, f"{action.title}: recorded for {project.code}.")
            return HttpResponseRedirect(change_url)
    else:
        form = form_class(initial={"expected_version": project.version})
    return _render(request, action.title, project, form)


def register_view(request: HttpRequest) -> HttpResponse:
    """Show and run RegisterProject: the admin's "Add project"."""
    if not request.user.has_perm("projects.add_project"):
        raise PermissionDenied
    agreements = [
        (a.code, f"{a.code} — {a.title_en}") for a in rm.Agreement.objects.filter(in_force=True)
    ]
    form_class = _form_class(pr.RegisterProject, {"agreement_code": agreements}, frozenset())
    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid() and _run(request, form, pr.RegisterProject, None):
            code = form.cleaned_data["project_code"]
            messages.success(request, f"Project {code} registered, in the pipeline.")
            return HttpResponseRedirect(reverse("admin:projects_project_change", args=[code]))
    else:
        form = form_class(initial={"expected_version": 0})
    return _render(request, "Register a project", None, form)


def _render(
    request: HttpRequest, title: str, project: rm.Project | None, form: forms.Form
) -> HttpResponse:
    context = {
        **admin.site.each_context(request),
        "title": title,
        "opts": rm.Project._meta,
        "project": project,
        "form": form,
    }
    return TemplateResponse(request, "admin/projects/project/command_form.html", context)


def _run(request: HttpRequest, form: forms.Form, command_cls: type, code: str | None) -> bool:
    """Run the command; on refusal put the reason on the form and return False.

    ``code`` is the project the page is about; None registers a new one, whose code
    comes from the form and whose duplicate the domain refuses by name.
    """
    expected = form.cleaned_data["expected_version"] if code is not None else None
    metadata = Metadata(
        actor_kind="staff",
        source="admin",
        actor_id=str(request.user.pk),
        request_id=uuid.uuid4().hex,
    )
    fixed = {"project_code": code} if code is not None else {}
    try:
        command = command_from_form(command_cls, form.cleaned_data, fixed=fixed)
        with transaction.atomic(durable=True):
            services.execute(command, metadata=metadata, expected_version=expected)
    except ConcurrencyConflict as conflict:
        form.data = form.data.copy()
        form.data["expected_version"] = str(conflict.current_version)
        if conflict.is_ahead:
            form.add_error(None, error_message(version_ahead(conflict)))
            return False
        form.add_error(
            None,
            f"{conflict.stream_id} was changed since you opened this form:\n"
            f"{_changes_since(conflict.stream_id, conflict.expected_version)}\n"
            "Check the project, then submit again to apply your change on top.",
        )
        return False
    except DomainError as refusal:
        form.add_error(form_field(refusal.field, form), error_message(refusal))
        return False
    except EventValidationError as invalid:
        form.add_error(form_field(invalid.field, form), invalid.detail)
        return False
    return True
