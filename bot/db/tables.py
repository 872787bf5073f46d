"""SQLModel tables. Every row carries the Slack team id it belongs to; repositories filter on it."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


def table_of(model: type[SQLModel]) -> Table:
    """A table model's Core table, for Core statements."""
    table: Table = model.__table__  # type: ignore[attr-defined]  # SQLModel sets it on each table but declares none
    return table


def _when(*, nullable: bool = False, index: bool = False) -> Column[datetime]:
    return Column(DateTime(timezone=True), nullable=nullable, index=index)


def _money(*, nullable: bool = False) -> Column[int]:
    return Column(BigInteger, nullable=nullable)


class Workspace(SQLModel, table=True):
    """A Slack workspace and its policy; a NULL policy column means the default of PRODUCT.md section 4."""

    __tablename__ = "workspace"

    team_id: str = Field(primary_key=True, max_length=32)
    cap_bp: int | None = None
    near_floor_bp: int | None = None
    unreciprocated: int | None = None
    max_concessions: int | None = None
    hourly_cost_cents: int | None = Field(default=None, sa_column=_money(nullable=True))
    time_share_bp: int | None = None
    alert_channel: str | None = Field(default=None, max_length=32)
    managers: str | None = Field(default=None, max_length=2000)  # comma-separated user ids
    digest_day: str | None = Field(default=None, max_length=3)
    digest_hour: int | None = None
    timezone: str | None = Field(default=None, max_length=64)
    digest_channel: str | None = Field(default=None, max_length=32)
    stale_days: int | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_column=_when())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_when())


class DealRow(SQLModel, table=True):
    """A deal: its prices in cents of its one currency, qualification, flags, outcome and card."""

    __tablename__ = "deal"
    __table_args__ = (
        # A name is unique among a workspace's open deals only; closed deals keep theirs.
        Index(
            "uq_deal_open_name",
            "team_id",
            "name_key",
            unique=True,
            sqlite_where=text("stage = 'open'"),
            postgresql_where=text("stage = 'open'"),
        ),
        Index("ix_deal_team_owner_stage", "team_id", "owner_id", "stage"),
        Index("ix_deal_team_stage", "team_id", "stage"),
        Index("ix_deal_thread", "team_id", "channel_id", "card_ts"),
        Index("ix_deal_team_created", "team_id", "created_at"),
        # `/deal status acme` finds open and closed deals by name; the unique index above covers open ones only.
        Index("ix_deal_team_name", "team_id", "name_key"),
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(foreign_key="workspace.team_id", max_length=32)
    name: str = Field(max_length=40)
    name_key: str = Field(max_length=40)
    owner_id: str = Field(max_length=32)
    channel_id: str = Field(max_length=32)
    customer: str = Field(default="", max_length=200)
    currency: str = Field(max_length=3)
    list_cents: int = Field(sa_column=_money())
    floor_cents: int = Field(sa_column=_money())
    target_cents: int | None = Field(default=None, sa_column=_money(nullable=True))
    cap_bp: int | None = None
    term_months: int = Field(default=12, sa_column=Column(Integer, nullable=False, server_default="12"))
    stage: str = Field(default="open", max_length=10)
    needs: bool | None = None
    decider: bool | None = None
    timeline: bool | None = None
    budget: bool | None = None
    hours: Decimal = Field(default=Decimal(0), sa_column=Column(Numeric(12, 2), nullable=False))
    ethics_flag: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    fit_flag: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    cap_approved_through: int | None = None
    outcome_cents: int | None = Field(default=None, sa_column=_money(nullable=True))
    outcome_note: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    came_back: bool = False
    # The coach's lines last shown on this deal, newest last, one per line of text: the coach does not repeat them.
    coach_shown: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    card_ts: str | None = Field(default=None, max_length=32)
    # The judgement as of the last change, kept for lists, summaries and App Home without loading ledgers; OK for
    # a closed deal (the rules judge open deals only).
    verdict: str = Field(default="OK", max_length=10)
    effective_cents: int = Field(sa_column=_money())
    concession_count: int = 0
    # The running figures of the ledger (`domain.tally.Tally`, with concession_count above), written with each move
    # in the same versioned save as its entries, so a move reads only the latest entries (db/deals.py).
    ledger_seq: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default="0"))
    price_concessions_cents: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, server_default="0"))
    other_concessions_cents: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, server_default="0"))
    unpriced_count: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default="0"))
    gets_count: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default="0"))
    give_run: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default="0"))
    open_asks_count: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default="0"))
    latest_concession_seq: int | None = None
    latest_concession_cents: int | None = Field(default=None, sa_column=_money(nullable=True))
    latest_concession_unqualified: bool = Field(
        default=False, sa_column=Column(Boolean, nullable=False, server_default=false()))
    previous_concession_cents: int | None = Field(default=None, sa_column=_money(nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_when())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_when())
    closed_at: datetime | None = Field(default=None, sa_column=_when(nullable=True))
    # The latest walk-away, kept when the customer comes back (closed_at is cleared): summaries count a walk-away in
    # the period it happened (bot/domain/figures.py, `walked_in`).
    walked_at: datetime | None = Field(default=None, sa_column=_when(nullable=True))
    # Bumped by every save: a change judged on a deal read without a lock is written only if no one else
    # changed the deal in between (bot/db/deals.py).
    version: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default="0"))


class LedgerEntryRow(SQLModel, table=True):
    """One ask, concession or get; `seq` orders a deal's ledger; taken-back entries stay as history."""

    __tablename__ = "ledger_entry"
    __table_args__ = (
        UniqueConstraint("deal_id", "seq", name="uq_ledger_entry_deal_seq"),
        # Summaries count a team's concessions in a period, and the gets that answer each of them, from these
        # two indexes alone (they cover every column those counts read).
        Index("ix_ledger_entry_team_kind_at", "team_id", "kind", "at", "deal_id", "seq", "taken_back_at"),
        Index("ix_ledger_entry_deal_reciprocates", "deal_id", "reciprocates", "kind", "taken_back_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    deal_id: int = Field(sa_column=Column(ForeignKey("deal.id", ondelete="CASCADE"), nullable=False))
    team_id: str = Field(max_length=32)
    seq: int
    kind: str = Field(max_length=12)
    by_user: str = Field(max_length=32)
    at: datetime = Field(sa_column=_when())
    text: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    concession_type: str | None = Field(default=None, max_length=12)
    worth_cents: int | None = Field(default=None, sa_column=_money(nullable=True))
    percent_bp: int | None = None
    reciprocates: int | None = None
    unqualified: bool = False
    ethics_markers: str = Field(default="", max_length=500)  # "|"-joined labels
    taken_back_at: datetime | None = Field(default=None, sa_column=_when(nullable=True))
    taken_back_by: str | None = Field(default=None, max_length=32)
    worth_estimated: bool = Field(default=False, sa_column=Column(Boolean, nullable=False, server_default=false()))


class DecisionRow(SQLModel, table=True):
    """A manager's decision on an alert: one per alerting entry, whoever clicks first."""

    __tablename__ = "decision"
    __table_args__ = (UniqueConstraint("deal_id", "seq", name="uq_decision_deal_seq"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32, index=True)
    deal_id: int = Field(sa_column=Column(ForeignKey("deal.id", ondelete="CASCADE"), nullable=False))
    seq: int
    kind: str = Field(max_length=12)
    by_user: str = Field(max_length=32)
    at: datetime = Field(default_factory=utcnow, sa_column=_when())


class SentOnce(SQLModel, table=True):
    """Keys of things done once: scheduled messages queued (a digest per manager and period, a nudge per
    stale deal) and thread proposals logged: the primary key makes "exactly once" hold across processes."""

    __tablename__ = "sent_once"

    team_id: str = Field(primary_key=True, max_length=32)
    key: str = Field(primary_key=True, max_length=200)
    sent_at: datetime = Field(default_factory=utcnow, sa_column=_when())


class SlackEvent(SQLModel, table=True):
    """Event ids already handled: Slack retries deliveries and Bolt does not deduplicate them."""

    __tablename__ = "slack_event"

    event_id: str = Field(primary_key=True, max_length=64)
    team_id: str = Field(max_length=32)
    received_at: datetime = Field(default_factory=utcnow, sa_column=_when(index=True))


class ChannelRow(SQLModel, table=True):
    """What conversations.info said about a channel; shared channels get nothing but ephemeral replies."""

    __tablename__ = "channel"

    team_id: str = Field(primary_key=True, max_length=32)
    channel_id: str = Field(primary_key=True, max_length=32)
    is_ext_shared: bool = False
    checked_at: datetime = Field(default_factory=utcnow, sa_column=_when())


class OutboxRow(SQLModel, table=True):
    """A message to post to Slack, written in the transaction that caused it and delivered by a worker."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index(
            "ix_outbox_pending",
            "due_at",
            sqlite_where=text("delivered_at IS NULL AND failed_at IS NULL"),
            postgresql_where=text("delivered_at IS NULL AND failed_at IS NULL"),
        ),
        # Claiming looks for each channel's oldest pending row and its latest post (pacing).
        Index(
            "ix_outbox_channel_pending",
            "channel_id",
            "id",
            sqlite_where=text("delivered_at IS NULL AND failed_at IS NULL"),
            postgresql_where=text("delivered_at IS NULL AND failed_at IS NULL"),
        ),
        Index("ix_outbox_channel_delivered", "channel_id", "delivered_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=32)
    deal_id: int | None = Field(
        default=None, sa_column=Column(ForeignKey("deal.id", ondelete="CASCADE"), nullable=True, index=True)
    )
    kind: str = Field(max_length=20)
    # Where it will be posted: messages to one channel go out one at a time, in order, paced.
    channel_id: str = Field(default="", sa_column=Column(String(32), nullable=False, server_default=""))
    payload: str = Field(default="{}", sa_column=Column(Text, nullable=False, server_default="{}"))
    response_url: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_when())
    due_at: datetime = Field(default_factory=utcnow, sa_column=_when())
    attempts: int = 0
    # Attempts that failed on an error (5xx, network, a database away), which alone use up MAX_ATTEMPTS: a 429
    # says nothing about the message, so a long rate-limit episode must not leave it one error from the end.
    failures: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default="0"))
    claimed_until: datetime | None = Field(default=None, sa_column=_when(nullable=True))
    delivered_at: datetime | None = Field(default=None, sa_column=_when(nullable=True))
    failed_at: datetime | None = Field(default=None, sa_column=_when(nullable=True))
    last_error: str | None = Field(default=None, max_length=500)


class InstallationRow(SQLModel, table=True):
    """A workspace that installed the app through OAuth: its one bot token, encrypted (never stored in clear)."""

    __tablename__ = "installation"

    team_id: str = Field(primary_key=True, max_length=32)
    enterprise_id: str | None = Field(default=None, max_length=32)
    team_name: str | None = Field(default=None, max_length=200)
    app_id: str | None = Field(default=None, max_length=32)
    bot_id: str | None = Field(default=None, max_length=32)
    bot_user_id: str | None = Field(default=None, max_length=32)
    bot_token: str = Field(sa_column=Column(Text, nullable=False))  # Fernet ciphertext of the xoxb- token
    bot_scopes: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    installer_user_id: str | None = Field(default=None, max_length=32)
    installed_at: datetime = Field(default_factory=utcnow, sa_column=_when())


class OAuthStateRow(SQLModel, table=True):
    """An install begun at /slack/install: its state may be used once, before it expires, by any replica."""

    __tablename__ = "oauth_state"

    state: str = Field(primary_key=True, max_length=64)
    expires_at: datetime = Field(sa_column=_when(index=True))
