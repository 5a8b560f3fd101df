"""The liaison officers' door: the Django admin of the registry.

Admin classes show the read models; every change goes through a command form
(``commands``, ``commandforms``) and ``projects.services.execute``, never by saving a row.
Importing this package registers the admin classes.
"""

from projects.admin import readmodels

__all__ = ["readmodels"]
