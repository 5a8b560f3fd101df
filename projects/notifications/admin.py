"""The notifications in the admin: who receives what, what went out, and a digest preview.

- **Subscriptions** lists every recipient (partner contacts, liaison staff) with what
  they receive and in which language; a recipient's page changes that through
  recipient commands (``Subscribe``, ``Unsubscribe``, ``SetStaffPreferences``), never by
  saving a row, and links to a preview of their digest as HTML, built now and neither
  recorded nor sent.
- **Dispatch log** shows every reminder and digest: to whom, when, why, and whether it
  was sent (with its Message-ID) or failed (with the error). It is read-only.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Max
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from projects import selectors
from projects.application import Actor, unit_of_work
from projects.domain import following as fo
from projects.domain import recipient as rc
from projects.domain.contact import Language
from projects.domain.errors import DomainError
from projects.domain.values import Sector
from projects.i18n import error_message
from projects.labels import enum_choices, localised
from projects.models import Agreement
from projects.notifications import jobs
from projects.notifications.models import (
    FREQUENCY_CHOICES,
    LANGUAGE_CHOICES,
    Dispatch,
    Subscription,
)
from projects.notifications.outbox import MailKind, State
from projects.notifications.recipients import Recipient, recipient_get, recipient_list
from registry.errors import ConcurrencyConflict

PAGE_SIZE = 100
OWN_LANGUAGE: list[tuple[str, str]] = [("", _("their own language"))]  # type: ignore[list-item]


@admin.register(Dispatch)
class DispatchAdmin(admin.ModelAdmin):
    """The dispatch log, read-only: what went to whom, when, and why."""

    list_display = (
        "claimed_at",
        "kind",
        "recipient_name",
        "why",
        "subject_line",
        "state",
        "sent_at",
    )
    list_filter = ("state", "kind", "why", "language")
    search_fields = ("subject_line", "subject", "recipient", "message_id", "contact__email")
    date_hierarchy = "claimed_at"
    list_select_related = ("contact", "user")
    fields = (
        ("kind", "subject", "series_date", "occasion"),
        ("recipient", "recipient_name"),
        ("why", "language"),
        "subject_line",
        ("state", "attempts"),
        ("claimed_at", "claimed_by"),
        ("sent_at", "message_id"),
        "error",
        ("ledger_position", "ledger_hash"),
        "occasions",
    )
    readonly_fields = tuple(
        name for group in fields for name in (group if isinstance(group, tuple) else (group,))
    )

    @admin.display(description=_("name and address"))
    def recipient_name(self, row: Dispatch) -> str:
        """Return the recipient as the vault or the user has them now."""
        if row.contact is not None:
            if row.contact.erased_at is not None:
                return gettext("(erased contact)")
            return f"{row.contact.name} <{row.contact.email}>"
        if row.user is not None:
            return f"{row.user.get_full_name() or row.user.get_username()} <{row.user.email}>"
        return row.recipient

    @admin.display(description=_("what the mail tells of"))
    def occasions(self, row: Dispatch) -> str:
        """Return a reminder mail's occasions, one a line: what, which milestone, its date."""
        return "\n".join(
            f"{MailKind(kind).label} · {subject} · {series_date}"
            for kind, subject, series_date, _occasion in row.items
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class RecipientForm(forms.Form):
    """What one recipient receives; an officer also chooses what to follow."""

    reminders = forms.BooleanField(label=_("Receives milestone reminders"), required=False)
    reminders_language = forms.ChoiceField(
        label=_("Language of reminders"), choices=OWN_LANGUAGE + LANGUAGE_CHOICES, required=False
    )
    reminders_frequency = forms.ChoiceField(
        label=_("How often reminders come"), choices=FREQUENCY_CHOICES
    )
    digest = forms.BooleanField(label=_("Receives the weekly digest"), required=False)
    digest_language = forms.ChoiceField(
        label=_("Language of the digest"), choices=OWN_LANGUAGE + LANGUAGE_CHOICES, required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    reason = forms.CharField(label=_("Why (optional)"), required=False, max_length=500)

    def __init__(self, *args: Any, staff: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if staff:
            self.fields["language"] = forms.ChoiceField(
                label=_("Preferred language"), choices=LANGUAGE_CHOICES
            )
            self.fields["agreements"] = forms.MultipleChoiceField(
                label=_("Agreements followed"),
                choices=[
                    (a.code, f"{a.code} — {localised(a, 'title')}") for a in Agreement.objects.all()
                ],
                required=False,
                widget=forms.CheckboxSelectMultiple,
                help_text=_("None chosen (and no sector): every project."),
            )
            self.fields["sectors"] = forms.MultipleChoiceField(
                label=_("Sectors followed"),
                choices=enum_choices(Sector),
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )
            self.fields["digest_followed_only"] = forms.BooleanField(
                label=_("Digest of my projects only"),
                required=False,
                help_text=_(
                    "The weekly digest covers only the projects followed with “Follow” on "
                    "their pages (My projects), not the agreements and sectors above."
                ),
            )


def _initial(person: Recipient, version: int) -> dict[str, Any]:
    initial: dict[str, Any] = {"version": version}
    for kind in rc.Kind:
        chosen = next((lang for k, _on, lang in person.subscriptions if k == kind.value), "")
        initial[kind.value] = person.receives(kind)
        initial[f"{kind.value}_language"] = chosen
    initial.update(language=person.language, agreements=person.agreements, sectors=person.sectors)
    initial["digest_followed_only"] = person.projects is not None
    initial["reminders_frequency"] = person.reminder_frequency.value
    return initial


def _commands(
    person: Recipient, data: dict[str, Any]
) -> list[rc.RecipientCommand | fo.FollowingCommand]:
    """Return the commands that take ``person`` from what is recorded to ``data``."""
    commands: list[rc.RecipientCommand | fo.FollowingCommand] = []
    before = _initial(person, 0)
    for kind in rc.Kind:
        wanted, language = data[kind.value], data[f"{kind.value}_language"]
        if wanted and (not before[kind.value] or language != before[f"{kind.value}_language"]):
            chosen = Language(language) if language else None
            commands.append(rc.Subscribe(person.recipient_id, kind, chosen))
        elif not wanted and before[kind.value]:
            commands.append(rc.Unsubscribe(person.recipient_id, kind, rc.Via.ADMIN))
    if data["reminders_frequency"] != before["reminders_frequency"]:
        frequency = rc.Frequency(data["reminders_frequency"])
        commands.append(rc.SetReminderFrequency(person.recipient_id, frequency))
    if person.is_staff:
        staff = (data["language"], sorted(data["agreements"]), sorted(data["sectors"]))
        if staff != (before["language"], sorted(person.agreements), sorted(person.sectors)):
            commands.append(
                rc.SetStaffPreferences(
                    person.recipient_id,
                    Language(data["language"]),
                    tuple(data["agreements"]),
                    tuple(Sector(s) for s in data["sectors"]),
                )
            )
        if data["digest_followed_only"] != (person.projects is not None):
            commands.append(
                fo.ChooseDigestScope(person.recipient_id, bool(data["digest_followed_only"]))
            )
    return commands


def _own(request: HttpRequest, recipient_id: str) -> bool:
    """Return True when the officer is looking at their own mail settings (always allowed)."""
    return recipient_id == f"staff:{request.user.pk}"


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    """Recipients and their subscriptions, changed by command."""

    def get_urls(self) -> list[URLPattern]:
        own = [
            path(
                "recipient/<str:recipient_id>/",
                self.admin_site.admin_view(self.recipient_view),
                name="notifications_recipient",
            ),
            path(
                "recipient/<str:recipient_id>/preview/",
                self.admin_site.admin_view(self.preview_view),
                name="notifications_recipient_preview",
            ),
        ]
        return own + super().get_urls()

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        """List every recipient with what they receive, a page at a time."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        query = request.GET.get("q", "").strip().lower()
        people = [
            p
            for p in recipient_list()
            if not query or query in f"{p.name} {p.email} {p.organisation_id or ''}".lower()
        ]
        page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("p"))
        ids = [p.recipient_id for p in page]
        last = dict(
            Dispatch.objects.filter(kind=MailKind.DIGEST, state=State.SENT, recipient__in=ids)
            .values("recipient")
            .annotate(at=Max("sent_at"))
            .values_list("recipient", "at")
        )
        rows = [{"person": p, "last_digest": last.get(p.recipient_id)} for p in page]
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Recipients and their subscriptions"),
            "opts": self.model._meta,
            "rows": rows,
            "page": page,
            "query": query,
        }
        return TemplateResponse(request, "admin/notifications/recipients.html", context)

    def _person(self, request: HttpRequest, recipient_id: str) -> Recipient:
        if not (self.has_view_or_change_permission(request) or _own(request, recipient_id)):
            raise PermissionDenied
        person = recipient_get(recipient_id)
        if person is None:
            raise Http404(gettext("No recipient receiving mail has this id."))
        return person

    def recipient_view(self, request: HttpRequest, recipient_id: str) -> HttpResponse:
        """Show one recipient's subscriptions and change them by command."""
        person = self._person(request, recipient_id)
        version = selectors.stream_version(rc.STREAM_TYPE, recipient_id)
        can_change = self.has_change_permission(request) or _own(request, recipient_id)
        if request.method == "POST":
            if not can_change:
                raise PermissionDenied
            form = RecipientForm(request.POST, staff=person.is_staff)
            if form.is_valid() and self._apply(request, person, form):
                return HttpResponseRedirect(request.path)
        else:
            form = RecipientForm(initial=_initial(person, version), staff=person.is_staff)
        context = {
            **self.admin_site.each_context(request),
            "title": person.name,
            "opts": self.model._meta,
            "person": person,
            "form": form,
            "can_change": can_change,
            "preview_url": reverse("admin:notifications_recipient_preview", args=[recipient_id]),
            "dispatches": Dispatch.objects.filter(recipient=recipient_id)[:20],
        }
        return TemplateResponse(request, "admin/notifications/recipient.html", context)

    def _apply(self, request: HttpRequest, person: Recipient, form: RecipientForm) -> bool:
        commands = _commands(person, form.cleaned_data)
        if not commands:
            messages.info(request, gettext("Nothing to change."))
            return True
        actor = Actor.officer(request.user.pk)
        reason = form.cleaned_data["reason"] or None
        try:
            with unit_of_work() as unit:
                expected: int | None = form.cleaned_data["version"]
                for command in commands:
                    # The version the form was opened at is the recipient stream's.
                    mine = isinstance(command, rc.RecipientCommand)
                    version = expected if mine else None
                    unit.handle(command, actor=actor, reason=reason, expected_version=version)
                    if mine:
                        expected = None  # the same transaction holds the stream from here on
        except ConcurrencyConflict:
            form.add_error(
                None,
                gettext(
                    "Someone changed this recipient's subscriptions while the form was open. "
                    "Open it again to see what is recorded now."
                ),
            )
            return False
        except DomainError as err:
            field = err.field if err.field in form.fields else None
            form.add_error(field, error_message(err))
            return False
        messages.success(request, gettext("Recorded."))
        return True

    def preview_view(self, request: HttpRequest, recipient_id: str) -> HttpResponse:
        """Return the recipient's digest as HTML, built now; nothing is recorded or sent."""
        person = self._person(request, recipient_id)
        rendered = jobs.digest_preview(person)
        response = HttpResponse(rendered.html)
        response["Content-Language"] = rendered.language
        return response
