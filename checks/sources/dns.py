"""Mail-related DNS lookups (MX, RFC 7505 null MX, implicit MX via A/AAAA) over dnspython.

``nameservers`` entries are IP literals with an optional port: ``"192.0.2.53"``,
``"192.0.2.53:5353"``, ``"2001:db8::53"`` or ``"[2001:db8::53]:5353"`` (host names are refused:
resolving the resolver would need a resolver). Without entries the system configuration
(/etc/resolv.conf) is used; a machine without one fails at once with ``SourceUnavailable``.
``timeout`` bounds one whole ``mail_hosts`` call (all its queries), as does the caller's deadline.
"""
from __future__ import annotations

import ipaddress
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass

import dns.exception
import dns.name
import dns.nameserver
import dns.rdatatype
import dns.resolver

from checks.errors import SourceError, SourceTimeout, SourceUnavailable
from checks.sources.rdap import to_ascii_domain


@dataclass(frozen=True)
class MailHosts:
    domain: str
    exists: bool  # False on NXDOMAIN
    mx: tuple[str, ...]  # exchange hosts, by preference, no trailing dot
    null_mx: bool  # RFC 7505 "0 ." record
    has_address: bool  # A or AAAA present (implicit MX); only looked up when there is no MX at all
    source: str  # e.g. "DNS via 127.0.0.1:5353" or "DNS via system resolver"


def parse_nameserver(entry: str) -> tuple[str, int]:
    """``host`` / ``host:port`` / ``[v6]:port`` / bare IPv6 -> (ip, port). ``ValueError`` if bad."""
    text = entry.strip()
    host, port = text, 53
    if text.startswith("["):
        host, sep, rest = text[1:].partition("]")
        if not sep or (rest and not rest.startswith(":")):
            raise ValueError(f"bad DNS nameserver entry {entry!r}")
        if rest:
            port = _port(rest[1:], entry)
    elif text.count(":") == 1:
        host, _, port_text = text.partition(":")
        port = _port(port_text, entry)
    try:
        ipaddress.ip_address(host)
    except ValueError:
        raise ValueError(f"DNS nameserver {entry!r} must be an IP address (optionally with :port)") from None
    return host, port


def _show(ip: str, port: int) -> str:
    if port == 53:
        return ip
    return f"[{ip}]:{port}" if ":" in ip else f"{ip}:{port}"


def _port(text: str, entry: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise ValueError(f"bad port in DNS nameserver entry {entry!r}")
    return int(text)


class DnsClient:
    def __init__(self, nameservers: Sequence[str] | None = None, timeout: float = 3.0, *,
                 resolv_conf: str = "/etc/resolv.conf"):
        self.timeout = timeout
        self.servers = [parse_nameserver(e) for e in (nameservers or ()) if e.strip()]
        self._resolv_conf = resolv_conf
        self._resolver: dns.resolver.Resolver | None = None
        self._lock = threading.Lock()
        if self.servers:
            resolver = dns.resolver.Resolver(configure=False)
            resolver.nameservers = [dns.nameserver.Do53Nameserver(ip, port) for ip, port in self.servers]
            self._resolver = resolver
            self.description = "DNS via " + ", ".join(_show(ip, port) for ip, port in self.servers)
        else:
            self.description = "DNS via system resolver"

    def _get_resolver(self) -> dns.resolver.Resolver:
        with self._lock:
            if self._resolver is None:
                try:
                    self._resolver = dns.resolver.Resolver(filename=self._resolv_conf)
                except dns.resolver.NoResolverConfiguration:
                    raise SourceUnavailable("no DNS resolver configured on this machine") from None
                except (OSError, dns.exception.DNSException):
                    raise SourceUnavailable("cannot read the system DNS configuration") from None
            return self._resolver

    def _query(self, name: dns.name.Name, rdtype: str, end: float) -> dns.resolver.Answer:
        """One query; NXDOMAIN propagates; NoAnswer gives an answer without rrset."""
        left = end - time.monotonic()
        if left <= 0:
            raise SourceTimeout("DNS lookup ran out of time")
        resolver = self._get_resolver()
        try:
            return resolver.resolve(name, rdtype, search=False, raise_on_no_answer=False, lifetime=left)
        except dns.resolver.NXDOMAIN:
            raise
        except dns.exception.Timeout:
            raise SourceTimeout(f"{self.description}: no answer in time") from None
        except dns.resolver.NoNameservers:
            raise SourceUnavailable(f"{self.description}: server failure (SERVFAIL or refused)") from None
        except dns.resolver.YXDOMAIN:
            raise SourceError(f"{self.description}: name too long") from None
        except dns.exception.DNSException as exc:
            raise SourceUnavailable(f"{self.description}: {type(exc).__name__}") from None
        except OSError:
            raise SourceUnavailable(f"{self.description}: network error") from None

    def mail_hosts(self, domain: str, *, deadline: float | None = None) -> MailHosts:
        ascii_name = to_ascii_domain(domain)
        try:
            name = dns.name.from_text(ascii_name)
        except dns.exception.DNSException:
            raise SourceError("invalid domain name") from None
        end = time.monotonic() + self.timeout
        if deadline is not None:
            end = min(end, deadline)
        try:
            answer = self._query(name, "MX", end)
        except dns.resolver.NXDOMAIN:
            return MailHosts(ascii_name, False, (), False, False, self.description)
        records = sorted(answer.rrset or (), key=lambda r: (r.preference, r.exchange.to_text().lower()))
        null_mx = any(r.exchange == dns.name.root for r in records)
        mx = tuple(dict.fromkeys(r.exchange.to_text(omit_final_dot=True).lower()
                                 for r in records if r.exchange != dns.name.root))
        has_address = False
        if not mx and not null_mx:
            has_address = self._has_address(name, end)
        return MailHosts(ascii_name, True, mx, null_mx, has_address, self.description)

    def _has_address(self, name: dns.name.Name, end: float) -> bool:
        for rdtype in ("A", "AAAA"):
            try:
                if self._query(name, rdtype, end).rrset:
                    return True
            except dns.resolver.NXDOMAIN:
                return False
        return False

    def check(self, *, deadline: float | None = None) -> str:
        """For ``doctor``: the configured resolver answers a trivial query (the root's NS)."""
        end = time.monotonic() + self.timeout
        if deadline is not None:
            end = min(end, deadline)
        try:
            self._query(dns.name.root, "NS", end)
        except dns.resolver.NXDOMAIN:
            pass  # an answer all the same: the server is reachable
        return f"{self.description}: answering"
