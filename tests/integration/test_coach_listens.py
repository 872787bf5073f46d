"""PRODUCT.md section 5, through the Slack stand-in: the coach answers the rep's question, fits the moment, walks
away from an unethical demand in the coach's own path, and does not repeat the lines it last showed on a deal (it
keeps them on the deal, so a new process remembers them too)."""

from __future__ import annotations

from conftest import REP


def advice_of(answer) -> list[str]:  # noqa: ANN001
    """The lines of the coach's advice in a reply, without their principle titles."""
    [section] = [block["text"]["text"] for block in answer.body["blocks"]
                 if "Recommended move" in block.get("text", {}).get("text", "")]
    return [line[2:].split("  _(")[0] for line in section.splitlines() if line.startswith("> ")]


def move_of(answer) -> str:  # noqa: ANN001
    return answer.text.split("Recommended move: ")[1].split("*")[0]


def test_three_coach_requests_in_a_row_never_repeat_a_line(slack) -> None:
    slack.command("new acme list=100k floor=70k", user=REP)
    slack.command("concede acme 5%", user=REP)
    seen: list[str] = []
    for _ in range(3):
        lines = advice_of(slack.command("coach acme", user=REP))
        assert len(lines) >= 2
        seen += lines
    assert len(seen) == len(set(seen)), seen


def test_a_question_is_answered_rather_than_the_deal_alone(slack) -> None:
    slack.command("new acme list=100k floor=70k", user=REP)
    plain = advice_of(slack.command("coach acme", user=REP))
    answer = slack.command("coach acme they say a competitor is 20% cheaper, what do I say?", user=REP)
    lines = advice_of(answer)
    assert move_of(answer) == "hold"
    assert any(word in lines[0].lower() for word in ("compar", "scope", "side by side", "include")), lines
    assert not set(lines) & set(plain)


def test_a_kickback_asked_about_in_a_coach_question_is_walked_away_from(slack) -> None:
    slack.command("new acme list=100k floor=70k", user=REP)
    answer = slack.command("coach acme the buyer wants a kickback to sign", user=REP)
    assert move_of(answer) == "walk away", answer.text
    assert "kickback" in " ".join(advice_of(answer)).lower()
    assert "Walk away from unethical demands" in answer.text  # the principle, by its title


def test_after_a_concession_over_the_cap_is_logged_the_coach_does_not_offer_to_ask_first(slack) -> None:
    slack.command("new acme list=100k floor=60k", user=REP)
    answer = slack.command("concede acme 25% off", user=REP)
    assert move_of(answer) == "escalate", answer.text
    said = " ".join(advice_of(answer)).lower()
    assert "let me take it to my manager" not in said and "25% discount" in said, said
