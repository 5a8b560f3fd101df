"""Benchmarks of the event store: ``make bench`` (``python -m bench.run``).

Speed and memory are measured here, never asserted in tests. Every run works in its
own throwaway databases; docs/BENCHMARKS.md records the figures and the command.
"""
