"""`/deal export` and `dealcoach export`: managers get the deals and their ledgers as CSV in their direct messages
(or in a file), reps get nothing; Slack's failures are retried and a final one is told in words."""

from __future__ import annotations

import csv
import io
import sqlite3
from datetime import UTC, datetime, timedelta

import pytest
from conftest import MANAGER, OTHER_TEAM, REP, TEAM
from sqlalchemy import event, text
from sqlmodel import Session, select

from bot.cli import main
from bot.db.engine import session_factory
from bot.db.tables import OutboxRow
from bot.delivery.queue import OutboxQueue
from bot.delivery.worker import OutboxWorker
from bot.messages import MessageKind
from bot.slack.clients import WorkspaceClients

MANAGER_DM = "D" + MANAGER[1:]


def csv_rows(data: bytes | str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode() if isinstance(data, bytes) else data, newline="")))


def export_uploads(standin) -> list:  # noqa: ANN001
    return [upload for upload in standin.uploads() if upload.completed and upload.filename.endswith(".csv")]


def export_rows(container) -> list[OutboxRow]:  # noqa: ANN001
    with Session(container.engine) as session:
        return list(session.exec(select(OutboxRow).where(OutboxRow.kind == MessageKind.EXPORT.value)))


def two_deals(slack) -> None:  # noqa: ANN001
    slack.command("new acme list=100k floor=60k customer==1+2", user=REP)
    slack.command("ask acme they want 10% off", user=REP)
    slack.command("concede acme 5k for a case study", user=REP)
    slack.command("new globex list=50k floor=40k", user=REP)


def test_a_managers_export_arrives_as_a_csv_in_their_direct_messages_with_every_entry(slack, standin) -> None:
    standin.set_user(REP, name="Rita Rep")
    two_deals(slack)
    answer = slack.command("export", user=MANAGER)
    assert answer.status == 200
    assert answer.body["text"] == "Your export of 2 deals is on its way to your direct messages."
    assert export_uploads(standin) == []  # the reply does not wait on Slack's upload
    slack.deliver()
    (upload,) = export_uploads(standin)
    assert upload.channel == MANAGER_DM
    assert upload.filename.startswith("deal-coach-all-") and "shows floors" in upload.title
    rows = csv_rows(upload.data)
    assert [(row["deal"], row["entry kind"]) for row in rows] == [
        ("acme", "ask"), ("acme", "concession"), ("acme", "get"), ("globex", "")]
    given = rows[1]
    assert given["floor"] == "60000.00" and given["worth"] == "5000.00" and given["get"] == "a case study"
    assert (given["owner"], given["owner id"], given["by"]) == ("Rita Rep", REP, "Rita Rep")
    assert given["customer"] == "'=1+2"  # a formula typed as a customer stays text
    assert given["effective price"] == "95000.00" and given["latest verdict"]


def test_a_rep_is_refused_and_nothing_is_queued_or_uploaded(slack, standin, container) -> None:
    two_deals(slack)
    answer = slack.command("export week", user=REP)
    assert answer.status == 200 and "Only managers can export deals." in answer.text
    slack.deliver()
    assert export_uploads(standin) == [] and export_rows(container) == []


def test_a_period_exports_only_the_deals_active_in_it(slack, standin, container) -> None:
    two_deals(slack)
    long_ago = datetime.now(UTC) - timedelta(days=200)
    with container.engine.begin() as connection:
        connection.execute(text("UPDATE deal SET created_at = :at, updated_at = :at WHERE name = 'globex'"),
                           {"at": long_ago})
    assert slack.command("export quarter", user=MANAGER).body["text"].startswith("Your export of 1 deal is")
    slack.deliver()
    (upload,) = export_uploads(standin)
    assert {row["deal"] for row in csv_rows(upload.data)} == {"acme"}
    assert upload.filename.startswith("deal-coach-quarter-")


def test_no_deals_in_the_period_says_so_and_sends_nothing(slack, standin, container) -> None:
    answer = slack.command("export month", user=MANAGER)
    assert answer.body["text"] == "No deals had any activity this month, so there is nothing to export."
    assert export_rows(container) == []


def test_a_refused_upload_fails_the_export_and_tells_the_manager_in_words(slack, standin, container) -> None:
    two_deals(slack)
    standin.fail_next("files.getUploadURLExternal", status=200, error="restricted_action")
    slack.command("export", user=MANAGER)
    slack.deliver()
    assert export_uploads(standin) == []
    (row,) = export_rows(container)
    assert row.failed_at is not None
    told = [m.text for m in standin.messages(MANAGER_DM)]
    assert told == ["I could not deliver your Deal Coach export: the workspace's settings do not allow it. "
                    "Ask for it again with `/deal export`."]


def test_an_outage_is_retried_and_the_export_arrives_later_without_a_failure_notice(
        slack, standin, container) -> None:
    two_deals(slack)
    standin.fail_next("files.completeUploadExternal", status=500)
    slack.command("export", user=MANAGER)
    slack.deliver()
    (row,) = export_rows(container)
    assert row.failed_at is None and row.delivered_at is None and "500" in (row.last_error or "")
    later = row.due_at.replace(tzinfo=UTC) + timedelta(seconds=1)
    worker = OutboxWorker(OutboxQueue(session_factory(container.engine), pace_seconds=0), container.uow,
                          WorkspaceClients(container.settings), exports=container.services.exports,
                          clock=lambda: later)
    worker.drain()
    assert len(export_uploads(standin)) == 1
    assert standin.messages(MANAGER_DM) == []


def test_the_command_line_writes_the_same_csv_to_a_file(slack, database_url, tmp_path, monkeypatch,
                                                        capsys) -> None:
    two_deals(slack)
    monkeypatch.setenv("DATABASE_URL", database_url)
    out = tmp_path / "deals.csv"
    assert main(["export", "--out", str(out)]) == 0
    rows = csv_rows(out.read_text(encoding="utf-8"))
    assert [(row["deal"], row["entry kind"]) for row in rows] == [
        ("acme", "ask"), ("acme", "concession"), ("acme", "get"), ("globex", "")]
    assert rows[1]["floor"] == "60000.00" and rows[1]["owner"] == REP  # no Slack here: people by their ids
    assert "Exported 2 deals" in capsys.readouterr().err
    assert main(["export", "--out", "-", "--period", "week", "--team", TEAM]) == 0
    assert csv_rows(capsys.readouterr().out) == rows  # both deals were active this week


def test_the_command_line_asks_which_workspace_when_the_database_holds_several(
        slack, container, database_url, tmp_path, monkeypatch) -> None:
    two_deals(slack)
    with container.uow(OTHER_TEAM) as uow:
        uow.workspaces.ensure()
        uow.commit()
    monkeypatch.setenv("DATABASE_URL", database_url)
    with pytest.raises(SystemExit) as refused:
        main(["export", "--out", str(tmp_path / "deals.csv")])
    assert str(refused.value) == (f"This database holds 2 workspaces; choose one with --team (Slack team ids): "
                                  f"{', '.join(sorted((TEAM, OTHER_TEAM)))}.")
    assert not (tmp_path / "deals.csv").exists()
    assert main(["export", "--out", str(tmp_path / "other.csv"), "--team", OTHER_TEAM]) == 0
    assert csv_rows((tmp_path / "other.csv").read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(("database", "said"), [
    ("missing", "There is no database file"),
    ("not ours", "DATABASE_URL holds no Deal Coach tables"),
    ("unreachable", "dealcoach export could not reach the database at DATABASE_URL: connection failed"),
])
def test_the_command_line_says_in_a_sentence_when_the_database_is_not_deal_coachs(
        database: str, said: str, tmp_path, monkeypatch) -> None:
    url = {"missing": f"sqlite:///{tmp_path / 'none.db'}", "not ours": f"sqlite:///{tmp_path / 'other.db'}",
           "unreachable": "postgresql://nobody@127.0.0.1:9/none"}[database]
    if database == "not ours":
        sqlite3.connect(tmp_path / "other.db").execute("CREATE TABLE notes (text)").connection.close()
    monkeypatch.setenv("DATABASE_URL", url)
    with pytest.raises(SystemExit) as refused:
        main(["export", "--out", str(tmp_path / "deals.csv")])
    assert str(refused.value).startswith(said)
    assert not (tmp_path / "deals.csv").exists() and not (tmp_path / "none.db").exists()


def test_reading_the_export_costs_the_same_statements_for_few_deals_or_many(slack, container) -> None:
    def statements_to_read() -> tuple[int, int]:
        executed: list[str] = []
        record = lambda *args: executed.append(args[2])  # noqa: E731 - (conn, cursor, statement, …)
        event.listen(container.engine, "before_cursor_execute", record)
        try:
            exports = container.services.exports
            found = exports.records(TEAM, exports.period(TEAM, "all"))
        finally:
            event.remove(container.engine, "before_cursor_execute", record)
        return len(found), len(executed)

    two_deals(slack)
    few = statements_to_read()
    for n in range(6):
        slack.command(f"new deal{n} list=10k floor=5k", user=REP)
        slack.command(f"concede deal{n} 1% for a logo", user=REP)
    many = statements_to_read()
    assert (few[0], many[0]) == (2, 8)
    assert 0 < few[1] == many[1]


def test_an_export_holds_its_own_workspaces_deals_only(slack, standin) -> None:
    two_deals(slack)
    assert "Opened" in slack.command("new initech list=70k floor=50k", user=REP, team_id=OTHER_TEAM).text
    slack.command("concede initech 2k for a logo", user=REP, team_id=OTHER_TEAM)
    assert slack.command("export", user=MANAGER).body["text"].startswith("Your export of 2 deals")
    slack.deliver()
    (upload,) = export_uploads(standin)
    assert {row["deal"] for row in csv_rows(upload.data)} == {"acme", "globex"}
