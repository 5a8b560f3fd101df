"""Settings of a benchmark worker: the project's settings plus the ``bench`` app.

The base is ``BENCH_BASE_SETTINGS`` (``bench.run`` passes on the caller's
``DJANGO_SETTINGS_MODULE``, normally ``config.settings``). The ``bench`` app holds the
plain CRUD and django-simple-history models the event store is compared with; it has
no migrations, so workers create its tables with ``migrate --run-syncdb``. The
``simple_history`` app is the django-simple-history contender's (requirements/bench.txt).
``bench.run`` points ``DATABASE_URL`` and ``REGISTRY_VAR_DIR`` at throwaway places
before any of this is imported.
"""

from __future__ import annotations

import importlib
import os

_base = importlib.import_module(os.environ.get("BENCH_BASE_SETTINGS", "config.settings"))
globals().update({name: value for name, value in vars(_base).items() if name.isupper()})

INSTALLED_APPS = [*_base.INSTALLED_APPS, "simple_history", "bench"]
DEBUG = False  # with DEBUG on, Django keeps every query in memory

# Pages are rendered without running collectstatic first: no manifest of hashed names.
STORAGES = {
    **_base.STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
