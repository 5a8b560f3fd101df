"""Any project the checks let through serialises to valid IATI 2.03; any other is left out."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from lxml import etree

from projects.domain.values import (
    DAC_CODES,
    ActivityStatus,
    Currency,
    MilestoneStatus,
    MilestoneType,
    PartyRole,
    Sector,
)
from projects.publishing import codes, writer
from projects.publishing.provenance import Provenance
from projects.publishing.publisher import Licence, Publisher
from tests.projects.publishing import iati

PUBLISHER = Publisher(
    ref="XX-PLACEHOLDER",
    organisation="hk-gov",
    registered=True,
    org_type=10,
    names={"name_en": "Government", "name_zh_hans": "政府", "name_zh_hant": "政府"},
    default_currency="HKD",
    contact_email="opendata@example.org",
    namespace="http://testserver/open-data/#extension",
    licence=Licence("CC-BY-4.0", "Creative Commons Attribution 4.0", "https://example.org"),
)
PROVENANCE = Provenance(42, "ab" * 32, dt.datetime(2026, 5, 1, 2, 0, tzinfo=dt.UTC))

days = st.dates(dt.date(2000, 1, 1), dt.date(2100, 12, 31))
# Any text people may have typed, control characters and other scripts included.
texts = st.text(max_size=40)
# Text with something printable in it (a title, a name), anything after that.
nonblank = st.builds(lambda head, tail: head + tail, st.sampled_from(["T", "項", "Ж"]), texts)
codes_st = st.from_regex(r"[A-Z0-9]{2,6}(-[A-Z0-9]{1,6}){0,2}", fullmatch=True)


@st.composite
def sectors(draw: Any) -> tuple[str, int]:
    """A sector and its DAC code: mostly right, sometimes a code the sector does not have."""
    sector = draw(st.sampled_from(list(Sector)))
    good = DAC_CODES[sector]
    return sector.value, draw(st.sampled_from([*[good] * 8, 0, 12345]))


@st.composite
def party(draw: Any, code: str, organisation: str) -> dict[str, Any]:
    scheme = draw(st.sampled_from([None, ("HK-CR", "0738264"), ("CN-USCI", "91330105MAY")]))
    return {
        "project_id": code,
        "organisation_id": organisation,
        "roles": draw(st.sets(st.sampled_from([r.value for r in PartyRole]), min_size=1)),
        "organisation__name_en": draw(nonblank),
        "organisation__name_zh_hant": draw(texts),
        "organisation__name_zh_hans": draw(texts),
        "organisation__org_type": draw(st.sampled_from([*codes.ORGANISATION_TYPES, 99])),
        "organisation__jurisdiction": draw(
            st.sampled_from([*["HK", "CN", "CN-ZJ", "CN-ZJ-NB", "MO"] * 3, "XX"])
        ),
        "organisation__identifiers": [{"scheme": scheme[0], "id": scheme[1]}] if scheme else [],
    }


@st.composite
def milestone(draw: Any, code: str, number: int) -> dict[str, Any]:
    status = draw(st.sampled_from([s.value for s in MilestoneStatus]))
    due, original = draw(days), draw(days)
    met = draw(days) if status in {"met", "partiallyMet"} else None
    return {
        "project_id": code,
        "milestone_id": f"M{number}",
        "title_en": draw(nonblank),
        "title_zh_hant": draw(texts),
        "title_zh_hans": draw(texts),
        "milestone_type": draw(st.sampled_from([t.value for t in MilestoneType])),
        "due_date": due,
        "original_due_date": original,
        "status": status,
        "date_met": met,
        "reschedule_count": draw(st.integers(0, 50)),
        "days_slipped": (due - original).days,
    }


@st.composite
def project(draw: Any, code: str) -> tuple[dict[str, Any], list[Any], list[Any]]:
    sector, dac = draw(sectors())
    status = draw(st.sampled_from(list(ActivityStatus)))
    start = draw(days)
    end = draw(st.dates(start, dt.date(2100, 12, 31)))
    amount = draw(st.none() | st.decimals(Decimal("0.01"), Decimal("9999999999999.99"), places=2))
    row = {
        "code": code,
        "agreement_id": "HKZJ-2025-MECH",
        "sector": sector,
        "dac_code": dac,
        "title_en": draw(st.sampled_from([nonblank] * 9 + [texts]).flatmap(lambda s: s)),
        "title_zh_hant": draw(texts),
        "title_zh_hans": draw(texts),
        "description_en": draw(texts),
        "description_zh_hant": draw(texts),
        "description_zh_hans": draw(texts),
        "status": status.value,
        "status_code": status.iati_code,
        "planned_start": start,
        "planned_end": end,
        "actual_start": draw(st.none() | days),
        "actual_end": draw(st.none() | days),
        "budget_amount": amount,
        "budget_currency": draw(st.sampled_from([c.value for c in Currency])) if amount else "",
        "updated_at": dt.datetime.combine(draw(days), dt.time(10), tzinfo=dt.UTC),
    }
    smallest = draw(st.sampled_from([1] * 9 + [0]))  # now and then a project without parties
    organisations = draw(
        st.lists(st.sampled_from(["a", "b", "c", "d"]), min_size=smallest, max_size=4, unique=True)
    )
    parties = [draw(party(code, o)) for o in sorted(organisations)]
    count = draw(st.integers(0, 4))
    milestones = [draw(milestone(code, n)) for n in range(1, count + 1)]
    return row, parties, milestones


@st.composite
def registries(draw: Any) -> list[tuple[dict[str, Any], list[Any], list[Any]]]:
    names = draw(st.lists(codes_st, min_size=1, max_size=3, unique=True))
    return [draw(project(code)) for code in sorted(names)]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(registries())
def test_generated_projects_serialise_to_valid_iati_or_are_left_out(registry: list[Any]) -> None:
    out = io.BytesIO()
    written = writer.write_activities(
        out,
        provenance=PROVENANCE,
        publisher=PUBLISHER,
        projects=[p for p, _parties, _milestones in registry],
        parties=[x for _p, parties, _m in registry for x in parties],
        milestones=[m for _p, _parties, milestones in registry for m in milestones],
    )

    document = etree.fromstring(out.getvalue())
    event(f"activities written: {min(written.activities, 2)}")
    if not written.activities:  # build.build writes no activity file then (IATI needs one)
        assert document.find("iati-activity") is None
        return
    assert iati.schema_errors(document, iati.ACTIVITIES) == []
    assert iati.codelist_errors(document) == []
    published = {a.findtext("iati-identifier") for a in document.iter("iati-activity")}
    left_out = set(written.left_out)
    for row, _parties, milestones in registry:
        identifier = f"XX-PLACEHOLDER-{row['code']}"
        assert (identifier in published) != (row["code"] in left_out)
        if identifier in published:
            activity = next(
                a
                for a in document.iter("iati-activity")
                if a.findtext("iati-identifier") == identifier
            )
            assert len(activity.findall("result")) == len(milestones)
    assert written.activities == len(published) == len(registry) - len(left_out)
