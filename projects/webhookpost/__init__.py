"""One signed POST to a partner's webhook: what two doors share (outside both).

The webhooks door (``projects.webhooks``) sends events with it; the API's test operation
(``POST /api/v1/webhooks/{id}/test/``) sends a ping with it. ``body``: the feed's item and
the Standard Webhooks headers; ``sending``: the POST to a checked address.
"""

from projects.webhookpost.body import encode, feed_item, headers
from projects.webhookpost.ping import send_test
from projects.webhookpost.sending import Outcome, Refused, checked_address, post

__all__ = [
    "Outcome",
    "Refused",
    "checked_address",
    "encode",
    "feed_item",
    "headers",
    "post",
    "send_test",
]
