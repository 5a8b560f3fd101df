"""Webhooks for partners' systems: every event an organisation may see, pushed, signed.

What is sent and how (the feed's item, signed as Standard Webhooks asks; one POST to a
checked address, no redirect followed) lives in ``projects.webhookpost``, which the API's
test operation shares. This door holds:

- ``scan``: the delivery scan (queued after each commit that recorded project events,
  and by beat): per webhook, in position order, each attempt recorded, failures retried
  with exponential backoff, a webhook failing for ``WEBHOOK_RETRY_DAYS`` disabled;
- ``mail``: telling an organisation's contacts that its webhook was disabled;
- ``admin``: the deliveries in the admin, and sending one again;
- ``queueing``: the after-commit listener that queues the scan.
"""
