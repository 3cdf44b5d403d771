"""The one composition root: builds sources, registry, runner and (later) store and Slack app
from ``Settings``. Nothing else constructs long-lived objects."""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from collections.abc import Callable
from typing import Any

from bot.config import ConfigError, Settings
from checks.context import CheckContext
from checks.model import Candidate, CheckResult, Report
from checks.registry import Registry, load_registry
from checks.runner import Runner
from checks.sanctions_name import NameScreen
from checks.sources.dns import DnsClient
from checks.sources.http import DEFAULT_USER_AGENT, HttpClient
from checks.sources.rdap import RdapClient
from checks.sources.sanctions import SanctionsSource
from checks.sources.sanctions_store import SanctionsStore
from checks.sources.whois import WhoisClient


def build_http(settings: Settings) -> HttpClient:
    return HttpClient(user_agent=settings.user_agent or DEFAULT_USER_AGENT)


def build_sources(settings: Settings, http: HttpClient | None = None) -> dict[str, Any]:
    http = http or build_http(settings)
    try:
        dns = DnsClient(settings.dns_nameservers or None)
    except ValueError as exc:
        raise ConfigError(f"DNS_NAMESERVERS: {exc}") from None
    return {
        "http": http,
        "rdap": RdapClient(http, settings.rdap_bootstrap_url, cache_dir=settings.data_dir / "rdap",
                           whois=WhoisClient()),
        "dns": dns,
        "sanctions": SanctionsSource(SanctionsStore(settings.data_dir),
                                     max_age_days=settings.sanctions_max_age_days,
                                     name_screen_factory=NameScreen),
    }


@dataclass
class App:
    """Everything a command needs, built once."""

    settings: Settings
    registry: Registry
    runner: Runner
    sources: dict[str, Any] = field(default_factory=dict)

    def context(self, vetting_id: str | None = None, **artefacts: Any) -> CheckContext:
        return CheckContext(sources=self.sources, artefacts=artefacts,
                            vetting_id=vetting_id or uuid.uuid4().hex[:12])

    def vet(self, candidate: Candidate, *, vetting_id: str | None = None,
            on_result: Callable[[CheckResult], None] | None = None) -> Report:
        """The one vetting pipeline every entry point (CLI, Slack, worker) goes through."""
        ctx = self.context(vetting_id)
        return self.runner.run(candidate, ctx, on_result=on_result)


def build(settings: Settings, *, sources: dict[str, Any] | None = None,
          registry: Registry | None = None) -> App:
    registry = registry or load_registry(settings.disabled_checks, strict=settings.strict_plugins)
    runner = Runner(registry, check_timeout_s=settings.check_timeout_s,
                    deadline_s=settings.vetting_deadline_s)
    return App(settings=settings, registry=registry, runner=runner,
               sources=sources if sources is not None else build_sources(settings))
