"""WHOIS (RFC 3912) fallback for TLDs without RDAP.

One lookup asks the IANA server which server holds the TLD (its ``refer:`` / ``whois:`` line,
remembered per process), then asks that server about the domain. Every exchange is bounded by
``timeout`` (connect + whole answer) and by the caller's deadline, and reads at most ``max_bytes``
(a longer answer is cut; the fields we need come first). Referred servers are contacted on
``referral_port`` (43 in production; a fake server's port in tests).

Note: the referred host name is resolved by the system resolver, which has its own (bounded)
timeouts outside our control.
"""
from __future__ import annotations

import re
import socket
import time
from datetime import UTC, datetime

from checks.errors import BadResponse, NotFound, SourceError, SourceTimeout, SourceUnavailable
from checks.sources.rdap import DomainRecord, parse_rdap_date, to_ascii_domain

MAX_BYTES = 256 * 1024

_CREATED = ("creation date", "created", "created on", "created date", "create date", "registered on",
            "registered", "registration time", "registration date", "domain registration date",
            "domain create date", "domain name commencement date", "record created", "registered date",
            "domain record activated")
_EXPIRES = ("registry expiry date", "registrar registration expiration date", "expiration date",
            "expiry date", "expires", "expires on", "expire date", "expiration time",
            "domain expiration date", "paid-till", "renewal date", "valid until")
_CHANGED = ("updated date", "last updated", "last updated on", "last modified", "last-update",
            "last update", "changed", "modified")
_REGISTRAR = ("registrar", "sponsoring registrar", "registrar name", "registrar organization",
              "registrar organisation")
_STATUS = ("domain status", "status", "state")

_NOT_FOUND = re.compile(
    r"^[%#\s]*(no match|not found|no entries found|no data found|no object found|domain not found"
    r"|no such domain|the queried object does not exist|object does not exist"
    r"|status:\s*(free|available)\b|.*\bis available for registration\b)",
    re.IGNORECASE | re.MULTILINE)
_BRACKET_LINE = re.compile(r"^\[(.{1,60}?)\]\s*(.*)$")
_COLON_LINE = re.compile(r"^([^:\[]{1,60}?)\s*:\s*(.*)$")
_HOST = re.compile(r"^[A-Za-z0-9.\-:]{1,253}$")
_DATE_FORMATS = ("%d-%b-%Y", "%d-%b-%Y %H:%M:%S", "%Y/%m/%d", "%Y/%m/%d %H:%M:%S", "%Y.%m.%d",
                 "%Y.%m.%d %H:%M:%S", "%d.%m.%Y", "%d.%m.%Y %H:%M:%S", "%Y. %m. %d.", "%d-%m-%Y",
                 "%a %b %d %Y", "%a %b %d %H:%M:%S %Y", "%B %d %Y", "%d %B %Y", "%b %d %Y",
                 "%d %b %Y", "%Y-%m-%d %H:%M", "%d-%b-%Y %H:%M")


def parse_whois_date(value: str) -> datetime | None:
    """Dates as WHOIS servers write them, as aware UTC; ``None`` if not recognised."""
    text = re.split(r"\s+#|\s*\(", value.strip(), maxsplit=1)[0]
    text = re.sub(r"\s+", " ", text).strip().rstrip(",")
    text = re.sub(r"\s*\b(UTC|GMT)$", "", text, flags=re.IGNORECASE)
    if not text:
        return None
    when = parse_rdap_date(text)
    if when is not None:
        return when
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=UTC)
        except ValueError:
            continue
    return None


def _fields(text: str) -> list[tuple[str, str]]:
    """``key: value`` and ``[key] value`` lines (lower-case keys); an empty value takes the next,
    more indented line (Nominet style)."""
    lines = text.splitlines()
    out: list[tuple[str, str]] = []
    for i, raw in enumerate(lines):
        line = raw.strip()
        if not line or line[0] in "%#>;":
            continue
        match = _BRACKET_LINE.match(line) or _COLON_LINE.match(line)
        if not match:
            continue
        key = re.sub(r"\s+", " ", match.group(1)).strip(" .").lower()
        value = match.group(2).strip()
        if not value and i + 1 < len(lines):
            nxt = lines[i + 1]
            indent = len(raw) - len(raw.lstrip())
            if nxt.strip() and len(nxt) - len(nxt.lstrip()) > indent:
                value = nxt.strip()
        out.append((key, value))
    return out


def parse_whois(text: str, domain: str, source: str) -> DomainRecord:
    """A WHOIS answer as a ``DomainRecord``; ``NotFound`` for "no match" answers."""
    first: dict[str, str] = {}
    status: list[str] = []
    for key, value in _fields(text):
        if value and key not in first:
            first[key] = value
        if value and key in _STATUS:
            state = value.split(" http")[0].strip()
            if state and state not in status:
                status.append(state)

    def pick_date(keys: tuple[str, ...]) -> datetime | None:
        for key in keys:
            if key in first:
                when = parse_whois_date(first[key])
                if when is not None:
                    return when
        return None

    registered = pick_date(_CREATED)
    expires = pick_date(_EXPIRES)
    registrar = next((first[k] for k in _REGISTRAR if k in first), "")
    registrar = re.sub(r"\s*\[tag\s*=.*\]$", "", registrar, flags=re.IGNORECASE)
    if registered is None and expires is None and not registrar and _NOT_FOUND.search(text):
        raise NotFound(f"no WHOIS record for {domain}")
    return DomainRecord(domain=domain, registered=registered, expires=expires,
                        last_changed=pick_date(_CHANGED), registrar=registrar,
                        status=tuple(status), source=source)


class WhoisClient:
    def __init__(self, iana_server: tuple[str, int] = ("whois.iana.org", 43), timeout: float = 5.0, *,
                 referral_port: int = 43, max_bytes: int = MAX_BYTES):
        self.iana_server = iana_server
        self.timeout = timeout
        self.referral_port = referral_port
        self.max_bytes = max_bytes
        self._servers: dict[str, str] = {}

    def lookup(self, domain: str, *, deadline: float | None = None) -> DomainRecord:
        name = to_ascii_domain(domain)
        if "." not in name:
            raise SourceError("invalid domain name")
        host = self.server_for(name.rsplit(".", 1)[1], deadline=deadline)
        text = self._ask(host, self.referral_port, name, deadline)
        if not text.strip():
            raise BadResponse(f"WHOIS server {host} sent an empty answer")
        source = f"whois://{host}" if self.referral_port == 43 else f"whois://{host}:{self.referral_port}"
        return parse_whois(text, name, source)

    def server_for(self, tld: str, *, deadline: float | None = None) -> str:
        """The WHOIS server IANA names for ``tld`` (cached per process)."""
        if tld in self._servers:
            return self._servers[tld]
        host, port = self.iana_server
        answer = self._ask(host, port, tld, deadline)
        refer = {}
        for key, value in _fields(answer):
            if key in ("refer", "whois") and key not in refer and _HOST.match(value):
                refer[key] = value.lower()
        server = refer.get("refer") or refer.get("whois")
        if not server:
            raise SourceError(f"no WHOIS service for .{tld}")
        self._servers[tld] = server
        return server

    def _ask(self, host: str, port: int, query: str, deadline: float | None) -> str:
        end = time.monotonic() + self.timeout
        if deadline is not None:
            end = min(end, deadline)
        left = end - time.monotonic()
        if left <= 0:
            raise SourceTimeout(f"no time left to ask WHOIS server {host}")
        chunks: list[bytes] = []
        size = 0
        try:
            with socket.create_connection((host, port), timeout=left) as sock:
                sock.sendall(query.encode("ascii") + b"\r\n")
                while size < self.max_bytes:
                    left = end - time.monotonic()
                    if left <= 0:
                        raise SourceTimeout(f"WHOIS server {host} too slow")
                    sock.settimeout(left)
                    data = sock.recv(min(65536, self.max_bytes - size))
                    if not data:
                        break
                    chunks.append(data)
                    size += len(data)
        except TimeoutError:
            raise SourceTimeout(f"WHOIS server {host} did not answer in time") from None
        except socket.gaierror:
            raise SourceUnavailable(f"cannot resolve WHOIS server {host}") from None
        except OSError:
            if chunks:  # some servers reset the connection right after answering
                return b"".join(chunks).decode("utf-8", errors="replace")
            raise SourceUnavailable(f"cannot reach WHOIS server {host}") from None
        return b"".join(chunks).decode("utf-8", errors="replace")
