"""Every limit a column enforces is a domain (or event store) limit that is checked first.

The table below names, for each column of the registry's own tables that PostgreSQL
would refuse a value for (a width, a digit count, an integer range), the limit that is
checked before a value can reach it. A new column without an entry fails here; so does a
limit wider than its column, which would make PostgreSQL refuse what SQLite stores.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.apps import apps
from django.db import models

from projects.domain import limits
from projects.domain.contact import Language
from projects.domain.values import (
    DAC_CODES,
    ActivityStatus,
    Currency,
    MilestoneStatus,
    MilestoneType,
    OrganisationType,
    Sector,
)
from registry import limits as store_limits


def _longest(values: object) -> int:
    return max(len(str(v.value)) for v in values)  # type: ignore[attr-defined]


TEXT = {"en", "zh_hant", "zh_hans"}
KEY_OF_PARTY = limits.CODE_LENGTH + 1 + limits.ORGANISATION_ID_LENGTH
KEY_OF_MILESTONE = limits.CODE_LENGTH + 1 + limits.MILESTONE_ID_LENGTH
KEY_OF_RESCHEDULE = KEY_OF_MILESTONE + 1 + len(str(store_limits.MAX_VERSION))

# column -> the largest value (length for text, number for integers) that can reach it
BOUNDS: dict[str, int | Decimal] = {
    "projects.Organisation.id": limits.ORGANISATION_ID_LENGTH,
    **{f"projects.Organisation.name_{lang}": limits.NAME_LENGTH for lang in TEXT},
    "projects.Organisation.org_type": max(t.value for t in OrganisationType),
    "projects.Organisation.jurisdiction": limits.JURISDICTION_LENGTH,
    "projects.Organisation.version": store_limits.MAX_VERSION,
    "projects.Agreement.code": limits.CODE_LENGTH,
    **{f"projects.Agreement.title_{lang}": limits.TITLE_LENGTH for lang in TEXT},
    **{f"projects.Agreement.signed_place_{lang}": limits.PLACE_LENGTH for lang in TEXT},
    "projects.Agreement.termination_reason": limits.REASON_LENGTH,
    "projects.Agreement.amendment_count": store_limits.MAX_VERSION,
    "projects.Agreement.version": store_limits.MAX_VERSION,
    "projects.Project.code": limits.CODE_LENGTH,
    "projects.Project.sector": _longest(Sector),
    "projects.Project.dac_code": max(DAC_CODES.values()),
    **{f"projects.Project.title_{lang}": limits.TITLE_LENGTH for lang in TEXT},
    **{f"projects.Project.description_{lang}": limits.DESCRIPTION_LENGTH for lang in TEXT},
    "projects.Project.status": _longest(ActivityStatus),
    "projects.Project.status_code": max(s.iati_code for s in ActivityStatus),
    "projects.Project.budget_amount": limits.MAX_AMOUNT,
    "projects.Project.budget_currency": _longest(Currency),
    "projects.Project.version": store_limits.MAX_VERSION,
    "projects.Participation.key": KEY_OF_PARTY,
    "projects.Milestone.key": KEY_OF_MILESTONE,
    "projects.Milestone.milestone_id": limits.MILESTONE_ID_LENGTH,
    **{f"projects.Milestone.title_{lang}": limits.TITLE_LENGTH for lang in TEXT},
    "projects.Milestone.milestone_type": _longest(MilestoneType),
    "projects.Milestone.status": _longest(MilestoneStatus),
    "projects.Milestone.reschedule_count": store_limits.MAX_VERSION,
    # dates lie within years 1..9999: no two are further apart than this many days
    "projects.Milestone.days_slipped": 3_652_059,
    "projects.Milestone.claim_status": _longest(MilestoneStatus),
    "projects.Milestone.claim_note": limits.NOTE_LENGTH,
    "projects.Milestone.cancellation_reason": limits.REASON_LENGTH,
    "projects.Milestone.version": store_limits.MAX_VERSION,  # the project stream's
    "projects.MilestoneReschedule.key": KEY_OF_RESCHEDULE,
    "projects.MilestoneReschedule.sequence": store_limits.MAX_VERSION,
    "projects.MilestoneReschedule.days": 3_652_059,
    "projects.MilestoneReschedule.reason": limits.REASON_LENGTH,
    # "staff:" and a user id of at most 18 digits (projects.domain.following).
    "projects.Following.officer": len("staff:") + 18,
    "projects.Following.user_id": 10**18 - 1,
    "projects.Following.version": store_limits.MAX_VERSION,
    "projects.Contact.id": limits.CONTACT_ID_LENGTH,
    "projects.Contact.organisation_id": limits.ORGANISATION_ID_LENGTH,
    "projects.Contact.name": limits.CONTACT_NAME_LENGTH,
    "projects.Contact.email": limits.EMAIL_LENGTH,
    "projects.Contact.language": _longest(Language),
    "projects.Webhook.webhook_id": limits.WEBHOOK_ID_LENGTH,
    "projects.Webhook.organisation_id": limits.ORGANISATION_ID_LENGTH,
    "projects.Webhook.url": limits.WEBHOOK_URL_LENGTH,
    "projects.Webhook.description": limits.WEBHOOK_DESCRIPTION_LENGTH,
    "projects.Webhook.disabled_reason": limits.REASON_LENGTH,
    "projects.Webhook.version": store_limits.MAX_VERSION,
    "projects.WebhookSecret.webhook_id": limits.WEBHOOK_ID_LENGTH,
    # Fernet's token of a 50-character secret (whsec_ and 44 of base64): 164 characters.
    "projects.WebhookSecret.ciphertext": 164,
    "registry.StoredEvent.position": store_limits.MAX_POSITION,
    "registry.StoredEvent.stream_type": store_limits.STREAM_TYPE_LENGTH,
    "registry.StoredEvent.stream_id": store_limits.STREAM_ID_LENGTH,
    "registry.StoredEvent.version": store_limits.MAX_VERSION,
    "registry.StoredEvent.event_type": store_limits.EVENT_TYPE_LENGTH,
    "registry.StoredEvent.schema_version": store_limits.MAX_SCHEMA_VERSION,
    "registry.StoredEvent.prev_hash": store_limits.HASH_LENGTH,
    "registry.StoredEvent.hash": store_limits.HASH_LENGTH,
    "registry.LedgerHead.id": 1,
    "registry.LedgerHead.position": store_limits.MAX_POSITION,
    "registry.LedgerHead.hash": store_limits.HASH_LENGTH,
    "registry.IdempotencyRecord.scope": len("actor:") + store_limits.METADATA_ID_LENGTH,
    "registry.IdempotencyRecord.key": store_limits.IDEMPOTENCY_KEY_LENGTH,
    "registry.IdempotencyRecord.stream_type": store_limits.STREAM_TYPE_LENGTH,
    "registry.IdempotencyRecord.stream_id": store_limits.STREAM_ID_LENGTH,
    "registry.IdempotencyRecord.version": store_limits.MAX_VERSION,
    "registry.IdempotencyRecord.first_position": store_limits.MAX_POSITION,
    "registry.IdempotencyRecord.last_position": store_limits.MAX_POSITION,
    "registry.IdempotencyRecord.fingerprint": store_limits.HASH_LENGTH,
    "registry.Checkpoint.name": store_limits.CHECKPOINT_NAME_LENGTH,
    "registry.Checkpoint.position": store_limits.MAX_POSITION,
    "registry.Snapshot.stream_type": store_limits.STREAM_TYPE_LENGTH,
    "registry.Snapshot.stream_id": store_limits.STREAM_ID_LENGTH,
    "registry.Snapshot.version": store_limits.MAX_VERSION,
    "registry.Snapshot.position": store_limits.MAX_POSITION,
    "registry.Snapshot.hash": store_limits.HASH_LENGTH,
    "registry.Snapshot.tag": store_limits.SNAPSHOT_TAG_LENGTH,
    # The Merkle tree: node keys stay below twice the log's length, positions below 2**62.
    "registry.TreeNode.key": store_limits.MAX_POSITION,
    "registry.TreeHead.tree_size": store_limits.MAX_POSITION,
    "registry.TreeHead.root_hash": store_limits.HASH_LENGTH,
    "registry.TreeHead.key_id": store_limits.HASH_LENGTH,
    "registry.TreeHead.signature": store_limits.SIGNATURE_LENGTH,
    "registry.SigningKey.key_id": store_limits.HASH_LENGTH,
    "registry.SigningKey.public_key": store_limits.PUBLIC_KEY_LENGTH,
}

# What PostgreSQL's integer columns hold.
INTEGER_RANGES = {
    models.PositiveSmallIntegerField: 2**15 - 1,
    models.SmallIntegerField: 2**15 - 1,
    models.PositiveIntegerField: 2**31 - 1,
    models.IntegerField: 2**31 - 1,
    models.BigIntegerField: 2**63 - 1,
    models.PositiveBigIntegerField: 2**63 - 1,
}


def _capacity(field: models.Field) -> int | Decimal | None:
    """Return the largest value the column holds on PostgreSQL (None: no limit)."""
    if isinstance(field, (models.ForeignKey, models.AutoField)):
        return None  # the key column of the target, checked there; an id the database makes
    if isinstance(field, models.DecimalField):
        digits, places = field.max_digits or 0, field.decimal_places or 0
        return Decimal(10) ** (digits - places) - Decimal(1).scaleb(-places)
    if isinstance(field, models.CharField):
        return field.max_length
    if isinstance(field, models.TextField):
        return 10**9  # PostgreSQL's text holds up to 1 GB
    for kind in type(field).__mro__:
        if kind in INTEGER_RANGES:
            return INTEGER_RANGES[kind]
    return None


def limited_columns() -> dict[str, int | Decimal]:
    """Return every column of the registry's tables that refuses some values."""
    columns = {}
    for app in ("projects", "registry"):
        for model in apps.get_app_config(app).get_models():
            for field in model._meta.concrete_fields:
                capacity = _capacity(field)
                if capacity is not None:
                    columns[f"{model._meta.label}.{field.name}"] = capacity
    return columns


def test_every_limited_column_has_a_limit_checked_before_it() -> None:
    assert sorted(set(limited_columns()) - set(BOUNDS)) == []
    assert sorted(set(BOUNDS) - set(limited_columns())) == []


@pytest.mark.parametrize("column", sorted(BOUNDS))
def test_no_limit_is_wider_than_its_column(column: str) -> None:
    assert BOUNDS[column] <= limited_columns()[column]


def test_the_amount_limit_is_exactly_what_the_budget_column_holds() -> None:
    assert str(limits.MAX_AMOUNT) == "9999999999999999.99"
    assert limited_columns()["projects.Project.budget_amount"] == limits.MAX_AMOUNT
