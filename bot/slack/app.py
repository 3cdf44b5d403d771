"""``build_app(settings, services)``: the Bolt app, built on demand (no module-level App).

Every Web API call goes through one ``WebClient(base_url=SLACK_API_URL)`` that honours 429
``Retry-After`` (slack_sdk's ``RateLimitErrorRetryHandler``) and retries dropped connections.
HTTP mode verifies Slack's v0 signature and refuses stale timestamps (Bolt's middleware, 401).
Slack's own loggers are kept at INFO or above: at DEBUG they would print request bodies.
"""
from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler

from bot.config import ConfigError, Settings
from bot.jobs import Jobs
from bot.slack.commands import CommandHandlers
from bot.slack.files import FileFetcher, scheme_of
from bot.slack.fraud_actions import FraudActions
from bot.slack.home import HomeTab
from bot.slack.shortcut import ShortcutHandlers
from bot.slack.vetting import SlackVetter
from checks.sources.http import HttpClient

if TYPE_CHECKING:
    from bot.wiring import App as Pipeline

#: Web API timeout; a 429 is retried this many times, each after Slack's Retry-After
API_TIMEOUT_S = 10
RATE_LIMIT_RETRIES = 4
#: threads that run listeners up to their ack (the vetting itself runs on ``services.jobs``)
LISTENER_THREADS = 32


@dataclass
class SlackServices:
    app: Pipeline                      # the one vetting pipeline (bot.wiring.App)
    jobs: Jobs                         # where lazy work runs (in-process now; RQ later)
    http: HttpClient                   # resume downloads (allowlisted hosts)
    update_interval_s: float = 2.0     # at most one chat.update per vetting per this many seconds


def api_base_url(url: str) -> str:
    return url if url.endswith("/") else url + "/"


def _quiet(name: str) -> logging.Logger:
    logger = logging.getLogger(name)
    if logger.getEffectiveLevel() < logging.INFO:
        logger.setLevel(logging.INFO)
    return logger


def build_client(settings: Settings) -> WebClient:
    return WebClient(token=settings.slack_bot_token, base_url=api_base_url(settings.slack_api_url),
                     timeout=API_TIMEOUT_S, logger=_quiet("slack_sdk.web"),
                     retry_handlers=[ConnectionErrorRetryHandler(max_retry_count=2),
                                     RateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES)])


def build_app(settings: Settings, services: SlackServices, *, socket_mode: bool = False) -> App:
    if not settings.slack_bot_token:
        raise ConfigError("SLACK_BOT_TOKEN is required for the Slack app")
    if not socket_mode and not settings.slack_signing_secret:
        raise ConfigError("SLACK_SIGNING_SECRET is required in HTTP mode")
    _quiet("slack_sdk")
    client = build_client(settings)
    bolt = App(client=client, signing_secret=settings.slack_signing_secret or "unused-in-socket-mode",
               request_verification_enabled=not socket_mode,
               token_verification_enabled=False,  # auth.test on the first request, not on the boot path
               # Listeners run in the request's own thread and are answered when they return: no
               # thread hop or ack polling (they only parse, ack and submit; the vetting is a job).
               process_before_response=True,
               logger=_quiet("slack_bolt"),
               listener_executor=ThreadPoolExecutor(LISTENER_THREADS, thread_name_prefix="listener"))
    fetcher = FileFetcher(client=client, http=services.http, token=settings.slack_bot_token,
                          allowed_hosts=settings.slack_file_hosts, scheme=scheme_of(settings.slack_api_url))
    vetter = SlackVetter(services, client, fetcher)
    commands = CommandHandlers(services, vetter)
    commands.register(bolt)
    ShortcutHandlers(commands).register(bolt)
    HomeTab(services).register(bolt)
    FraudActions(services, client).register(bolt)
    return bolt
