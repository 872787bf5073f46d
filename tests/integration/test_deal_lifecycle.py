"""A deal from opening to close: undo keeps history, walk and back, won, name reuse, `#id` for closed deals,
and a summary whose numbers match what was done."""

from __future__ import annotations

import re

from conftest import CHANNEL, MANAGER, OTHER_REP, REP, TEAM
from sqlalchemy import text


def load(container, name: str | None = "acme", deal_id: int | None = None):
    with container.uow(TEAM) as uow:
        return uow.deals.get(name=None if deal_id else name, deal_id=deal_id)


def ok(answer) -> bool:
    return answer.status == 200 and ":warning:" not in answer.text


def concessions(deal) -> list[tuple[str, bool]]:
    return [(e.text, e.active) for e in deal.entries if e.kind.value == "concession"]


def card(standin):
    [found] = standin.messages(CHANNEL, include_threads=False)
    return found


# Undo -----------------------------------------------------------------------------------------------------


def test_undo_takes_back_the_latest_own_entry_and_status_shows_it_taken_back(slack, standin, container) -> None:
    slack.command("new acme list=100k floor=70k", user=REP)
    slack.command("concede acme 5% for a case study", user=REP)
    slack.command("concede acme free onboarding worth 2k", user=REP)
    before = load(container)

    undone = slack.command("undo acme", user=REP)
    assert ok(undone) and "Took back" in undone.text, undone.text
    assert "Verdict" in undone.text, "a change's reply carries its verdict"

    deal = load(container)
    assert len(deal.entries) == len(before.entries), "taken back, not deleted"
    assert concessions(deal) == [("5% off list", True), ("free onboarding", False)]
    with container.engine.connect() as connection:
        stamped = connection.execute(text(
            "SELECT text, taken_back_by FROM ledger_entry WHERE taken_back_at IS NOT NULL")).all()
    assert [tuple(row) for row in stamped] == [("free onboarding", REP)]

    status = slack.command("status acme", user=REP)
    assert "*Taken back:* free onboarding" in status.text, status.text
    # The figures no longer count it: 5% off 100k, nothing else.
    assert "Net $95,000" in status.text and "Effective $95,000" in status.text
    assert "Gives 1, gets 1" in status.text

    slack.deliver()
    notes = [m.text for m in standin.messages(CHANNEL, thread_ts=card(standin).ts)]
    assert any("took back" in note and "free onboarding" in note for note in notes), notes


def taken_back_rows(container) -> list[tuple[str, str, str]]:  # noqa: ANN001
    with container.engine.connect() as connection:
        return [tuple(row) for row in connection.execute(text(
            "SELECT kind, text, taken_back_by FROM ledger_entry WHERE taken_back_at IS NOT NULL ORDER BY seq"))]


def thread_notes(standin) -> list[str]:  # noqa: ANN001
    """The thread's lines (notes waiting for their turn go out merged, one line each)."""
    return [line for m in standin.messages(CHANNEL, thread_ts=card(standin).ts) for line in m.text.splitlines()]


def test_undo_takes_back_a_concession_together_with_the_get_recorded_with_it(slack, standin, container) -> None:
    slack.command("new acme list=100k floor=70k", user=REP)
    slack.command("concede acme 5% for a case study", user=REP)

    undone = slack.command("undo acme", user=REP)
    assert ok(undone), undone.text
    assert "Took back: 5% off list, and the case study you got for it." in undone.text, undone.text
    assert "Both stay in the deal's history as taken back." in undone.text
    assert "Verdict" in undone.text, "a change's reply carries its verdict"
    assert taken_back_rows(container) == [("concession", "5% off list", REP), ("get", "a case study", REP)]
    status = slack.command("status acme", user=REP)
    assert "Net $100,000" in status.text and "Gives 0, gets 0" in status.text, status.text

    slack.deliver()
    note = thread_notes(standin)[-1]
    assert note == f"<@{REP}> took back: a price concession, and a case study received for it.", note


def test_undo_after_a_get_logged_later_takes_back_only_that_get(slack, standin, container) -> None:
    slack.command("new acme list=100k floor=70k", user=REP)
    slack.command("concede acme 5%", user=REP)
    slack.command("get acme logo rights", user=REP)  # a move of its own, right after the concession

    undone = slack.command("undo acme", user=REP)
    assert "Took back: logo rights, the get you logged for 5% off list." in undone.text, undone.text
    assert "It stays in the deal's history as taken back." in undone.text
    assert taken_back_rows(container) == [("get", "logo rights", REP)]
    assert "got: nothing yet" in slack.command("status acme", user=REP).text
    slack.deliver()
    assert thread_notes(standin)[-1] == f"<@{REP}> took back: logo rights, the get logged for a price concession."

    slack.command("undo acme", user=REP)
    assert [row[0] for row in taken_back_rows(container)] == ["concession", "get"]


def test_undo_of_a_customers_ask_takes_back_only_the_ask_and_leaves_the_thread_alone(
        slack, standin, container) -> None:
    slack.command("new acme list=100k floor=70k", user=REP)
    slack.command("concede acme 5% for a case study", user=REP)
    slack.command("ask acme they want price 80k", user=REP)
    slack.deliver()
    notes_before = thread_notes(standin)

    undone = slack.command("undo acme", user=REP)
    assert "Took back the customer's ask: “they want price 80k”." in undone.text, undone.text
    assert taken_back_rows(container) == [("ask", "they want price 80k", REP)]
    slack.deliver()
    assert thread_notes(standin) == notes_before, "the ask was never noted in the thread, nor is taking it back"


def test_a_rep_cannot_undo_a_concession_whose_get_a_manager_logged_until_the_manager_takes_it_back(
        slack, container) -> None:
    slack.command("new acme list=100k floor=70k", user=REP)
    slack.command("concede acme 5%", user=REP)
    slack.command("get acme logo rights", user=MANAGER)

    refused = slack.command("undo acme", user=REP)
    assert ":warning:" in refused.text and f"<@{MANAGER}>" in refused.text, refused.text
    assert taken_back_rows(container) == []
    assert ok(slack.command("undo acme", user=MANAGER))
    assert ok(slack.command("undo acme", user=REP))
    assert taken_back_rows(container) == [("concession", "5% off list", REP), ("get", "logo rights", MANAGER)]


def test_undo_twice_takes_back_the_two_latest_entries_in_turn(slack, container) -> None:
    slack.command("new acme list=100k floor=70k", user=REP)
    slack.command("concede acme 5%", user=REP)
    slack.command("get acme a logo", user=REP)
    slack.command("concede acme cut 1k", user=REP)
    slack.command("undo acme", user=REP)
    slack.command("undo acme", user=REP)
    deal = load(container)
    assert [(e.kind.value, e.active) for e in deal.entries] == [
        ("concession", True), ("get", False), ("concession", False)]
    status = slack.command("status acme", user=REP)
    assert "got: nothing yet" in status.text, "the get taken back no longer answers the concession"


def test_undo_with_nothing_to_take_back_records_nothing(slack, container) -> None:
    slack.command("new acme list=100k floor=70k", user=REP)
    answer = slack.command("undo acme", user=REP)
    assert answer.status == 200 and "nothing" in answer.text and "Usage:" in answer.text
    assert load(container).entries == []


def test_an_undone_concession_can_be_replaced(slack, container) -> None:
    slack.command("new acme list=100k floor=70k", user=REP)
    slack.command("concede acme 15%", user=REP)
    slack.command("undo acme", user=REP)
    answer = slack.command("concede acme 10%", user=REP)
    assert ok(answer) and "Net $90,000" in answer.text, answer.text


# Walk, back, won, lost ------------------------------------------------------------------------------------


def test_back_after_walk_reopens_the_deal(slack, standin, container) -> None:
    slack.command("new acme list=100k floor=70k customer=Acme Corp", user=REP)
    slack.command("concede acme 10% for a logo", user=REP)
    walked = slack.command("walk acme they want 40% off", user=REP)
    assert ok(walked) and "walked away" in walked.text
    assert load(container).stage.value == "walked"
    assert "acme" not in slack.command("list", user=REP).text, "a walked deal is not open"
    refused = slack.command("concede acme 5%", user=REP)
    assert ":warning:" in refused.text and "walked" in refused.text

    back = slack.command("back acme", user=REP)
    assert ok(back) and "open again" in back.text, back.text
    deal = load(container)
    assert deal.stage.value == "open" and deal.came_back
    assert "acme" in slack.command("list", user=REP).text
    assert ok(slack.command("concede acme free onboarding for a case study", user=REP))

    slack.deliver()
    assert "came back" in str(card(standin).blocks)
    notes = [m.text for m in standin.messages(CHANNEL, thread_ts=card(standin).ts)]
    assert any("walked away" in n for n in notes) and any("came back" in n for n in notes), notes


def test_back_is_only_for_a_walked_deal(slack, container) -> None:
    slack.command("new acme list=100k floor=70k", user=REP)
    answer = slack.command("back acme", user=REP)
    assert ":warning:" in answer.text and "Usage:" in answer.text
    slack.command("won acme", user=REP)
    answer = slack.command("back acme", user=REP)
    assert ":warning:" in answer.text and "won" in answer.text
    assert load(container).stage.value == "won"


def test_won_closes_the_deal(slack, standin, container) -> None:
    slack.command("new acme list=100k floor=70k", user=REP)
    slack.command("concede acme 10% for a 3-year term", user=REP)
    won = slack.command("won acme 90k", user=REP)
    assert ok(won) and "won" in won.text, won.text
    deal = load(container)
    assert deal.stage.value == "won" and deal.outcome_cents == 9_000_000
    with container.engine.connect() as connection:
        assert connection.execute(text("SELECT closed_at FROM deal")).scalar_one() is not None

    for command in ("concede acme 5%", "get acme a logo", "undo acme", "won acme", "walk acme", "lost acme"):
        answer = slack.command(command, user=REP)
        assert ":warning:" in answer.text and "won" in answer.text, (command, answer.text)
    assert len(load(container).entries) == 2, "nothing recorded on a closed deal"
    assert "acme" not in slack.command("list", user=REP).text

    slack.deliver()
    assert "won" in str(card(standin).blocks).lower()
    assert any("Won" in m.text for m in standin.messages(CHANNEL, thread_ts=card(standin).ts))


def test_lost_closes_the_deal_with_its_reason(slack, container) -> None:
    slack.command("new acme list=100k floor=70k", user=REP)
    assert ok(slack.command("lost acme went with a competitor", user=REP))
    deal = load(container)
    assert deal.stage.value == "lost" and deal.outcome_note == "went with a competitor"


# Names and ids --------------------------------------------------------------------------------------------


def test_a_name_may_be_reused_after_the_deal_is_closed(slack, container) -> None:
    slack.command("new acme list=100k floor=70k", user=REP)
    slack.command("won acme", user=REP)
    first = load(container)

    again = slack.command("new ACME list=50k floor=40k", user=REP)
    assert ok(again), again.text
    second = load(container)
    assert second.id != first.id and second.stage.value == "open" and second.list_cents == 5_000_000
    with container.engine.connect() as connection:
        assert connection.execute(text("SELECT COUNT(*) FROM deal WHERE name_key = 'acme'")).scalar_one() == 2

    # The name now means the open deal; the closed one stays reachable by id.
    assert "List $50,000" in slack.command("status acme", user=REP).text
    assert ok(slack.command("concede acme 5%", user=REP))
    assert load(container, deal_id=first.id).entries == []
    # A second open deal of that name is still refused.
    assert "already open" in slack.command("new acme list=10k floor=5k", user=REP).text


def test_a_walked_deal_cannot_come_back_while_its_name_is_taken(slack, container) -> None:
    slack.command("new acme list=100k floor=70k", user=REP)
    slack.command("walk acme", user=REP)
    walked = load(container)
    slack.command("new acme list=50k floor=40k", user=REP)
    answer = slack.command(f"back #{walked.id}", user=REP)
    assert ":warning:" in answer.text and "acme" in answer.text
    assert load(container, deal_id=walked.id).stage.value == "walked"


def test_hash_id_works_for_closed_deals(slack, container) -> None:
    slack.command("new acme list=100k floor=70k", user=REP)
    slack.command("concede acme 10% for a logo", user=REP)
    deal_id = load(container).id
    slack.command("won acme 90k", user=REP)
    slack.command("new acme list=50k floor=40k", user=REP)

    status = slack.command(f"status #{deal_id}", user=REP)
    assert ok(status), status.text
    assert "List $100,000" in status.text and "10% off list" in status.text and "logo" in status.text
    assert ok(slack.command(f"status #{deal_id}", user=MANAGER))


def test_status_of_a_closed_deal_says_how_it_ended(slack, container) -> None:
    slack.command("new acme list=100k floor=70k", user=REP)
    deal_id = load(container).id
    slack.command("won acme 90k", user=REP)
    status = slack.command(f"status #{deal_id}", user=REP)
    assert ok(status)
    assert re.search(r"\bwon\b", status.text, re.IGNORECASE), f"status should say the deal was won: {status.text}"


def test_hash_id_reopens_a_walked_deal(slack, container) -> None:
    slack.command("new acme list=100k floor=70k", user=REP)
    deal_id = load(container).id
    slack.command(f"walk #{deal_id}", user=REP)
    assert ok(slack.command(f"back #{deal_id}", user=REP))
    assert load(container, deal_id=deal_id).stage.value == "open"


# Summary --------------------------------------------------------------------------------------------------


def summary_line(answer_text: str, user: str) -> str:
    match = re.search(rf"<@{user}>: ([^\"]*?)\"", answer_text)
    assert match, f"no summary line for {user}: {answer_text}"
    return match.group(1)


def test_a_reps_summary_matches_what_they_did(slack, container) -> None:
    # Two deals; five concessions standing, three of them with a get; one more taken back.
    slack.command("new acme list=100k floor=70k", user=REP)
    slack.command("new beta list=50k floor=30k", user=REP)
    slack.command("concede acme 5% for a case study", user=REP)          # with a get (inline)
    slack.command("concede acme free onboarding", user=REP)              # without, then a get
    slack.command("get acme a reference call", user=REP)                 # ... now with a get
    slack.command("concede acme cut 1k", user=REP)                       # without
    slack.command("concede beta 10%", user=REP)                          # without
    slack.command("concede beta terms net-60 for a 2-year term", user=REP)  # with a get
    slack.command("concede beta cut 500", user=REP)                      # taken back: not counted
    slack.command("undo beta", user=REP)
    # Someone else's work is not the rep's.
    slack.command("new gamma list=10k floor=8k", user=OTHER_REP)
    slack.command("concede gamma 5%", user=OTHER_REP)

    mine = slack.command("summary", user=REP)
    assert ok(mine), mine.text
    line = summary_line(mine.text, REP)
    assert "2 deals opened" in line and "5 concessions (3 with a get, 2 without)" in line, line
    assert f"<@{OTHER_REP}>" not in mine.text, "a rep sees only themselves"

    by_manager = slack.command(f"summary <@{REP}>", user=MANAGER)
    assert summary_line(by_manager.text, REP) == line

    team = slack.command("summary", user=MANAGER)
    assert "*Team*: 3 deals opened · 6 concessions (3 with a get, 3 without)" in team.text, team.text
    assert "1 deal opened · 1 concession (0 with a get, 1 without)" in summary_line(team.text, OTHER_REP)


def test_a_reps_summary_counts_outcomes(slack, container) -> None:
    for name in ("acme", "beta", "gamma", "delta"):
        slack.command(f"new {name} list=100k floor=70k", user=REP)
    slack.command("concede acme 10% for a logo", user=REP)
    slack.command("won acme 90k", user=REP)
    slack.command("lost beta", user=REP)
    slack.command("walk gamma", user=REP)
    slack.command("walk delta", user=REP)
    slack.command("back delta", user=REP)

    line = summary_line(slack.command("summary", user=REP).text, REP)
    assert "4 deals opened" in line and "1 concession (1 with a get, 0 without)" in line, line
    assert "1 won (average discount 10%)" in line and "1 lost" in line, line
    assert "2 walked away (1 came back since)" in line, line  # delta walked in the period, then came back


def test_a_rep_cannot_see_another_reps_summary(slack) -> None:
    slack.command("new gamma list=10k floor=8k", user=OTHER_REP)
    answer = slack.command(f"summary <@{OTHER_REP}>", user=REP)
    assert ":warning:" in answer.text and "Only managers" in answer.text
    assert "1 deal opened" not in answer.text
