"""API tokens: given events, when a command, then events or a named refusal."""

from __future__ import annotations

import datetime as dt

import pytest

from projects.domain import access
from projects.domain.access import (
    AccessContext,
    ApiTokenAlreadyIssued,
    ApiTokenAlreadyRevoked,
    ApiTokenIssued,
    ApiTokenNotFound,
    ApiTokenRevoked,
    ExpiryNotInTheFuture,
    HolderKind,
    IssueApiToken,
    RevokeApiToken,
    UnknownStaffUser,
)
from projects.domain.errors import (
    InvalidValue,
    ReasonRequired,
    TextTooLong,
    UnknownOrganisation,
)
from tests.projects.domain.scenario import TODAY, when

CONTEXT = AccessContext(
    today=TODAY, organisations=frozenset({"deepseek"}), staff_users=frozenset({"7"})
)
HASH = "ab" * 32


def issue(**overrides: object) -> IssueApiToken:
    fields: dict[str, object] = {
        "token_id": "0123456789ab",
        "holder_kind": HolderKind.ORGANISATION,
        "holder_id": "deepseek",
        "name": "  DeepSeek ERP  ",
        "secret_hash": HASH,
        "expires_on": None,
    }
    return IssueApiToken(**{**fields, **overrides})


def issued(**overrides: object) -> ApiTokenIssued:
    fields: dict[str, object] = {
        "token_id": "0123456789ab",
        "holder_kind": HolderKind.ORGANISATION,
        "holder_id": "deepseek",
        "name": "DeepSeek ERP",
        "secret_hash": HASH,
        "expires_on": None,
    }
    return ApiTokenIssued(**{**fields, **overrides})


def test_issuing_records_the_hash_and_the_stripped_name() -> None:
    assert when(access, command=issue(), context=CONTEXT) == [issued()]


def test_a_staff_account_may_hold_a_token_with_an_expiry() -> None:
    expiry = TODAY + dt.timedelta(days=90)
    events = when(
        access,
        command=issue(holder_kind=HolderKind.STAFF, holder_id="7", expires_on=expiry),
        context=CONTEXT,
    )

    assert events == [issued(holder_kind=HolderKind.STAFF, holder_id="7", expires_on=expiry)]


@pytest.mark.parametrize(
    ("command", "error", "field"),
    [
        (issue(holder_id="nobody"), UnknownOrganisation, "holder_id"),
        (issue(holder_kind=HolderKind.STAFF, holder_id="8"), UnknownStaffUser, "holder_id"),
        (issue(name="   "), InvalidValue, "name"),
        (issue(expires_on=TODAY), ExpiryNotInTheFuture, "expires_on"),
        (issue(token_id="NOT-HEX"), InvalidValue, "token_id"),
        (issue(secret_hash="plain-secret"), InvalidValue, "secret_hash"),
    ],
)
def test_a_bad_issue_is_refused_by_name(command: IssueApiToken, error: type, field: str) -> None:
    with pytest.raises(error) as refusal:
        when(access, command=command, context=CONTEXT)
    assert refusal.value.field == field


def test_a_name_over_the_limit_is_refused_as_the_command_is_built() -> None:
    with pytest.raises(TextTooLong) as refusal:
        issue(name="x" * 101)
    assert refusal.value.field == "name"


def test_a_name_of_two_lines_is_refused_as_the_command_is_built() -> None:
    with pytest.raises(InvalidValue) as refusal:
        issue(name="two\nlines")
    assert refusal.value.field == "name"


def test_a_token_id_is_never_issued_twice() -> None:
    with pytest.raises(ApiTokenAlreadyIssued):
        when(access, given=[issued()], command=issue(), context=CONTEXT)


def test_revoking_needs_a_reason_and_happens_once() -> None:
    revoke = RevokeApiToken("0123456789ab", reason="Leaked")

    assert when(access, given=[issued()], command=revoke, context=CONTEXT) == [
        ApiTokenRevoked("0123456789ab", "Leaked")
    ]
    with pytest.raises(ReasonRequired):
        when(access, given=[issued()], command=RevokeApiToken("0123456789ab", " "), context=CONTEXT)
    with pytest.raises(ApiTokenAlreadyRevoked):
        when(
            access,
            given=[issued(), ApiTokenRevoked("0123456789ab", "Leaked")],
            command=revoke,
            context=CONTEXT,
        )
    with pytest.raises(ApiTokenNotFound):
        when(access, command=revoke, context=CONTEXT)


def test_the_secret_itself_is_no_field_of_any_token_event() -> None:
    names = {f for cls in (ApiTokenIssued, ApiTokenRevoked) for f in cls.__dataclass_fields__}

    assert not names & {"secret", "token"}
