"""Offline stand-ins for Slack that tests, `dealcoach demo` and `dealcoach console` talk to."""

from .webapi import Call, Message, SlackStandIn, Upload

__all__ = ["Call", "Message", "SlackStandIn", "Upload"]
