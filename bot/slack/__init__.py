"""The Slack side: app factory, ids, metadata, error handling, listeners, delivery of queued messages."""
