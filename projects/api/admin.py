"""API tokens in the admin: listed read-only; issued and revoked through commands.

"Add API token" opens the issue form, which runs ``IssueApiToken`` and shows the new
token once; a token's page links to a revoke form, which runs ``RevokeApiToken``. A
domain refusal becomes a form error and nothing is written. Issuing needs the
"Can add API token" permission, revoking "Can change API token".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from projects import i18n, selectors
from projects.api import tokens
from projects.api.models import ApiToken, ApiTokenUse
from projects.application import Actor
from projects.domain.access import HolderKind
from projects.domain.errors import DomainError

TEMPLATE = "admin/api/apitoken/command_form.html"
T = TypeVar("T")


class IssueForm(forms.Form):
    """Who gets the token, what it is for, and until when."""

    holder_kind = forms.ChoiceField(
        label=_("Holder"),
        choices=[
            (HolderKind.ORGANISATION.value, _("A partner organisation")),
            (HolderKind.STAFF.value, _("A liaison officer's staff account")),
        ],
    )
    organisation = forms.ChoiceField(label=_("Organisation"), required=False)
    user: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Staff account"), queryset=None, required=False
    )
    name = forms.CharField(label=_("Name"), help_text=_("What the token is for."))
    expires_on = forms.DateField(
        label=_("Expires on"),
        required=False,
        help_text=_("YYYY-MM-DD; the token is refused from that day. Leave empty for none."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organisations = [(o.id, f"{o.id} — {o.name_en}") for o in selectors.organisation_list()]
        self.fields["organisation"].choices = [("", "---------"), *organisations]  # type: ignore[attr-defined]
        staff = get_user_model().objects.filter(is_staff=True, is_active=True)
        self.fields["user"].queryset = staff.order_by("username")  # type: ignore[attr-defined]

    def holder_id(self) -> str:
        """Return the organisation id or the staff account's key the form names."""
        if self.cleaned_data["holder_kind"] == HolderKind.STAFF.value:
            user = self.cleaned_data.get("user")
            return str(user.pk) if user is not None else ""
        return self.cleaned_data.get("organisation") or ""


class RevokeForm(forms.Form):
    """Why the token is revoked."""

    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


def _officer(request: HttpRequest) -> Actor:
    return Actor.officer(request.user.pk)


def _decided(form: forms.Form, command: Callable[[], T]) -> T | None:
    """Run ``command``; on a domain refusal put its message on the form and return None."""
    try:
        return command()
    except DomainError as refusal:
        form.add_error(_field_for(refusal, form), i18n.error_message(refusal))
        return None


def _field_for(refusal: DomainError, form: forms.Form) -> str | None:
    field = refusal.field
    if field == "holder_id" and isinstance(form, IssueForm):
        staff = form.cleaned_data.get("holder_kind") == HolderKind.STAFF.value
        return "user" if staff else "organisation"
    return field if field in form.fields else None


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = [
        "token_id",
        "name",
        "holder_kind",
        "holder_id",
        "expires_on",
        "issued_at",
        "last_used",
        "revoked_at",
    ]
    list_filter = ["holder_kind", ("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["=token_id", "name", "=holder_id"]
    readonly_fields = [*list_display, "issued_by", "revoke_reason", "version", "revoke"]  # type: ignore[list-item]
    exclude = ["secret_hash"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ApiToken]:
        uses = ApiTokenUse.objects.filter(token_id=OuterRef("pk")).values("last_used_at")
        return super().get_queryset(request).annotate(last_used_at=Subquery(uses[:1]))

    @admin.display(description=_("last used"), ordering="last_used_at")
    def last_used(self, obj: ApiToken) -> Any:
        return getattr(obj, "last_used_at", None)

    @admin.display(description=_("revoke"))
    def revoke(self, obj: ApiToken) -> str:
        if obj.revoked_at is not None:
            return gettext("Revoked.")
        url = reverse("admin:api_apitoken_revoke", args=[obj.pk])
        return format_html('<a class="button" href="{}">{}</a>', url, gettext("Revoke this token"))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("api.add_apitoken")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Rows change only by events: the page is read-only, revoking has its own form.
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_urls(self) -> list[URLPattern]:
        revoke = path(
            "<str:object_id>/revoke/",
            self.admin_site.admin_view(self.revoke_view),
            name="api_apitoken_revoke",
        )
        return [revoke, *super().get_urls()]

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        """Show and run IssueApiToken; on success show the new token once."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = IssueForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            issued = _decided(
                form,
                lambda: tokens.issue(
                    holder_kind=HolderKind(form.cleaned_data["holder_kind"]),
                    holder_id=form.holder_id(),
                    name=form.cleaned_data["name"],
                    expires_on=form.cleaned_data["expires_on"],
                    actor=_officer(request),
                ),
            )
            if issued is not None:
                return self._render(request, gettext("API token issued"), None, issued=issued)
        return self._render(request, gettext("Issue an API token"), form)

    def revoke_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Show and run RevokeApiToken."""
        if not request.user.has_perm("api.change_apitoken"):
            raise PermissionDenied
        token = get_object_or_404(ApiToken, pk=object_id)
        form = RevokeForm(request.POST or None)
        reason = form.cleaned_data["reason"] if form.is_valid() else None
        if request.method == "POST" and reason is not None:
            officer = _officer(request)
            if _decided(form, lambda: tokens.revoke(token.token_id, reason=reason, actor=officer)):
                messages.success(
                    request, gettext("API token {token} revoked.").format(token=token.token_id)
                )
                return HttpResponseRedirect(reverse("admin:api_apitoken_changelist"))
        title = gettext("Revoke API token {token} ({name})").format(
            token=token.token_id, name=token.name
        )
        return self._render(request, title, form)

    def _render(
        self, request: HttpRequest, title: str, form: forms.Form | None, **context: Any
    ) -> HttpResponse:
        return TemplateResponse(
            request,
            TEMPLATE,
            {
                **self.admin_site.each_context(request),
                "title": title,
                "opts": self.model._meta,
                "form": form,
                **context,
            },
        )
