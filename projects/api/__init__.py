"""The partners' door: a REST API under ``/api/v1/`` (Django REST framework).

It reads through :mod:`projects.selectors` and writes only through
:func:`projects.application.handle`. Modules: ``tokens`` (issuing, revoking, checking
API tokens), ``authentication``, ``scope`` (what a caller may see), ``problems``
(RFC 9457 error answers), ``presenters`` (read models to JSON), ``schema`` (the
OpenAPI description), ``views``, ``urls`` and ``admin`` (tokens in the admin).
"""
