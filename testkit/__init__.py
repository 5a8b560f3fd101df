"""Helpers the tests and the tools (bench, reliability) share: a real SMTP server, property budgets.

Nothing here is imported by the application; it holds only what both the test suite and
``make bench`` / ``make reliability`` need, so neither tool imports ``tests``.
"""
