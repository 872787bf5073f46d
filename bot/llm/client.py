"""A structured-output call to any OpenAI-compatible server, within DEALCOACH_LLM_TIMEOUT, retries included."""

from __future__ import annotations

import logging
import time
from typing import Any, TypeVar

import openai
from openai.lib._parsing._completions import type_to_response_format_param
from openai.types.chat import ChatCompletion
from pydantic import BaseModel, ValidationError

from bot.config import Settings
from bot.llm.errors import LLMUnavailable

log = logging.getLogger(__name__)
T = TypeVar("T", bound=BaseModel)
RETRIES = 1
MIN_ATTEMPT_SECONDS = 0.05
DEFAULT_PAUSE_SECONDS = 0.5
TEMPERATURE = 0.2  # the rules decide; the LLM phrases, and should phrase the same facts much the same way
CORRECTION_TEMPERATURE = 0.7
# Worth one more try: rate limits, server errors, timeouts and dropped connections.
_RETRYABLE = (openai.RateLimitError, openai.InternalServerError, openai.APIConnectionError)


class StructuredLLM:
    def __init__(self, settings: Settings, *, client: openai.OpenAI | None = None) -> None:
        self.model = settings.llm_model
        self.timeout = settings.llm_timeout
        key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else "not-needed"
        # Retries are ours (see `ask`): the client's own would sleep whatever Retry-After the server asks.
        self._client = (client or openai.OpenAI(api_key=key, base_url=settings.openai_base_url)).with_options(
            max_retries=0)
        self._formats: dict[type[BaseModel], Any] = {}

    def prepare(self, schema: type[BaseModel]) -> Any:
        """`schema` as a structured-output response format, built once (the client's own helper, a few ms);
        the coaches call it at start-up so that no follow-up pays for it."""
        if schema not in self._formats:
            self._formats[schema] = type_to_response_format_param(schema)
        return self._formats[schema]

    def ask(self, system: str, user: str, schema: type[T], *, max_tokens: int, budget: float | None = None,
            correction: tuple[str, str] | None = None) -> T:
        """The parsed answer within `budget` seconds (default: DEALCOACH_LLM_TIMEOUT), retries included.

        `max_tokens` bounds the answer's length: each caller sets it for its schema, so a model that rambles is
        cut off (no usable answer) instead of generating for the whole budget. `correction`: a previous answer
        and what was wrong with it, sent as the conversation's next turns and answered less deterministically
        (a model asked the same thing at a low temperature mostly answers the same again).

        A 429, a 5xx or a lost connection is tried again once, after the server's Retry-After (or half a
        second), if that still fits in the budget; each attempt gets a share of the budget. The openai
        client's own retries cannot be bounded in time: they sleep a 429's Retry-After, up to a minute,
        while the rep waits for advice the offline coach already has."""
        deadline = time.monotonic() + (budget if budget is not None else self.timeout)
        per_attempt = max(deadline - time.monotonic(), 0.0) / (RETRIES + 1.5)
        messages = [{"role": "system", "content": system}, {"role": "user", "content": user}]
        temperature = TEMPERATURE
        if correction is not None:
            messages += [{"role": "assistant", "content": correction[0]}, {"role": "user", "content": correction[1]}]
            temperature = CORRECTION_TEMPERATURE
        failure: Exception | None = None
        for _ in range(RETRIES + 1):
            remaining = deadline - time.monotonic()
            if remaining < MIN_ATTEMPT_SECONDS:
                break
            try:
                # The body `chat.completions.parse` would send, through the client's documented custom-request
                # path: `parse` rebuilds the schema and walks every parameter through its type hints on each
                # call, two thirds of its CPU, taken from the requests a burst of follow-ups runs beside.
                completion = self._client.post(
                    "/chat/completions",
                    cast_to=ChatCompletion,
                    body={"model": self.model, "temperature": temperature, "max_tokens": max_tokens,
                          "response_format": self.prepare(schema),
                          "messages": messages},
                    options={"timeout": min(per_attempt, remaining)},
                )
                return _parsed(completion, schema)
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
        reason = type(failure).__name__ if failure is not None else "out of time"
        log.warning("LLM call failed (%s); using the offline writer", reason)
        raise LLMUnavailable(reason) from failure


def _parsed(completion: ChatCompletion, schema: type[T]) -> T:
    """The answer as `schema`; LLMUnavailable if the model refused, was cut off or said nothing."""
    choice = completion.choices[0] if completion.choices else None
    if choice is None or choice.finish_reason == "length" or choice.message.refusal or not choice.message.content:
        raise LLMUnavailable("no usable answer")
    return schema.model_validate_json(choice.message.content)  # a ValidationError is a failed attempt


def _retry_after(exc: Exception) -> float:
    """Seconds the server asked us to wait (Retry-After), else a short pause; a lost connection, none."""
    response = getattr(exc, "response", None)
    if response is None:
        return 0.0
    try:
        return max(float(response.headers.get("retry-after", DEFAULT_PAUSE_SECONDS)), 0.0)
    except (TypeError, ValueError):  # an HTTP date, or garbage: not worth parsing for a one-second budget
        return DEFAULT_PAUSE_SECONDS
