"""The outbox's typed messages: each kind's payload reads back as queued, rows in the shape written before the
types still read, a wrong payload is refused when queued, a malformed one named when read, and every kind is sent."""

from __future__ import annotations

import inspect
import json
from datetime import UTC, datetime
from typing import get_type_hints

import pytest
from pydantic import ValidationError

from bot.delivery.senders import SENDERS
from bot.domain.figures import Period
from bot.domain.model import Decision
from bot.domain.rules import Rule
from bot.messages import (
    PAYLOADS,
    AlertPayload,
    AlertUpdatePayload,
    CardPayload,
    ChartPayload,
    DecisionNoticePayload,
    DigestChartPayload,
    DigestPayload,
    EphemeralPayload,
    ExportPayload,
    HomePayload,
    MalformedPayload,
    MessageKind,
    NoteLine,
    NotePayload,
    NudgePayload,
    Payload,
    RespondPayload,
    SummaryLLMPayload,
    dump,
    load,
)

WEEK = Period("week", datetime(2026, 11, 30, tzinfo=UTC), datetime(2026, 12, 7, tzinfo=UTC))
BLOCKS = ({"type": "section", "text": {"type": "mrkdwn", "text": "hello"}},)

EXAMPLES: dict[MessageKind, Payload] = {
    MessageKind.CARD: CardPayload(),
    MessageKind.NOTE: NotePayload(notes=(
        NoteLine(moment="concession", by="U0REP", kind="concession", text="a price concession", get="logo rights"),
        NoteLine(moment="decision", by="U0MGR", decision=Decision.APPROVE, owner="U0REP"),
    )),
    MessageKind.ALERT: AlertPayload(channel="C0ALERTS", rules=(Rule.CAP,), seq=3, moment="concession",
                                    text="25% off", verdict="ESCALATE",
                                    findings=(("cap", "ESCALATE", "25% is above the 20% cap"),)),
    MessageKind.ALERT_UPDATE: AlertUpdatePayload(decision=Decision.WALK_AWAY, by="U0MGR", owner="U0REP",
                                                 ts="1700000000.000100", blocks=BLOCKS),
    MessageKind.DECISION_NOTICE: DecisionNoticePayload(decision=Decision.APPROVE, by="U0MGR", owner="U0REP"),
    MessageKind.EPHEMERAL: EphemeralPayload(channel="C0DEALS", user="U0REP", text="hello", blocks=BLOCKS,
                                            thread_ts="1700000000.000100"),
    MessageKind.RESPOND: RespondPayload(response_url="https://hooks.slack.com/x", text="done", blocks=BLOCKS),
    MessageKind.SUMMARY_LLM: SummaryLLMPayload(response_url="https://hooks.slack.com/x", period=WEEK,
                                               timezone="Europe/Paris", subject="U0REP"),
    MessageKind.HOME: HomePayload(user="U0REP"),
    MessageKind.CHART: ChartPayload(user="U0REP"),
    MessageKind.DIGEST: DigestPayload(to="U0MGR", period=WEEK, timezone="Europe/Paris"),
    MessageKind.DIGEST_CHART: DigestChartPayload(to="C0DIGEST", period=WEEK, timezone="UTC"),
    MessageKind.NUDGE: NudgePayload(to="U0REP", deals=(("acme", 9), ("globex", 12))),
    MessageKind.EXPORT: ExportPayload(to="U0MGR", period=Period("all", datetime(1970, 1, 1, tzinfo=UTC), WEEK.end),
                                      timezone="Europe/Paris"),
}

# Rows as the services wrote them before the payloads had types (json.dumps, sort_keys=True): still queued when
# the typed outbox is deployed, they must deliver.
STORED_BEFORE: dict[MessageKind, str] = {
    MessageKind.CARD: "{}",
    MessageKind.NOTE: '{"notes": [{"by": "U0REP", "get": "", "kind": "concession", "moment": "concession", '
                      '"text": "a price concession"}, {"by": "U0REP", "moment": "won", "reason": null}, '
                      '{"by": "U0REP", "kind": "get", "moment": "undo", "text": "logo rights", "answered": "net 30"}]}',
    MessageKind.ALERT: '{"channel": "C0ALERTS", "findings": [["cap", "ESCALATE", "over the cap"]], "moment": '
                       '"concession", "rules": ["cap", "near floor"], "seq": 3, "text": "25% off", '
                       '"verdict": "ESCALATE"}',
    MessageKind.ALERT_UPDATE: '{"blocks": [{"type": "actions", "elements": []}], "by": "U0MGR", "decision": '
                              '"walk away", "moment": "decision", "owner": "U0REP", "ts": "1700000000.000100"}',
    MessageKind.DECISION_NOTICE: '{"by": "U0MGR", "decision": "approve", "moment": "decision", "owner": "U0REP"}',
    MessageKind.EPHEMERAL: '{"blocks": [], "channel": "C0DEALS", "text": "hi", "thread_ts": null, "user": "U0REP"}',
    MessageKind.RESPOND: '{"blocks": [], "delete": true, "response_url": "https://hooks.slack.com/x", "text": ""}',
    MessageKind.SUMMARY_LLM: '{"end": "2026-12-05T09:30:00+00:00", "period": "month", "response_url": '
                             '"https://hooks.slack.com/x", "start": "2026-11-30T23:00:00+00:00", "subject": null, '
                             '"timezone": "Europe/Paris"}',
    MessageKind.HOME: '{"user": "U0REP"}',
    MessageKind.CHART: '{"user": "U0REP"}',
    MessageKind.DIGEST: '{"end": "2026-12-07T00:00:00+00:00", "period": "week", "start": '
                        '"2026-11-30T00:00:00+00:00", "timezone": "UTC", "to": "U0MGR"}',
    MessageKind.DIGEST_CHART: '{"end": "2026-12-07T00:00:00+00:00", "period": "week", "start": '
                              '"2026-11-30T00:00:00+00:00", "timezone": "UTC", "to": "C0DIGEST"}',
    MessageKind.NUDGE: '{"deals": [["acme", 9]], "to": "U0REP"}',
    # Typed from the start: stored as its model writes it.
    MessageKind.EXPORT: '{"end": "2026-12-06T08:00:00+00:00", "period": "month", "start": '
                        '"2026-11-30T23:00:00+00:00", "timezone": "Europe/Paris", "to": "U0MGR"}',
}


def test_every_kind_has_an_example_here() -> None:
    assert set(EXAMPLES) == set(MessageKind) == set(STORED_BEFORE) == set(PAYLOADS)


@pytest.mark.parametrize("kind", list(MessageKind))
def test_a_payload_of_each_kind_reads_back_as_it_was_queued(kind: MessageKind) -> None:
    assert load(kind, dump(kind, EXAMPLES[kind])) == EXAMPLES[kind]


@pytest.mark.parametrize("kind", list(MessageKind))
def test_a_row_queued_before_the_payloads_had_types_still_reads_and_is_written_back_the_same(
        kind: MessageKind) -> None:
    """A waiting note's lines are written again when a line merges in; a worker of the version before reads rows
    the new one wrote while a deploy rolls."""
    payload = load(kind, STORED_BEFORE[kind])
    assert type(payload) is PAYLOADS[kind]
    assert json.loads(dump(kind, payload)) == json.loads(STORED_BEFORE[kind])


def test_the_kinds_are_the_strings_rows_already_carry() -> None:
    assert {kind.value for kind in MessageKind} == {
        "card", "note", "alert", "alert_update", "decision_notice", "ephemeral", "respond", "summary_llm", "home",
        "chart", "digest", "digest_chart", "nudge", "export"}


def test_a_period_is_stored_flat_as_before_and_read_back_as_one_period() -> None:
    stored = json.loads(dump(MessageKind.DIGEST, EXAMPLES[MessageKind.DIGEST]))
    assert stored == {"to": "U0MGR", "timezone": "Europe/Paris", "period": "week",
                      "start": "2026-11-30T00:00:00+00:00", "end": "2026-12-07T00:00:00+00:00"}
    read = load(MessageKind.SUMMARY_LLM, STORED_BEFORE[MessageKind.SUMMARY_LLM])
    assert isinstance(read, SummaryLLMPayload) and read.period.name == "month"
    assert read.period.start == datetime(2026, 11, 30, 23, tzinfo=UTC)
    assert read.period.end == datetime(2026, 12, 5, 9, 30, tzinfo=UTC)


# Queueing a wrong payload is a programming error, raised at once ---------------------------------------------


def test_queueing_another_kinds_payload_raises() -> None:
    with pytest.raises(TypeError, match="alert messages carry AlertPayload, not HomePayload"):
        dump(MessageKind.ALERT, HomePayload(user="U0REP"))
    with pytest.raises(TypeError):
        dump(MessageKind.DIGEST, DigestChartPayload(to="U0MGR", period=WEEK, timezone="UTC"))


def test_queueing_a_dict_for_a_payload_raises() -> None:
    with pytest.raises(TypeError):
        dump(MessageKind.HOME, {"user": "U0REP"})  # type: ignore[arg-type]


def test_queueing_an_unknown_kind_raises() -> None:
    with pytest.raises(ValueError):
        dump("homepage", HomePayload(user="U0REP"))  # type: ignore[arg-type]


@pytest.mark.parametrize("build", [
    # Wrong on purpose: the checker sees it too.
    lambda: HomePayload(usr="U0REP"),  # type: ignore[call-arg]  # misspelt
    lambda: HomePayload(),  # type: ignore[call-arg]  # missing
    lambda: AlertPayload(channel="C0ALERTS", rules=("cap",), moment="ask", verdit="ESCALATE"),  # type: ignore[call-arg]
    lambda: AlertPayload(channel="C0ALERTS", rules=("no such rule",), moment="ask"),
    lambda: NoteLine(moment="decision", by="U0MGR", decision="maybe"),
    lambda: NudgePayload(to="U0REP", deals=(("acme", "nine days"),)),
    lambda: DigestPayload(to="U0MGR", period="week", timezone="UTC"),  # a period, not its name
])
def test_a_payload_with_a_wrong_field_cannot_be_built(build) -> None:  # noqa: ANN001
    with pytest.raises(ValidationError):
        build()


# A malformed stored row is named, kind and field ----------------------------------------------------------------


@pytest.mark.parametrize(("kind", "raw", "named"), [
    ("alert", '{"rules": ["cap"], "moment": "ask"}', "alert payload: channel: Field required"),
    ("home", '{"usr": "U0REP"}', "home payload: user: Field required; usr: Extra inputs are not permitted"),
    ("nudge", '{"to": "U0REP", "deals": [["acme", "nine"]]}', "nudge payload: deals.0.1: Input should be"),
    ("digest", '{"to": "U0MGR", "period": "week", "start": "2026-11-30T00:00:00+00:00", "timezone": "UTC"}',
     "digest payload: period.end: Field required"),
    ("note", '{"notes": [{"by": "U0REP"}]}', "note payload: notes.0.moment: Field required"),
    ("chart", "not json", "chart payload: payload: Invalid JSON"),
    ("card", "[]", "card payload: payload: Input should be an object"),
])
def test_a_malformed_stored_payload_is_named_by_kind_and_field(kind: str, raw: str, named: str) -> None:
    with pytest.raises(MalformedPayload) as caught:
        load(kind, raw)
    assert str(caught.value).startswith(named)


def test_a_row_of_an_unknown_kind_is_malformed() -> None:
    with pytest.raises(MalformedPayload, match="unknown kind 'homepage'"):
        load("homepage", '{"user": "U0REP"}')


# Every kind is sent -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(MessageKind))
def test_every_kind_has_a_sender_that_takes_its_payload(kind: MessageKind) -> None:
    sender = SENDERS[kind]
    payload_parameter = list(inspect.signature(sender).parameters)[2]
    assert get_type_hints(sender)[payload_parameter] is PAYLOADS[kind]
