"""Events as sentences people read, in their language: the registry's timeline grammar.

Any door may use it (the admin's timeline and print view today; the API's feed or the
digests later): load the names a page of events refers to once
(``projects.selectors.timeline_names``), then ``narrate(events, names)`` returns one
:class:`Line` per event with its sentence, who made the change, the door it came
through, when it was recorded (in ``TIME_ZONE``) and the raw event.
"""

from projects.narrative import others, project, recipient
from projects.narrative.core import SENTENCES, Line, Names, actor, describe, door, line, narrate

__all__ = [
    "SENTENCES",
    "Line",
    "Names",
    "actor",
    "describe",
    "door",
    "line",
    "narrate",
    "others",
    "project",
    "recipient",
]
