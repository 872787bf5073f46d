"""A structured-output call to any OpenAI-compatible server, within DEALCOACH_LLM_TIMEOUT, retries included."""

from __future__ import annotations

import logging
import time
from typing import TypeVar

import openai
from pydantic import BaseModel, ValidationError

from bot.config import Settings

log = logging.getLogger(__name__)
T = TypeVar("T", bound=BaseModel)
RETRIES = 1
MIN_ATTEMPT_SECONDS = 0.05
DEFAULT_PAUSE_SECONDS = 0.5
# Worth one more try: rate limits, server errors, timeouts and dropped connections.
_RETRYABLE = (openai.RateLimitError, openai.InternalServerError, openai.APIConnectionError)


class LLMUnavailable(Exception):
    """The LLM failed, was slow, or answered something unusable: the caller falls back to the offline writer."""


class StructuredLLM:
    def __init__(self, settings: Settings, *, client: openai.OpenAI | None = None) -> None:
        self.model = settings.llm_model
        self.timeout = settings.llm_timeout
        key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else "not-needed"
        # Retries are ours (see `ask`): the client's own would sleep whatever Retry-After the server asks.
        self._client = (client or openai.OpenAI(api_key=key, base_url=settings.openai_base_url)).with_options(
            max_retries=0)

    def ask(self, system: str, user: str, schema: type[T], *, budget: float | None = None) -> T:
        """The parsed answer within `budget` seconds (default: DEALCOACH_LLM_TIMEOUT), retries included.

        A 429, a 5xx or a lost connection is tried again once, after the server's Retry-After (or half a
        second), if that still fits in the budget; each attempt gets a share of the budget. The openai
        client's own retries cannot be bounded in time: they sleep a 429's Retry-After, up to a minute,
        while the rep waits for advice the offline coach already has."""
        deadline = time.monotonic() + (budget if budget is not None else self.timeout)
        per_attempt = max(deadline - time.monotonic(), 0.0) / (RETRIES + 1.5)
        failure: Exception | None = None
        for _ in range(RETRIES + 1):
            remaining = deadline - time.monotonic()
            if remaining < MIN_ATTEMPT_SECONDS:
                break
            try:
                completion = self._client.with_options(timeout=min(per_attempt, remaining)).chat.completions.parse(
                    model=self.model,
                    messages=[{"role": "system", "content": system}, {"role": "user", "content": user}],
                    response_format=schema,
                    temperature=0.2,
                )
            except _RETRYABLE as exc:
                failure = exc
                wait = _retry_after(exc)
                if time.monotonic() + wait + MIN_ATTEMPT_SECONDS >= deadline:
                    break  # the server asks for longer than the rep can wait: the offline answer stands
                time.sleep(wait)
                continue
            except (openai.OpenAIError, ValidationError, ValueError) as exc:
                failure = exc
                break
            parsed = completion.choices[0].message.parsed if completion.choices else None
            if parsed is None:
                raise LLMUnavailable("no parsed answer")
            return parsed
        reason = type(failure).__name__ if failure is not None else "out of time"
        log.warning("LLM call failed (%s); using the offline writer", reason)
        raise LLMUnavailable(reason) from failure


def _retry_after(exc: Exception) -> float:
    """Seconds the server asked us to wait (Retry-After), else a short pause; a lost connection, none."""
    response = getattr(exc, "response", None)
    if response is None:
        return 0.0
    try:
        return max(float(response.headers.get("retry-after", DEFAULT_PAUSE_SECONDS)), 0.0)
    except (TypeError, ValueError):  # an HTTP date, or garbage: not worth parsing for a one-second budget
        return DEFAULT_PAUSE_SECONDS
