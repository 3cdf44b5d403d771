"""What an RDAP (or WHOIS) domain answer says, as a typed ``DomainRecord``: parsing RFC 9083 domain
objects, and the JSON form kept in a shared cache."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from checks.errors import BadResponse


@dataclass(frozen=True)
class DomainRecord:
    domain: str
    registered: datetime | None  # aware UTC
    expires: datetime | None
    last_changed: datetime | None
    registrar: str  # "" if unknown
    status: tuple[str, ...]
    source: str  # the RDAP URL queried, or "whois://host" for the fallback


def parse_rdap_date(value: Any) -> datetime | None:
    """An RDAP ``eventDate`` as aware UTC; ``None`` for anything unparseable."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return None
    try:
        if when.tzinfo is None:
            return when.replace(tzinfo=UTC)
        return when.astimezone(UTC)
    except (OverflowError, ValueError):
        return None


def _vcard_value(entity: Mapping[str, Any], prop: str) -> str:
    card = entity.get("vcardArray")
    if not (isinstance(card, list) and len(card) == 2 and isinstance(card[1], list)):
        return ""
    for item in card[1]:
        if isinstance(item, list) and len(item) >= 4 and item[0] == prop:
            value = item[3]
            if isinstance(value, list):
                value = " ".join(str(v) for v in value if v)
            if isinstance(value, str) and value.strip():
                return value.strip()
    return ""


def _registrar_name(entity: Mapping[str, Any]) -> str:
    name = _vcard_value(entity, "fn") or _vcard_value(entity, "org")
    if name:
        return name
    for public_id in entity.get("publicIds") or ():
        if isinstance(public_id, Mapping) and public_id.get("identifier"):
            kind = str(public_id.get("type") or "registrar ID")
            return f"{kind} {public_id['identifier']}"
    handle = entity.get("handle")
    return str(handle) if isinstance(handle, str | int) and str(handle) else ""


def parse_domain_record(data: Any, domain: str, source: str) -> DomainRecord:
    """Turn an RDAP domain object into a ``DomainRecord``; ``BadResponse`` if it is not one."""
    host = urlsplit(source).netloc or source
    if not isinstance(data, Mapping) or data.get("objectClassName") != "domain":
        raise BadResponse(f"{host} returned something that is not an RDAP domain object")
    dates: dict[str, datetime] = {}
    events = data.get("events")
    for event in events if isinstance(events, list) else ():
        if not isinstance(event, Mapping):
            continue
        action = str(event.get("eventAction") or "").strip().lower()
        when = parse_rdap_date(event.get("eventDate"))
        if when is not None and action not in dates:
            dates[action] = when
    registrar = ""
    entities = data.get("entities")
    for entity in entities if isinstance(entities, list) else ():
        if isinstance(entity, Mapping) and "registrar" in (entity.get("roles") or ()):
            registrar = _registrar_name(entity)
            if registrar:
                break
    status = data.get("status")
    return DomainRecord(
        domain=domain,
        registered=dates.get("registration"),
        expires=dates.get("expiration"),
        last_changed=dates.get("last changed") or dates.get("last update"),
        registrar=registrar,
        status=tuple(s for s in status if isinstance(s, str)) if isinstance(status, list) else (),
        source=source,
    )


def record_to_json(record: DomainRecord) -> dict[str, Any]:
    """A JSON-able form of a ``DomainRecord`` for a shared cache."""
    def iso(when: datetime | None) -> str | None:
        return when.isoformat() if when else None
    return {"v": 1, "domain": record.domain, "registered": iso(record.registered),
            "expires": iso(record.expires), "last_changed": iso(record.last_changed),
            "registrar": record.registrar, "status": list(record.status), "source": record.source}


def record_from_json(data: Any) -> DomainRecord:
    """The inverse of ``record_to_json``; ValueError/KeyError/TypeError on anything else."""
    def when(text: Any) -> datetime | None:
        return None if text is None else datetime.fromisoformat(text).astimezone(UTC)
    if not isinstance(data, Mapping) or data.get("v") != 1:
        raise ValueError("unknown cache format")
    status = data["status"]
    if not (isinstance(status, list) and all(isinstance(s, str) for s in status)):
        raise TypeError("status")
    return DomainRecord(domain=str(data["domain"]), registered=when(data["registered"]),
                        expires=when(data["expires"]), last_changed=when(data["last_changed"]),
                        registrar=str(data["registrar"]), status=tuple(status), source=str(data["source"]))
