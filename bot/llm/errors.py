"""What every LLM caller catches, kept apart from the client so that callers need not import openai (half a
second at start-up) unless an LLM is configured."""


class LLMUnavailable(Exception):
    """The LLM failed, was slow, or answered something unusable: the caller falls back to the offline writer."""
