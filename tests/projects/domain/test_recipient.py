"""The recipient decider: subscriptions and an officer's preferences, as given/when/then."""

from __future__ import annotations

import pytest

from projects.domain import AgreementNotFound, InvalidIdentifier, NothingToChange, recipient
from projects.domain.contact import Language
from projects.domain.recipient import (
    Frequency,
    Kind,
    NotStaff,
    RecipientContext,
    RecipientNotFound,
    ReminderFrequencySet,
    SetReminderFrequency,
    SetStaffPreferences,
    StaffPreferencesSet,
    Subscribe,
    Subscribed,
    TooManyFollowed,
    Unsubscribe,
    Unsubscribed,
    Via,
)
from projects.domain.values import Sector
from tests.projects.domain.scenario import AGREEMENT, TODAY, when

CONTACT = "contact:0a1b2c3d4e5f"
OFFICER = "staff:7"


def context(*, exists: bool = True, agreements: frozenset[str] = frozenset()) -> RecipientContext:
    """Return a recipient context on the scenario's day."""
    return RecipientContext(today=TODAY, exists=exists, agreements=agreements)


def test_everyone_receives_everything_in_their_own_language_until_they_say_otherwise() -> None:
    state = recipient.fold([]) or recipient.State(CONTACT)

    assert state.subscription(Kind.DIGEST) == recipient.Subscription(True, None)
    with pytest.raises(NothingToChange):
        when(recipient, command=Subscribe(CONTACT, Kind.DIGEST), context=context())


def test_unsubscribing_through_the_link_is_recorded_with_how() -> None:
    events = when(recipient, command=Unsubscribe(CONTACT, Kind.DIGEST, Via.LINK), context=context())

    assert events == [Unsubscribed(CONTACT, Kind.DIGEST, Via.LINK)]


def test_unsubscribing_twice_changes_nothing() -> None:
    given = [Unsubscribed(CONTACT, Kind.REMINDERS, Via.LINK)]

    with pytest.raises(NothingToChange) as refused:
        when(
            recipient,
            given=given,
            command=Unsubscribe(CONTACT, Kind.REMINDERS, Via.ADMIN),
            context=context(),
        )
    assert refused.value.params["recipient"] == CONTACT


def test_subscribing_again_keeps_the_other_kind_as_it_was() -> None:
    given = [
        Unsubscribed(CONTACT, Kind.REMINDERS, Via.LINK),
        Unsubscribed(CONTACT, Kind.DIGEST, Via.LINK),
    ]
    events = when(
        recipient,
        given=given,
        command=Subscribe(CONTACT, Kind.DIGEST, Language.ZH_HANT),
        context=context(),
    )
    state = recipient.fold([*given, *events])

    assert events == [Subscribed(CONTACT, Kind.DIGEST, Language.ZH_HANT)]
    assert state is not None
    assert state.subscription(Kind.DIGEST) == recipient.Subscription(True, Language.ZH_HANT)
    assert state.subscription(Kind.REMINDERS).active is False


def test_choosing_another_language_is_a_new_subscription_the_same_one_is_refused() -> None:
    given = [Subscribed(CONTACT, Kind.REMINDERS, Language.EN)]

    changed = when(
        recipient,
        given=given,
        command=Subscribe(CONTACT, Kind.REMINDERS, Language.ZH_HANS),
        context=context(),
    )
    with pytest.raises(NothingToChange):
        when(
            recipient,
            given=given,
            command=Subscribe(CONTACT, Kind.REMINDERS, Language.EN),
            context=context(),
        )
    assert changed == [Subscribed(CONTACT, Kind.REMINDERS, Language.ZH_HANS)]


def test_a_recipient_who_does_not_exist_is_refused() -> None:
    with pytest.raises(RecipientNotFound) as refused:
        when(
            recipient,
            command=Unsubscribe(CONTACT, Kind.DIGEST, Via.LINK),
            context=context(exists=False),
        )
    assert refused.value.field == "recipient_id"


@pytest.mark.parametrize("bad", ["someone@example.org", "contact:", "staff:0", "staff:abc", ""])
def test_a_recipient_id_names_a_contact_or_a_user(bad: str) -> None:
    with pytest.raises(InvalidIdentifier):
        Unsubscribe(bad, Kind.DIGEST, Via.ADMIN)


def test_an_officer_follows_agreements_and_sectors_sorted_and_once() -> None:
    command = SetStaffPreferences(
        OFFICER,
        Language.ZH_HANT,
        (AGREEMENT, AGREEMENT),
        (Sector.ROBOTICS, Sector.ARTIFICIAL_INTELLIGENCE),
    )

    events = when(recipient, command=command, context=context(agreements=frozenset({AGREEMENT})))

    assert events == [
        StaffPreferencesSet(
            OFFICER,
            Language.ZH_HANT,
            (AGREEMENT,),
            (Sector.ARTIFICIAL_INTELLIGENCE, Sector.ROBOTICS),
        )
    ]


def test_preferences_name_recorded_agreements_only() -> None:
    command = SetStaffPreferences(OFFICER, None, ("HKZJ-2099-NONE",), ())

    with pytest.raises(AgreementNotFound) as refused:
        when(recipient, command=command, context=context())
    assert (refused.value.field, refused.value.params["code"]) == ("agreements", "HKZJ-2099-NONE")


def test_an_officer_follows_a_bounded_number_of_agreements() -> None:
    codes = tuple(f"HKZJ-{n:04d}" for n in range(recipient.MAX_FOLLOWED + 1))
    command = SetStaffPreferences(OFFICER, None, codes, ())

    with pytest.raises(TooManyFollowed):
        when(recipient, command=command, context=context(agreements=frozenset(codes)))


def test_a_contact_follows_its_organisation_not_chosen_agreements() -> None:
    with pytest.raises(NotStaff):
        when(
            recipient,
            command=SetStaffPreferences(CONTACT, Language.EN, (), ()),
            context=context(),
        )


def test_setting_the_same_preferences_again_changes_nothing() -> None:
    given = [StaffPreferencesSet(OFFICER, Language.EN, (), (Sector.TRADE,))]

    with pytest.raises(NothingToChange):
        when(
            recipient,
            given=given,
            command=SetStaffPreferences(OFFICER, Language.EN, (), (Sector.TRADE,)),
            context=context(),
        )


def test_reminders_come_daily_until_the_recipient_chooses_weekly() -> None:
    events = when(
        recipient, command=SetReminderFrequency(CONTACT, Frequency.WEEKLY), context=context()
    )
    state = recipient.fold(events)

    assert events == [ReminderFrequencySet(CONTACT, Frequency.WEEKLY)]
    assert state is not None
    assert state.frequency is Frequency.WEEKLY
    assert recipient.State(CONTACT).frequency is Frequency.DAILY


def test_choosing_the_frequency_already_recorded_changes_nothing() -> None:
    with pytest.raises(NothingToChange) as refused:
        when(recipient, command=SetReminderFrequency(OFFICER, Frequency.DAILY), context=context())
    assert refused.value.params["frequency"] == "once a day"


def test_the_frequency_survives_unsubscribing_and_subscribing_again() -> None:
    given = [
        ReminderFrequencySet(CONTACT, Frequency.WEEKLY),
        Unsubscribed(CONTACT, Kind.REMINDERS, Via.LINK),
        Subscribed(CONTACT, Kind.REMINDERS, None),
    ]

    state = recipient.fold(given)

    assert state is not None
    assert state.frequency is Frequency.WEEKLY
