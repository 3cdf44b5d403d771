"""Settings, read once from the environment (``.env`` loaded by python-dotenv in the entry point).
Nothing else in the project reads settings from ``os.environ`` (``DYNO``, the name Heroku gives a
process, is read where worker and lease names are made)."""
from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

DEFAULTS = {
    "SLACK_API_URL": "https://slack.com/api/",
    "SLACK_FILE_HOSTS": "files.slack.com",
    "PORT": "3000",
    "OFAC_SDN_URL": "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/SDN_ADVANCED.XML",
    "SANCTIONS_MAX_AGE_DAYS": "7",
    "RDAP_BOOTSTRAP_URL": "https://data.iana.org/rdap/dns.json",
    "TWILIO_LOOKUP_URL": "https://lookups.twilio.com/v2/PhoneNumbers/",
    "BTC_EXPLORER_URL": "https://blockstream.info/api",
    "EVM_EXPLORER_URL": "https://eth.blockscout.com/api",
    "TRON_API_URL": "https://api.trongrid.io",
    "WALLET_HISTORY_MAX_TX": "500",
    "WALLET_HISTORY_CACHE_TTL_S": "600",
    "RDAP_CACHE_TTL_S": "86400",
    "PHONE_LOOKUP_CACHE_TTL_S": "86400",
    "GITHUB_API_URL": "https://api.github.com",
    "CHECK_TIMEOUT_S": "10",
    "VETTING_DEADLINE_S": "25",
    "LOG_LEVEL": "INFO",
}


class ConfigError(ValueError):
    """A setting has an unusable value. The message names the variable."""


def _list(value: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in value.split(",") if item.strip())


def _number(env: Mapping[str, str], key: str, kind: type = float, minimum: float = 0) -> float:
    raw = env.get(key) or DEFAULTS[key]
    try:
        value = kind(raw)
    except ValueError:
        raise ConfigError(f"{key} must be a number, got {raw!r}") from None
    if not math.isfinite(value):  # nan compares false with everything: a stale list would pass
        raise ConfigError(f"{key} must be a finite number, got {raw!r}")
    if value <= minimum:
        raise ConfigError(f"{key} must be greater than {minimum}")
    return value


def _ttl(env: Mapping[str, str], key: str) -> float:
    """A cache lifetime in seconds; 0 turns that cache off."""
    raw = (env.get(key) or DEFAULTS[key]).strip()
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{key} must be a number of seconds, got {raw!r}") from None
    if not math.isfinite(value) or value < 0:
        raise ConfigError(f"{key} must be 0 (no cache) or a positive number of seconds")
    return value


def _minimums(value: str) -> dict[str, Decimal]:
    if not value:
        return {}
    from checks.sources.chains import parse_minimums  # only when set: the chain adapters are heavy

    try:
        return parse_minimums(value)
    except ValueError as exc:
        raise ConfigError(f"WALLET_EXPOSURE_MINIMUMS must look like USDT=1,ETH=0.001: {exc}") from None


def parse_evm_explorers(value: str) -> dict[str, str]:
    """``ethereum=URL,bsc=URL`` or a bare URL (Ethereum)."""
    out: dict[str, str] = {}
    for item in _list(value):
        chain, sep, url = item.partition("=")
        if sep and not chain.startswith("http"):
            out[chain.strip().lower()] = url.strip()
        else:
            out["ethereum"] = item
    return out


@dataclass(frozen=True)
class Settings:
    slack_bot_token: str = ""
    slack_signing_secret: str = ""
    slack_app_token: str = ""
    slack_api_url: str = DEFAULTS["SLACK_API_URL"]
    slack_file_hosts: tuple[str, ...] = ("files.slack.com",)
    port: int = 3000
    database_url: str = ""
    redis_url: str = ""
    ofac_sdn_url: str = DEFAULTS["OFAC_SDN_URL"]
    sanctions_max_age_days: float = 7
    rdap_bootstrap_url: str = DEFAULTS["RDAP_BOOTSTRAP_URL"]
    dns_nameservers: tuple[str, ...] = ()
    twilio_account_sid: str = ""
    twilio_auth_token: str = ""
    twilio_lookup_url: str = DEFAULTS["TWILIO_LOOKUP_URL"]
    btc_explorer_url: str = DEFAULTS["BTC_EXPLORER_URL"]
    evm_explorers: Mapping[str, str] = field(default_factory=dict)
    evm_explorer_api_key: str = ""
    tron_api_url: str = DEFAULTS["TRON_API_URL"]
    tron_api_key: str = ""
    wallet_history_max_tx: int = 500
    wallet_history_cache_ttl_s: float = 600.0
    wallet_exposure_minimums: Mapping[str, Decimal] = field(default_factory=dict)
    rdap_cache_ttl_s: float = 86400.0
    phone_lookup_cache_ttl_s: float = 86400.0
    github_api_url: str = DEFAULTS["GITHUB_API_URL"]
    github_token: str = ""
    secret: str = ""
    admin_users: frozenset[str] = frozenset()
    allowed_channels: frozenset[str] = frozenset()
    allowed_users: frozenset[str] = frozenset()
    retention_days: int = 0
    data_dir: Path = Path("~/.cache/vetcandidate").expanduser()
    disabled_checks: tuple[str, ...] = ()
    strict_plugins: bool = False
    check_timeout_s: float = 10.0
    vetting_deadline_s: float = 25.0
    user_agent: str = ""
    log_level: str = "INFO"
    worker_processes: int = 0  # 0: bot.worker.DEFAULT_PROCESSES

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env

        def get(key: str) -> str:
            return (env.get(key) or DEFAULTS.get(key, "")).strip()

        database_url = get("DATABASE_URL")
        if database_url.startswith("postgres://"):  # Heroku's spelling; SQLAlchemy wants postgresql://
            database_url = "postgresql://" + database_url[len("postgres://"):]
        retention = get("VETCANDIDATE_RETENTION_DAYS")
        if retention and not (retention.isdigit() and int(retention) > 0):
            raise ConfigError("VETCANDIDATE_RETENTION_DAYS must be a whole number of days, at least 1")
        processes = get("WORKER_PROCESSES")
        if processes and not (processes.isdigit() and 1 <= int(processes) <= 64):
            raise ConfigError("WORKER_PROCESSES must be a whole number from 1 to 64")
        return cls(
            slack_bot_token=get("SLACK_BOT_TOKEN"),
            slack_signing_secret=get("SLACK_SIGNING_SECRET"),
            slack_app_token=get("SLACK_APP_TOKEN"),
            slack_api_url=get("SLACK_API_URL"),
            slack_file_hosts=tuple(h.lower() for h in _list(get("SLACK_FILE_HOSTS"))),
            port=int(_number(env, "PORT", int)),
            database_url=database_url,
            redis_url=get("REDIS_URL"),
            ofac_sdn_url=get("OFAC_SDN_URL"),
            sanctions_max_age_days=_number(env, "SANCTIONS_MAX_AGE_DAYS"),
            rdap_bootstrap_url=get("RDAP_BOOTSTRAP_URL"),
            dns_nameservers=_list(get("DNS_NAMESERVERS")),
            twilio_account_sid=get("TWILIO_ACCOUNT_SID"),
            twilio_auth_token=get("TWILIO_AUTH_TOKEN"),
            twilio_lookup_url=get("TWILIO_LOOKUP_URL"),
            btc_explorer_url=get("BTC_EXPLORER_URL"),
            evm_explorers=parse_evm_explorers(get("EVM_EXPLORER_URL")),
            evm_explorer_api_key=get("EVM_EXPLORER_API_KEY"),
            tron_api_url=get("TRON_API_URL"),
            tron_api_key=get("TRON_API_KEY"),
            wallet_history_max_tx=int(_number(env, "WALLET_HISTORY_MAX_TX", int)),
            wallet_history_cache_ttl_s=_ttl(env, "WALLET_HISTORY_CACHE_TTL_S"),
            wallet_exposure_minimums=_minimums(get("WALLET_EXPOSURE_MINIMUMS")),
            rdap_cache_ttl_s=_ttl(env, "RDAP_CACHE_TTL_S"),
            phone_lookup_cache_ttl_s=_ttl(env, "PHONE_LOOKUP_CACHE_TTL_S"),
            github_api_url=get("GITHUB_API_URL"),
            github_token=get("GITHUB_TOKEN"),
            secret=get("VETCANDIDATE_SECRET"),
            admin_users=frozenset(_list(get("VETCANDIDATE_ADMIN_USERS"))),
            allowed_channels=frozenset(_list(get("VETCANDIDATE_ALLOWED_CHANNELS"))),
            allowed_users=frozenset(_list(get("VETCANDIDATE_ALLOWED_USERS"))),
            retention_days=int(retention or 0),
            data_dir=Path(get("VETCANDIDATE_DATA_DIR") or "~/.cache/vetcandidate").expanduser(),
            disabled_checks=_list(get("DISABLED_CHECKS")),
            strict_plugins=get("STRICT_PLUGINS").lower() in ("1", "true", "yes", "on"),
            check_timeout_s=_number(env, "CHECK_TIMEOUT_S"),
            vetting_deadline_s=_number(env, "VETTING_DEADLINE_S"),
            user_agent=get("VETCANDIDATE_USER_AGENT"),
            log_level=get("LOG_LEVEL").upper(),
            worker_processes=int(processes or 0),
        )
