"""The one composition root: builds sources, registry, runner and (later) store and Slack app
from ``Settings``. Nothing else constructs long-lived objects."""
from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.config import ConfigError, Settings
from bot.store import AlreadyRecorded, Store, StoreError
from bot.store_cache import CHAIN_HISTORY, PHONE_LOOKUP, RDAP
from checks.context import CheckContext
from checks.model import Candidate, CheckResult, Report
from checks.registry import Registry, load_registry
from checks.resume import prepare_artefacts
from checks.runner import Runner
from checks.sanctions_name import NameScreen
from checks.sources.chains import build_chain_sources
from checks.sources.dns import DnsClient
from checks.sources.github import GitHubClient
from checks.sources.http import DEFAULT_USER_AGENT, HttpClient
from checks.sources.phone_lookup import build_twilio_lookup
from checks.sources.rdap import RdapClient
from checks.sources.sanctions import SanctionsSource
from checks.sources.ttl_cache import LayeredCache
from checks.sources.whois import WhoisClient

log = logging.getLogger(__name__)
#: An in-memory copy of a shared cache entry lives at most this long, so that an erasure on request
#: (which clears the database layer) reaches every process within it.
MEMORY_CACHE_MAX_S = 600.0


def build_http(settings: Settings) -> HttpClient:
    return HttpClient(user_agent=settings.user_agent or DEFAULT_USER_AGENT)


def build_store(settings: Settings) -> Store:
    """The audit store (SQLite in the data dir by default; upgrades itself). Raises ConfigError
    (e.g. PostgreSQL without VETCANDIDATE_SECRET) or StoreError (database unreachable)."""
    return Store.open(settings)


def source_cache(store: Store, namespace: str, ttl_s: float) -> LayeredCache | None:
    """A source cache shared by every dyno (the store's ``cache_entries``, ``ttl_s``) behind a short
    in-memory layer; None when ``ttl_s`` is 0 (caching turned off)."""
    if ttl_s <= 0:
        return None
    return LayeredCache(store.cache(namespace, ttl_s), memory_ttl_s=min(ttl_s, MEMORY_CACHE_MAX_S))


def build_sources(settings: Settings, http: HttpClient | None = None,
                  store: Store | None = None) -> dict[str, Any]:
    from bot.watchlist_index import build_index as build_watchlist_index

    http = http or build_http(settings)
    store = store or build_store(settings)
    try:
        dns = DnsClient(settings.dns_nameservers or None)
    except ValueError as exc:
        raise ConfigError(f"DNS_NAMESERVERS: {exc}") from None
    phone_ttl = settings.phone_lookup_cache_ttl_s
    return {
        "http": http,
        "rdap": RdapClient(http, settings.rdap_bootstrap_url, cache_dir=settings.data_dir / "rdap",
                           whois=WhoisClient(), cache=source_cache(store, RDAP, settings.rdap_cache_ttl_s)),
        "dns": dns,
        "phone_lookup": build_twilio_lookup(
            http, settings.twilio_account_sid, settings.twilio_auth_token, settings.twilio_lookup_url,
            cache_ttl_s=min(phone_ttl, MEMORY_CACHE_MAX_S),
            shared_cache=store.cache(PHONE_LOOKUP, phone_ttl) if phone_ttl > 0 else None),
        # cache None with a TTL of 0: the chains module then keeps no cache either
        "chains": build_chain_sources(settings, http, cache=source_cache(store, CHAIN_HISTORY,
                                                                         settings.wallet_history_cache_ttl_s)),
        "github": GitHubClient(http, settings.github_api_url, token=settings.github_token or None),
        "sanctions": SanctionsSource(store.sanctions(),
                                     max_age_days=settings.sanctions_max_age_days,
                                     name_screen_factory=NameScreen),
        "reuse": store.reuse_index(),
        "watchlists": build_watchlist_index(store),
    }


@dataclass
class App:
    """Everything a command needs, built once."""

    settings: Settings
    registry: Registry
    runner: Runner
    sources: dict[str, Any] = field(default_factory=dict)
    store: Store | None = None   # None: nothing is recorded (tests that inject their own sources)
    warm_up_thread: threading.Thread | None = field(default=None, init=False, repr=False)

    def context(self, vetting_id: str | None = None, **artefacts: Any) -> CheckContext:
        return CheckContext(sources=self.sources, artefacts=artefacts,
                            vetting_id=vetting_id or uuid.uuid4().hex[:12])

    def vet(self, candidate: Candidate, *, vetting_id: str | None = None,
            on_result: Callable[[CheckResult], None] | None = None, record: bool = True,
            requested_by: str = "", team: str = "", channel: str = "", job_key: str | None = None,
            slack_ts: str | None = None) -> Report:
        """The one vetting pipeline every entry point (CLI, Slack, worker) goes through. The resume
        is extracted once here (in a resource-limited child process) and shared by every check."""
        ctx = self.context(vetting_id, **prepare_artefacts(candidate))
        report = self.runner.run(candidate, ctx, on_result=on_result)
        if record and self.store is not None:  # row + report + fingerprints, one transaction
            try:
                self.store.record(report, vetting_id=ctx.vetting_id, requested_by=requested_by,
                                  team=team, channel=channel, job_key=job_key, slack_ts=slack_ts,
                                  artefacts=ctx.artefacts)
            except AlreadyRecorded:
                log.info("vetting %s was already recorded (retried job)", ctx.vetting_id)
            except StoreError as exc:  # the answer still reaches the requester; nothing half-written
                log.error("vetting %s not recorded: %s", ctx.vetting_id, type(exc).__name__)
        return report

    def keep_fresh(self) -> None:
        """For long-running processes that vet (web without Redis, worker, Socket Mode): keep the
        watchlists loaded ahead of the next vetting instead of reloading them inside it, and start
        the resume sandbox in a daemon thread so the first resume does not pay its start-up. Returns
        at once: nothing here is on the boot path."""
        index = self.sources.get("watchlists")
        if hasattr(index, "keep_fresh"):
            index.keep_fresh()
        if self.warm_up_thread is None:
            self.warm_up_thread = threading.Thread(target=_warm_up_sandbox, name="resume-sandbox-warm-up",
                                                   daemon=True)
            self.warm_up_thread.start()


def _warm_up_sandbox() -> None:
    from checks.resume import sandbox

    try:
        sandbox.warm_up()
    except Exception as exc:  # the first resume then starts it; nothing else depends on this
        log.warning("resume sandbox warm-up failed (%s)", type(exc).__name__)


def build(settings: Settings, *, sources: dict[str, Any] | None = None,
          registry: Registry | None = None, store: Store | None = None) -> App:
    registry = registry or load_registry(settings.disabled_checks, strict=settings.strict_plugins)
    runner = Runner(registry, check_timeout_s=settings.check_timeout_s,
                    deadline_s=settings.vetting_deadline_s)
    if sources is None:
        store = store or build_store(settings)
        sources = build_sources(settings, store=store)
    return App(settings=settings, registry=registry, runner=runner, sources=sources, store=store)


# -- Slack ------------------------------------------------------------------------------------------
def build_jobs(settings: Settings) -> Any:
    """Where lazy work runs: on RQ when ``REDIS_URL`` is set (``vetcandidate worker`` runs it; web
    dynos only acknowledge and enqueue), else in this process. Both behind ``submit(fn, *args)``."""
    from bot.jobs import InProcessJobs, RqJobs

    if settings.redis_url:  # no connection is made here: boot never waits on Redis
        return RqJobs.from_url(settings.redis_url, job_timeout_s=int(2 * settings.vetting_deadline_s) + 60)
    return InProcessJobs()


def build_slack_services(settings: Settings, app: App | None = None, *, jobs: Any = None,
                         update_interval_s: float = 2.0) -> Any:
    from bot.slack.app import SlackServices

    app = app or build(settings)
    http = app.sources.get("http") or build_http(settings)
    return SlackServices(app=app, jobs=jobs or build_jobs(settings), http=http,
                         update_interval_s=update_interval_s)


def build_slack_app(settings: Settings, services: Any = None, *, socket_mode: bool = False) -> Any:
    """The Bolt app for HTTP (``bot.wsgi``) or Socket Mode (``vetcandidate socket``)."""
    from bot.slack.app import build_app

    return build_app(settings, services or build_slack_services(settings), socket_mode=socket_mode)
