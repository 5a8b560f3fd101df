"""Fixtures of the seed tests: the founding set, loaded once for a module."""

from tests.projects.conftest import founding_set

__all__ = ["founding_set"]
