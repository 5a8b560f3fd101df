"""Text rules: single-line texts refuse controls, separators and direction overrides;
multi-line texts also break lines; events recorded before the rules stay readable.

No database: commands refuse when they are built, so every door refuses alike.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from projects.domain import (
    ClaimedStatus,
    ClaimMilestone,
    LocalisedText,
    MilestoneType,
    OrganisationType,
    RegisterOrganisation,
    RescheduleMilestone,
    ScheduleMilestone,
    SignAgreement,
)
from projects.domain.access import HolderKind, IssueApiToken
from projects.domain.contact import check_details
from projects.domain.errors import InvalidText
from projects.domain.plaintext import neutralise_line, neutralise_lines
from projects.domain.project_events import MilestoneScheduled
from registry import serde
from registry.events import load_event
from tests.projects.domain.scenario import (
    AGREEMENT,
    PROJECT,
    agreement_signed,
    project_registered,
    signatories,
    text,
)
from tests.projects.domain.test_project_lifecycle import register

# One of each kind the rules refuse: C0, DEL, C1, separators, embeddings, overrides, isolates.
REFUSED = {
    "carriage return": "\r",
    "line feed": "\n",
    "tab": "\t",
    "NUL-free C0 (vertical tab)": "\x0b",
    "escape": "\x1b",
    "delete": "\x7f",
    "next line (C1)": "\x85",
    "line separator": "\u2028",
    "paragraph separator": "\u2029",
    "left-to-right embedding": "\u202a",
    "right-to-left override": "\u202e",
    "left-to-right isolate": "\u2066",
    "pop directional isolate": "\u2069",
}


def milestone(title: LocalisedText) -> ScheduleMilestone:
    return ScheduleMilestone(
        PROJECT, "M9", title, MilestoneType.DELIVERY, dt.date(2025, 10, 1), "deepseek"
    )


def organisation(names: LocalisedText) -> RegisterOrganisation:
    return RegisterOrganisation("evil-corp", names, OrganisationType.PRIVATE_SECTOR, "HK")


@pytest.mark.parametrize("character", REFUSED.values(), ids=REFUSED.keys())
def test_a_single_line_text_refuses_controls_separators_and_direction_characters(
    character: str,
) -> None:
    with pytest.raises(InvalidText) as refused:
        milestone(LocalisedText("Pilot", zh_hant=f"試點{character}上線"))

    assert refused.value.field == "title.zh_hant"
    assert f"U+{ord(character):04X} at position 3" in refused.value.message
    assert "title in Traditional Chinese" in refused.value.message


def test_the_review_s_override_that_showed_evil_as_live_is_refused_naming_the_field() -> None:
    with pytest.raises(InvalidText) as refused:
        organisation(LocalisedText("\u202elive"))

    assert refused.value.field == "names.en"


def sign(**overrides: object) -> SignAgreement:
    fields: dict[str, object] = {
        "agreement_code": AGREEMENT,
        "titles": text("Mechanism"),
        "signed_on": dt.date(2025, 4, 17),
        "signed_place": text("Hangzhou"),
        "signatories": signatories(),
        "period": agreement_signed().period,
    }
    return SignAgreement(**{**fields, **overrides})


TEXTS: dict[str, tuple[Callable[[str], object], str]] = {
    "project title": (lambda t: register(titles=text(t)), "titles.en"),
    "agreement title": (lambda t: sign(titles=text(t)), "titles.en"),
    "place of signing": (lambda t: sign(signed_place=text(t)), "signed_place.en"),
    "token name": (
        lambda t: IssueApiToken("0123456789ab", HolderKind.ORGANISATION, "deepseek", t, "0" * 64),
        "name",
    ),
}


@pytest.mark.parametrize(("build", "field"), TEXTS.values(), ids=TEXTS.keys())
def test_every_single_line_text_refuses_a_line_break(
    build: Callable[[str], object], field: str
) -> None:
    build("Plain words, 中文 and ‹quotes›")
    with pytest.raises(InvalidText) as refused:
        build("two\nlines")

    assert refused.value.field == field


def test_a_contact_name_for_the_to_header_is_one_line() -> None:
    check_details(name="王晓明", email=None, email_valid=True, language=None)
    with pytest.raises(InvalidText) as refused:
        check_details(name="王晓明\r\nBcc: x", email=None, email_valid=True, language=None)

    assert refused.value.field == "name"


def test_a_multi_line_text_keeps_its_line_breaks_normalised() -> None:
    claim = ClaimMilestone(
        PROJECT, "M1", "deepseek", ClaimedStatus.MET, dt.date(2025, 8, 1), "one\r\ntwo\rthree\n"
    )
    description = register(descriptions=LocalisedText("a\r\nb", zh_hant="甲\r乙")).descriptions

    assert claim.note == "one\ntwo\nthree\n"
    assert (description.en, description.zh_hant) == ("a\nb", "甲\n乙")


@pytest.mark.parametrize("character", ["\t", "\x85", "\u2028", "\u202e", "\u2067", "\x1b"])
def test_a_multi_line_text_refuses_every_other_control_or_direction_character(
    character: str,
) -> None:
    with pytest.raises(InvalidText) as refused:
        RescheduleMilestone(PROJECT, "M1", dt.date(2025, 9, 30), f"Asked{character}for time")

    assert refused.value.field == "reason"
    assert "may break lines" in refused.value.message


def test_a_command_built_from_json_names_the_nested_field() -> None:
    raw = serde.encode(milestone(text("Pilot")))
    assert isinstance(raw, dict)
    raw["title"]["zh_hans"] = "试点\u2028上线"

    with pytest.raises(InvalidText) as refused:
        serde.from_json(ScheduleMilestone, raw)

    assert refused.value.field == "title.zh_hans"


def test_an_event_recorded_before_the_rules_is_built_and_read_back_as_it_was() -> None:
    title = LocalisedText("Pilot\r\nBcc: x", "\u202elive", "a\x85b")
    recorded = MilestoneScheduled("M0", title, MilestoneType.DELIVERY, dt.date(2025, 9, 1), "x-y")
    stored = project_registered(descriptions=LocalisedText("a\r\nb\tc"))

    read = load_event("MilestoneScheduled", 1, recorded.to_data())
    read_again = load_event("ProjectRegistered", 1, stored.to_data())

    assert read == recorded
    assert read_again.descriptions == LocalisedText("a\r\nb\tc")  # never rewritten


def test_readers_neutralise_what_the_rules_refuse() -> None:
    assert neutralise_line("Pilot\r\nBcc: x\x85y\u2028z\tw \u202eevil\x00") == (
        "Pilot Bcc: x y z w evil"
    )
    assert neutralise_lines("a\r\nb\rc\u2029d\te\u202ef\x1b") == "a\nb\nc\nd ef"
    assert neutralise_line("中文 ‹plain›") == "中文 ‹plain›"
