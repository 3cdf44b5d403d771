"""The one HTTP client every source uses: bounded timeouts, a size cap, retries on 5xx/429 that
honour ``Retry-After`` only while time is left (and never for more than ``MAX_RETRY_WAIT_S``), a
configurable User-Agent, and an optional host allowlist enforced on every redirect hop. A redirect to
another host carries none of the caller's headers but ``_SAFE_ACROSS_HOSTS``. Failures become typed
``SourceError``s."""
from __future__ import annotations

import email.utils
import json
import time
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import IO, Any
from urllib.parse import urljoin, urlsplit

import requests

from checks.errors import BadResponse, RateLimited, SourceError, SourceTimeout, SourceUnavailable

DEFAULT_USER_AGENT = "vetcandidate/0.1 (+candidate screening bot)"
_REDIRECTS = (301, 302, 303, 307, 308)
_RETRY_STATUSES = (429, 500, 502, 503, 504)
# The longest Retry-After the client sleeps through, deadline or not (the OFAC download has none): a
# longer one ends the call as RateLimited("... rate limited until <time>").
MAX_RETRY_WAIT_S = 30.0
# Headers that may follow a redirect to another host; API keys, cookies and tokens never do.
_SAFE_ACROSS_HOSTS = frozenset({"user-agent", "accept", "accept-encoding", "accept-language"})


@dataclass(frozen=True)
class HttpResponse:
    url: str
    status: int
    headers: Mapping[str, str]
    content: bytes

    def json(self) -> Any:
        try:
            return json.loads(self.content)
        except (ValueError, UnicodeDecodeError):
            raise BadResponse(f"{_host(self.url)} returned invalid JSON") from None


def _host(url: str) -> str:
    return urlsplit(url).netloc or url


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()


MAX_RETRY_AFTER_S = 366 * 86400  # a longer Retry-After is read as a year: it only names a time


def _until(wait: float) -> str:
    return (datetime.now(UTC) + timedelta(seconds=wait)).strftime("%Y-%m-%dT%H:%M:%SZ")


def host_allowed(url: str, allowed: Collection[str], scheme: str | None = None) -> bool:
    """``allowed`` holds ``host`` or ``host:port`` entries (lower case)."""
    parts = urlsplit(url)
    if scheme and parts.scheme != scheme:
        return False
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return False
    host = parts.hostname.lower()
    return host in allowed or (parts.port is not None and f"{host}:{parts.port}" in allowed)


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(min(int(value), MAX_RETRY_AFTER_S))
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


class HttpClient:
    def __init__(self, *, user_agent: str = DEFAULT_USER_AGENT, connect_timeout: float = 3.0,
                 read_timeout: float = 10.0, retries: int = 2, backoff_s: float = 0.25,
                 max_bytes: int = 5_000_000, session: requests.Session | None = None,
                 sleep: Callable[[float], None] = time.sleep, max_retry_wait_s: float = MAX_RETRY_WAIT_S):
        self.user_agent = user_agent
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self.retries = retries
        self.backoff_s = backoff_s
        self.max_bytes = max_bytes
        self._session = session or requests.Session()
        self._session.trust_env = False  # no proxies or .netrc credentials picked up implicitly
        self._sleep = sleep
        self.max_retry_wait_s = max_retry_wait_s

    def close(self) -> None:
        self._session.close()

    def get_json(self, url: str, **kwargs: Any) -> tuple[HttpResponse, Any]:
        response = self.get(url, **kwargs)
        return response, response.json()

    def get(self, url: str, *, headers: Mapping[str, str] | None = None,
            deadline: float | None = None, max_bytes: int | None = None,
            allowed_hosts: Collection[str] | None = None, allowed_scheme: str | None = None,
            ok_statuses: Collection[int] = (200,), sink: IO[bytes] | None = None) -> HttpResponse:
        """GET ``url``. Raises ``SourceError`` unless the final status is in ``ok_statuses``.

        With ``sink`` the body is streamed into it (for large downloads) and ``content`` is empty.
        """
        attempt = 0
        while True:
            response = self._get_following(url, headers or {}, deadline, max_bytes, allowed_hosts,
                                           allowed_scheme, sink)
            if response.status in ok_statuses:
                return response
            asked = parse_retry_after(response.headers.get("Retry-After"), datetime.now(UTC))
            if response.status in _RETRY_STATUSES and attempt < self.retries:
                wait = self.backoff_s * (2 ** attempt) if asked is None else asked
                left = self._time_left(deadline)
                if wait > self.max_retry_wait_s or (left is not None and wait >= left):
                    if response.status == 429 or asked is not None:
                        raise RateLimited(f"{_host(url)} rate limited until {_until(wait)}")
                    raise SourceUnavailable(f"{_host(url)} answered HTTP {response.status}")
                self._sleep(wait)
                attempt += 1
                continue
            if response.status == 429:
                if asked is not None:
                    raise RateLimited(f"{_host(url)} rate limited until {_until(asked)}")
                raise RateLimited(f"{_host(url)} rate limited (HTTP 429)")
            if response.status >= 500:
                raise SourceUnavailable(f"{_host(url)} answered HTTP {response.status}")
            raise SourceError(f"{_host(url)} answered HTTP {response.status}")

    def _time_left(self, deadline: float | None) -> float | None:
        return None if deadline is None else deadline - time.monotonic()

    def _get_following(self, url: str, headers: Mapping[str, str], deadline: float | None,
                       max_bytes: int | None, allowed_hosts: Collection[str] | None,
                       allowed_scheme: str | None, sink: IO[bytes] | None) -> HttpResponse:
        send_headers = {"User-Agent": self.user_agent, **headers}
        for _hop in range(6):
            if allowed_hosts is not None and not host_allowed(url, allowed_hosts, allowed_scheme):
                raise SourceError(f"refusing to fetch from {_host(url)}: host not allowed")
            response = self._once(url, send_headers, deadline, max_bytes, sink)
            if response.status not in _REDIRECTS or "Location" not in response.headers:
                return response
            next_url = urljoin(url, response.headers["Location"])
            if _origin(next_url) != _origin(url):
                # Credentials never follow a redirect to another host (or scheme): of the caller's
                # headers only harmless ones do -- not Authorization, Cookie, X-API-Key, TRON-PRO-API-KEY...
                send_headers = {k: v for k, v in send_headers.items() if k.lower() in _SAFE_ACROSS_HOSTS}
            url = next_url
        raise BadResponse(f"too many redirects from {_host(url)}")

    def _once(self, url: str, headers: Mapping[str, str], deadline: float | None,
              max_bytes: int | None, sink: IO[bytes] | None) -> HttpResponse:
        left = self._time_left(deadline)
        if left is not None and left <= 0:
            raise SourceTimeout(f"no time left to contact {_host(url)}")
        connect = self.connect_timeout if left is None else min(self.connect_timeout, left)
        read = self.read_timeout if left is None else min(self.read_timeout, left)
        limit = self.max_bytes if max_bytes is None else max_bytes
        try:
            with self._session.get(url, headers=dict(headers), timeout=(connect, read), stream=True,
                                   allow_redirects=False) as r:
                if r.status_code in _REDIRECTS or r.status_code >= 400:
                    body = r.raw.read(65536, decode_content=True) or b""
                    return HttpResponse(r.url, r.status_code, dict(r.headers), body)
                chunks: list[bytes] = []
                size = 0
                for chunk in r.iter_content(chunk_size=65536):
                    size += len(chunk)
                    if size > limit:
                        raise BadResponse(f"{_host(url)} sent more than {limit} bytes")
                    if deadline is not None and time.monotonic() > deadline:
                        raise SourceTimeout(f"{_host(url)} too slow: download not finished in time")
                    if sink is not None:
                        sink.write(chunk)
                    else:
                        chunks.append(chunk)
                return HttpResponse(r.url, r.status_code, dict(r.headers), b"".join(chunks))
        except (requests.ConnectTimeout, requests.ReadTimeout):
            raise SourceTimeout(f"{_host(url)} did not answer in time") from None
        except requests.exceptions.ChunkedEncodingError:
            raise BadResponse(f"{_host(url)} closed the connection mid-response") from None
        except requests.ConnectionError as exc:
            if "timed out" in str(exc).lower():
                raise SourceTimeout(f"{_host(url)} did not answer in time") from None
            raise SourceUnavailable(f"cannot reach {_host(url)}") from None
        except requests.RequestException as exc:
            raise SourceUnavailable(f"request to {_host(url)} failed: {type(exc).__name__}") from None
