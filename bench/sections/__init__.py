"""Benchmark sections, one module each, listed in ``bench.run.SECTIONS``.

A section module has ``TITLE``, ``options(parser)`` (its command-line options, with
defaults), ``measure(args) -> dict`` (run in a worker process, on one backend, against a
fresh database) and ``report(results, args) -> str`` (the Markdown printed for it, given
``{backend: what measure returned}``).
"""
