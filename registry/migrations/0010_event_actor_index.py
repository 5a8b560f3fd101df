"""An index of the events by who recorded them: "Recent changes by me" reads a page of it.

The actor is inside the metadata (hashed with the event, so it never becomes a column);
the index is on the expression, per database, and ``registry.reading.read_by_actor``
queries the very same expression. On PostgreSQL it is built CONCURRENTLY, so a long log
takes no lock that live writers need while it builds (hence a non-atomic migration).
"""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

from registry.reading import ACTOR_INDEX_SQL

DROP = "DROP INDEX IF EXISTS registry_event_actor"


def create(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    schema_editor.execute(ACTOR_INDEX_SQL[schema_editor.connection.vendor])


def drop(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    schema_editor.execute(DROP)


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("registry", "0009_begin_append_frontier")]
    operations = [migrations.RunPython(create, drop, elidable=False)]
