"""The report page: a milestone's outcome recorded from the link in a reminder mail.

``GET /report/<token>/`` shows the milestone (project, title, due date, responsible
organisation) and a form (``outcome``, ``date``, ``note``) in the mail's language;
``POST`` records ``ClaimMilestone`` for the contact's organisation, with the contact as
actor (by id) and source ``mail``, through the same application layer as the API. The
signed token (``projects.reportlink``) is the authority: no login, no cookie. It is
refused, with a page in the contact's language and nothing written, when it was altered
(400), has expired (410), names a contact no longer registered (410) or a milestone
that does not exist (404), was used already (409), names a milestone the contact's
organisation is not responsible for (403), one with a claim already pending, closed, or
changed since the mail was written (409). The link is used once: its report is recorded
under an idempotency key of its own, so even two posts at the same moment record one.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from projects import selectors
from projects.application import (
    Actor,
    ConcurrencyConflict,
    IdempotencyKeyReused,
    InvalidInput,
    handle,
    parse,
)
from projects.domain import ClaimedStatus, ClaimMilestone
from projects.domain.errors import DomainError
from projects.i18n import error_message
from projects.labels import code_label, localised
from projects.models import Contact, Milestone
from projects.reportlink import ReportLink, Validity, read_report_token
from projects.reports.refusals import Refusal, refusal

# The form's fields, by the name the page gives them, and the command field each fills.
REPORT_FIELDS = {"outcome": "claimed_status", "date": "claimed_date", "note": "note"}
OUTCOMES = [ClaimedStatus.MET, ClaimedStatus.PARTIALLY_MET, ClaimedStatus.NOT_MET]
ATTEMPTS = 3  # a project changed elsewhere between reading and recording: read again


def _page(
    request: HttpRequest, template: str, context: dict[str, Any], *, status: int = 200
) -> HttpResponse:
    response = render(request, f"reports/{template}.html", context, status=status)
    response["Content-Language"] = translation.get_language()
    response["Cache-Control"] = "no-store"  # a page about one contact's link, never shared
    response["X-Robots-Tag"] = "noindex"
    return response


def _refused(request: HttpRequest, refused: Refusal) -> HttpResponse:
    return _page(request, "refused", {"refusal": refused}, status=refused.status)


def _milestone_context(milestone: Milestone, language: str) -> dict[str, Any]:
    return {
        "milestone": milestone,
        "milestone_title": localised(milestone, "title", language),
        "project_title": localised(milestone.project, "title", language),
        "responsible": localised(milestone.responsible, "name", language),
    }


def _check(link: ReportLink) -> tuple[Contact, Milestone] | Refusal:
    """Return the link's contact and milestone, or why the link cannot be used now."""
    contact = selectors.contact_get(link.contact_id)
    if contact is None:
        return refusal("contact-gone")
    milestone = selectors.milestone_get(link.milestone_key)
    if milestone is None:
        return refusal("no-milestone")
    language = translation.get_language()
    if selectors.request_recorded(organisation=contact.organisation_id, key=link.idempotency_key):
        return refusal("used", milestone=milestone, language=language)
    if milestone.responsible_id != contact.organisation_id:
        return refusal("not-responsible", milestone=milestone, language=language)
    if milestone.claim_status:
        return refusal("pending", milestone=milestone, language=language)
    if not milestone.is_open:
        return refusal("closed", milestone=milestone, language=language)
    if milestone.version != link.version:
        return refusal("changed", milestone=milestone, language=language)
    return contact, milestone


def _form_data(request: HttpRequest) -> dict[str, str]:
    data = request.POST.dict()
    if not data.get("note", "").strip():
        data.pop("note", None)  # an empty note is no note
    return data


def _outside_field(field: str | None) -> str | None:
    """Return the form's name for a refused command field, or None if the form has none."""
    if field in REPORT_FIELDS:
        return field
    return next((outside for outside, inside in REPORT_FIELDS.items() if inside == field), None)


def _field_message(field: str | None) -> str:
    """Return what to do about a field the form's data got wrong."""
    messages = {
        "outcome": gettext("Choose whether the milestone was met, partially met or not met."),
        "date": gettext("Give the date as YYYY-MM-DD."),
        "note": gettext("The note must be text."),
    }
    return messages.get(field or "", gettext("This form has no such field."))


def _form(
    request: HttpRequest,
    milestone: Milestone,
    *,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    language = translation.get_language()
    values = request.POST if request.method == "POST" else {}
    errors = dict(errors or {})
    general_error = errors.pop("", "")
    context = {
        **_milestone_context(milestone, language),
        "outcomes": [(s.value, code_label(ClaimedStatus, s.value)) for s in OUTCOMES],
        "chosen": values.get("outcome", ""),
        "date": values.get("date", timezone.localdate().isoformat()),
        "today": timezone.localdate().isoformat(),
        "note": values.get("note", ""),
        "errors": errors,
        "general_error": general_error,
    }
    return _page(request, "report", context, status=status)


def _record(request: HttpRequest, token: str, link: ReportLink) -> HttpResponse:
    """Record the contact's report, or answer why not; redirect to the confirmation."""
    for _attempt in range(ATTEMPTS):
        checked = _check(link)
        if isinstance(checked, Refusal):
            return _refused(request, checked)
        contact, milestone = checked
        language = translation.get_language()
        try:
            command = parse(
                ClaimMilestone,
                _form_data(request),
                names=REPORT_FIELDS,
                fixed={
                    "project_code": link.project_code,
                    "milestone_id": link.milestone_id,
                    "claimant": contact.organisation_id,
                },
            )
            result = handle(
                command,
                actor=Actor.contact(contact.id, organisation=contact.organisation_id),
                # The project as read just now: a change meanwhile is checked again above.
                expected_version=milestone.project.version,
                idempotency_key=link.idempotency_key,
            )
        except InvalidInput as invalid:
            errors = {
                _outside_field(e.field) or "": _field_message(e.field) for e in invalid.errors
            }
            return _form(request, milestone, errors=errors, status=400)
        except ConcurrencyConflict:
            continue
        except IdempotencyKeyReused:
            return _refused(request, refusal("used", milestone=milestone, language=language))
        except DomainError as refused:
            field = _outside_field(refused.field)
            if field is not None:
                errors = {field: error_message(refused)}
                return _form(request, milestone, errors=errors, status=400)
            return _refused(request, refusal("refused", detail=error_message(refused)))
        if result.replayed:  # the same link posted twice at once: the other one recorded it
            return _refused(request, refusal("used", milestone=milestone, language=language))
        return HttpResponseRedirect(reverse("reports:done", args=[token]), status=303)
    return _refused(request, refusal("busy"))


@csrf_exempt  # no session or cookie: the signed, single-use token in the URL is the authority
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest, token: str) -> HttpResponse:
    """Show the milestone and the form (GET), or record the contact's report (POST)."""
    read = read_report_token(token)
    with translation.override(read.language):
        if read.validity is Validity.ALTERED or read.link is None:
            return _refused(request, refusal("altered"))
        if read.validity is Validity.EXPIRED:
            return _refused(request, refusal("expired"))
        if request.method == "POST":
            return _record(request, token, read.link)
        checked = _check(read.link)
        if isinstance(checked, Refusal):
            return _refused(request, checked)
        return _form(request, checked[1])


@require_GET
def done(request: HttpRequest, token: str) -> HttpResponse:
    """Confirm that the link's report was recorded, and say what happens next."""
    read = read_report_token(token)
    with translation.override(read.language):
        link = read.link
        if read.validity is Validity.ALTERED or link is None:
            return _refused(request, refusal("altered"))
        contact = selectors.contact_get(link.contact_id)
        milestone = selectors.milestone_get(link.milestone_key)
        recorded = contact is not None and selectors.request_recorded(
            organisation=contact.organisation_id, key=link.idempotency_key
        )
        if milestone is None or not recorded:
            return _refused(request, refusal("not-recorded"))
        context = {
            **_milestone_context(milestone, read.language),
            "claim": code_label(ClaimedStatus, milestone.claim_status)
            if milestone.claim_status
            else "",
            "claim_date": milestone.claim_date,
        }
        return _page(request, "done", context)
