"""A local GitHub REST API for tests, on 127.0.0.1 and an OS-chosen port, answering in GitHub's JSON.

    with GitHubFake() as gh:
        gh.add_user("janeroe", name="Jane Roe", created=days_ago(3000))
        gh.add_repos("janeroe", [repo("tool", created=days_ago(900), size=120), repo("lib", fork=True)])
        gh.add_commits("janeroe", "tool", [days_ago(800), days_ago(2000)])   # any order; oldest is first
        gh.add_empty_repo("janeroe", "blank"); gh.add_contributors("janeroe", "tool", ["alice", "bob"])
        gh.fail("/users/down", status=502); gh.fail("/users/slow", delay=3.0)
        gh.fail("/users/junk", body=b"{")
        gh.fail("/users/busy", status=429, headers={"Retry-After": "1"}, times=1)  # then answers normally
        gh.exhaust(reset=1_900_000_000)           # every request: 403 + x-ratelimit-remaining: 0
        client = GitHubClient(HttpClient(retries=0), gh.base_url)

Logins and repository names match case-insensitively, as on GitHub. Unknown users and repositories
get GitHub's 404 body; an empty repository's commits get its 409; a listed repository without
configured commits has one, made when it was created. Commits are paginated with
``per_page``/``page`` and a ``Link`` header (``rel="next"``, ``rel="last"``). Every answer carries the
``x-ratelimit-*`` headers (limit 60 anonymous, 5000 with ``Authorization``). ``requests`` keeps
(path, headers) in order; ``hits`` counts paths without their query.
"""
from __future__ import annotations

import json
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

DOCS = "https://docs.github.com/rest"
NOT_FOUND = {"message": "Not Found", "documentation_url": DOCS, "status": "404"}
EMPTY_REPO = {"message": "Git Repository is empty.", "documentation_url": DOCS, "status": "409"}
RATE_LIMITED = {"message": "API rate limit exceeded for 127.0.0.1. (But here's the good news: Authenticated "
                           "requests get a higher rate limit. Check out the documentation for more details.)",
                "documentation_url": "https://docs.github.com/rest/overview/resources-in-the-rest-api"
                                     "#rate-limiting"}


def days_ago(days: float) -> datetime:
    return datetime.now(UTC) - timedelta(days=days)


def gh_time(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def repo(name: str, *, fork: bool = False, created: datetime | None = None, pushed: datetime | None = None,
         size: int = 100) -> dict[str, Any]:
    """A repository's fields the fake fills into GitHub's full repository object."""
    created = created or days_ago(400)
    return {"name": name, "fork": fork, "created_at": gh_time(created),
            "pushed_at": gh_time(pushed or created), "size": size}


@dataclass
class Failure:
    status: int = 500
    body: bytes = b'{"message": "Server Error"}'
    delay: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)
    times: int | None = None  # answers this many requests, then the path answers normally; None: all


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False


class GitHubFake:
    def __init__(self) -> None:
        self.users: dict[str, dict[str, Any]] = {}
        self.repos: dict[str, list[dict[str, Any]]] = {}
        self.commits: dict[tuple[str, str], list[dict[str, Any]] | None] = {}  # None: empty repository
        self.contributors: dict[tuple[str, str], list[str]] = {}
        self.failures: dict[str, Failure] = {}  # path prefix (lower case) -> failure
        self.limit_status: int | None = None
        self.limit_reset = 0
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.hits: Counter[str] = Counter()
        self._used = 0
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), self._handler_class())
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    def __enter__(self) -> GitHubFake:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    # -- configuring ----------------------------------------------------------------------------
    def add_user(self, login: str, *, name: str | None = None, created: datetime | None = None,
                 type: str = "User", public_repos: int | None = None, email: str | None = None,  # noqa: A002
                 blog: str = "", location: str | None = None, company: str | None = None) -> dict[str, Any]:
        created = created or days_ago(2000)
        self.users[login.lower()] = user = {
            "login": login, "id": 1000 + len(self.users), "node_id": "MDQ6VXNlcjEwMDA=",
            "avatar_url": f"https://avatars.githubusercontent.com/u/{1000 + len(self.users)}?v=4",
            "gravatar_id": "", "url": f"{self.base_url}/users/{login}", "html_url": f"https://github.com/{login}",
            "repos_url": f"{self.base_url}/users/{login}/repos", "type": type, "user_view_type": "public",
            "site_admin": False, "name": name, "company": company, "blog": blog, "location": location,
            "email": email, "hireable": None, "bio": None, "twitter_username": None,
            "public_repos": len(self.repos.get(login.lower(), [])) if public_repos is None else public_repos,
            "public_gists": 0, "followers": 3, "following": 1, "created_at": gh_time(created),
            "updated_at": gh_time(max(created, days_ago(30))),
        }
        return user

    def add_repos(self, login: str, repos: list[dict[str, Any]]) -> None:
        owner = self.users.get(login.lower(), {"login": login, "id": 1})
        self.repos[login.lower()] = [self._repo_object(owner, r, n) for n, r in enumerate(repos)]
        if login.lower() in self.users:
            self.users[login.lower()]["public_repos"] = len(repos)

    def add_commits(self, owner: str, name: str, dates: list[datetime]) -> None:
        ordered = sorted(dates, reverse=True)  # GitHub lists newest first
        self.commits[(owner.lower(), name.lower())] = [
            {"sha": f"{n:040x}", "node_id": "C_kwDO",
             "url": f"{self.base_url}/repos/{owner}/{name}/commits/{n:040x}",
             "html_url": f"https://github.com/{owner}/{name}/commit/{n:040x}",
             "commit": {"author": {"name": "A. Developer", "email": "dev@example.com", "date": gh_time(d)},
                        "committer": {"name": "A. Developer", "email": "dev@example.com", "date": gh_time(d)},
                        "message": f"change {n}", "comment_count": 0},
             "author": None, "committer": None, "parents": []}
            for n, d in enumerate(ordered)]

    def add_empty_repo(self, owner: str, name: str) -> None:
        self.commits[(owner.lower(), name.lower())] = None

    def add_contributors(self, owner: str, name: str, logins: list[str]) -> None:
        self.contributors[(owner.lower(), name.lower())] = list(logins)

    def fail(self, path_prefix: str, *, status: int = 500, body: bytes = b'{"message": "Server Error"}',
             delay: float = 0.0, headers: dict[str, str] | None = None, times: int | None = None) -> None:
        """Requests whose path starts with ``path_prefix`` get this answer (after ``delay`` s), the
        first ``times`` of them (all when None)."""
        self.failures[path_prefix.lower()] = Failure(status, body, delay, dict(headers or {}), times)

    def exhaust(self, *, reset: int, status: int = 403) -> None:
        """The primary rate limit is used up until ``reset`` (epoch seconds)."""
        self.limit_status, self.limit_reset = status, reset

    # -- answering ------------------------------------------------------------------------------
    def _repo_object(self, owner: dict[str, Any], fields: dict[str, Any], n: int) -> dict[str, Any]:
        login, name = owner["login"], fields["name"]
        return {"id": 5000 + n, "node_id": "R_kgDO", "name": name, "full_name": f"{login}/{name}",
                "private": False, "owner": {"login": login, "id": owner["id"], "type": "User"},
                "html_url": f"https://github.com/{login}/{name}", "description": None,
                "url": f"{self.base_url}/repos/{login}/{name}", "homepage": None, "stargazers_count": 0,
                "watchers_count": 0, "language": "Python", "forks_count": 0, "archived": False,
                "visibility": "public", "default_branch": "main", **fields,
                "updated_at": fields["pushed_at"]}

    def _answer(self, path: str) -> tuple[int, Any, dict[str, str]]:
        parts = urlsplit(path)
        segments = [s.lower() for s in parts.path.strip("/").split("/")]
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        if segments == ["rate_limit"]:
            core = {"limit": 60, "remaining": 60 - self._used, "reset": int(time.time()) + 3600,
                    "used": self._used, "resource": "core"}
            return 200, {"resources": {"core": core}, "rate": core}, {}
        if segments[:1] == ["users"] and len(segments) == 2:
            user = self.users.get(segments[1])
            return (200, user, {}) if user else (404, NOT_FOUND, {})
        if segments[:1] == ["users"] and len(segments) == 3 and segments[2] == "repos":
            if segments[1] not in self.users:
                return 404, NOT_FOUND, {}
            per_page = int(query.get("per_page", "30"))
            return 200, self.repos.get(segments[1], [])[:per_page], {}
        if segments[:1] == ["repos"] and len(segments) == 4:
            key = (segments[1], segments[2])
            if segments[3] == "contributors" and key in self.contributors:
                logins = self.contributors[key]
                return 200, [{"login": c, "id": 9000 + i, "type": "User", "contributions": 10 - i}
                             for i, c in enumerate(logins)], {}
            if segments[3] == "commits" and key in self.commits:
                return self._commit_page(parts.path, self.commits[key], query)
            listed = next((r for r in self.repos.get(key[0], []) if r["name"].lower() == key[1]), None)
            if segments[3] == "commits" and listed:  # a listed repository without configured commits:
                self.add_commits(key[0], key[1], [datetime.fromisoformat(listed["created_at"])])  # one
                return self._commit_page(parts.path, self.commits[key], query)
        return 404, NOT_FOUND, {}

    def _commit_page(self, path: str, commits: list | None, query: dict[str, str]) -> tuple[int, Any, dict]:
        if commits is None:
            return 409, EMPTY_REPO, {}
        per_page, page = int(query.get("per_page", "30")), int(query.get("page", "1"))
        last = max(1, -(-len(commits) // per_page))
        links = []
        if page < last:
            links.append(f'<{self.base_url}{path}?per_page={per_page}&page={page + 1}>; rel="next"')
            links.append(f'<{self.base_url}{path}?per_page={per_page}&page={last}>; rel="last"')
        headers = {"Link": ", ".join(links)} if links else {}
        return 200, commits[(page - 1) * per_page:page * per_page], headers

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server API)
                with fake._lock:
                    fake.requests.append((self.path, dict(self.headers.items())))
                    fake.hits[self.path.split("?")[0]] += 1
                    fake._used += 1
                    used = fake._used
                    prefix = next((p for p in fake.failures if self.path.lower().startswith(p)), None)
                    failure = None if prefix is None or fake.limit_status else fake.failures[prefix]
                    if failure is not None and failure.times is not None:
                        failure.times -= 1
                        if failure.times <= 0:
                            del fake.failures[prefix]
                limit = 5000 if self.headers.get("Authorization") else 60
                headers = {"Content-Type": "application/json; charset=utf-8",
                           "x-github-api-version-selected": "2022-11-28", "x-ratelimit-limit": str(limit),
                           "x-ratelimit-remaining": str(max(0, limit - used)),
                           "x-ratelimit-reset": str(int(time.time()) + 3600), "x-ratelimit-used": str(used),
                           "x-ratelimit-resource": "core"}
                if fake.limit_status is not None:
                    status, body = fake.limit_status, json.dumps(RATE_LIMITED).encode()
                    headers.update({"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(fake.limit_reset)})
                elif failure is not None:
                    time.sleep(failure.delay)
                    status, body = failure.status, failure.body
                    headers.update(failure.headers)
                else:
                    status, data, extra = fake._answer(self.path)
                    body = json.dumps(data).encode()
                    headers.update(extra)
                try:
                    self.send_response(status)
                    for key, value in headers.items():
                        self.send_header(key, value)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:
                    pass  # the client gave up (timeout tests)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

        return Handler
