"""Parsers for security teams' indicator files: CSV (``type,value,severity,note,reference``) here,
MISP event JSON and STIX 2.1 bundles in ``bot.watchlist_feeds``; format detection; normal forms.

Every parser returns a ``Parsed``: the valid indicators (in their normal form, duplicates folded),
what was invalid (where and why), and how many non-identity indicators (hashes, IPs...) were skipped.
Nothing here logs values.
"""
from __future__ import annotations

import csv
import io
import json
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

from checks import normalize

KINDS = ("email", "domain", "phone", "wallet", "github", "url", "name")
SEVERITIES = ("info", "low", "medium", "high", "critical")
DEFAULT_SEVERITY = "high"
FORMATS = ("csv", "misp", "stix")
#: CSV types that are indicators but not of a person's identity: skipped and counted, not errors
NON_IDENTITY = frozenset({
    "ip", "ipv4", "ipv6", "ip-src", "ip-dst", "cidr", "asn", "md5", "sha1", "sha256", "sha512", "hash",
    "file", "filename", "file-hash", "mutex", "user-agent", "ssdeep", "registry-key", "process", "port",
    "yara", "snort", "ja3"})


class ImportFailed(ValueError):
    """The file cannot be read at all (bad JSON, no CSV header, unknown format, not the structure
    of its format): nothing imported."""


@dataclass(frozen=True)
class Indicator:
    kind: str
    value: str
    normal: str
    severity: str = DEFAULT_SEVERITY
    note: str = ""
    reference: str = ""


@dataclass
class Parsed:
    format: str
    indicators: list[Indicator] = field(default_factory=list)
    invalid: list[tuple[str, str]] = field(default_factory=list)   # (line N / ID, reason)
    skipped: Counter = field(default_factory=Counter)               # non-identity type -> count
    duplicates: int = 0

    def add(self, where: str, kind: str, value: str, severity: str = "", note: str = "",
            reference: str = "", seen: set | None = None) -> None:
        severity = (severity or DEFAULT_SEVERITY).strip().lower()
        if severity not in SEVERITIES:
            self.invalid.append((where, f"unknown severity {severity[:20]!r}"))
            return
        try:
            normal = normal_form(kind, value)
        except ValueError as exc:
            self.invalid.append((where, f"invalid {kind}: {exc}"))
            return
        key = (kind, normal)
        if seen is not None:
            if key in seen:
                self.duplicates += 1
                return
            seen.add(key)
        self.indicators.append(Indicator(kind, value.strip(), normal, severity, note.strip()[:1000],
                                         reference.strip()[:1000]))


def _url(value: str) -> str:
    try:  # urllib's own messages quote the input: the reason must hold no data
        parts = urlsplit(value.strip())
        hostname, port = parts.hostname, parts.port
    except ValueError:
        raise ValueError("not an http(s) URL") from None
    if parts.scheme.lower() not in ("http", "https") or not hostname:
        raise ValueError("not an http(s) URL")
    host = normalize.domain(hostname)
    netloc = host + (f":{port}" if port else "")
    return urlunsplit(("", netloc, parts.path.rstrip("/"), parts.query, "")).lstrip("/")


def _domain(value: str) -> str:
    host = normalize.domain(value)
    if "." not in host or not all(c.isalnum() or c in "-." for c in host):
        raise ValueError("not a domain name")
    return host


def _phone(value: str) -> str:
    import phonenumbers

    parsed = normalize.phone_number(value)
    if not phonenumbers.is_possible_number(parsed):
        raise ValueError("not a possible phone number")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def _wallet(value: str) -> str:
    from checks.crypto_address import analyse

    info = analyse(value)
    if info.chain is None:
        raise ValueError("not a recognised crypto address")
    return info.normalized or value.strip()


def _email(value: str) -> str:
    normal = normalize.email(value)
    _domain(normal.rpartition("@")[2])
    return normal


_NORMALISERS = {"email": _email, "domain": _domain, "phone": _phone, "wallet": _wallet,
                "github": normalize.github_login, "url": _url, "name": normalize.name}


def normal_form(kind: str, value: str) -> str:
    """The comparison form of one indicator; ``ValueError`` with a data-free reason."""
    if not value or not value.strip():
        raise ValueError("empty value")
    return _NORMALISERS[kind](value)


# -- detection ------------------------------------------------------------------------------
def detect(data: bytes) -> str:
    head = data.lstrip()[:1]
    if head in (b"{", b"["):
        try:
            doc = json.loads(data)
        except ValueError:
            raise ImportFailed("the file looks like JSON but does not parse") from None
        if isinstance(doc, dict) and doc.get("type") == "bundle":
            return "stix"
        if isinstance(doc, dict) and ({"Event", "response", "Attribute"} & doc.keys()):
            return "misp"
        if isinstance(doc, list) and doc and isinstance(doc[0], dict) and "Event" in doc[0]:
            return "misp"
        raise ImportFailed("JSON that is neither a MISP event nor a STIX 2.1 bundle")
    first = data.split(b"\n", 1)[0].decode("utf-8-sig", "replace").lower()
    if "type" in first and "value" in first:
        return "csv"
    raise ImportFailed("unknown format: expected a CSV with a type,value header, MISP JSON or STIX 2.1")


def parse(data: bytes, fmt: str | None = None) -> Parsed:
    from bot.watchlist_feeds import parse_misp, parse_stix

    fmt = fmt or detect(data)
    return {"csv": parse_csv, "misp": parse_misp, "stix": parse_stix}[fmt](data)


# -- CSV ------------------------------------------------------------------------------------
def parse_csv(data: bytes) -> Parsed:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFailed("the CSV is not UTF-8") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [h.strip().lower() for h in next(reader, [])]
    if "type" not in header or "value" not in header:
        raise ImportFailed("the CSV needs a header with type,value[,severity,note,reference]")
    col = {name: header.index(name) for name in ("type", "value", "severity", "note", "reference")
           if name in header}
    out, seen = Parsed("csv"), set()
    for row in reader:
        line = f"line {reader.line_num}"
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(header):
            out.invalid.append((line, f"{len(row)} fields, the header has {len(header)}"))
            continue
        cells = {k: (row[i] if i < len(row) else "") for k, i in col.items()}
        kind = cells["type"].strip().lower()
        if kind in NON_IDENTITY:
            out.skipped[kind] += 1
        elif kind == "resume":
            out.invalid.append((line, "resume fingerprints come only from confirming fraud"))
        elif kind not in KINDS:
            out.invalid.append((line, f"unknown type {kind[:30]!r}"))
        else:
            out.add(line, kind, cells["value"], cells.get("severity", ""), cells.get("note", ""),
                    cells.get("reference", ""), seen)
    return out
