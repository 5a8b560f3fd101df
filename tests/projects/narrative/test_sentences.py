"""Every event reads as a sentence, in English, Traditional and Simplified Chinese."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import translation

from projects import narrative
from projects.domain import project as pr
from registry.events import Event
from tests.projects.narrative.examples import NAMES, every_event, recorded

LANGUAGES = ["en", "zh-hant", "zh-hans"]
# The examples mark each language's data: Ⓣ Traditional, Ⓢ Simplified.
CHINESE_SCRIPT = {"zh-hant": "Ⓣ", "zh-hans": "Ⓢ"}


def _domain_event_types() -> set[str]:
    """Return the type names of every event class the domain defines."""
    found, todo = set(), [Event]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            todo.append(sub)
            if sub.__module__.startswith("projects."):
                found.add(sub.event_type)
    return found


def test_every_event_type_of_the_domain_has_a_sentence_and_an_example() -> None:
    types = _domain_event_types()

    assert types <= set(narrative.SENTENCES), types - set(narrative.SENTENCES)
    assert {e.event.event_type for e in every_event()} == types


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("event", every_event(), ids=lambda e: e.event.event_type)
def test_a_sentence_has_no_field_names_or_event_types(language: str, event: object) -> None:
    with translation.override(language):
        text = narrative.describe(event, NAMES)  # type: ignore[arg-type]

    assert text
    assert not re.search(r"\b[a-z]+_[a-z_]+\b", text), text  # organisation_id, milestone_id
    assert not re.search(r"\b[a-z ]+ id:", text), text
    assert event.event.event_type not in text  # type: ignore[attr-defined]


@pytest.mark.parametrize("language", ["zh-hant", "zh-hans"])
@pytest.mark.parametrize("event", every_event(), ids=lambda e: e.event.event_type)
def test_a_chinese_sentence_has_no_english_words_and_uses_its_script(
    language: str, event: object
) -> None:
    with translation.override(language):
        line = narrative.line(event, NAMES)  # type: ignore[arg-type]

    for text in (line.sentence, line.actor, line.door):
        # The examples' data are Chinese or codes (M3, HKD, HK-GOV): any run of
        # lower-case Latin letters is a template left in English.
        assert not re.search(r"[a-z]{2,}", text), text
    other = CHINESE_SCRIPT["zh-hans" if language == "zh-hant" else "zh-hant"]
    assert other not in line.sentence, line.sentence


def test_a_reschedule_says_from_when_to_when_how_far_and_why() -> None:
    event = recorded(
        "project",
        "HKZJ-2025-AI-01",
        pr.MilestoneRescheduled(
            "M3", dt.date(2026, 8, 31), dt.date(2026, 11, 30), "supplier delay"
        ),
    )

    with translation.override("en"):
        english = narrative.describe(event, NAMES)
    with translation.override("zh-hant"):
        traditional = narrative.describe(event, NAMES)
    with translation.override("zh-hans"):
        simplified = narrative.describe(event, NAMES)

    assert english == (
        "Milestone M3 “AI pilot deployed” rescheduled from 2026-08-31 to 2026-11-30 "
        "(91 days later): supplier delay"
    )
    assert traditional == (
        "里程碑 M3「部署試點」 由 2026-08-31 改期至 2026-11-30（延後 91 日）：supplier delay"
    )
    assert simplified == (
        "里程碑 M3“部署试点” 由 2026-08-31 改期至 2026-11-30（推迟 91 天）：supplier delay"
    )


@pytest.mark.parametrize(
    ("old", "new", "shift"),
    [
        (dt.date(2026, 8, 31), dt.date(2026, 9, 1), "(1 day later)"),
        (dt.date(2026, 8, 31), dt.date(2026, 8, 28), "(3 days earlier)"),
        (dt.date(2026, 8, 31), dt.date(2026, 8, 30), "(1 day earlier)"),
    ],
)
def test_a_shift_is_counted_in_days_singular_or_plural(
    old: dt.date, new: dt.date, shift: str
) -> None:
    event = recorded("project", "P", pr.MilestoneRescheduled("M9", old, new, "why"))

    with translation.override("en"):
        text = narrative.describe(event, NAMES)

    assert shift in text
    assert text.startswith("Milestone M9 rescheduled")  # unknown to the names: its id alone


@pytest.mark.parametrize(
    ("metadata", "language", "actor", "door"),
    [
        ({"actor_kind": "staff", "source": "admin", "actor_id": "7"}, "en", "陳大文", "admin"),
        (
            {"actor_kind": "staff", "source": "cli", "actor_id": "99"},
            "en",
            "officer 99",
            "command line",
        ),
        (
            {"actor_kind": "partner", "source": "api", "organisation": "deepseek"},
            "zh-hant",
            "Ⓣ深度求索",
            "合作夥伴 API",
        ),
        ({"actor_kind": "seed", "source": "seed"}, "zh-hans", "初始数据", "初始数据导入"),
        ({"actor_kind": "system", "source": "task"}, "zh-hant", "登記冊系統", "排程工作"),
    ],
)
def test_who_and_through_which_door(
    metadata: dict[str, str], language: str, actor: str, door: str
) -> None:
    event = recorded("project", "P", pr.MilestoneCancelled("M1", "why"), **metadata)

    with translation.override(language):
        line = narrative.line(event, NAMES)

    assert (line.actor, line.door) == (actor, door)


def test_the_recorded_time_is_shown_in_the_registry_time_zone(settings: object) -> None:
    event = recorded("project", "P", pr.MilestoneCancelled("M1", "why"))  # 02:30 UTC

    line = narrative.line(event, NAMES)

    assert line.recorded_at.strftime("%Y-%m-%d %H:%M %Z") == "2026-09-01 10:30 HKT"
    assert '"event_type": "MilestoneCancelled"' in line.raw  # the raw event, one click away


def test_an_officers_note_follows_the_sentence_but_seed_notes_do_not() -> None:
    cancelled = pr.MilestoneCancelled("M1", "no longer needed")
    by_officer = recorded("project", "P", cancelled, reason="agreed by phone")
    by_seed = recorded(
        "project", "P", cancelled, actor_kind="seed", source="seed", reason="seed data set"
    )

    with translation.override("en"):
        assert narrative.describe(by_officer, NAMES).endswith("(note: agreed by phone)")
        assert "seed data set" not in narrative.describe(by_seed, NAMES)
