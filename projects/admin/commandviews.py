"""Command pages of the admin, for any aggregate: a form per command, decided by the domain.

A view never saves a read model: it builds the command, runs it through the application
layer (``projects.application.handle``) with the version the form was opened at, and
shows a domain error on the field at fault. If someone else changed the record
meanwhile, the form says who changed what, and resubmitting applies the change on top.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from projects import selectors, unavailable
from projects.admin.commandforms import Choices, CommandForm
from projects.application import Actor, handle
from projects.domain.errors import DomainError, version_ahead
from projects.i18n import error_message
from registry.errors import ConcurrencyConflict, EventValidationError, LedgerBusy

TEMPLATE = "admin/projects/command_form.html"


@dataclasses.dataclass(frozen=True)
class Action:
    """A command offered on a record's page."""

    slug: str
    command: type
    title: Promise | str


@dataclasses.dataclass(frozen=True)
class Target:
    """The commands of one aggregate, offered on its read model's pages."""

    model: type[models.Model]
    stream_type: str
    stream_field: str  # the command field naming the stream: "project_code"
    permission: str  # "projects.change_project"
    actions: Sequence[Action]
    groups: Sequence[tuple[Promise | str, Sequence[str]]]
    choices: Callable[[Any, Action], Choices]
    initial: Callable[[Any, Action, QueryDict], dict[str, Any]]

    @property
    def url_name(self) -> str:
        """Return the admin URL name of the command pages."""
        return f"{self.model._meta.app_label}_{self.model._meta.model_name}_command"

    def action(self, slug: str) -> Action | None:
        """Return the action called ``slug``, if offered."""
        return next((a for a in self.actions if a.slug == slug), None)

    def links(self, object_id: str, query: str = "") -> list[dict[str, Any]]:
        """Return the page's actions in groups, each with its title and URL."""
        return [
            {
                "group": group,
                "actions": [
                    {
                        "slug": slug,
                        "title": action.title,
                        "url": reverse(f"admin:{self.url_name}", args=[object_id, slug]) + query,
                    }
                    for slug in slugs
                    if (action := self.action(slug)) is not None
                ],
            }
            for group, slugs in groups_of(self)
        ]


def groups_of(target: Target) -> Sequence[tuple[Promise | str, Sequence[str]]]:
    """Return the target's groups of action slugs (one group of all when none are named)."""
    return target.groups or [("", [a.slug for a in target.actions])]


def officer(request: HttpRequest) -> Actor:
    """Return the logged-in officer, acting in the admin."""
    return Actor.officer(request.user.pk)


def version_field() -> forms.IntegerField:
    """Return the hidden field carrying the version a form was opened at."""
    return forms.IntegerField(widget=forms.HiddenInput, min_value=0)


def command_view(
    request: HttpRequest, object_id: str, slug: str, *, target: Target
) -> HttpResponse:
    """Show and run one command on the record ``object_id``."""
    if not request.user.has_perm(target.permission):
        raise PermissionDenied
    action = target.action(slug)
    if action is None:
        raise Http404("No such action")
    row = get_object_or_404(target.model, pk=object_id)
    stream_id = str(row.pk)
    version = getattr(row, "version", 0)  # every read model of an aggregate carries it
    initial = {"expected_version": version, **target.initial(row, action, request.GET)}
    command_form = CommandForm(
        action.command,
        data=request.POST if request.method == "POST" else None,
        choices=target.choices(row, action),
        fixed={target.stream_field: stream_id},
        initial=initial,
        extra_fields={"expected_version": version_field()},
    )
    change_url = reverse(
        f"admin:{target.model._meta.app_label}_{target.model._meta.model_name}_change",
        args=[stream_id],
    )
    if request.method == "POST" and command_form.is_valid():
        expected = command_form.cleaned_data["expected_version"]
        if run(request, command_form, target.stream_type, expected):
            messages.success(
                request,
                _("%(action)s: recorded for %(record)s.")
                % {"action": action.title, "record": stream_id},
            )
            return HttpResponseRedirect(change_url)
    return render(
        request, title=action.title, row=row, model=target.model, sections=[("", command_form)]
    )


def register_view(
    request: HttpRequest,
    *,
    action: Action,
    model: type[models.Model],
    stream_type: str,
    stream_field: str,
    choices: Choices,
) -> HttpResponse:
    """Show and run the command that registers a new record (the admin's "Add")."""
    opts = model._meta
    if not request.user.has_perm(f"{opts.app_label}.add_{opts.model_name}"):
        raise PermissionDenied
    command_form = CommandForm(
        action.command, data=request.POST if request.method == "POST" else None, choices=choices
    )
    if (
        request.method == "POST"
        and command_form.is_valid()
        and run(request, command_form, stream_type, None)
    ):
        stream_id = command_form.cleaned_data[stream_field]
        messages.success(
            request,
            _("%(action)s: recorded for %(record)s.")
            % {"action": action.title, "record": stream_id},
        )
        return HttpResponseRedirect(
            reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[stream_id])
        )
    return render(request, title=action.title, row=None, model=model, sections=[("", command_form)])


def run(
    request: HttpRequest, command_form: CommandForm, stream_type: str, expected: int | None
) -> bool:
    """Run the form's command; on refusal put the reason on the form and return False."""
    try:
        command = command_form.command()
        handle(command, actor=officer(request), expected_version=expected)
    except ConcurrencyConflict as conflict:
        form = command_form.form
        form.data = form.data.copy()
        form.data[form.add_prefix("expected_version")] = str(conflict.current_version)
        if conflict.is_ahead:  # a version from nowhere: wrong, not stale
            form.add_error(None, error_message(version_ahead(conflict)))
        else:
            form.add_error(None, conflict_message(stream_type, conflict))
        return False
    except (DomainError, EventValidationError) as refusal:
        command_form.add_error(refusal)
        return False
    except LedgerBusy as busy:
        command_form.add_busy(busy)
        return False
    return True


def conflict_message(stream_type: str, conflict: ConcurrencyConflict) -> str:
    """Say who changed the record since the form was opened, event by event."""
    lines = []
    for event in selectors.stream_events(
        stream_type, conflict.stream_id, after_version=conflict.expected_version
    ):
        who = event.metadata.actor_id or event.metadata.organisation or event.metadata.actor_kind
        when = timezone.localtime(event.recorded_at).strftime("%Y-%m-%d %H:%M")
        lines.append(
            _("v%(version)s %(event)s by %(who)s via %(door)s at %(when)s")
            % {
                "version": event.version,
                "event": event.event.event_type,
                "who": who,
                "door": event.metadata.source,
                "when": when,
            }
        )
    return "\n".join(
        [
            _("%(record)s was changed since you opened this form:")
            % {"record": conflict.stream_id},
            *lines,
            _("Check the record, then submit again to apply your change on top."),
        ]
    )


def render(
    request: HttpRequest,
    *,
    title: Promise | str,
    row: Any,
    model: type[models.Model],
    sections: Sequence[tuple[Promise | str, Any]],
    notice: str = "",
) -> HttpResponse:
    """Render a command page: each section is a CommandForm or a formset of rows.

    A form refused because the ledger head stayed busy is shown again with the reason,
    answered 503 with ``Retry-After`` (nothing was saved; sending it again may succeed).
    """
    media = forms.Media()
    for _heading, section in sections:
        media += section.media
    context = {
        **admin.site.each_context(request),
        "title": title,
        "opts": model._meta,
        "row": row,
        "sections": [
            {
                "heading": heading,
                "command_form": s if isinstance(s, CommandForm) else None,
                "rows": None if isinstance(s, CommandForm) else s,
            }
            for heading, s in sections
        ],
        "notice": notice,
        "media": media,
        "submit_label": title,
    }
    response = TemplateResponse(request, TEMPLATE, context)
    busy = next((s.busy for _heading, s in sections if isinstance(s, CommandForm) and s.busy), None)
    if busy is not None:
        response.status_code = 503
        response["Retry-After"] = str(unavailable.retry_after(busy))
    return response
