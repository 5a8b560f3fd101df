"""``load_seeds``: the founding data set loads whole, once; a broken set loads nothing."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from projects import models as rm
from projects import selectors
from registry.models import StoredEvent
from seeds import loader
from tests.projects import seeding

pytestmark = pytest.mark.django_db

FOUNDING = loader.DATA_DIR / loader.DEFAULT_DATASET


def records(name: str) -> list[dict[str, Any]]:
    """Return the records of one file of the founding data set."""
    return json.loads((FOUNDING / f"{name}.json").read_text(encoding="utf-8"))[name]


def load_seeds(*args: str) -> str:
    """Run ``load_seeds`` with ``args``; return what it said."""
    out = io.StringIO()
    call_command("load_seeds", *args, stdout=out)
    return out.getvalue()


# -- the founding data set ---------------------------------------------------------------


@pytest.fixture(scope="class")
def first_load(django_db_setup: None, django_db_blocker: Any) -> Iterator[str]:
    """Load the founding set into the empty registry once for the class; return the output."""

    def load() -> str:
        assert StoredEvent.objects.count() == 0
        return load_seeds()

    with seeding.held(django_db_blocker, load) as output:
        yield output


@pytest.mark.usefixtures("first_load")
class TestTheFoundingDataSet:
    def test_loading_reports_what_was_appended(self, first_load: str) -> None:
        events = StoredEvent.objects.exclude(stream_type="contact").count()
        contacts = StoredEvent.objects.filter(stream_type="contact").count()

        assert f"Loaded hk_zj_2025: {events} commands, {events} events appended" in first_load
        assert "(0 already loaded)" in first_load
        assert f"Registered {contacts} fictitious contacts of hk_zj_2025." in first_load

    def test_it_holds_every_organisation_and_agreement(self) -> None:
        organisations = {r["id"] for r in records("organisations")}
        agreements = {r["code"] for r in records("agreements")}

        assert set(rm.Organisation.objects.values_list("id", flat=True)) == organisations
        assert set(rm.Agreement.objects.values_list("code", flat=True)) == agreements
        assert len(organisations) >= 40
        assert len(agreements) >= 5

    def test_it_holds_over_fifty_projects_across_twelve_sectors(self) -> None:
        codes = [r["code"] for r in records("projects")]
        projects = rm.Project.objects.all()

        assert sorted(p.code for p in projects) == sorted(codes)
        assert len(codes) >= 50
        assert len({p.sector for p in projects}) == 12

    def test_every_project_has_two_to_six_milestones_and_a_lead(self) -> None:
        milestones = Counter(rm.Milestone.objects.values_list("project_id", flat=True))
        leads = Counter(
            rm.Participation.objects.filter(is_lead=True).values_list("project_id", flat=True)
        )

        for project in rm.Project.objects.all():
            assert 2 <= milestones[project.code] <= 6, project.code
            assert leads[project.code] == 1, project.code

    def test_every_event_is_marked_as_seed_data(self) -> None:
        metadata = list(StoredEvent.objects.values_list("metadata", flat=True))

        assert {(m["actor_kind"], m["source"]) for m in metadata} == {("seed", "seed")}
        keys = [m["idempotency_key"] for m in metadata]
        assert all(key.startswith("seed:hk_zj_2025:") for key in keys)

    def test_loading_again_appends_nothing_and_says_so(self) -> None:
        events = StoredEvent.objects.count()
        rows = rm.Milestone.objects.count()

        said = load_seeds()

        assert said.strip() == "hk_zj_2025 is already loaded: nothing appended."
        assert StoredEvent.objects.count() == events
        assert rm.Milestone.objects.count() == rows

    @pytest.mark.parametrize(
        "day",
        [
            dt.date(2026, 1, 1),
            dt.date(2026, 6, 15),
            dt.date(2026, 11, 15),
            dt.date(2027, 3, 31),
            dt.date(2027, 9, 1),
            dt.date(2027, 12, 31),
        ],
    )
    def test_any_day_of_2026_and_2027_has_overdue_met_and_upcoming_milestones(
        self, day: dt.date
    ) -> None:
        overdue = selectors.milestone_overdue(day)
        met = [
            m
            for m in selectors.milestone_due_between(dt.date(2025, 1, 1), day, open_only=False)
            if m.status == "met" and m.date_met <= day
        ]
        upcoming = selectors.milestone_due_between(
            day + dt.timedelta(days=1), dt.date(2028, 12, 31)
        )

        assert overdue.exists()
        assert met
        assert upcoming.exists()


# -- broken data sets --------------------------------------------------------------------


def small_set() -> dict[str, dict[str, Any]]:
    """Return a tiny valid data set: three organisations, one agreement, one project."""

    def org(slug: str, name: str, org_type: int, jurisdiction: str) -> dict[str, Any]:
        return {
            "id": slug,
            "names": {"en": name},
            "org_type": org_type,
            "jurisdiction": jurisdiction,
        }

    def trilingual(en: str) -> dict[str, str]:
        return {"en": en, "zh_hant": f"{en}（繁）", "zh_hans": f"{en}（简）"}

    return {
        "organisations": {
            "organisations": [
                org("hk-gov", "Government of the HKSAR", 10, "HK"),
                org("zj-gov", "Zhejiang Provincial People's Government", 11, "CN-ZJ"),
                org("unitree", "Unitree Robotics", 70, "CN-ZJ"),
            ]
        },
        "agreements": {
            "agreements": [
                {
                    "code": "TEST-MECH",
                    "titles": trilingual("Test mechanism"),
                    "signed_on": "2025-04-24",
                    "signed_place": "Hangzhou",
                    "signatories": [
                        {"organisation": "hk-gov", "person": "A. Chan", "title": "Secretary"},
                        {"organisation": "zj-gov", "person": "B. Wang", "title": "Director"},
                    ],
                    "period": {"start": "2025-04-24", "end": "2030-04-23"},
                    "sectors": ["robotics"],
                }
            ]
        },
        "projects": {
            "projects": [
                {
                    "code": "TEST-RB-01",
                    "agreement": "TEST-MECH",
                    "sector": "robotics",
                    "titles": trilingual("Quadruped robots for port inspection"),
                    "registered_on": "2025-04-25",
                    "planned_start": "2025-05-01",
                    "planned_end": "2026-12-31",
                    "parties": [
                        {"organisation": "hk-gov", "roles": ["lead", "funding"]},
                        {"organisation": "unitree", "roles": ["implementing"]},
                    ],
                    "milestones": [
                        {
                            "id": "M1",
                            "title": trilingual("Pilot deployed"),
                            "type": "delivery",
                            "due_date": "2025-09-30",
                            "responsible": "unitree",
                            "history": [
                                {
                                    "action": "claim",
                                    "on": "2025-09-20",
                                    "status": "met",
                                    "by": "unitree",
                                },
                                {"action": "confirm", "on": "2025-09-25"},
                            ],
                        },
                        {
                            "id": "M2",
                            "title": trilingual("Evaluation report"),
                            "type": "reporting",
                            "due_date": "2026-06-30",
                            "responsible": "hk-gov",
                        },
                    ],
                }
            ]
        },
    }


def write_set(root: Path, data: dict[str, dict[str, Any]], name: str = "small") -> Path:
    """Write ``data`` as the files of data set ``name`` under ``root``; return its folder."""
    folder = root / name
    folder.mkdir()
    for file, document in data.items():
        (folder / f"{file}.json").write_text(json.dumps(document, ensure_ascii=False), "utf-8")
    return folder


def test_a_small_valid_set_loads_from_another_folder(tmp_path: Path) -> None:
    write_set(tmp_path, small_set())

    said = load_seeds("small", "--data-dir", str(tmp_path))

    assert "Loaded small: 11 commands, 11 events appended" in said
    milestone = rm.Milestone.objects.get(key="TEST-RB-01/M1")
    assert (milestone.status, milestone.date_met) == ("met", dt.date(2025, 9, 20))
    assert (
        StoredEvent.objects.filter(metadata__idempotency_key__startswith="seed:small:").count()
        == 11
    )


def _project(data: dict[str, Any]) -> dict[str, Any]:
    return data["projects"]["projects"][0]


def _break_json(folder: Path) -> None:
    (folder / "projects.json").write_text('{"projects": [{"code": "TEST-RB-01",', "utf-8")


def _drop_jurisdiction(data: dict[str, Any]) -> None:
    del data["organisations"]["organisations"][1]["jurisdiction"]


def _add_website(data: dict[str, Any]) -> None:
    _project(data)["website"] = "https://example.org"


def _impossible_due_date(data: dict[str, Any]) -> None:
    _project(data)["milestones"][1]["due_date"] = "2026-02-30"


def _bad_registration_date(data: dict[str, Any]) -> None:
    _project(data)["registered_on"] = "25/04/2025"


def _unknown_party(data: dict[str, Any]) -> None:
    _project(data)["parties"][1]["organisation"] = "game-science"


BROKEN: dict[str, tuple[Callable[[Any], None], bool, tuple[str, ...]]] = {
    "invalid JSON": (_break_json, True, ("projects.json", "not valid JSON", "line 1")),
    "missing field": (
        _drop_jurisdiction,
        False,
        ("organisations.json", "organisations[1] (zj-gov)", "missing field(s): jurisdiction"),
    ),
    "unknown field": (
        _add_website,
        False,
        ("projects.json", "projects[0] (TEST-RB-01)", "unknown field(s): website"),
    ),
    "impossible date": (
        _impossible_due_date,
        False,
        ("projects.json", "projects[0] (TEST-RB-01).milestones[1]", "due_date", "'2026-02-30'"),
    ),
    "date not in ISO format": (
        _bad_registration_date,
        False,
        ("projects.json", "projects[0] (TEST-RB-01).registered_on", "YYYY-MM-DD"),
    ),
    # Refused by the domain on the seventh command: the six before it roll back too.
    "party that is no registered organisation": (
        _unknown_party,
        False,
        ("projects.json", "projects[0] (TEST-RB-01).parties[1]", "game-science"),
    ),
}


@pytest.mark.parametrize(("breakage", "on_files", "named"), BROKEN.values(), ids=BROKEN.keys())
def test_a_broken_set_is_refused_naming_where_and_nothing_is_written(
    tmp_path: Path, breakage: Callable[[Any], None], on_files: bool, named: tuple[str, ...]
) -> None:
    data = small_set()
    if not on_files:
        breakage(data)
    folder = write_set(tmp_path, data)
    if on_files:
        breakage(folder)

    with pytest.raises(CommandError) as refused:
        load_seeds("small", "--data-dir", str(tmp_path))

    message = str(refused.value)
    assert message.startswith("Seed data not loaded, nothing written.")
    assert str(folder) in message
    for part in named:
        assert part in message
    assert StoredEvent.objects.count() == 0
    assert not rm.Organisation.objects.exists()
    assert not rm.Agreement.objects.exists()


def test_a_domain_refusal_late_in_the_set_rolls_back_every_earlier_command(tmp_path: Path) -> None:
    data = small_set()
    # M2's owner is not a party: refused only after the organisations, the agreement,
    # the project, its parties and M1 were all decided and appended.
    _project(data)["milestones"][1]["responsible"] = "zj-gov"
    write_set(tmp_path, data)

    with pytest.raises(
        CommandError, match=r"milestones\[1\]: responsible_party: zj-gov is not a party"
    ):
        load_seeds("small", "--data-dir", str(tmp_path))

    assert StoredEvent.objects.count() == 0
    assert not rm.Project.objects.exists()


def test_an_unknown_data_set_is_refused_naming_the_known_ones(tmp_path: Path) -> None:
    write_set(tmp_path, small_set())

    with pytest.raises(CommandError) as refused:
        load_seeds("hk_zj_2026", "--data-dir", str(tmp_path))

    assert "no seed data set 'hk_zj_2026'" in str(refused.value)
    assert "(known: small)" in str(refused.value)
    assert StoredEvent.objects.count() == 0


def test_a_data_folder_that_does_not_exist_is_refused(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-folder"

    with pytest.raises(CommandError) as refused:
        load_seeds("hk_zj_2025", "--data-dir", str(missing))

    assert f"no seed data set 'hk_zj_2025' in {missing} (known: none)" in str(refused.value)
    assert StoredEvent.objects.count() == 0
