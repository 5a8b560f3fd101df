"""The admin's lists come in their default order straight from an index, never from a sort.

A national registry holds tens of thousands of milestones; a changelist that sorts them
all to show the first hundred reads the whole table and spills the sort to disk. Each
list below is asked for its first page the way the admin asks, and the database's plan
must read it in index order.
"""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.db import connection, models
from django.test import RequestFactory

from projects import models as rm
from registry.models import StoredEvent

pytestmark = [pytest.mark.django_db]

LISTS = [rm.Milestone, rm.Organisation, rm.Agreement, rm.Project, StoredEvent]


def _first_page(model: type[models.Model]) -> models.QuerySet[models.Model]:
    """Return the queryset of the first changelist page, as the admin builds it."""
    request = RequestFactory().get("/")
    request.user = User(is_superuser=True, is_staff=True)
    changelist = admin.site._registry[model].get_changelist_instance(request)
    return changelist.get_queryset(request)[: changelist.list_per_page]


def _plan(queryset: models.QuerySet[models.Model]) -> str:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # On near-empty tables a scan and a sort are cheapest; with both priced out,
            # a Sort left in the plan means no index can give the order.
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_sort = off")
        return queryset.explain()
    return queryset.explain()


@pytest.mark.parametrize("model", LISTS, ids=[m._meta.label for m in LISTS])
def test_the_changelist_reads_its_default_order_from_an_index(model: type[models.Model]) -> None:
    plan = _plan(_first_page(model))

    sorting = "Sort" if connection.vendor == "postgresql" else "TEMP B-TREE FOR ORDER BY"
    assert sorting not in plan, plan
