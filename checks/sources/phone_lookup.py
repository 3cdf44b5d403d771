"""Optional live line-type lookup for phone numbers: a provider interface and Twilio Lookup v2.

Offline metadata cannot tell a Google Voice number from a mobile in North America; the carrier's
own records can. ``TwilioLookup`` asks ``GET {base}{e164}?Fields=line_type_intelligence,caller_name``
with HTTP basic auth, maps Twilio's line types onto ``LineInfo.line_type`` and turns every failure
(credentials, unknown number, rate limit, Twilio error codes, timeouts, garbage) into a typed
``SourceError`` whose message never contains the number. Successful answers are cached per number
for ``cache_ttl_s`` seconds in memory (thread-safe) and, with ``shared_cache`` (the store's
``DbCache``, which applies its own TTL), as JSON for every dyno; failures are never cached, and a
shared-cache fault falls through to Twilio.
"""
from __future__ import annotations

import base64
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, NoReturn, Protocol, runtime_checkable

from checks.errors import BadResponse, NotFound, SourceError
from checks.sources.http import HttpClient, HttpResponse
from checks.sources.ttl_cache import JsonCache, TtlCache, shared_get, shared_set

DEFAULT_TWILIO_LOOKUP_URL = "https://lookups.twilio.com/v2/PhoneNumbers/"
FIELDS = "line_type_intelligence,caller_name"
_E164 = re.compile(r"^\+[1-9]\d{1,14}$")

#: Twilio ``line_type_intelligence.type`` -> ``LineInfo.line_type``
TWILIO_TYPES = {
    "landline": "landline", "mobile": "mobile", "fixedVoip": "fixed_voip", "nonFixedVoip": "non_fixed_voip",
    "personal": "personal", "tollFree": "toll_free", "premium": "premium", "sharedCost": "shared_cost",
    "uan": "uan", "voicemail": "voicemail", "pager": "pager", "unknown": "unknown",
}
LINE_TYPES = frozenset(TWILIO_TYPES.values())

# Twilio error codes we can explain (https://www.twilio.com/docs/api/errors/<code>).
TWILIO_ERRORS = {
    20003: "Twilio rejected the credentials; check TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN",
    20404: "Twilio has no record of this number",
    20429: "Twilio rate limit reached",
    60601: "the Twilio account is not authorised for Canadian line-type data (CLNPC approval needed)",
    60606: "the Twilio account does not have the Lookup package enabled",
    60607: "Twilio Lookup does not cover this number's country",
    60608: "Twilio's upstream data provider returned an error",
    60614: "this Lookup package must be used in a different Twilio region",
    60619: "this Lookup request cannot be completed in the selected Twilio region",
}


@dataclass(frozen=True)
class LineInfo:
    """What a live lookup says about one number. ``line_type`` is one of ``LINE_TYPES``."""

    e164: str
    line_type: str
    raw_type: str = ""
    carrier_name: str = ""
    mobile_country_code: str = ""
    mobile_network_code: str = ""
    country_code: str = ""
    valid: bool = True
    validation_errors: tuple[str, ...] = ()
    caller_name: str = ""
    caller_type: str = ""
    caller_name_error: int | None = None
    source: str = "Twilio Lookup v2"
    fetched_at: datetime | None = None
    cached: bool = False

    @property
    def is_voip(self) -> bool:
        return self.line_type in ("fixed_voip", "non_fixed_voip")


def line_info_to_json(info: LineInfo) -> dict[str, Any]:
    """A JSON form for a shared cache. The number itself is left out: it is the cache key."""
    return {"v": 1, "line_type": info.line_type, "raw_type": info.raw_type, "carrier_name": info.carrier_name,
            "mcc": info.mobile_country_code, "mnc": info.mobile_network_code,
            "country_code": info.country_code, "valid": info.valid,
            "validation_errors": list(info.validation_errors), "caller_name": info.caller_name,
            "caller_type": info.caller_type, "caller_name_error": info.caller_name_error,
            "source": info.source, "fetched_at": info.fetched_at.isoformat() if info.fetched_at else None}


def line_info_from_json(e164: str, data: Any) -> LineInfo:
    """The inverse of ``line_info_to_json``; ValueError/KeyError/TypeError on anything else."""
    if not isinstance(data, Mapping) or data.get("v") != 1:
        raise ValueError("unknown cache format")
    if data["line_type"] not in LINE_TYPES or not isinstance(data["valid"], bool):
        raise ValueError("unknown line type")
    error = data["caller_name_error"]
    fetched = data["fetched_at"]
    return LineInfo(e164=e164, line_type=data["line_type"], raw_type=str(data["raw_type"]),
                    carrier_name=str(data["carrier_name"]), mobile_country_code=str(data["mcc"]),
                    mobile_network_code=str(data["mnc"]), country_code=str(data["country_code"]),
                    valid=data["valid"], validation_errors=tuple(str(e) for e in data["validation_errors"]),
                    caller_name=str(data["caller_name"]), caller_type=str(data["caller_type"]),
                    caller_name_error=None if error is None else int(error), source=str(data["source"]),
                    fetched_at=datetime.fromisoformat(fetched) if fetched else None)


@runtime_checkable
class PhoneLookup(Protocol):
    """A live line-type provider. ``lookup`` raises ``SourceError`` when it cannot answer."""

    def lookup(self, e164: str, *, deadline: float | None = None) -> LineInfo: ...


def describe_error(code: Any, message: str = "") -> str:
    """A short, number-free reason for a Twilio error code."""
    try:
        number = int(code)
    except (TypeError, ValueError):
        number = None
    text = TWILIO_ERRORS.get(number) if number is not None else None
    if text is None:
        text = "Twilio error" + (f": {_scrub(message)[:120]}" if message else "")
    return f"{text} (error {number})" if number is not None else text


def _scrub(text: str) -> str:
    """Drop anything that looks like a phone number from provider text shown to users."""
    return re.sub(r"\+?\d[\d\s().-]{5,}\d", "<number>", str(text))


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


class TwilioLookup:
    """Twilio Lookup v2 line type intelligence (+ caller name, US only) as a ``PhoneLookup``."""

    name = "Twilio Lookup v2"

    def __init__(self, http: HttpClient, account_sid: str, auth_token: str,
                 base_url: str = DEFAULT_TWILIO_LOOKUP_URL, *, cache_ttl_s: float = 24 * 3600,
                 cache_max_entries: int = 10_000, clock: Callable[[], float] = time.monotonic,
                 shared_cache: JsonCache | None = None):
        if not account_sid or not auth_token:
            raise ValueError("Twilio Lookup needs an account SID and an auth token")
        self.http = http
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        token = base64.b64encode(f"{account_sid}:{auth_token}".encode()).decode("ascii")
        self._headers = {"Authorization": f"Basic {token}", "Accept": "application/json"}
        self.cache: TtlCache[LineInfo] = TtlCache(cache_ttl_s, cache_max_entries, clock)
        self.shared_cache = shared_cache

    def __repr__(self) -> str:  # never show the credentials
        return f"TwilioLookup({self.base_url!r})"

    def lookup(self, e164: str, *, deadline: float | None = None) -> LineInfo:
        if not _E164.match(e164 or ""):
            raise ValueError("lookup needs an E.164 number such as +14155550100")
        hit = self.cache.get(e164) or self._shared(e164)
        if hit is not None:
            return replace(hit, cached=True)
        response = self.http.get(f"{self.base_url}{e164}?Fields={FIELDS}", headers=self._headers,
                                 deadline=deadline, max_bytes=256_000,
                                 ok_statuses=(200, 400, 401, 403, 404))
        if response.status != 200:
            self._fail(response)
        body = response.json()
        if not isinstance(body, Mapping):
            raise BadResponse("Twilio Lookup answered with something other than a JSON object")
        info = self._parse(e164, body)
        self.cache.put(e164, info)
        shared_set(self.shared_cache, e164, line_info_to_json(info))
        return info

    def _shared(self, e164: str) -> LineInfo | None:
        data = shared_get(self.shared_cache, e164)
        if data is None:
            return None
        try:
            info = line_info_from_json(e164, data)
        except (KeyError, TypeError, ValueError, OverflowError):
            return None  # an unreadable entry is a miss
        self.cache.put(e164, info)
        return info

    def check_credentials(self, *, deadline: float | None = None, probe: str = "+14155550100") -> None:
        """For ``doctor``: a basic lookup (no Fields; Twilio does not charge for it) that proves the
        URL and credentials work. Raises ``SourceError`` with the reason."""
        response = self.http.get(f"{self.base_url}{probe}", headers=self._headers, deadline=deadline,
                                 max_bytes=64_000, ok_statuses=(200, 400, 401, 403, 404))
        if response.status != 200:
            self._fail(response)

    @staticmethod
    def _fail(response: HttpResponse) -> NoReturn:
        try:
            body = response.json()
        except BadResponse:
            body = {}
        body = body if isinstance(body, Mapping) else {}
        status = response.status
        code = body.get("code") or {401: 20003, 404: 20404}.get(status)
        reason = f"{describe_error(code, _text(body.get('message')))}, HTTP {status}"
        if status == 404:
            raise NotFound(reason)
        raise SourceError(reason)

    def _parse(self, e164: str, body: Mapping[str, Any]) -> LineInfo:
        if body.get("code") and body.get("status") not in (None, 200):
            raise SourceError(describe_error(body.get("code"), _text(body.get("message"))))
        valid = body.get("valid")
        errors = body.get("validation_errors") or ()
        if valid is False:
            return LineInfo(e164, "unknown", valid=False, source=self.name, fetched_at=datetime.now(UTC),
                            validation_errors=tuple(str(e) for e in errors if isinstance(e, str)))
        lti = body.get("line_type_intelligence")
        if not isinstance(lti, Mapping):
            raise BadResponse("Twilio Lookup answer has no line_type_intelligence (is the package enabled?)")
        if lti.get("error_code") not in (None, 0, ""):
            raise SourceError("line type: " + describe_error(lti.get("error_code")))
        raw_type = lti.get("type")
        if raw_type is not None and not isinstance(raw_type, str):
            raise BadResponse("Twilio Lookup answer has a malformed line type")
        line_type = TWILIO_TYPES.get(raw_type or "unknown")
        if line_type is None:
            raise BadResponse(f"Twilio Lookup answered with an unknown line type {str(raw_type)[:30]!r}")
        caller = body.get("caller_name")
        caller = caller if isinstance(caller, Mapping) else {}
        caller_error = caller.get("error_code")
        return LineInfo(
            e164=e164, line_type=line_type, raw_type=raw_type or "",
            carrier_name=_text(lti.get("carrier_name")),
            mobile_country_code=_text(lti.get("mobile_country_code")),
            mobile_network_code=_text(lti.get("mobile_network_code")),
            country_code=_text(body.get("country_code")), valid=True,
            caller_name=_text(caller.get("caller_name")) if not caller_error else "",
            caller_type=_text(caller.get("caller_type")),
            caller_name_error=int(caller_error) if isinstance(caller_error, int) and caller_error else None,
            source=self.name, fetched_at=datetime.now(UTC))


def build_twilio_lookup(http: HttpClient, account_sid: str, auth_token: str,
                        base_url: str = "", **kwargs: Any) -> TwilioLookup | None:
    """The provider when both credentials are set, else ``None`` (the phone check stays offline)."""
    if not (account_sid and auth_token):
        return None
    return TwilioLookup(http, account_sid, auth_token, base_url or DEFAULT_TWILIO_LOOKUP_URL, **kwargs)
