"""Reminders gathered into one mail a day: the occasions each mail told of, and how often.

Dispatches recorded before this (one mail per occasion) become mails of one occasion
each, so what they told is not told again.
"""

from typing import Any

import django.db.models.deletion
from django.db import migrations, models

SETTLED = ("sent", "failed")
BATCH = 1000


def record_old_occasions(apps: Any, schema_editor: Any) -> None:
    """Record every settled one-occasion dispatch as a mail that told its occasion."""
    dispatch = apps.get_model("notifications", "Dispatch")
    item = apps.get_model("notifications", "DispatchItem")
    old = dispatch.objects.exclude(kind__in=("reminder", "digest")).filter(state__in=SETTLED)
    batch = []
    for row in old.iterator(chunk_size=BATCH):
        batch.append(
            item(
                dispatch_id=row.pk,
                recipient=row.recipient,
                subject=row.subject,
                kind=row.kind,
                series_date=row.series_date,
                occasion=row.occasion,
                told_on=row.claimed_at.date(),
            )
        )
        if len(batch) == BATCH:
            item.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    item.objects.bulk_create(batch, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="dispatch",
            name="items",
            field=models.JSONField(blank=True, default=list, verbose_name="occasions"),
        ),
        migrations.AddField(
            model_name="subscription",
            name="frequency",
            field=models.CharField(
                choices=[
                    ("daily", "at most one reminder mail a day"),
                    ("weekly", "at most one reminder mail a week"),
                ],
                default="daily",
                max_length=10,
                verbose_name="frequency",
            ),
        ),
        migrations.AlterField(
            model_name="dispatch",
            name="kind",
            field=models.CharField(
                choices=[
                    ("reminder", "reminder mail"),
                    ("digest", "weekly digest"),
                    ("before-14", "14 days before the due date"),
                    ("before-7", "7 days before the due date"),
                    ("before-1", "the day before the due date"),
                    ("due", "on the due date"),
                    ("overdue", "weekly while overdue"),
                    ("claim", "claim awaiting confirmation"),
                    ("outcome", "what became of a partner's report"),
                ],
                max_length=20,
                verbose_name="kind",
            ),
        ),
        migrations.CreateModel(
            name="DispatchItem",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("recipient", models.CharField(max_length=80, verbose_name="recipient")),
                ("subject", models.CharField(max_length=80, verbose_name="milestone")),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("reminder", "reminder mail"),
                            ("digest", "weekly digest"),
                            ("before-14", "14 days before the due date"),
                            ("before-7", "7 days before the due date"),
                            ("before-1", "the day before the due date"),
                            ("due", "on the due date"),
                            ("overdue", "weekly while overdue"),
                            ("claim", "claim awaiting confirmation"),
                            ("outcome", "what became of a partner's report"),
                        ],
                        max_length=20,
                        verbose_name="kind",
                    ),
                ),
                ("series_date", models.DateField(verbose_name="series date")),
                ("occasion", models.PositiveSmallIntegerField(default=0, verbose_name="occasion")),
                ("told_on", models.DateField(verbose_name="told on")),
                (
                    "dispatch",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="told",
                        to="notifications.dispatch",
                        verbose_name="mail",
                    ),
                ),
            ],
            options={
                "verbose_name": "occasion told",
                "verbose_name_plural": "occasions told",
                "ordering": ["dispatch", "id"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("recipient", "subject", "kind", "series_date", "occasion"),
                        name="dispatch_item_once",
                    )
                ],
                "indexes": [
                    models.Index(fields=["recipient", "told_on"], name="dispatch_item_told")
                ],
            },
        ),
        migrations.RunPython(record_old_occasions, migrations.RunPython.noop),
    ]
