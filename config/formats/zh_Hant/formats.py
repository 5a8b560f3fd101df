"""ISO 8601 dates and times, as in English (the registry shows the same in all three)."""

from config.formats.en.formats import *  # noqa: F403
