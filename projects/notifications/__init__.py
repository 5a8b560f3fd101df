"""Reminders, weekly digests and unsubscribe links: plan what to send, render it, deliver it."""
