""" "My account": an officer's own name and address, and the ways to their own settings.

Any staff member may change their own name and email address here (Django's user
record, not the registry's log: staff accounts live in Django's auth tables), whatever
their group; the page links to their mail settings, their password and the projects
they follow. Reminders and digests go to the address given here.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from projects import selectors
from projects.labels import joined, localised
from projects.roles import group_label

FIELDS = ("first_name", "last_name", "email")


class AccountForm(forms.ModelForm):
    """The officer's own name and address."""

    class Meta:
        model = get_user_model()
        fields = FIELDS
        labels = {
            "first_name": gettext_lazy("Given name"),
            "last_name": gettext_lazy("Family name"),
            "email": gettext_lazy("Email address"),
        }
        help_texts = {
            "email": gettext_lazy(
                "Milestone reminders and the weekly digest go to this address; "
                "leave it empty to receive no mail."
            ),
        }


def account_view(request: HttpRequest) -> HttpResponse:
    """Show and change the logged-in officer's own name and address."""
    user = request.user
    form = AccountForm(request.POST or None, instance=user)
    if request.method == "POST" and form.is_valid():
        if form.has_changed():
            form.save()
            messages.success(request, _("Your name and address are saved."))
        else:
            messages.info(request, _("Nothing to change."))
        return HttpResponseRedirect(reverse("admin_account"))
    followed = selectors.projects_followed(user.pk)
    context = {
        **admin.site.each_context(request),
        "title": _("My account"),
        "form": form,
        "groups": joined(group_label(n) for n in user.groups.values_list("name", flat=True)),
        # Mail goes to staff with an address; the page is the notifications door's.
        "mail_url": reverse("admin:notifications_recipient", args=[f"staff:{user.pk}"])
        if user.email  # type: ignore[union-attr]
        else "",
        "followed": [
            {"code": p.code, "title": localised(p, "title")} for p in followed.order_by("code")
        ],
        "mine_url": reverse("admin:projects_project_changelist") + "?mine=1",
    }
    return TemplateResponse(request, "admin/projects/account.html", context)


def account_urls() -> list[URLPattern]:
    """Return the URL of "My account", inside the admin (login and staff required)."""
    return [path("admin/account/", admin.site.admin_view(account_view), name="admin_account")]
