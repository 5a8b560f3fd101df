"""The project and milestone lists as CSV or XLSX, with the filters the officer applied.

The export reads the changelist's own queryset (filters, search and ordering as on
screen), in chunks, and writes it as it goes: CSV streams to the client; XLSX is
written by openpyxl's write-only workbook, which keeps rows in a temporary file rather
than in memory. Imports stay commands: nothing here writes to the registry.

An exported file must not run code. A text cell that starts with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return is a formula to Excel and LibreOffice, so every text
cell of every table goes through the two writers below: in CSV it gets OWASP's quote
prefix (``'=HYPERLINK(…)`` shows as text), in XLSX it is written as a string cell, never
a formula. Texts are also neutralised to one line (``projects.domain.plaintext``), which
keeps control characters recorded before the text rules out of both formats.
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import datetime as dt
import tempfile
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.exceptions import DisallowedModelAdminLookup
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ERROR_FLAG
from django.core.exceptions import PermissionDenied
from django.db.models import Model, Prefetch, QuerySet
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell as XlsxCell
from openpyxl.styles import Font
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from projects import models as rm
from projects.domain.plaintext import neutralise_line
from projects.domain.values import ActivityStatus, MilestoneStatus, MilestoneType, PartyRole
from projects.domain.values import Sector as SectorCode
from projects.narrative.labels import code_label, codes_text, joined, localised

CHUNK = 500
Cell = str | int | Decimal | dt.date | None
# What makes a spreadsheet read a text cell as a formula (OWASP, "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclasses.dataclass(frozen=True)
class Column:
    """One column of an export: its heading and how a row gives its value."""

    heading: Promise
    value: Callable[[Any], Cell]


@dataclasses.dataclass(frozen=True)
class Table:
    """What an export holds: a sheet name, columns, and how to load rows in chunks."""

    name: Promise
    columns: tuple[Column, ...]
    prepare: Callable[[QuerySet[Any]], QuerySet[Any]]

    def headings(self) -> list[str]:
        """Return the column headings in the active language."""
        return [str(c.heading) for c in self.columns]

    def rows(self, queryset: QuerySet[Any]) -> Iterator[list[Cell]]:
        """Yield one list of cells per row, reading the queryset a chunk at a time."""
        for obj in self.prepare(queryset).iterator(chunk_size=CHUNK):
            yield [c.value(obj) for c in self.columns]


# -- projects ----------------------------------------------------------------------------


def _lead(project: rm.Project) -> str:
    return joined(localised(p.organisation, "name") for p in project.parties.all() if p.is_lead)


def _parties(project: rm.Project) -> str:
    return joined(
        f"{localised(p.organisation, 'name')} ({codes_text(PartyRole, p.roles)})"
        for p in project.parties.all()
    )


def _count(project: rm.Project, keep: Callable[[rm.Milestone], bool]) -> int:
    return sum(1 for m in project.milestones.all() if keep(m))


def _prepare_projects(queryset: QuerySet[rm.Project]) -> QuerySet[rm.Project]:
    parties = rm.Participation.objects.select_related("organisation")
    milestones = rm.Milestone.objects.only("key", "project_id", "status", "due_date")
    return queryset.select_related("agreement").prefetch_related(
        Prefetch("parties", queryset=parties), Prefetch("milestones", queryset=milestones)
    )


PROJECTS = Table(
    name=gettext_lazy("Projects"),
    columns=(
        Column(gettext_lazy("Code"), lambda p: p.code),
        Column(gettext_lazy("Title"), lambda p: localised(p, "title")),
        Column(gettext_lazy("Agreement"), lambda p: p.agreement_id),
        Column(gettext_lazy("Agreement title"), lambda p: localised(p.agreement, "title")),
        Column(gettext_lazy("Sector"), lambda p: code_label(SectorCode, p.sector)),
        Column(gettext_lazy("Status"), lambda p: code_label(ActivityStatus, p.status)),
        Column(gettext_lazy("Planned start"), lambda p: p.planned_start),
        Column(gettext_lazy("Planned end"), lambda p: p.planned_end),
        Column(gettext_lazy("Actual start"), lambda p: p.actual_start),
        Column(gettext_lazy("Actual end"), lambda p: p.actual_end),
        Column(gettext_lazy("Budget"), lambda p: p.budget_amount),
        Column(gettext_lazy("Currency"), lambda p: p.budget_currency or None),
        Column(gettext_lazy("Lead"), _lead),
        Column(gettext_lazy("Parties"), _parties),
        Column(gettext_lazy("Milestones"), lambda p: _count(p, lambda m: True)),
        Column(gettext_lazy("Met"), lambda p: _count(p, lambda m: m.status == "met")),
        Column(
            gettext_lazy("Overdue"),
            lambda p: _count(p, lambda m: m.days_overdue(timezone.localdate()) > 0),
        ),
    ),
    prepare=_prepare_projects,
)

# -- milestones --------------------------------------------------------------------------

MILESTONES = Table(
    name=gettext_lazy("Milestones"),
    columns=(
        Column(gettext_lazy("Project"), lambda m: m.project_id),
        Column(gettext_lazy("Milestone"), lambda m: m.milestone_id),
        Column(gettext_lazy("Title"), lambda m: localised(m, "title")),
        Column(gettext_lazy("Project title"), lambda m: localised(m.project, "title")),
        Column(gettext_lazy("Type"), lambda m: code_label(MilestoneType, m.milestone_type)),
        Column(gettext_lazy("Responsible"), lambda m: localised(m.responsible, "name")),
        Column(gettext_lazy("Originally due"), lambda m: m.original_due_date),
        Column(gettext_lazy("Due"), lambda m: m.due_date),
        Column(gettext_lazy("Status"), lambda m: code_label(MilestoneStatus, m.status)),
        Column(gettext_lazy("Date met"), lambda m: m.date_met),
        Column(gettext_lazy("Days overdue"), lambda m: m.days_overdue(timezone.localdate())),
        Column(gettext_lazy("Reschedules"), lambda m: m.reschedule_count),
        Column(gettext_lazy("Days slipped"), lambda m: m.days_slipped),
        Column(
            gettext_lazy("Claim awaiting confirmation"),
            lambda m: code_label(MilestoneStatus, m.claim_status) if m.claim_status else None,
        ),
    ),
    prepare=lambda queryset: queryset.select_related("project", "responsible"),
)

TABLES: dict[type[Model], Table] = {rm.Project: PROJECTS, rm.Milestone: MILESTONES}


# -- writers -----------------------------------------------------------------------------


def csv_text(cell: Cell) -> str:
    """Return a cell as CSV text that a spreadsheet shows and never runs."""
    if cell is None:
        return ""
    if isinstance(cell, dt.date):
        return cell.isoformat()
    if not isinstance(cell, str):
        return str(cell)  # a number stays a number: "-5" is minus five, not a formula
    text = neutralise_line(cell)
    # Leading spaces too: some spreadsheets trim them on import, then see the formula.
    if cell.startswith(FORMULA_STARTS) or text.lstrip().startswith(FORMULA_STARTS):
        return "'" + text
    return text


def xlsx_cell(sheet: WriteOnlyWorksheet, cell: Cell) -> Cell | XlsxCell:
    """Return a cell for an XLSX row: a text is a string cell, never a formula."""
    return xlsx_text(sheet, cell) if isinstance(cell, str) else cell


def xlsx_text(sheet: WriteOnlyWorksheet, text: str) -> XlsxCell:
    """Return ``text`` as an XLSX string cell (openpyxl would take "=…" for a formula)."""
    cell = WriteOnlyCell(sheet, value=neutralise_line(text))
    cell.data_type = "s"
    return cell


class _Echo:
    """A file-like object whose ``write`` returns what it was given, for streaming CSV."""

    def write(self, value: str) -> str:
        return value


def write_csv(table: Table, rows: Iterable[list[Cell]], filename: str) -> HttpResponseBase:
    """Return a streamed CSV (UTF-8 with a byte-order mark, which spreadsheets need)."""
    writer = csv.writer(_Echo())
    headings = table.headings()
    # The rows are written after the view has returned: keep the request's language.
    language = translation.get_language()

    def lines() -> Iterator[str]:
        yield codecs.BOM_UTF8.decode() + writer.writerow([csv_text(h) for h in headings])
        with translation.override(language):
            for row in rows:
                yield writer.writerow([csv_text(c) for c in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def write_xlsx(table: Table, rows: Iterable[list[Cell]], filename: str) -> HttpResponseBase:
    """Return an XLSX workbook of one sheet, dates as dates and numbers as numbers."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(str(table.name)[:31])
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    headings = []
    for heading in table.headings():
        cell = xlsx_text(sheet, heading)
        cell.font = bold
        headings.append(cell)
    sheet.append(headings)
    for row in rows:
        sheet.append([xlsx_cell(sheet, c) for c in row])
    # Spooled: small workbooks stay in memory, large ones go to a temporary file.
    # FileResponse closes it once sent.
    output = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
    workbook.save(output)
    output.seek(0)
    return FileResponse(
        output,
        as_attachment=True,
        filename=f"{filename}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


WRITERS = {"csv": write_csv, "xlsx": write_xlsx}


def export_view(
    model_admin: admin.ModelAdmin[Any], request: HttpRequest, fmt: str
) -> HttpResponseBase:
    """Export the changelist as filtered and searched on screen, as CSV or XLSX."""
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    writer = WRITERS.get(fmt)
    table = TABLES.get(model_admin.model)
    if writer is None or table is None:
        raise Http404(_("No such export."))
    opts = model_admin.model._meta
    try:
        changelist = model_admin.get_changelist_instance(request)
    except (IncorrectLookupParameters, DisallowedModelAdminLookup):
        messages.error(request, _("The filters in the address are not valid; nothing exported."))
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        return HttpResponseRedirect(f"{url}?{ERROR_FLAG}=1")
    queryset = changelist.get_queryset(request)
    filename = f"{opts.model_name}s-{timezone.localdate().isoformat()}"
    return writer(table, table.rows(queryset), filename)
