"""A structured-output call to any OpenAI-compatible server, within DEALCOACH_LLM_TIMEOUT, retries included."""

from __future__ import annotations

import logging
from typing import TypeVar

import openai
from pydantic import BaseModel, ValidationError

from bot.config import Settings

log = logging.getLogger(__name__)
T = TypeVar("T", bound=BaseModel)
RETRIES = 1


class LLMUnavailable(Exception):
    """The LLM failed, was slow, or answered something unusable: the caller falls back to the offline writer."""


class StructuredLLM:
    def __init__(self, settings: Settings, *, client: openai.OpenAI | None = None) -> None:
        self.model = settings.llm_model
        self.timeout = settings.llm_timeout
        key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else "not-needed"
        # The openai client retries 429 and 5xx itself; each attempt gets a share of the overall budget.
        per_attempt = settings.llm_timeout / (RETRIES + 1.5)
        self._client = client or openai.OpenAI(
            api_key=key, base_url=settings.openai_base_url, timeout=per_attempt, max_retries=RETRIES
        )

    def ask(self, system: str, user: str, schema: type[T], *, budget: float | None = None) -> T:
        """The parsed answer, within `budget` seconds (default: DEALCOACH_LLM_TIMEOUT), retries included."""
        client = self._client
        if budget is not None:
            client = client.with_options(timeout=max(budget, 0.05) / (RETRIES + 1.5))
        try:
            completion = client.chat.completions.parse(
                model=self.model,
                messages=[{"role": "system", "content": system}, {"role": "user", "content": user}],
                response_format=schema,
                temperature=0.2,
            )
        except (openai.OpenAIError, ValidationError, ValueError) as exc:
            log.warning("LLM call failed (%s); using the offline writer", type(exc).__name__)
            raise LLMUnavailable(type(exc).__name__) from exc
        parsed = completion.choices[0].message.parsed if completion.choices else None
        if parsed is None:
            raise LLMUnavailable("no parsed answer")
        return parsed
