"""`make reliability`: the reliability suite and the figures in docs/RELIABILITY.md."""
