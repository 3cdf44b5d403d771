"""RDAP domain lookups (RFC 9082/9083) with the IANA bootstrap (RFC 9224).

The bootstrap is loaded once per process (one fetch even under concurrent callers), kept in memory
and, with ``cache_dir``, on disk; both copies are refreshed after ``bootstrap_ttl_s``. A stale copy
is still used when a refresh fails. TLDs without RDAP fall back to WHOIS when a client is given.

With ``cache`` (a JSON key/value cache such as ``LayeredCache`` over the store's ``DbCache``), domain
answers -- RDAP or WHOIS -- are kept per ASCII domain name for the cache's TTL, shared by every dyno.
Failures and "not found" are never cached, and a cache fault falls through to the source.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import idna

from checks.errors import BadResponse, NotFound, SourceError, SourceTimeout
from checks.sources.http import HttpClient
from checks.sources.rdap_records import (  # noqa: F401 - re-exported: the RDAP source's public surface
    DomainRecord,
    parse_domain_record,
    parse_rdap_date,
    record_from_json,
    record_to_json,
)
from checks.sources.ttl_cache import JsonCache, shared_get, shared_set

if TYPE_CHECKING:
    from checks.sources.whois import WhoisClient

log = logging.getLogger(__name__)

IANA_DNS_BOOTSTRAP = "https://data.iana.org/rdap/dns.json"
RDAP_ACCEPT = "application/rdap+json"

# RDAP servers of TLDs that the IANA bootstrap does not list (yet). Used only when the bootstrap has
# no entry for the TLD. Operators can extend or replace entries with ``RdapClient(overrides=...)``;
# values are base URLs ("…/" + "domain/<name>" is appended).
DEFAULT_OVERRIDES: Mapping[str, str] = {
    "io": "https://rdap.identitydigital.services/rdap/",
    "ac": "https://rdap.identitydigital.services/rdap/",
    "sh": "https://rdap.identitydigital.services/rdap/",
    "de": "https://rdap.denic.de/",
}

_STALE_RETRY_S = 300.0  # after a failed refresh, keep the stale bootstrap this long before retrying
_FAILURE_HOLD_S = 15.0  # with no copy at all, repeat a failed fetch's error this long (no pile-up)


def to_ascii_domain(domain: str) -> str:
    """Lower-case ASCII (IDNA/UTS-46) form of ``domain``, without a trailing dot."""
    name = (domain or "").strip().rstrip(".")
    if not name or len(name) > 253:
        raise SourceError("invalid domain name")
    try:
        return idna.encode(name, uts46=True).decode("ascii").lower()
    except (idna.IDNAError, UnicodeError, ValueError):
        raise SourceError("invalid domain name") from None


def parse_bootstrap(data: Any) -> dict[str, str]:
    """RFC 9224 ``services`` -> {tld: base URL}, preferring https URLs."""
    services = data.get("services") if isinstance(data, Mapping) else None
    if not isinstance(services, list):
        raise BadResponse("RDAP bootstrap has an unexpected shape")
    table: dict[str, str] = {}
    for service in services:
        if not (isinstance(service, list) and len(service) >= 2
                and isinstance(service[0], list) and isinstance(service[1], list)):
            continue
        urls = [u for u in service[1] if isinstance(u, str) and u.startswith(("https://", "http://"))]
        if not urls:
            continue
        url = next((u for u in urls if u.startswith("https://")), urls[0])
        for tld in service[0]:
            if isinstance(tld, str) and tld.strip():
                table[tld.strip().strip(".").lower()] = url
    if not table:
        raise BadResponse("RDAP bootstrap lists no services")
    return table


def _wait(deadline: float | None) -> float:
    return -1 if deadline is None else max(0.0, deadline - time.monotonic())


def domain_url(base: str, ascii_domain: str) -> str:
    return base.rstrip("/") + "/domain/" + ascii_domain


class RdapClient:
    def __init__(self, http: HttpClient, bootstrap_url: str = IANA_DNS_BOOTSTRAP, *,
                 cache_dir: Path | None = None, overrides: Mapping[str, str] | None = None,
                 whois: WhoisClient | None = None, bootstrap_ttl_s: float = 86400,
                 cache: JsonCache | None = None):
        self.http = http
        self.cache = cache
        self.bootstrap_url = bootstrap_url
        self.cache_dir = Path(cache_dir) if cache_dir is not None else None
        merged = {**DEFAULT_OVERRIDES, **(overrides or {})}
        self.overrides = {k.strip(".").lower(): v for k, v in merged.items() if v}
        self.whois = whois
        self.bootstrap_ttl_s = bootstrap_ttl_s
        self._lock = threading.Lock()
        self._table: dict[str, str] | None = None
        self._fresh_until = 0.0  # time.monotonic()
        self._failure: tuple[SourceError, float] | None = None  # (error, until)

    # -- public API ---------------------------------------------------------------------------
    def lookup(self, domain: str, *, deadline: float | None = None) -> DomainRecord:
        name = to_ascii_domain(domain)
        if "." not in name:
            raise SourceError("invalid domain name")
        cached = self._cached(name)
        if cached is not None:
            return cached
        record = self._lookup(name, deadline)
        shared_set(self.cache, name, record_to_json(record))
        return record

    def _cached(self, name: str) -> DomainRecord | None:
        data = shared_get(self.cache, name)
        if data is None:
            return None
        try:
            record = record_from_json(data)
        except (KeyError, TypeError, ValueError, OverflowError):
            return None  # an unreadable entry is a miss
        return record if record.domain == name else None

    def _lookup(self, name: str, deadline: float | None) -> DomainRecord:
        base = self.base_url_for(name, deadline=deadline)
        if base is None:
            if self.whois is not None:
                return self.whois.lookup(name, deadline=deadline)
            raise SourceError(f"no RDAP service for .{name.rsplit('.', 1)[-1]}")
        url = domain_url(base, name)
        response = self.http.get(url, headers={"Accept": RDAP_ACCEPT}, deadline=deadline,
                                 ok_statuses=(200, 404))
        if response.status == 404:
            raise NotFound(f"no RDAP record for {name}")
        return parse_domain_record(response.json(), name, response.url or url)

    def base_url_for(self, ascii_domain: str, *, deadline: float | None = None) -> str | None:
        """The RDAP base URL for a domain: longest matching bootstrap entry, else an override."""
        table = self._bootstrap(deadline)
        labels = ascii_domain.split(".")
        for i in range(1, len(labels)):
            suffix = ".".join(labels[i:])
            if suffix in table:
                return table[suffix]
        for i in range(1, len(labels)):
            suffix = ".".join(labels[i:])
            if suffix in self.overrides:
                return self.overrides[suffix]
        return None

    def check_bootstrap(self, *, deadline: float | None = None) -> int:
        return len(self._bootstrap(deadline))

    # -- bootstrap ----------------------------------------------------------------------------
    def _bootstrap(self, deadline: float | None) -> dict[str, str]:
        table = self._table
        if table is not None and time.monotonic() < self._fresh_until:
            return table
        if table is not None:
            if not self._lock.acquire(blocking=False):
                return table  # another caller is refreshing it; the current copy will do
        elif not self._lock.acquire(timeout=_wait(deadline)):
            raise SourceTimeout("RDAP bootstrap not loaded in time")
        try:
            if self._table is not None and time.monotonic() < self._fresh_until:
                return self._table
            if self._failure is not None and time.monotonic() < self._failure[1]:
                error = self._failure[0]
                raise type(error)(str(error))
            try:
                self._load(deadline)
            except SourceError as exc:
                if not isinstance(exc, SourceTimeout):  # a short deadline says nothing about the server
                    self._failure = (exc, time.monotonic() + _FAILURE_HOLD_S)
                raise
            self._failure = None
            return self._table or {}
        finally:
            self._lock.release()

    def _cache_path(self) -> Path | None:
        if self.cache_dir is None:
            return None
        digest = hashlib.sha256(self.bootstrap_url.encode()).hexdigest()[:16]
        return self.cache_dir / f"rdap-dns-bootstrap-{digest}.json"

    def _read_cache(self, path: Path) -> tuple[dict[str, str], float] | None:
        try:
            age = time.time() - path.stat().st_mtime
            return parse_bootstrap(json.loads(path.read_bytes())), age
        except (OSError, ValueError, UnicodeDecodeError, SourceError):
            return None

    def _load(self, deadline: float | None) -> None:
        path = self._cache_path()
        cached = self._read_cache(path) if path is not None else None
        if cached is not None and 0 <= cached[1] < self.bootstrap_ttl_s:
            self._set(cached[0], self.bootstrap_ttl_s - cached[1])
            return
        try:
            response = self.http.get(self.bootstrap_url, headers={"Accept": "application/json"},
                                     deadline=deadline)
            table = parse_bootstrap(response.json())
        except SourceError as exc:
            stale = self._table or (cached[0] if cached is not None else None)
            if stale is None:
                raise
            log.warning("RDAP bootstrap refresh failed (%s); using the stale copy", exc)
            self._set(stale, _STALE_RETRY_S)
            return
        self._set(table, self.bootstrap_ttl_s)
        if path is not None:
            self._write_cache(path, response.content)

    def _set(self, table: dict[str, str], fresh_for: float) -> None:
        self._table = table
        self._fresh_until = time.monotonic() + fresh_for

    def _write_cache(self, path: Path, content: bytes) -> None:
        tmp = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_bytes(content)
            os.replace(tmp, path)
        except OSError as exc:
            log.warning("cannot write RDAP bootstrap cache %s: %s", path, exc)
            try:
                tmp.unlink(missing_ok=True)
            except OSError:
                pass
