"""Delivers the outbox: messages written with the change that caused them, posted to Slack by a worker."""
