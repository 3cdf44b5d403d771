"""GitHub REST API: the few reads the github_profile check needs, each one bounded.

``user(login)`` is ``GET /users/{login}``; ``repos(login)`` is one page (100) of
``GET /users/{login}/repos?type=owner&sort=created``; ``first_commit_date(owner, repo)`` costs at
most two calls (the newest commit with ``per_page=1``, then the last page its ``Link`` header names);
``contributors(owner, repo)`` is one page. Answers are cached in memory per login (and per
repository) for ``ttl_s``, including "does not exist".

Failures are typed: a 404 carrying GitHub's own ``{"message": "Not Found"}`` body is ``NotFound``
(any other 404 is ``BadResponse``: a wrong ``GITHUB_API_URL`` must never make every profile
"not exist"); invalid JSON or the wrong shape is ``BadResponse``; 5xx and timeouts come from
``HttpClient``. Messages never hold the login.

Rate limits (403/429) are handled here, not by ``HttpClient``: the wait GitHub asks for
(``retry-after``; else ``x-ratelimit-reset`` when ``x-ratelimit-remaining`` is 0; else a minute for a
secondary limit) is slept once and the request retried when it ends before the deadline (without
one, when it is at most ``MAX_WAIT_S``); a longer wait, or a second refusal, is ``RateLimited``
("rate limited until ..."), with a hint to set ``GITHUB_TOKEN`` when the hourly limit ran out
without one.
"""
from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

from checks.errors import BadResponse, NotFound, RateLimited, SourceError
from checks.sources.http import HttpClient, HttpResponse, parse_retry_after
from checks.sources.ttl_cache import TtlCache

DEFAULT_API_URL = "https://api.github.com"
API_VERSION = "2022-11-28"
REPOS_PER_PAGE = 100
CONTRIBUTORS_PER_PAGE = 100
MAX_WAIT_S = 10.0         # longest rate-limit wait when the caller gives no deadline
SECONDARY_WAIT_S = 60.0   # GitHub: without retry-after, wait at least a minute after a secondary limit
_OK = (200, 204, 403, 404, 409, 429)  # statuses we interpret ourselves (HttpClient would raise on them)
_NAME = re.compile(r"^[A-Za-z0-9._-]{1,100}$")
_LOGIN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$")
_LAST = re.compile(r'<([^>]+)>\s*;\s*rel="last"')


def parse_time(value: Any) -> datetime | None:
    """GitHub's ISO 8601 timestamps (``2011-01-25T18:44:36Z``) as aware UTC; None when absent."""
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise BadResponse("GitHub returned a malformed date")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise BadResponse("GitHub returned a malformed date") from None
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC)


def _text(obj: dict, key: str) -> str:
    value = obj.get(key)
    return value.strip() if isinstance(value, str) else ""


@dataclass(frozen=True)
class GitHubUser:
    login: str
    type: str                 # "User" | "Organization" | "Bot"
    name: str                 # "" when the profile sets none
    created_at: datetime
    public_repos: int
    email: str = ""
    blog: str = ""
    location: str = ""
    html_url: str = ""
    updated_at: datetime | None = None


@dataclass(frozen=True)
class GitHubRepo:
    name: str
    fork: bool
    created_at: datetime | None
    pushed_at: datetime | None
    size: int                 # KB; 0 for an empty repository


class GitHubClient:
    def __init__(self, http: HttpClient, base_url: str = DEFAULT_API_URL, token: str | None = None, *,
                 ttl_s: float = 600.0, max_entries: int = 512, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep):
        self.http = http
        self._sleep = sleep
        self.base_url = (base_url or DEFAULT_API_URL).rstrip("/")
        self._token = token or None
        # values are wrapped in a 1-tuple so a cached None (e.g. no commit date) is a hit
        self._cache: TtlCache[tuple[Any]] = TtlCache(ttl_s, max_entries, clock)

    @property
    def source(self) -> str:
        return f"GitHub REST API ({urlsplit(self.base_url).netloc or self.base_url})"

    # -- the reads ------------------------------------------------------------------------------
    def user(self, login: str, *, deadline: float | None = None) -> GitHubUser:
        login = _check_login(login)
        return self._cached(("user", login), lambda: self._user(login, deadline))

    def repos(self, login: str, *, deadline: float | None = None) -> list[GitHubRepo]:
        """The account's own repositories (forks included, flagged), newest first; one page."""
        login = _check_login(login)
        return self._cached(("repos", login), lambda: self._repos(login, deadline))

    def first_commit_date(self, owner: str, repo: str, *, deadline: float | None = None) -> datetime | None:
        """Author date of the repository's oldest commit on its default branch; None when empty."""
        key = ("first_commit", _check_login(owner), _check_name(repo).lower())
        return self._cached(key, lambda: self._first_commit(key[1], repo, deadline))

    def contributors(self, owner: str, repo: str, *, deadline: float | None = None) -> list[str]:
        """Logins (lower case) of the first page of contributors; [] for an empty repository."""
        key = ("contributors", _check_login(owner), _check_name(repo).lower())
        return self._cached(key, lambda: self._contributors(key[1], repo, deadline))

    def rate_limit(self, *, deadline: float | None = None) -> tuple[int, int, datetime]:
        """(limit, remaining, reset) of the core API, for ``doctor``; ``GET /rate_limit`` is free."""
        data = self._json("/rate_limit", deadline)
        core = data.get("resources", {}).get("core") if isinstance(data, dict) else None
        try:
            return int(core["limit"]), int(core["remaining"]), datetime.fromtimestamp(int(core["reset"]), UTC)
        except (TypeError, KeyError, ValueError):
            raise BadResponse("GitHub returned an unexpected rate-limit object") from None

    # -- implementation -------------------------------------------------------------------------
    def _user(self, login: str, deadline: float | None) -> GitHubUser:
        data = self._json(f"/users/{login}", deadline)
        if not isinstance(data, dict) or not isinstance(data.get("login"), str):
            raise BadResponse("GitHub returned an unexpected user object")
        created = parse_time(data.get("created_at"))
        if created is None:
            raise BadResponse("GitHub user object has no creation date")
        repos = data.get("public_repos", 0)
        return GitHubUser(login=data["login"], type=_text(data, "type") or "User", name=_text(data, "name"),
                          created_at=created, public_repos=repos if isinstance(repos, int) else 0,
                          email=_text(data, "email"), blog=_text(data, "blog"),
                          location=_text(data, "location"), html_url=_text(data, "html_url"),
                          updated_at=parse_time(data.get("updated_at")))

    def _repos(self, login: str, deadline: float | None) -> list[GitHubRepo]:
        data = self._json(f"/users/{login}/repos?type=owner&sort=created&per_page={REPOS_PER_PAGE}",
                          deadline)
        if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
            raise BadResponse("GitHub returned an unexpected repository list")
        out = []
        for r in data:
            if not isinstance(r.get("name"), str):
                raise BadResponse("GitHub returned a repository without a name")
            size = r.get("size", 0)
            out.append(GitHubRepo(name=r["name"], fork=r.get("fork") is True,
                                  created_at=parse_time(r.get("created_at")),
                                  pushed_at=parse_time(r.get("pushed_at")),
                                  size=size if isinstance(size, int) else 0))
        return out

    def _first_commit(self, owner: str, repo: str, deadline: float | None) -> datetime | None:
        path = f"/repos/{owner}/{repo}/commits?per_page=1"
        response, data = self._get(path, deadline, empty_ok=True)
        if response is None:
            return None
        last = _LAST.search(response.headers.get("Link") or response.headers.get("link") or "")
        if last:
            page = parse_qs(urlsplit(last.group(1)).query).get("page", [""])[0]
            if not page.isdigit():
                raise BadResponse("GitHub returned an unusable pagination link")
            response, data = self._get(f"{path}&page={page}", deadline, empty_ok=True)
            if response is None:
                return None
        if not isinstance(data, list):
            raise BadResponse("GitHub returned an unexpected commit list")
        if not data:
            return None
        commit = data[-1].get("commit") if isinstance(data[-1], dict) else None
        author = commit.get("author") if isinstance(commit, dict) else None
        if not isinstance(author, dict):
            raise BadResponse("GitHub returned a commit without an author date")
        return parse_time(author.get("date"))

    def _contributors(self, owner: str, repo: str, deadline: float | None) -> list[str]:
        response, data = self._get(f"/repos/{owner}/{repo}/contributors?per_page={CONTRIBUTORS_PER_PAGE}",
                                    deadline, empty_ok=True)
        if response is None or response.status == 204 or data is None:
            return []
        if not isinstance(data, list):
            raise BadResponse("GitHub returned an unexpected contributor list")
        return [c["login"].lower() for c in data if isinstance(c, dict) and isinstance(c.get("login"), str)]

    def _json(self, path: str, deadline: float | None) -> Any:
        return self._get(path, deadline)[1]

    def _get(self, path: str, deadline: float | None,
             empty_ok: bool = False) -> tuple[HttpResponse | None, Any]:
        response = self.http.get(self.base_url + path, headers=self._headers(), deadline=deadline,
                                 ok_statuses=_OK)
        limit = _rate_limit(response, self._token is not None)
        if limit is not None:
            wait, error = limit
            left = MAX_WAIT_S if deadline is None else deadline - time.monotonic()
            if wait >= left:
                raise error
            self._sleep(wait)
            response = self.http.get(self.base_url + path, headers=self._headers(), deadline=deadline,
                                     ok_statuses=_OK)
            limit = _rate_limit(response, self._token is not None)
            if limit is not None:
                raise limit[1]
        if response.status == 204:
            return response, None
        if response.status in (403, 429):
            raise SourceError(f"GitHub API refused the request (HTTP {response.status})")
        if response.status == 404:
            body = _body(response)
            if isinstance(body, dict) and str(body.get("message", "")).lower() == "not found":
                raise NotFound("GitHub has no such account or repository")
            raise BadResponse("GitHub API answered 404 without GitHub's error body; check GITHUB_API_URL")
        if response.status == 409:  # "Git Repository is empty."
            if empty_ok:
                return None, None
            raise SourceError("GitHub answered HTTP 409")
        return response, response.json()

    def _headers(self) -> dict[str, str]:
        headers = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": API_VERSION}
        if self._token:
            headers["Authorization"] = f"Bearer {self._token}"
        return headers

    def _cached(self, key: tuple, load: Callable[[], Any]) -> Any:
        hit = self._cache.get(key)
        if hit is None:
            try:
                value = load()
            except NotFound as exc:  # "does not exist" is an answer worth keeping too
                value = exc
            hit = (value,)
            self._cache.put(key, hit)
        if isinstance(hit[0], NotFound):
            raise NotFound(str(hit[0]))
        return hit[0]


def _check_login(login: str) -> str:
    if not isinstance(login, str) or not _LOGIN.match(login) or "--" in login or login.endswith("-"):
        raise ValueError("not a GitHub login")
    return login.lower()


def _check_name(repo: str) -> str:
    if not isinstance(repo, str) or not _NAME.match(repo) or repo in (".", ".."):
        raise BadResponse("GitHub returned an unusable repository name")
    return repo


def _body(response: HttpResponse) -> Any:
    try:
        return response.json()
    except BadResponse:
        return None


def _rate_limit(response: HttpResponse, has_token: bool) -> tuple[float, RateLimited] | None:
    """For a 403/429 that is a rate limit: (seconds GitHub asks us to wait, the error to raise if we
    cannot). None for any other answer, including a plain 403 (no access)."""
    if response.status not in (403, 429):
        return None
    headers = {k.lower(): v.strip() for k, v in response.headers.items()}
    now = datetime.now(UTC)
    retry = parse_retry_after(headers.get("retry-after"), now)
    exhausted = headers.get("x-ratelimit-remaining") == "0"
    reset = headers.get("x-ratelimit-reset", "")
    if retry is not None:
        until = now + timedelta(seconds=retry)
    elif exhausted and reset.isdigit():
        until = datetime.fromtimestamp(int(reset), UTC)
    elif exhausted or response.status == 429 or "rate limit" in _message(response).lower():
        until = now + timedelta(seconds=SECONDARY_WAIT_S)
    else:
        return None
    when = until.strftime("%Y-%m-%dT%H:%M:%SZ")
    # a reset is given in whole seconds: wait one more so the retry does not land just before it
    wait = max(0.0, (until - now).total_seconds()) + (1.0 if retry is None and exhausted else 0.0)
    if exhausted:
        hint = "" if has_token else "; set GITHUB_TOKEN for a higher limit"
        return wait, RateLimited(f"GitHub API rate limited until {when} (hourly request limit used up{hint})")
    return wait, RateLimited(f"GitHub API rate limited until {when} (secondary rate limit)")


def _message(response: HttpResponse) -> str:
    body = _body(response)
    message = body.get("message") if isinstance(body, dict) else None
    return message if isinstance(message, str) else ""
