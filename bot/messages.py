"""The outbox's messages: each kind as stored, and what each carries, one typed payload per kind, JSON in and out."""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError, model_serializer, model_validator

from bot.domain.figures import Period
from bot.domain.model import Decision
from bot.domain.rules import Rule


class MessageKind(StrEnum):
    """The values are the strings in `outbox.kind`: rows queued before a release deliver after it."""

    CARD = "card"
    NOTE = "note"
    ALERT = "alert"
    ALERT_UPDATE = "alert_update"
    DECISION_NOTICE = "decision_notice"
    EPHEMERAL = "ephemeral"
    RESPOND = "respond"
    SUMMARY_LLM = "summary_llm"
    HOME = "home"
    CHART = "chart"
    DIGEST = "digest"
    DIGEST_CHART = "digest_chart"
    NUDGE = "nudge"
    EXPORT = "export"


class Payload(BaseModel):
    # Frozen: read once by the worker and passed on. Extra keys refused: a misspelt optional field, when queued,
    # would otherwise vanish without a word.
    model_config = ConfigDict(extra="forbid", frozen=True)


Blocks = tuple[dict[str, Any], ...]  # Block Kit as Slack takes it, built by `bot.render`


class CardPayload(Payload):
    """Nothing: the card draws the deal as it is when sent (the rep's response URL is the row's own column)."""


class NoteLine(Payload):
    """One recorded move as the deal's thread may read it (`services/notes.py`): never a price move's amount."""

    moment: str
    by: str = ""
    text: str | None = None
    kind: str | None = None  # the entry's kind: concession, get
    get: str | None = None  # what was got for a concession; "" for nothing
    answered: str | None = None  # a get taken back alone: the concession it answered
    reason: str | None = None  # a closed deal's outcome note
    decision: Decision | None = None  # a manager's answer to an alert
    owner: str | None = None  # the rep told of the decision


class NotePayload(Payload):
    """Lines for one thread message: notes still waiting merge (`OutboxRepository.add_note`)."""

    notes: tuple[NoteLine, ...]


class AlertPayload(Payload):
    """What the rules said at the crossing, kept as it was then: the deal may have moved on when it is sent."""

    channel: str  # the managers' alert channel
    rules: tuple[Rule, ...]  # newly firing
    seq: int | None = None  # the entry that set it off, which the buttons decide on
    moment: str  # ask or concession
    text: str = ""  # the move's words
    verdict: str | None = None  # None: a closed deal, whose alert shows its final state instead
    findings: tuple[tuple[str, str, str], ...] = ()  # rule, verdict word, reason


class _Decided(Payload):
    moment: Literal["decision"] = "decision"
    decision: Decision
    by: str  # the manager
    owner: str  # the rep


class AlertUpdatePayload(_Decided):
    """The alert as posted (`ts`, `blocks`), to show the decision in place of its buttons."""

    ts: str
    blocks: Blocks = ()


class DecisionNoticePayload(_Decided):
    """The decision, told to the rep privately."""


class EphemeralPayload(Payload):
    channel: str
    user: str
    text: str
    blocks: Blocks = ()
    thread_ts: str | None = None


class RespondPayload(Payload):
    """A button's private message replaced by this reply, or deleted."""

    response_url: str
    delete: bool = False
    text: str = ""
    blocks: Blocks = ()


class _OverPeriod(Payload):
    """A period, stored flat (`period` its name, `start`, `end` ISO times) and read back as one `Period`."""

    period: Period
    timezone: str

    @model_validator(mode="before")
    @classmethod
    def _nest(cls, data: Any) -> Any:
        if isinstance(data, dict) and not isinstance(data.get("period"), Period):
            data = dict(data)
            span = {"name": data.pop("period", None), "start": data.pop("start", None), "end": data.pop("end", None)}
            data["period"] = {key: value for key, value in span.items() if value is not None}
        return data

    @model_serializer(mode="wrap")
    def _flatten(self, handler: Any) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        data.update(period=self.period.name, start=self.period.start.isoformat(), end=self.period.end.isoformat())
        return data


class SummaryLLMPayload(_OverPeriod):
    """The summary again, its sentences by the LLM, in place of the reply the command got."""

    response_url: str
    subject: str | None = None  # the rep summarised; None: the whole team


class DigestPayload(_OverPeriod):
    to: str  # a manager (their DMs) or the digest channel


class DigestChartPayload(DigestPayload):
    """The digest's chart: the same week, to the same place."""


class ExportPayload(_OverPeriod):
    """A manager's CSV of the deals active in the period (`all`: from the beginning), made when it is sent."""

    to: str  # the manager: their direct messages only (it shows floors)


class UserPayload(Payload):
    user: str


class HomePayload(UserPayload):
    """Whose App Home to publish, and what it tells them after they saved its setup (saved, or why not)."""

    notice: str = ""


class ChartPayload(UserPayload):
    """Who asked for the deal's price chart: it goes to their DMs only (it shows the floor)."""


class NudgePayload(Payload):
    to: str  # the rep
    deals: tuple[tuple[str, int], ...]  # name, days idle


PAYLOADS: dict[MessageKind, type[Payload]] = {
    MessageKind.CARD: CardPayload,
    MessageKind.NOTE: NotePayload,
    MessageKind.ALERT: AlertPayload,
    MessageKind.ALERT_UPDATE: AlertUpdatePayload,
    MessageKind.DECISION_NOTICE: DecisionNoticePayload,
    MessageKind.EPHEMERAL: EphemeralPayload,
    MessageKind.RESPOND: RespondPayload,
    MessageKind.SUMMARY_LLM: SummaryLLMPayload,
    MessageKind.HOME: HomePayload,
    MessageKind.CHART: ChartPayload,
    MessageKind.DIGEST: DigestPayload,
    MessageKind.DIGEST_CHART: DigestChartPayload,
    MessageKind.NUDGE: NudgePayload,
    MessageKind.EXPORT: ExportPayload,
}


class MalformedPayload(ValueError):
    """A stored row that is not a message of its kind: sending it cannot work, now or later."""


def dump(kind: MessageKind, payload: Payload) -> str:
    """The row's JSON. The wrong model for the kind is a programming error, raised in the transaction queuing it."""
    expected = PAYLOADS[MessageKind(kind)]
    if type(payload) is not expected:
        raise TypeError(f"{kind} messages carry {expected.__name__}, not {type(payload).__name__}")
    # The fields given, as the services wrote their dicts before these models: while a deploy rolls, a worker of the
    # version before reads these rows too (a closed deal's alert has no verdict key; a summary's subject is there,
    # None or not).
    return payload.model_dump_json(exclude_unset=True)


def load(kind: str, raw: str) -> Payload:
    """The stored row's payload, typed; MalformedPayload names the kind and each field that is wrong."""
    try:
        model = PAYLOADS[MessageKind(kind)]
    except ValueError:
        raise MalformedPayload(f"unknown kind {kind!r}") from None
    try:
        return model.model_validate_json(raw)
    except ValidationError as exc:
        wrong = "; ".join(f"{'.'.join(map(str, error['loc'])) or 'payload'}: {error['msg']}" for error in exc.errors())
        raise MalformedPayload(f"{kind} payload: {wrong}") from None
