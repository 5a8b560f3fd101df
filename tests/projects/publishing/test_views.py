"""The open-data door over HTTP: no login, ETag = ledger position, 304, gzip, three languages."""

from __future__ import annotations

import gzip
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from lxml import etree

from projects import selectors
from projects.application import Actor, handle
from projects.domain import WithdrawProject
from projects.publishing import cache
from tests.projects.publishing import iati

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("founding_set_restored")]

ACTIVITIES = "/open-data/iati/activities.xml"
ORGANISATION = "/open-data/iati/organisation.xml"


def body(response: Any) -> bytes:
    return b"".join(response.streaming_content)


def test_the_activity_file_needs_no_login_and_names_its_ledger_head(client: Client) -> None:
    position, chain_hash = selectors.ledger_head()

    response = client.get(ACTIVITIES)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    assert response["ETag"] == f'"{position}"'
    assert response["Ledger-Head"] == f"{position}:{chain_hash}"
    assert response["Last-Modified"].endswith("GMT")
    assert "Accept-Encoding" in response["Vary"]
    document = etree.fromstring(body(response))
    assert iati.schema_errors(document, iati.ACTIVITIES) == []
    assert len(document.findall("iati-activity")) == 56


def test_the_organisation_file_is_valid_iati(client: Client) -> None:
    response = client.get(ORGANISATION)

    assert response.status_code == 200
    document = etree.fromstring(body(response))
    assert iati.schema_errors(document, iati.ORGANISATIONS) == []
    assert iati.codelist_errors(document) == []
    assert document.findtext("iati-organisation/organisation-identifier") == "XX-PLACEHOLDER"


def test_a_client_holding_the_current_etag_gets_304(client: Client) -> None:
    etag = client.get(ACTIVITIES)["ETag"]

    assert client.get(ACTIVITIES, headers={"If-None-Match": etag}).status_code == 304
    weak = client.get(ACTIVITIES, headers={"If-None-Match": f"W/{etag}"})
    assert weak.status_code == 304
    assert weak["ETag"] == etag
    assert client.get(ACTIVITIES, headers={"If-None-Match": '"1"'}).status_code == 200


def test_the_file_is_gzipped_when_asked(client: Client) -> None:
    plain = body(client.get(ACTIVITIES))

    response = client.get(ACTIVITIES, headers={"Accept-Encoding": "br, gzip;q=0.8"})

    assert response["Content-Encoding"] == "gzip"
    assert response["Content-Type"] == "application/xml"
    assert response["ETag"].endswith('-gzip"')
    assert gzip.decompress(body(response)) == plain
    refused = client.get(ACTIVITIES, headers={"Accept-Encoding": "gzip;q=0"})
    assert "Content-Encoding" not in refused


def test_a_cached_file_is_served_with_one_query_until_the_ledger_moves(
    client: Client, django_assert_num_queries: Any
) -> None:
    first = client.get(ACTIVITIES)
    built = cache.current()
    assert built is not None

    with django_assert_num_queries(1):  # the ledger head, nothing else
        again = client.get(ACTIVITIES)
        assert body(again) == body(first)
    assert cache.current() == built

    handle(WithdrawProject("HKZJ-2025-AI-01", "Under review"), actor=Actor.system(source="cli"))
    moved = client.get(ACTIVITIES)

    assert moved["ETag"] != first["ETag"]
    assert moved["ETag"] == f'"{selectors.ledger_head()[0]}"'
    assert b"XX-PLACEHOLDER-HKZJ-2025-AI-01" not in body(moved)
    assert client.get(ACTIVITIES, headers={"If-None-Match": first["ETag"]}).status_code == 200


def test_the_files_answer_only_reads(client: Client) -> None:
    assert client.head(ACTIVITIES).status_code == 200
    assert client.post(ACTIVITIES).status_code == 405


def test_the_open_data_page_lists_the_files_and_their_licence(client: Client) -> None:
    response = client.get("/open-data/")

    page = response.content.decode()
    assert response.status_code == 200
    assert ACTIVITIES in page
    assert ORGANISATION in page
    assert "CC-BY-4.0" in page
    assert "https://creativecommons.org/licenses/by/4.0/" in page
    assert f"<code>{':'.join(map(str, selectors.ledger_head()))}</code>" in page
    assert "participating-org" in page
    assert "officers only" not in page


@pytest.mark.parametrize(
    ("language", "words"),
    [("zh-hant", "開放數據"), ("zh-hans", "开放数据"), ("en", "Open data")],
)
def test_the_open_data_page_speaks_three_languages(
    client: Client, language: str, words: str
) -> None:
    response = client.get("/open-data/", headers={"Accept-Language": language})

    assert f"<h1>{words}</h1>" in response.content.decode()
    assert response["Content-Language"] == language


def test_officers_see_what_is_left_out(client: Client) -> None:
    officer = User.objects.create_user("liaison", "liaison@example.org", "pw", is_staff=True)
    client.force_login(officer)

    page = client.get("/open-data/").content.decode()

    assert "officers only" in page
    assert "Nothing is left out" in page
