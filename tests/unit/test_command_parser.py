"""PRODUCT.md section 3: every `/deal` subcommand parses to its command; bad input says what was wrong."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from bot.commands import types as commands
from bot.commands.parse import USAGE, CommandError, parse_command
from bot.commands.policy import ChannelName
from bot.domain.errors import InputError
from bot.domain.money import Amount

ACME = commands.DealRef(name="acme")


def _error(text: str) -> CommandError:
    with pytest.raises(CommandError) as caught:
        parse_command(text)
    return caught.value


# --- help -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "   ", "help", "HELP"])
def test_deal_alone_or_help_is_usage(text: str) -> None:
    assert isinstance(parse_command(text), commands.Help)


def test_an_unknown_subcommand_names_it_and_points_to_help() -> None:
    error = _error("frobnicate acme")
    assert "frobnicate" in error.message
    assert error.usage == "/deal help"


def test_every_subcommand_of_the_contract_has_a_usage_line() -> None:
    expected = {"new", "list", "status", "ask", "concede", "get", "undo", "coach", "qualify", "hours", "flag",
                "walk", "won", "lost", "back", "summary", "policy", "help"}
    assert expected <= set(USAGE)
    assert all(USAGE[sub].startswith(f"/deal {sub}") for sub in expected)


def test_a_command_error_is_an_input_error() -> None:
    assert isinstance(_error("status"), InputError)


# --- new ------------------------------------------------------------------------------------------


def test_new_reads_list_floor_target_cap_and_customer() -> None:
    command = parse_command('new acme list=$120k floor=90,000 target=110k cap=15% customer="Acme Corp"')
    assert command == commands.NewDeal(
        name="acme",
        list_price=Amount(12_000_000, "USD"),
        floor=Amount(9_000_000),
        target=Amount(11_000_000),
        cap_bp=1500,
        customer="Acme Corp",
    )


def test_new_customer_may_be_several_unquoted_words() -> None:
    command = parse_command("new acme list=120k floor=90k customer=Acme Corp Europe")
    assert isinstance(command, commands.NewDeal)
    assert command.customer == "Acme Corp Europe"


def test_new_cap_without_a_percent_sign_is_still_a_percent() -> None:
    command = parse_command("new acme list=120k floor=90k cap=12.5")
    assert isinstance(command, commands.NewDeal)
    assert command.cap_bp == 1250


def test_new_in_euros_keeps_the_symbol() -> None:
    command = parse_command("new acme list=€95k floor=80k")
    assert isinstance(command, commands.NewDeal)
    assert command.list_price == Amount(9_500_000, "EUR")


def test_new_alone_opens_the_modal() -> None:
    assert parse_command("new") == commands.NewDealModal()


def test_new_without_a_floor_is_an_error_that_says_a_floor_is_required() -> None:
    error = _error("new acme list=120k")
    assert "floor" in error.message
    assert error.usage == USAGE["new"]


def test_new_without_a_list_is_an_error() -> None:
    assert "list" in _error("new acme floor=90k").message


def test_new_with_an_unreadable_amount_names_it() -> None:
    error = _error("new acme list=lots floor=90k")
    assert "lots" in error.message
    assert error.usage == USAGE["new"]


@pytest.mark.parametrize("amount", ["0", "-5k", "2,000,000,000,000"])
def test_new_with_a_zero_negative_or_absurd_amount_is_an_error(amount: str) -> None:
    error = _error(f"new acme list={amount} floor=90k")
    assert amount in error.message


def test_new_with_an_absurdly_long_number_is_a_command_error() -> None:
    error = _error("new acme list=120k floor=" + "9" * 40)
    assert error.usage == USAGE["new"]


def test_new_with_an_unknown_option_names_it() -> None:
    assert "discount" in _error("new acme list=120k floor=90k discount=5%").message


def test_new_with_a_cap_over_100_percent_is_an_error() -> None:
    assert "100%" in _error("new acme list=120k floor=90k cap=120%").message


@pytest.mark.parametrize("name", ["acme corp", "acme!", "a" * 41, "ac/me"])
def test_a_deal_name_is_one_word_of_letters_digits_dash_underscore_dot_up_to_40(name: str) -> None:
    _error(f"new {name} list=120k floor=90k")


@pytest.mark.parametrize("name", ["Acme-2025_Q1.v2", "a" * 40, "x"])
def test_a_valid_deal_name_is_accepted(name: str) -> None:
    command = parse_command(f"new {name} list=120k floor=90k")
    assert isinstance(command, commands.NewDeal)
    assert command.name == name


def test_new_customer_with_slack_escapes_is_unescaped() -> None:
    command = parse_command("new att list=120k floor=90k customer=AT&amp;T &lt;EMEA&gt;")
    assert isinstance(command, commands.NewDeal)
    assert command.customer == "AT&T <EMEA>"


# --- list, status, undo ---------------------------------------------------------------------------


def test_list_and_list_all() -> None:
    assert parse_command("list") == commands.ListDeals(all=False)
    assert parse_command("list all") == commands.ListDeals(all=True)


def test_list_takes_only_all() -> None:
    error = _error("list everything")
    assert "everything" in error.message
    assert error.usage == USAGE["list"]


def test_status_names_a_deal_case_insensitively() -> None:
    assert parse_command("status ACME") == commands.Status(ACME)


def test_a_deal_by_hash_id_always_works() -> None:
    assert parse_command("status #42") == commands.Status(commands.DealRef(id=42))


def test_status_without_a_deal_is_an_error_with_usage() -> None:
    error = _error("status")
    assert "deal" in error.message.lower()
    assert error.usage == USAGE["status"]


def test_status_with_trailing_words_is_an_error() -> None:
    assert "extra" in _error("status acme extra").message


def test_status_takes_a_page_of_the_ledger_by_its_number() -> None:
    assert parse_command("status acme page 2") == commands.Status(ACME, page=2)
    assert parse_command("status acme") == commands.Status(ACME, page=1)
    for wrong in ("status acme page", "status acme page 0", "status acme page two", "status acme page 2 3"):
        assert "page" in _error(wrong).message


def test_undo_names_a_deal() -> None:
    assert parse_command("undo acme") == commands.Undo(ACME)
    assert _error("undo").usage == USAGE["undo"]


# --- ask ------------------------------------------------------------------------------------------


def test_ask_records_the_customers_words() -> None:
    assert parse_command("ask acme 15% off and free onboarding") == commands.Ask(ACME, "15% off and free onboarding")


def test_slack_escaped_text_is_unescaped() -> None:
    command = parse_command("ask acme they want &lt;50 seats&gt; &amp; free support")
    assert command == commands.Ask(ACME, "they want <50 seats> & free support")


def test_ask_without_text_is_an_error() -> None:
    assert _error("ask acme").usage == USAGE["ask"]


def test_an_ask_of_several_thousand_characters_is_refused() -> None:
    error = _error("ask acme " + "please " * 600)
    assert "characters" in error.message


def test_a_command_of_several_thousand_characters_is_refused() -> None:
    error = _error("coach acme " + "x" * 5000)
    assert "characters" in error.message


# --- concede --------------------------------------------------------------------------------------


def test_concede_keeps_the_reps_words_for_the_deal_to_read() -> None:
    """What a figure means depends on the deal's prices, so the service reads it (tests/unit/test_reader.py)."""
    assert parse_command("concede acme 10k off for a case study") == commands.Concede(ACME, "10k off for a case study")


def test_concede_words_are_unescaped() -> None:
    concede = parse_command("concede acme cut 5k for logo &amp; case study")
    assert isinstance(concede, commands.Concede) and concede.words == "cut 5k for logo & case study"


def test_concede_without_what_is_an_error() -> None:
    assert _error("concede acme").usage == USAGE["concede"]


# --- get ------------------------------------------------------------------------------------------


def test_get_records_what_was_received() -> None:
    assert parse_command("get acme a 3-year term") == commands.Get(ACME, "a 3-year term")


def test_get_with_a_worth() -> None:
    assert parse_command("get acme case study worth 5k") == commands.Get(ACME, "case study", Amount(500_000))


@pytest.mark.parametrize("nothing", ["nothing", "none", "free", "no", "Nothing."])
def test_a_get_of_nothing_is_no_get(nothing: str) -> None:
    assert "not something received" in _error(f"get acme {nothing}").message


def test_get_without_text_is_an_error() -> None:
    assert _error("get acme").usage == USAGE["get"]


def test_get_with_an_unreadable_worth_names_it() -> None:
    assert "plenty" in _error("get acme case study worth plenty").message


# --- coach, qualify, hours, flag ------------------------------------------------------------------


def test_coach_with_and_without_a_question() -> None:
    assert parse_command("coach acme") == commands.Coach(ACME)
    question = "they say a rival is 20% cheaper"
    assert parse_command(f"coach acme {question}") == commands.Coach(ACME, question)


def test_qualify_reads_yes_and_no_facts() -> None:
    command = parse_command("qualify acme needs=yes decider=no timeline=yes budget=no")
    assert command == commands.Qualify(ACME, {"needs": True, "decider": False, "timeline": True, "budget": False})


def test_qualify_with_an_unknown_fact_names_it() -> None:
    error = _error("qualify acme champion=yes")
    assert "champion" in error.message
    assert error.usage == USAGE["qualify"]


def test_qualify_with_a_value_other_than_yes_or_no_names_it() -> None:
    assert "maybe" in _error("qualify acme needs=maybe").message


@pytest.mark.parametrize(("text", "hours"), [("4", Decimal(4)), ("2.5", Decimal("2.5")), ("3h", Decimal(3))])
def test_hours_reads_a_number_of_hours(text: str, hours: Decimal) -> None:
    assert parse_command(f"hours acme {text}") == commands.Hours(ACME, hours)


@pytest.mark.parametrize("text", ["", "0", "-2", "lots", "NaN", "Infinity", "1001", "1.234"])
def test_hours_must_be_a_positive_sane_number(text: str) -> None:
    assert _error(f"hours acme {text}").usage == USAGE["hours"]


def test_flag_ethics_and_fit_with_why() -> None:
    why = "asked for a kickback"
    assert parse_command(f"flag acme ethics {why}") == commands.Flag(ACME, "ethics", why)
    assert parse_command("flag acme fit needs on-prem") == commands.Flag(ACME, "fit", "needs on-prem")


def test_flag_without_a_kind_or_a_reason_is_an_error() -> None:
    assert _error("flag acme").usage == USAGE["flag"]
    assert _error("flag acme ethics").usage == USAGE["flag"]
    assert _error("flag acme vibes bad").usage == USAGE["flag"]


# --- outcomes -------------------------------------------------------------------------------------


def test_walk_and_lost_take_a_reason() -> None:
    assert parse_command("walk acme below floor") == commands.Outcome(ACME, "walk", note="below floor")
    assert parse_command("lost acme went with a rival") == commands.Outcome(ACME, "lost", note="went with a rival")
    assert parse_command("walk acme") == commands.Outcome(ACME, "walk")


def test_won_and_back_take_a_price() -> None:
    assert parse_command("won acme $95k") == commands.Outcome(ACME, "won", price=Amount(9_500_000, "USD"))
    assert parse_command("back acme 98,000") == commands.Outcome(ACME, "back", price=Amount(9_800_000))
    assert parse_command("won acme") == commands.Outcome(ACME, "won")


def test_won_with_an_unreadable_price_names_it() -> None:
    error = _error("won acme a lot")
    assert "a lot" in error.message
    assert error.usage == USAGE["won"]


# --- summary --------------------------------------------------------------------------------------


def test_summary_defaults_to_the_week_for_yourself() -> None:
    assert parse_command("summary") == commands.Summary(None, "week")


def test_summary_reads_an_escaped_mention_and_a_period() -> None:
    assert parse_command("summary <@U123|bob> month") == commands.Summary("U123", "month")
    assert parse_command("summary quarter <@U0ABC123>") == commands.Summary("U0ABC123", "quarter")


def test_summary_with_an_unknown_period_names_it() -> None:
    error = _error("summary year")
    assert "year" in error.message
    assert error.usage == USAGE["summary"]


# --- export ---------------------------------------------------------------------------------------


def test_export_defaults_to_every_deal_and_takes_a_period() -> None:
    assert parse_command("export") == commands.Export("all")
    assert [parse_command(f"export {p}") for p in ("week", "Month", "quarter", "all")] == [
        commands.Export("week"), commands.Export("month"), commands.Export("quarter"), commands.Export("all")]


def test_export_with_anything_else_names_it_and_shows_its_usage() -> None:
    for text in ("export year", "export week month"):
        error = _error(text)
        assert text.removeprefix("export ") in error.message
        assert error.usage == USAGE["export"] == "/deal export [week|month|quarter|all]"


# --- policy ---------------------------------------------------------------------------------------


def test_policy_alone_shows_the_policy() -> None:
    assert parse_command("policy") == commands.PolicyCommand({})


def test_policy_reads_every_key_of_the_contract() -> None:
    command = parse_command(
        "policy cap=25% near_floor=3% unreciprocated=3 max_concessions=6 hourly_cost=200 time_share=15% "
        "alert_channel=<#C123|alerts> managers=<@U1|ann>,<@U2|bob> digest_day=friday digest_hour=17 "
        "timezone=Europe/Paris digest_channel=<#C456|sales-digest> stale_days=14"
    )
    assert command == commands.PolicyCommand(
        {
            "cap_bp": 2500,
            "near_floor_bp": 300,
            "unreciprocated": 3,
            "max_concessions": 6,
            "hourly_cost_cents": 20_000,
            "time_share_bp": 1500,
            "alert_channel": "C123",
            "managers": ("U1", "U2"),
            "digest_day": "fri",
            "digest_hour": 17,
            "timezone": "Europe/Paris",
            "digest_channel": "C456",
            "stale_days": 14,
        }
    )


def test_policy_channel_can_be_turned_off() -> None:
    assert parse_command("policy alert_channel=none") == commands.PolicyCommand({"alert_channel": None})


@pytest.mark.parametrize("typed", ["#deal-alerts", "deal-alerts", "#Deal-Alerts"])
def test_a_channel_typed_by_its_name_is_left_for_the_service_to_look_up(typed: str) -> None:
    assert parse_command(f"policy digest_channel={typed}") == commands.PolicyCommand(
        {"digest_channel": ChannelName("digest_channel", "deal-alerts")})


@pytest.mark.parametrize("typed", ["<#C0123|deal-alerts>", "<#C0123|>", "<#C0123>", "#C0123ABC"])
def test_a_channel_given_by_slacks_link_or_its_id_is_taken_as_its_id(typed: str) -> None:
    policy = parse_command(f"policy alert_channel={typed}")
    assert isinstance(policy, commands.PolicyCommand) and policy.changes["alert_channel"] in ("C0123", "C0123ABC")


@pytest.mark.parametrize(
    ("pair", "named"),
    [
        ("ceiling=25%", "ceiling"),
        ("cap=120%", "100%"),
        ("cap=0%", "0%"),
        ("unreciprocated=0", "unreciprocated"),
        ("max_concessions=lots", "lots"),
        ("hourly_cost=free", "free"),
        ("alert_channel=@general", "@general"),
        ("digest_channel=<#nope>", "<#nope>"),
        ("managers=bob", "bob"),
        ("digest_day=someday", "someday"),
        ("digest_hour=24", "24"),
        ("timezone=Mars/Olympus", "Mars/Olympus"),
        ("stale_days=-1", "-1"),
    ],
)
def test_policy_keys_and_values_are_validated(pair: str, named: str) -> None:
    error = _error(f"policy {pair}")
    assert named in error.message
    assert error.usage == USAGE["policy"]


def test_a_bad_policy_value_rejects_the_whole_command() -> None:
    with pytest.raises(CommandError):
        parse_command("policy cap=25% digest_hour=99")


def test_policy_needs_key_value_pairs() -> None:
    assert "cap" in _error("policy cap 25%").message


# --- property -------------------------------------------------------------------------------------

_PREFIXES = [
    "", "new acme list=", "new acme list=120k floor=", "concede acme ", "concede acme cut ",
    "get acme x worth ", "hours acme ", "won acme ", "summary ", "policy ", "policy cap=",
    "policy hourly_cost=", "ask acme ",
]
_TAILS = st.one_of(st.text(max_size=80), st.from_regex(r"[$€]?[0-9]{1,40}[kmb%]?", fullmatch=True))


@given(st.sampled_from(_PREFIXES), _TAILS)
@example("policy hourly_cost=", "1" * 30)
def test_bad_input_of_any_kind_is_a_command_error_never_a_crash(prefix: str, tail: str) -> None:
    try:
        parse_command(prefix + tail)
    except CommandError as error:
        assert error.message and error.usage.startswith("/deal")
