"""The admin's "Add project": a project, its budget, parties and first milestones on one page.

The page is recorded as the sequence of commands an officer would otherwise run one by
one (RegisterProject, SetProjectBudget, AddParty for each party, ScheduleMilestone for
each milestone) in one transaction: if the domain refuses any one, nothing is written
and the refusal is shown on the row it came from.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from projects import models as rm
from projects import selectors
from projects.admin.commandforms import (
    CommandForm,
    RowFormSet,
    each_refusal,
    place_error,
    row_formset,
)
from projects.admin.commandviews import officer, render
from projects.application import handle, parse, unit_of_work
from projects.domain import project as pr
from projects.domain.errors import DomainError
from projects.labels import localised
from registry.errors import EventValidationError, LedgerBusy

TITLE = gettext_lazy("Register a project")
ROWS = 3  # blank rows offered for parties and for milestones


@dataclasses.dataclass
class Step:
    """One command of the page, and where on the page it came from."""

    command: Any
    form: forms.Form
    where: str
    formsets: dict[str, RowFormSet] | None = None


class ProjectSetup:
    """The sections of the page: project, budget, parties, milestones."""

    def __init__(self, data: Any = None) -> None:
        agreements = [
            (a.code, f"{a.code} — {localised(a, 'title')}")
            for a in selectors.agreement_list(in_force=True)
        ]
        organisations = [
            (o.id, f"{localised(o, 'name')} ({o.id})") for o in selectors.organisation_list()
        ]
        fixed_code = frozenset({"project_code"})
        self.project = CommandForm(
            pr.RegisterProject, data=data, choices={"agreement_code": agreements}, prefix="project"
        )
        self.budget = CommandForm(
            pr.SetProjectBudget,
            data=data,
            fixed={"project_code": "", "reason": None},
            prefix="budget",
            optional=True,
        )
        parties = row_formset(
            pr.AddParty,
            choices={"organisation_id": organisations},
            fixed=fixed_code,
            extra=ROWS,
            check_value=False,
            keep_initial_rows=False,
        )
        self.parties = parties(data, prefix="parties")
        milestones = row_formset(
            pr.ScheduleMilestone,
            choices={"responsible_party": organisations},
            fixed=fixed_code,
            extra=0,
            check_value=False,
            keep_initial_rows=False,
        )
        proposed = [{"milestone_id": f"M{n}"} for n in range(1, ROWS + 1)]
        self.milestones = milestones(data, prefix="milestones", initial=proposed)

    @property
    def sections(self) -> list[tuple[Any, Any]]:
        """Return the page's sections as (heading, form or formset)."""
        return [
            (gettext_lazy("Project"), self.project),
            (gettext_lazy("Budget (optional)"), self.budget),
            (gettext_lazy("Parties"), self.parties),
            (gettext_lazy("First milestones"), self.milestones),
        ]

    def is_valid(self) -> bool:
        """Return True if every section is valid (all are checked, to show every error)."""
        results = [
            self.project.is_valid(),
            self.budget.is_valid(),
            self.parties.is_valid(),
            self.milestones.is_valid(),
        ]
        return all(results)

    def steps(self) -> list[Step] | None:
        """Build the sequence of commands; None (with the error shown) if one is malformed."""
        steps: list[Step] = []
        code = self.project.cleaned_data["project_code"]
        try:
            steps.append(
                Step(
                    self.project.command(),
                    self.project.form,
                    _("the project"),
                    self.project.formsets,
                )
            )
        except (DomainError, EventValidationError) as invalid:
            self.project.add_error(invalid)
            return None
        if self.budget.cleaned_data.get("budget__amount") is not None:
            self.budget.fixed["project_code"] = code
            try:
                steps.append(Step(self.budget.command(), self.budget.form, _("the budget")))
            except (DomainError, EventValidationError) as invalid:
                self.budget.add_error(invalid)
                return None
        for label, formset in (
            (_("party row %(row)s"), self.parties),
            (_("milestone row %(row)s"), self.milestones),
        ):
            for index, row in formset.filled_forms():
                try:
                    fixed = {"project_code": code}
                    command: Any = parse(row.value_class, row.row_json(), fixed=fixed)
                    steps.append(Step(command, row, label % {"row": index + 1}))
                except (DomainError, EventValidationError) as invalid:
                    for error in each_refusal(invalid):
                        place_error(row, error)
                    return None
        return steps


def register_project_view(request: HttpRequest) -> HttpResponse:
    """Show and run the Add project page."""
    if not request.user.has_perm("projects.add_project"):
        raise PermissionDenied
    setup = ProjectSetup(request.POST if request.method == "POST" else None)
    if request.method == "POST" and setup.is_valid():
        steps = setup.steps()
        if steps is not None and _record(request, setup, steps):
            code = setup.project.cleaned_data["project_code"]
            messages.success(
                request,
                _(
                    "Project %(code)s registered with %(parties)s parties and "
                    "%(milestones)s milestones."
                )
                % {
                    "code": code,
                    "parties": sum(isinstance(s.command, pr.AddParty) for s in steps),
                    "milestones": sum(isinstance(s.command, pr.ScheduleMilestone) for s in steps),
                },
            )
            return HttpResponseRedirect(reverse("admin:projects_project_change", args=[code]))
    return render(request, title=TITLE, row=None, model=rm.Project, sections=setup.sections)


def _record(request: HttpRequest, setup: ProjectSetup, steps: list[Step]) -> bool:
    """Run the steps in one transaction; on a refusal write nothing and say which row."""
    # Every step carries the request's id as its correlation id (filled in by the store).
    actor = officer(request)
    current = steps[0]
    try:
        with unit_of_work():
            for current in steps:
                handle(current.command, actor=actor)
    except (DomainError, EventValidationError) as refusal:
        place_error(current.form, refusal, formsets=current.formsets)
        setup.project.form.add_error(
            None, _("Nothing was recorded: %(where)s was refused.") % {"where": current.where}
        )
        return False
    except LedgerBusy as busy:
        setup.project.add_busy(busy)
        return False
    return True
