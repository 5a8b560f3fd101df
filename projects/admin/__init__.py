"""The liaison officers' door: the Django admin of the registry.

Admin classes show the read models; every change goes through a command form
(``commandforms``, ``commandviews``, ``commands``, ``records``, ``register``) and
``projects.application.handle``, never by saving a row. The home page opens with the
dashboard (``dashboard``). Importing this package registers the admin classes.
"""

from projects.admin import readmodels, records

__all__ = ["readmodels", "records"]
