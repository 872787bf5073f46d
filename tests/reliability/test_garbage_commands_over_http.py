"""`/deal` with generated garbage, signed and posted to the real app over HTTP: every answer is a 200, and when
the answer is an error nothing was written (no deal, ledger entry, decision or outbox row changed).

One app (database, Slack stand-in, HTTP server) serves all of a property's examples: the function-scoped
fixtures are built once per test and hypothesis runs its examples inside it."""

from __future__ import annotations

import logging

import pytest
from conftest import CHANNEL, MANAGER, OTHER_REP, REP
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from reliability_support import failures_logged, is_error_reply, snapshot

from bot.commands.parse import USAGE
from bot.slack.ids import Action, Block, View
from bot.slack.metadata import NewDealForm

EXAMPLES = 60
HTTP_PROPERTY = settings(max_examples=EXAMPLES, deadline=None,
                         suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

WORDS = [
    "acme", "ACME", "#1", "#2", "#999999", "#99999999999999", "nosuch", "price", "cut", "free", "terms", "worth",
    "for", "clear", "ethics", "fit", "all", "list=", "floor=", "target=", "cap=", "customer=", "list=100k",
    "floor=80k", "floor=120k", "cap=35%", "needs=maybe", "10%", "150%", "0%", "-5%", "5k", "-5k", "€5k", "£1",
    "95k", "1e9", "NaN", "Infinity", "lots", "0", ".5k", "1,2,3", "12O,000", "“", '"', "=", "%", "<@U0REP>",
    "<#C0DEALS|deals>", "<!channel>", "&amp;", "&lt;script&gt;", "\u200b", "\u202e", "\t", "week", "month",
    "managers=none", "alert_channel=general", "digest_hour=25", "timezone=Mars/Olympus", "x" * 600,
]
words = st.one_of(st.sampled_from(WORDS), st.text(max_size=10))
# Mutating subcommands come first in the sampler: hypothesis shrinks towards them.
SUBCOMMANDS = ["concede", "ask", "get", "undo", "won", "lost", "walk", "back", "hours", "qualify", "flag", "new",
               "policy", *sorted(set(USAGE) - {"concede", "ask", "get", "undo", "won", "lost", "walk", "back",
                                               "hours", "qualify", "flag", "new", "policy"})]
garbage = st.one_of(
    st.text(max_size=120),
    st.tuples(st.sampled_from(SUBCOMMANDS), st.lists(words, max_size=6)).map(lambda p: " ".join([p[0], *p[1]])),
    st.tuples(st.sampled_from(SUBCOMMANDS), st.text(max_size=60)).map(" ".join),
)


@pytest.fixture
def acme(slack, container):  # noqa: ANN001, ANN201
    """A deal with a reciprocated concession and an alert, delivered: something for garbage to break."""
    slack.command("new acme list=100k floor=80k customer=Acme Corp", user=REP)
    slack.command("concede acme 5% for a case study", user=REP)
    slack.command("concede acme 25%", user=REP)
    slack.deliver()
    with container.uow("T0TEST") as uow:
        return uow.deals.get(name="acme")


def check_one(slack, container, caplog, text: str, user: str) -> None:  # noqa: ANN001
    caplog.clear()
    before = snapshot(container)
    answer = slack.command(text, user=user)
    assert answer.status == 200, (text, answer.status, answer.raw[:300])
    if is_error_reply(answer.body):
        assert answer.body.get("response_type") == "ephemeral", answer.body
        assert "Usage:" in answer.text, (text, answer.text)
        assert "Something went wrong on our side" not in answer.text, (text, answer.text)
        assert snapshot(container) == before, f"an error reply, yet something was written: {text!r}"
    assert failures_logged(caplog.records) == [], text
    slack.deliver()
    assert failures_logged(caplog.records) == [], f"delivering after {text!r}"


@HTTP_PROPERTY
@given(text=garbage)
@example(text="concede acme 500%")
@example(text="concede acme cut 95k")
@example(text="new acme list=90k floor=70k")
@example(text="concede #99999999999999 5%")
@example(text="status #999999999999")  # 12 digits: past a database integer
@example(text="hours acme 1e999999")
@example(text="concede acme free " + "z" * 3500)
def test_garbage_from_the_owner_gets_a_200_and_an_error_records_nothing(slack, container, acme, caplog,
                                                                       text: str) -> None:
    caplog.set_level(logging.INFO)
    check_one(slack, container, caplog, text, REP)


@HTTP_PROPERTY
@given(text=garbage)
@example(text="policy cap=35% near_floor=lots")
@example(text="policy managers=<@U0REP> frobnicate=1")
@example(text="flag acme clear ethics please")
def test_garbage_from_a_manager_gets_a_200_and_an_error_records_nothing(slack, container, acme, caplog,
                                                                        text: str) -> None:
    caplog.set_level(logging.INFO)
    check_one(slack, container, caplog, text, MANAGER)


@HTTP_PROPERTY
@given(text=st.tuples(st.sampled_from(SUBCOMMANDS), st.lists(words, max_size=4)).map(
    lambda p: " ".join([p[0], "acme", *p[1]])))
def test_another_reps_garbage_about_someone_elses_deal_never_changes_it(slack, container, acme, caplog,
                                                                       text: str) -> None:
    caplog.set_level(logging.INFO)
    before = snapshot(container, ("deal", "ledger_entry", "decision"))
    check_one(slack, container, caplog, text, OTHER_REP)
    after = snapshot(container, ("deal", "ledger_entry", "decision"))
    if not text.startswith("new "):  # another rep may open a deal of their own, never touch the owner's
        assert after == before, text


FIELD_WORDS = ["", " ", "acme", "beta", "two words", "n" * 41, "100k", "80k", "120k", "$100k", "€80k", "-5", "0",
               "lots", "1e9", "35%", "15%", "150%", "0%", "12.345%", "“Acme”", "&amp;", "x" * 300, "\u202e", "🙂"]
field_values = st.one_of(st.sampled_from(FIELD_WORDS), st.text(max_size=20))


@HTTP_PROPERTY
@given(values=st.fixed_dictionaries({block: field_values for block in ("name", "list", "floor", "target", "cap",
                                                                       "customer")}))
@example(values={"name": "beta", "list": "100k", "floor": "80k", "target": "", "cap": "", "customer": "Beta"})
@example(values={"name": "beta", "list": "100k", "floor": "€80k", "target": "", "cap": "", "customer": ""})
def test_a_new_deal_form_with_garbage_opens_the_deal_or_answers_errors_and_records_nothing(
        slack, container, acme, caplog, values: dict[str, str]) -> None:  # noqa: ANN001
    caplog.set_level(logging.INFO)
    caplog.clear()
    view = {"callback_id": str(View.NEW_DEAL), "private_metadata": NewDealForm(channel_id=CHANNEL).dump()}
    typed = {str(getattr(Block, key.upper())): {str(getattr(Action, key.upper())): value}
             for key, value in values.items()}
    before = snapshot(container)
    answer = slack.view_submission(view, typed, user=REP)
    assert answer.status == 200, answer.raw[:300]
    if answer.body.get("response_action") == "errors":
        errors = answer.body["errors"]
        assert len(errors) == 1 and set(errors) <= {str(b) for b in Block}, errors
        assert snapshot(container) == before, f"an error beside a field, yet something was written: {values}"
    assert failures_logged(caplog.records) == [], values
    slack.deliver()
