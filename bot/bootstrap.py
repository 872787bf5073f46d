"""Wires the parts together once per process: engine, unit of work, services, Slack app, outbox worker."""

from __future__ import annotations

from dataclasses import dataclass

from slack_bolt import App
from slack_sdk import WebClient
from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from bot.coach.llm import LLMCoach
from bot.coach.offer_reader import LLMOfferReader
from bot.coach.offline import OfflineCoach
from bot.coach.pool import LLMPool
from bot.coach.principles import load_principles
from bot.coach.summary import OfflineSummaryWriter
from bot.coach.summary_llm import LLMSummaryWriter
from bot.coach.types import Principle
from bot.config import Settings, token_keys
from bot.db.checkpoint import WalCheckpointer, checkpointer_for
from bot.db.engine import REQUEST_LOCK_TIMEOUT_MS, make_engine, session_factory
from bot.db.installations import DatabaseInstallationStore, DatabaseOAuthStateStore, TokenCipher
from bot.db.uow import UnitOfWorkFactory
from bot.delivery.queue import OutboxQueue
from bot.delivery.worker import OutboxWorker
from bot.jobs.lock import SchedulerLock
from bot.jobs.runner import JobRunner
from bot.llm.prompts import Prompts
from bot.services.access import Access
from bot.services.coaching import CoachingService
from bot.services.deals import DealService, utc_now
from bot.services.decisions import DecisionService
from bot.services.digests import DigestService
from bot.services.exports import ExportService
from bot.services.home import HomeService
from bot.services.installs import InstallService
from bot.services.notices import NoticeService
from bot.services.summaries import SummaryService
from bot.services.threads import ThreadService
from bot.services.workspace import WorkspaceService
from bot.slack.app import build_app
from bot.slack.clients import WorkspaceClients, web_client
from bot.slack.directory import SlackDirectory
from bot.slack.followups import LLMFollowUps
from bot.slack.install import STATE_SECONDS, Install
from bot.slack.router import Services


@dataclass
class Container:
    settings: Settings
    engine: Engine
    uow: UnitOfWorkFactory
    services: Services
    client: WebClient  # the app's client: SLACK_BOT_TOKEN's, or in OAuth mode none (see `clients`)
    clients: WorkspaceClients  # each workspace's client
    worker: OutboxWorker
    app: App
    digests: DigestService
    jobs: JobRunner
    pool: LLMPool | None = None  # the LLM's follow-ups, when one is configured
    checkpointer: WalCheckpointer | None = None  # SQLite in a file: its WAL checkpoints, off the requests

    def start_background(self, *, scheduler: bool) -> None:
        """Every process delivers the outbox and starts its LLM threads; the scheduled jobs run where asked,
        one process at a time."""
        if self.checkpointer is not None:
            self.checkpointer.start()
        self.worker.start()
        if self.pool is not None:
            self.pool.start()
        if scheduler:
            self.jobs.start()

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown()
        self.jobs.stop()
        self.worker.stop()
        if self.checkpointer is not None:
            self.checkpointer.stop()
        self.engine.dispose()


def _followups(settings: Settings, pool: LLMPool | None, principles: tuple[Principle, ...], offline: OfflineCoach,
               threads: ThreadService, notices: NoticeService, coaching: CoachingService,
               clients: WorkspaceClients) -> LLMFollowUps | None:
    if pool is None:
        return None
    from bot.llm.client import StructuredLLM  # openai is imported only when an LLM is configured

    llm, prompts = StructuredLLM(settings), Prompts()
    return LLMFollowUps(pool, LLMCoach(llm, prompts, principles), LLMOfferReader(llm, prompts), offline, threads,
                        notices, coaching, budget=settings.llm_timeout, clients=clients)


def _llm_summary_writer(settings: Settings) -> LLMSummaryWriter | None:
    if not settings.llm_enabled:
        return None
    from bot.llm.client import StructuredLLM  # openai is imported only when an LLM is configured

    return LLMSummaryWriter(StructuredLLM(settings), Prompts(), OfflineSummaryWriter())


def _installation_store(settings: Settings, sessions: sessionmaker[Session]) -> DatabaseInstallationStore:
    """OAuth mode: the workspaces' bot tokens, in the database, encrypted."""
    if settings.token_key is None:
        raise ValueError("OAuth mode needs DEALCOACH_TOKEN_KEY to encrypt the workspaces' bot tokens")
    return DatabaseInstallationStore(sessions, TokenCipher(token_keys(settings.token_key)))


def build(settings: Settings, *, pace_seconds: float = 1.0, distributable: bool | None = None) -> Container:
    """`distributable`: OAuth mode, each workspace with its own bot token (by default when SLACK_CLIENT_ID and
    SLACK_CLIENT_SECRET are set); Socket Mode passes False, as it serves the one workspace of SLACK_BOT_TOKEN."""
    engine = make_engine(settings.database_url, lock_timeout_ms=REQUEST_LOCK_TIMEOUT_MS)
    sessions = session_factory(engine)
    sqlite = engine.dialect.name == "sqlite"
    uow = UnitOfWorkFactory(sessions, serialise_writes=sqlite, autocommit_reads=not sqlite)
    oauth = settings.oauth_enabled if distributable is None else distributable
    # In OAuth mode the app's own client has no token: each request's is given its workspace's by Bolt.
    client = web_client(settings, token=None if oauth else settings.bot_token)
    store = _installation_store(settings, sessions) if oauth else None
    clients = WorkspaceClients(settings, store)
    installs = InstallService(uow, forget_client=clients.forget)
    install = None if store is None else Install(settings, store, DatabaseOAuthStateStore(sessions, STATE_SECONDS),
                                                 installs)
    directory = SlackDirectory(clients)
    access = Access(settings.manager_ids, directory)
    principles = load_principles()
    coach = OfflineCoach(principles)
    notices, threads = NoticeService(uow), ThreadService(uow, access, coach)
    pool = LLMPool() if settings.llm_enabled else None
    deals = DealService(uow, access, coach, default_alert_channel=settings.alert_channel)
    coaching = CoachingService(uow, access, coach, clock=utc_now)
    services = Services(
        deals=deals,
        workspace=WorkspaceService(uow, access, default_alert_channel=settings.alert_channel,
                                   settings_managers=settings.manager_ids, channels=directory),
        notices=notices,
        decisions=DecisionService(uow, access),
        summaries=SummaryService(uow, access, OfflineSummaryWriter(), llm_writer=_llm_summary_writer(settings)),
        coaching=coaching,
        exports=ExportService(uow, access),
        threads=threads,
        followups=_followups(settings, pool, principles, coach, threads, notices, coaching, clients),
        installs=installs,
    )
    # The worker's clients have no retry handlers: it reschedules on errors instead of blocking.
    worker = OutboxWorker(OutboxQueue(sessions, pace_seconds=pace_seconds), uow, clients,
                          summaries=services.summaries, home=HomeService(uow, access, services.workspace.policy_result),
                          exports=services.exports)
    digests = DigestService(uow, sessions, settings_managers=settings.manager_ids)
    jobs = JobRunner(digests, SchedulerLock(engine))
    uow.on_commit = worker.notify
    app = build_app(settings, services, client, install=install)
    return Container(settings, engine, uow, services, client, clients, worker, app, digests, jobs, pool,
                     checkpointer_for(engine))
