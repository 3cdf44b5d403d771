"""MISP event JSON and STIX 2.1 bundles (patterns parsed by ``stix2-patterns``, a real STIX pattern
grammar) -> ``Parsed``. A file without the structure of its format (no event, no Attribute list,
``objects`` that is not a list...) is an ``ImportFailed`` naming what is missing, never an empty list.
Nothing here logs values.
"""
from __future__ import annotations

import json

from bot.watchlist_import import ImportFailed, Parsed

_MISP_KINDS = {
    "email": "email", "email-src": "email", "email-dst": "email", "whois-registrant-email": "email",
    "target-email": "email", "domain": "domain", "hostname": "domain", "url": "url", "uri": "url",
    "phone-number": "phone", "whois-registrant-phone": "phone", "btc": "wallet", "xmr": "wallet",
    "dash": "wallet", "github-username": "github", "full-name": "name", "whois-registrant-name": "name"}
_STIX_KINDS = {("email-addr", "value"): "email", ("domain-name", "value"): "domain", ("url", "value"): "url"}


# -- MISP -----------------------------------------------------------------------------------
def _event(item: object, where: str) -> dict:
    """One event, wrapped (``{"Event": {...}}``) or bare; ImportFailed unless it has the shape of one."""
    if not isinstance(item, dict):
        raise ImportFailed(f"{where} is not a JSON object")
    event = item.get("Event", item)
    if not isinstance(event, dict):
        raise ImportFailed(f'{where}: "Event" is not an object')
    if not ({"Attribute", "Object"} & event.keys() or {"uuid", "info"} <= event.keys()):
        raise ImportFailed(f"{where} has no Attribute or Object list (nor uuid and info): "
                           "not a MISP event")
    for key in ("Attribute", "Object"):
        if not isinstance(event.get(key, []), list):
            raise ImportFailed(f"{where}: {key} is not a list")
    return event


def _events(doc: object) -> list[dict]:
    if isinstance(doc, list):
        if not doc:
            raise ImportFailed("the MISP file is an empty list: no events")
        return [_event(e, f"event #{i}") for i, e in enumerate(doc)]
    if not isinstance(doc, dict):
        raise ImportFailed("the MISP file is not an event")
    if "response" in doc:  # the REST API: {"response": [events]} or {"response": {"Attribute": [...]}}
        response = doc["response"]
        return _events([response] if isinstance(response, dict) else response)
    if doc.get("type") == "bundle":
        raise ImportFailed("this is a STIX 2.1 bundle, not a MISP event (use --format stix)")
    return [_event(doc, "the event")]


def parse_misp(data: bytes) -> Parsed:
    try:
        doc = json.loads(data)
    except ValueError:
        raise ImportFailed("the MISP file is not valid JSON") from None
    out, seen = Parsed("misp"), set()
    for event in _events(doc):
        info = str(event.get("info") or "")
        attributes = [(a, "") for a in event.get("Attribute") or []]
        for n, obj in enumerate(event.get("Object") or []):
            if not isinstance(obj, dict) or not isinstance(obj.get("Attribute", []), list):
                out.invalid.append((f"object {_misp_id(obj, n)}", "not a MISP object with an Attribute list"))
                continue
            attributes += [(a, str(obj.get("name") or "")) for a in obj.get("Attribute") or []]
        for i, (attr, obj_name) in enumerate(attributes):
            if not isinstance(attr, dict):
                out.invalid.append((f"attribute #{i}", "not an object"))
                continue
            if attr.get("deleted") in (True, "1", 1):
                continue
            where = f"attribute {_misp_id(attr, i)}"
            mtype = str(attr.get("type") or "")
            kind = _MISP_KINDS.get(mtype)
            if obj_name == "coin-address" and attr.get("object_relation") == "address":
                kind = "wallet"
            if kind is None:
                out.skipped[mtype or "untyped"] += 1
                continue
            out.add(where, kind, str(attr.get("value") or ""), "", str(attr.get("comment") or info),
                    "", seen)
    return out


def _misp_id(item: object, n: int) -> str:
    if isinstance(item, dict) and (ident := item.get("uuid") or item.get("id")):
        return str(ident)[:80]
    return f"#{n}"


# -- STIX 2.1 -------------------------------------------------------------------------------
def _stix_string(literal: str) -> str:
    if len(literal) < 2 or literal[0] != "'" or literal[-1] != "'":
        raise ValueError("not a string literal")
    return literal[1:-1].replace("\\'", "'").replace("\\\\", "\\")


def parse_stix(data: bytes) -> Parsed:
    from stix2patterns.exceptions import ParseException
    from stix2patterns.pattern import Pattern

    try:
        doc = json.loads(data)
    except ValueError:
        raise ImportFailed("the STIX file is not valid JSON") from None
    if not isinstance(doc, dict) or doc.get("type") != "bundle":
        raise ImportFailed("not a STIX 2.1 bundle")
    objects = doc.get("objects", [])
    if not isinstance(objects, list):
        raise ImportFailed('the bundle\'s "objects" is not a list')
    out, seen = Parsed("stix"), set()
    for n, obj in enumerate(objects):
        if not isinstance(obj, dict) or not isinstance(obj.get("type"), str):
            out.invalid.append((f"object #{n}", "not a STIX object (no type)"))
            continue
        if obj["type"] != "indicator":
            continue
        where = f"indicator {str(obj.get('id') or '?')[:80]}"
        if obj.get("pattern_type", "stix") != "stix":
            out.skipped[f"pattern_type {obj.get('pattern_type')}"] += 1
            continue
        try:
            comparisons = Pattern(str(obj.get("pattern") or "")).inspect().comparisons
        except (ParseException, Exception) as exc:  # the grammar's own errors, however raised
            out.invalid.append((where, f"pattern does not parse ({str(exc).splitlines()[0][:80]})"))
            continue
        refs = [r.get("url") for r in obj.get("external_references") or [] if isinstance(r, dict)]
        note = str(obj.get("name") or obj.get("description") or "")
        severity = str(obj.get("x_severity") or "")
        for object_type in {t for t, items in comparisons.items()
                            if any((t, ".".join(map(str, p))) not in _STIX_KINDS for p, _, _ in items)}:
            out.skipped[object_type] += 1
        for object_type, items in comparisons.items():
            for path, op, literal in items:
                kind = _STIX_KINDS.get((object_type, ".".join(map(str, path))))
                if kind is None:
                    continue
                if op != "=":
                    out.invalid.append((where, f"operator {op} on {object_type}: only = is supported"))
                    continue
                try:
                    value = _stix_string(literal)
                except ValueError as exc:
                    out.invalid.append((where, str(exc)))
                    continue
                out.add(where, kind, value, severity, note, next((r for r in refs if r), ""), seen)
    return out
