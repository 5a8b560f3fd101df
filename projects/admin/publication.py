"""Publishing projects as open data from the project list: bulk actions asking for a reason.

Each selected project gets its own ``PublishProject`` (or ``WithdrawProject``) through
the application layer, with the one reason the officer gave: a project already
published (or not published) is reported and the others go on.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from projects import models as rm
from projects.admin.commandviews import officer
from projects.application import handle
from projects.domain import limits
from projects.domain import project as pr
from projects.domain.errors import DomainError
from projects.i18n import error_message
from registry.errors import EventValidationError, RegistryError

TEMPLATE = "admin/projects/project/publication.html"


class ReasonForm(forms.Form):
    """The one reason recorded with every project of a bulk decision."""

    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=limits.REASON_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
    )


def _decide(
    request: HttpRequest,
    projects: QuerySet[rm.Project],
    *,
    command: Callable[[str, str], pr.ProjectCommand],
    action: str,
    title: str,
    done: str,
) -> HttpResponse | None:
    form = ReasonForm(request.POST if "apply" in request.POST else None)
    codes = list(projects.order_by("code").values_list("code", flat=True))
    if not form.is_bound or not form.is_valid():
        context: dict[str, Any] = {
            **admin.site.each_context(request),
            "title": title,
            "form": form,
            "codes": codes,
            "action": action,
            "opts": rm.Project._meta,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, TEMPLATE, context)
    recorded = 0
    for code in codes:
        try:
            handle(command(code, form.cleaned_data["reason"]), actor=officer(request))
            recorded += 1
        except DomainError as refusal:
            messages.warning(request, f"{code}: {error_message(refusal)}")
        except EventValidationError as refusal:  # a reason beyond its limit, and the like
            messages.warning(request, f"{code}: {refusal}")
        except RegistryError as failure:  # one project's trouble never stops the others
            messages.error(request, f"{code}: {failure}")
    if recorded:
        messages.success(request, done.format(count=recorded))
    return None


@admin.action(description=gettext_lazy("Publish as open data (IATI)"), permissions=["publish"])
def publish(
    modeladmin: admin.ModelAdmin[Any], request: HttpRequest, queryset: QuerySet[rm.Project]
) -> HttpResponse | None:
    """Publish the selected projects, with a reason."""
    return _decide(
        request,
        queryset,
        command=pr.PublishProject,
        action="publish",
        title=_("Publish projects as open data"),
        done=_("Published {count} project(s) as open data."),
    )


@admin.action(description=gettext_lazy("Withdraw from open data"), permissions=["publish"])
def withdraw(
    modeladmin: admin.ModelAdmin[Any], request: HttpRequest, queryset: QuerySet[rm.Project]
) -> HttpResponse | None:
    """Withdraw the selected projects from open data, with a reason."""
    return _decide(
        request,
        queryset,
        command=pr.WithdrawProject,
        action="withdraw",
        title=_("Withdraw projects from open data"),
        done=_("Withdrew {count} project(s) from open data."),
    )


ACTIONS = [publish, withdraw]
