"""Settings read from the environment: values parsed, bad values named."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import email_settings, env_bool, env_list, env_seconds


def test_an_smtp_url_gives_host_port_credentials_and_tls() -> None:
    settings = email_settings("submission://mailer%40gov.hk:s%3Acret@smtp.example.org?timeout=5")

    assert settings == {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "smtp.example.org",
        "EMAIL_PORT": 587,
        "EMAIL_HOST_USER": "mailer@gov.hk",
        "EMAIL_HOST_PASSWORD": "s:cret",
        "EMAIL_USE_SSL": False,
        "EMAIL_USE_TLS": True,
        "EMAIL_TIMEOUT": 5,
    }


def test_an_smtps_url_uses_implicit_tls_on_port_465() -> None:
    settings = email_settings("smtps://smtp.example.org")

    assert (settings["EMAIL_PORT"], settings["EMAIL_USE_SSL"]) == (465, True)


@pytest.mark.parametrize(
    ("url", "backend"),
    [
        ("console://", "django.core.mail.backends.console.EmailBackend"),
        ("memory://", "django.core.mail.backends.locmem.EmailBackend"),
        ("file:///tmp/mail", "django.core.mail.backends.filebased.EmailBackend"),
    ],
)
def test_local_email_urls_choose_their_backend(url: str, backend: str) -> None:
    assert email_settings(url)["EMAIL_BACKEND"] == backend


def test_an_unknown_email_scheme_is_named_in_the_error() -> None:
    with pytest.raises(ImproperlyConfigured, match="'pop3'"):
        email_settings("pop3://mail.example.org")


@pytest.mark.parametrize(
    ("raw", "expected"), [("1", True), ("yes", True), ("off", False), ("FALSE", False)]
)
def test_booleans_accept_the_usual_spellings(
    monkeypatch: pytest.MonkeyPatch, raw: str, expected: bool
) -> None:
    monkeypatch.setenv("REGISTRY_TEST_FLAG", raw)

    assert env_bool("REGISTRY_TEST_FLAG", not expected) is expected


def test_a_boolean_that_is_not_one_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REGISTRY_TEST_FLAG", "maybe")

    with pytest.raises(ImproperlyConfigured, match="REGISTRY_TEST_FLAG='maybe'"):
        env_bool("REGISTRY_TEST_FLAG", False)


def test_lists_are_split_on_commas_and_trimmed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REGISTRY_TEST_HOSTS", " registry.gov.hk, ,localhost ")

    assert env_list("REGISTRY_TEST_HOSTS", []) == ["registry.gov.hk", "localhost"]


def test_seconds_default_when_unset_and_parse_whole_numbers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("REGISTRY_TEST_SECONDS", raising=False)
    assert env_seconds("REGISTRY_TEST_SECONDS", 30) == 30
    monkeypatch.setenv("REGISTRY_TEST_SECONDS", " 2 ")
    assert env_seconds("REGISTRY_TEST_SECONDS", 30) == 2


@pytest.mark.parametrize(
    ("raw", "error"),
    [("0.5", "not a whole number"), ("soon", "not a whole number"), ("0", "below its minimum")],
)
def test_seconds_that_are_not_whole_or_too_few_are_named(
    monkeypatch: pytest.MonkeyPatch, raw: str, error: str
) -> None:
    monkeypatch.setenv("REGISTRY_TEST_SECONDS", raw)

    with pytest.raises(ImproperlyConfigured, match=f"REGISTRY_TEST_SECONDS='{raw}' is {error}"):
        env_seconds("REGISTRY_TEST_SECONDS", 30)


def test_seconds_below_a_given_minimum_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REGISTRY_TEST_SECONDS", "20")

    with pytest.raises(ImproperlyConfigured, match="below its minimum of 30 s"):
        env_seconds("REGISTRY_TEST_SECONDS", 600, minimum=30)
