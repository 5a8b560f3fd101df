"""A partner's request id follows its claim into the event it appends."""

from __future__ import annotations

import pytest

from registry.models import StoredEvent
from tests.api.conftest import ApiClient
from tests.api.world import AI

pytestmark = pytest.mark.django_db


def test_a_claims_request_id_is_echoed_and_recorded_with_its_event(as_deepseek: ApiClient) -> None:
    etag = as_deepseek.get(f"projects/{AI}/")["ETag"]

    response = as_deepseek.post(
        f"projects/{AI}/milestones/M1/claims/",
        {"outcome": "met", "date": "2025-08-30", "note": "Model delivered"},
        **{"If-Match": etag, "Idempotency-Key": "claim-m1-1", "X-Request-ID": "deepseek-req-7"},
    )

    assert response.status_code == 201
    assert response["X-Request-ID"] == "deepseek-req-7"
    event = StoredEvent.objects.get(position=response.json()["position"])
    assert event.metadata["request_id"] == "deepseek-req-7"
    assert event.metadata["correlation_id"] == "deepseek-req-7"
