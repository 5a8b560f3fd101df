"""Each milestone records the project stream's version at its last change.

The projector sets it from now on; existing rows take it from the log here, so the read
model equals a fresh replay (``verify_ledger``) without a rebuild. The log is read once,
in position order and in constant memory apart from one number per milestone.
"""

from typing import Any

from django.db import migrations, models

MILESTONE_EVENTS = (
    "MilestoneScheduled",
    "MilestoneRescheduled",
    "MilestoneClaimed",
    "MilestoneClaimConfirmed",
    "MilestoneClaimReturned",
    "MilestoneCancelled",
)
BATCH = 1000


def fill_versions(apps: Any, schema_editor: Any) -> None:
    """Set each milestone's version to that of the last event about it."""
    event = apps.get_model("registry", "StoredEvent")
    milestone = apps.get_model("projects", "Milestone")
    versions: dict[str, int] = {}
    rows = (
        event.objects.filter(stream_type="project", event_type__in=MILESTONE_EVENTS)
        .order_by("position")
        .values_list("stream_id", "version", "data")
    )
    for code, version, data in rows.iterator(chunk_size=BATCH):
        versions[f"{code}/{data['milestone_id']}"] = version
    changed = [milestone(key=key, version=version) for key, version in versions.items()]
    milestone.objects.bulk_update(changed, ["version"], batch_size=BATCH)


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0008_following"),
        ("registry", "0006_begin_append_lock_timeout"),
    ]

    operations = [
        migrations.AddField(
            model_name="milestone",
            name="version",
            field=models.PositiveIntegerField(default=0, verbose_name="version"),
        ),
        migrations.RunPython(fill_versions, migrations.RunPython.noop),
    ]
