"""Webhooks: given events, when a command, then events or a named refusal (no database)."""

from __future__ import annotations

import dataclasses

import pytest

from projects.domain import webhook
from projects.domain.errors import InvalidText, NothingToChange, ReasonRequired, TextTooLong
from projects.domain.webhook import (
    ChangeWebhook,
    DeleteWebhook,
    DisableWebhook,
    EnableWebhook,
    RegisterWebhook,
    TooManyWebhooks,
    WebhookAddressRefused,
    WebhookChanged,
    WebhookContext,
    WebhookDeleted,
    WebhookDisabled,
    WebhookEnabled,
    WebhookNotDisabled,
    WebhookNotFound,
    WebhookRegistered,
    WebhookUrlRefused,
)
from tests.projects.domain.scenario import TODAY, when

HOOK = "0123456789abcdef"
URL = "https://erp.deepseek.example/events"
PUBLIC = WebhookContext(
    today=TODAY, organisations=frozenset({"deepseek"}), addresses=("93.184.215.14",)
)
REGISTERED = WebhookRegistered(HOOK, "deepseek", URL, "ERP")


def register(url: str = URL, context: WebhookContext = PUBLIC) -> list[object]:
    return when(webhook, command=RegisterWebhook(HOOK, "deepseek", url, " ERP "), context=context)


def test_registering_a_webhook_to_a_public_https_address() -> None:
    assert register() == [REGISTERED]


@pytest.mark.parametrize(
    "addresses", [("127.0.0.1",), ("93.184.215.14", "10.0.0.1"), ("::1",), ("169.254.169.254",)]
)
def test_a_host_resolving_to_any_non_public_address_is_refused(addresses: tuple[str, ...]) -> None:
    with pytest.raises(WebhookAddressRefused):
        register(context=dataclasses.replace(PUBLIC, addresses=addresses))


def test_a_literal_private_address_is_refused_whatever_it_resolves_to() -> None:
    with pytest.raises(WebhookAddressRefused):
        register("https://10.0.0.1/hook")


def test_a_host_that_does_not_resolve_is_refused() -> None:
    with pytest.raises(WebhookAddressRefused):
        register(context=dataclasses.replace(PUBLIC, addresses=None))


@pytest.mark.parametrize(
    "url",
    [
        "http://erp.deepseek.example/",
        "ftp://erp.deepseek.example/",
        "https:///x",
        "https://a:99999/",
    ],
)
def test_only_https_urls_with_a_host_are_taken(url: str) -> None:
    with pytest.raises(WebhookUrlRefused):
        register(url)


def test_private_addresses_and_http_are_allowed_when_the_context_says_so() -> None:
    local = dataclasses.replace(PUBLIC, allow_private=True, addresses=())

    assert register("http://127.0.0.1:8999/hook", local)[0] == dataclasses.replace(
        REGISTERED, url="http://127.0.0.1:8999/hook"
    )


def test_limits_are_domain_rules() -> None:
    with pytest.raises(TextTooLong):
        RegisterWebhook(HOOK, "deepseek", URL + "a" * 2000)
    with pytest.raises(TextTooLong):
        RegisterWebhook(HOOK, "deepseek", URL, "d" * 501)
    with pytest.raises(InvalidText):
        RegisterWebhook(HOOK, "deepseek", URL, "two\nlines")


def test_an_organisation_has_at_most_ten() -> None:
    with pytest.raises(TooManyWebhooks):
        register(context=dataclasses.replace(PUBLIC, webhooks=10))


def test_changing_disabling_enabling_and_deleting() -> None:
    changed = when(
        webhook,
        given=[REGISTERED],
        command=ChangeWebhook(HOOK, "deepseek", description="Billing"),
        context=PUBLIC,
    )
    disabled = when(
        webhook, given=[REGISTERED], command=DisableWebhook(HOOK, "Failing"), context=PUBLIC
    )
    enabled = when(
        webhook,
        given=[REGISTERED, *disabled],
        command=EnableWebhook(HOOK, "deepseek"),
        context=PUBLIC,
    )
    deleted = when(
        webhook, given=[REGISTERED], command=DeleteWebhook(HOOK, "deepseek"), context=PUBLIC
    )

    assert changed == [WebhookChanged(HOOK, None, "Billing")]
    assert disabled == [WebhookDisabled(HOOK, "Failing")]
    assert enabled == [WebhookEnabled(HOOK)]
    assert deleted == [WebhookDeleted(HOOK)]


def test_another_organisation_finds_no_webhook() -> None:
    with pytest.raises(WebhookNotFound):
        when(
            webhook,
            given=[REGISTERED],
            command=DeleteWebhook(HOOK, "unitree"),
            context=PUBLIC,
        )


def test_a_deleted_webhook_is_not_found() -> None:
    with pytest.raises(WebhookNotFound):
        when(
            webhook,
            given=[REGISTERED, WebhookDeleted(HOOK)],
            command=ChangeWebhook(HOOK, "deepseek", description="again"),
            context=PUBLIC,
        )


def test_a_change_to_what_it_is_changes_nothing() -> None:
    with pytest.raises(NothingToChange):
        when(
            webhook,
            given=[REGISTERED],
            command=ChangeWebhook(HOOK, "deepseek", url=URL, description="ERP"),
            context=PUBLIC,
        )


def test_disabling_needs_a_reason_and_enabling_a_disabled_webhook() -> None:
    with pytest.raises(ReasonRequired):
        when(webhook, given=[REGISTERED], command=DisableWebhook(HOOK, " "), context=PUBLIC)
    with pytest.raises(WebhookNotDisabled):
        when(webhook, given=[REGISTERED], command=EnableWebhook(HOOK, "deepseek"), context=PUBLIC)
