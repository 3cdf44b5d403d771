"""GitHubClient against a real local HTTP server speaking GitHub's REST JSON."""
import json
import time
from datetime import UTC, datetime

import pytest

from checks.errors import BadResponse, NotFound, RateLimited, SourceError, SourceTimeout, SourceUnavailable
from checks.sources.github import API_VERSION, GitHubClient, parse_time
from checks.sources.http import HttpClient
from tests.fakes.github_server import RATE_LIMITED, GitHubFake, days_ago, repo

pytestmark = pytest.mark.network_edge


@pytest.fixture
def gh():
    with GitHubFake() as fake:
        yield fake


def client(gh, token=None, **kwargs):
    return GitHubClient(HttpClient(retries=0, read_timeout=1.0), gh.base_url + "/", token, **kwargs)


def test_user_is_parsed_and_headers_are_githubs(gh):
    created = days_ago(1000)
    gh.add_user("JaneRoe", name="Jane Roe", created=created, email="jane@example.com", blog="https://roe.dev",
                location="Austin, TX")
    user = client(gh).user("janeroe")
    assert (user.login, user.type, user.name, user.email, user.blog, user.location) == (
        "JaneRoe", "User", "Jane Roe", "jane@example.com", "https://roe.dev", "Austin, TX")
    assert user.created_at == created.replace(microsecond=0) and user.html_url == "https://github.com/JaneRoe"
    path, headers = gh.requests[-1]
    assert path == "/users/janeroe"
    assert headers["Accept"] == "application/vnd.github+json"
    assert headers["X-GitHub-Api-Version"] == API_VERSION
    assert "Authorization" not in headers and headers["User-Agent"].startswith("vetcandidate/")


def test_token_is_sent_as_bearer(gh):
    gh.add_user("octo")
    client(gh, token="ghp_test123").user("octo")
    assert gh.requests[-1][1]["Authorization"] == "Bearer ghp_test123"


def test_missing_profile_fields_are_empty(gh):
    gh.add_user("noname", name=None, email=None, location=None)
    user = client(gh).user("noname")
    assert (user.name, user.email, user.blog, user.location) == ("", "", "", "")


def test_404_with_githubs_body_is_not_found_and_cached(gh):
    github = client(gh)
    for _ in range(2):
        with pytest.raises(NotFound):
            github.user("ghost")
    assert gh.hits["/users/ghost"] == 1


def test_404_without_githubs_body_is_a_configuration_problem(gh):
    gh.fail("/users/proxied", status=404, body=b"<html>Not Found</html>")
    with pytest.raises(BadResponse, match="GITHUB_API_URL"):
        client(gh).user("proxied")


def test_answers_are_cached_per_login_until_the_ttl(gh):
    gh.add_user("octo")
    now = [100.0]
    github = client(gh, ttl_s=60, clock=lambda: now[0])
    github.user("octo")
    github.user("OCTO")
    assert gh.hits["/users/octo"] == 1
    now[0] += 61
    github.user("octo")
    assert gh.hits["/users/octo"] == 2


def test_cache_is_bounded(gh):
    for login in ("a1", "a2", "a3"):
        gh.add_user(login)
    github = client(gh, max_entries=2)
    for login in ("a1", "a2", "a3", "a1"):
        github.user(login)
    assert gh.hits["/users/a1"] == 2


def test_repos_one_page_owner_type_sorted_by_creation(gh):
    gh.add_user("octo")
    gh.add_repos("octo", [repo("new", created=days_ago(10)), repo("fork", fork=True), repo("empty", size=0)])
    repos = client(gh).repos("octo")
    assert [(r.name, r.fork, r.size) for r in repos] == [("new", False, 100), ("fork", True, 100),
                                                         ("empty", False, 0)]
    assert gh.requests[-1][0] == "/users/octo/repos?type=owner&sort=created&per_page=100"


def test_first_commit_date_follows_the_last_page_link(gh):
    oldest = days_ago(4000)
    gh.add_commits("octo", "tool", [days_ago(5), days_ago(400), oldest])
    assert client(gh).first_commit_date("octo", "tool") == oldest.replace(microsecond=0)
    assert [p for p, _ in gh.requests] == ["/repos/octo/tool/commits?per_page=1",
                                           "/repos/octo/tool/commits?per_page=1&page=3"]


def test_first_commit_date_single_commit_and_empty_repository(gh):
    only = days_ago(50)
    gh.add_commits("octo", "one", [only])
    gh.add_empty_repo("octo", "blank")
    github = client(gh)
    assert github.first_commit_date("octo", "one") == only.replace(microsecond=0)
    assert github.first_commit_date("octo", "blank") is None
    assert len(gh.requests) == 2


def test_contributors_are_logins(gh):
    gh.add_contributors("octo", "tool", ["Alice", "bob"])
    gh.add_empty_repo("octo", "blank")
    assert client(gh).contributors("octo", "tool") == ["alice", "bob"]
    assert gh.requests[-1][0] == "/repos/octo/tool/contributors?per_page=100"


@pytest.mark.parametrize("bad", ["..", "a/b", "x" * 101, ""])
def test_unusable_repository_names_are_refused(gh, bad):
    with pytest.raises(SourceError):
        client(gh).first_commit_date("octo", bad)
    assert gh.requests == []


@pytest.mark.parametrize("status", [403, 429])
def test_exhausted_rate_limit_names_the_reset_and_the_token(gh, status):
    gh.exhaust(reset=1_900_000_000, status=status)
    with pytest.raises(RateLimited) as err:
        client(gh).user("octo")
    assert "rate limited until 2030-03-17T17:46:40Z" in str(err.value) and "GITHUB_TOKEN" in str(err.value)
    assert len(gh.requests) == 1  # a reset beyond the time left is not waited for
    with pytest.raises(RateLimited) as err:
        client(gh, token="t").user("octo")
    assert "GITHUB_TOKEN" not in str(err.value)


def test_secondary_rate_limit_and_plain_forbidden(gh):
    gh.fail("/users/busy", status=403, headers={"retry-after": "60"},
            body=b'{"message": "You have exceeded a secondary rate limit."}')
    gh.fail("/users/quiet", status=403, body=b'{"message": "You have exceeded a secondary rate limit."}')
    gh.fail("/users/denied", status=403, body=b'{"message": "Forbidden"}')
    for login in ("busy", "quiet"):  # 60 s asked (or GitHub's minute without retry-after) > 10 s allowed
        with pytest.raises(RateLimited, match=r"rate limited until \S+ \(secondary rate limit\)") as err:
            client(gh).user(login)
        assert "GITHUB_TOKEN" not in str(err.value)
    assert gh.hits["/users/busy"] == gh.hits["/users/quiet"] == 1
    with pytest.raises(SourceError, match="HTTP 403") as err:
        client(gh).user("denied")
    assert not isinstance(err.value, RateLimited)


def test_short_retry_after_is_waited_out_once(gh):
    gh.add_user("octo")
    gh.fail("/users/octo", status=429, headers={"Retry-After": "1"}, body=b'{"message": "slow down"}',
            times=1)
    start = time.monotonic()
    assert client(gh).user("octo", deadline=start + 9).login == "octo"
    assert time.monotonic() - start >= 1.0 and gh.hits["/users/octo"] == 2


def test_retry_after_beyond_the_deadline_fails_at_once(gh):
    gh.fail("/users/octo", status=429, headers={"Retry-After": "3600"}, body=b'{"message": "slow down"}')
    start = time.monotonic()
    with pytest.raises(RateLimited, match=r"rate limited until \d{4}-\d\d-\d\dT"):
        client(gh).user("octo", deadline=start + 9)
    assert time.monotonic() - start < 0.5 and gh.hits["/users/octo"] == 1


def test_a_second_refusal_is_not_retried_again(gh):
    gh.fail("/users/octo", status=429, headers={"Retry-After": "1"}, body=b'{"message": "slow down"}')
    with pytest.raises(RateLimited):
        client(gh).user("octo", deadline=time.monotonic() + 9)
    assert gh.hits["/users/octo"] == 2


def test_exhausted_limit_resetting_before_the_deadline_is_waited_for(gh):
    gh.add_user("octo")
    reset = int(time.time()) + 1
    gh.fail("/users/octo", status=403, times=1, body=json.dumps(RATE_LIMITED).encode(),
            headers={"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(reset)})
    assert client(gh).user("octo", deadline=time.monotonic() + 9).login == "octo"
    assert time.time() >= reset and gh.hits["/users/octo"] == 2


@pytest.mark.parametrize("body, words", [
    (b'{"login": "octo", ', "invalid JSON"), (b'[1, 2]', "unexpected user"),
    (b'{"login": "octo"}', "creation date"),
    (b'{"login": "octo", "created_at": "yesterday"}', "malformed date")])
def test_garbage_is_a_bad_response(gh, body, words):
    gh.fail("/users/octo", status=200, body=body)
    with pytest.raises(BadResponse, match=words):
        client(gh).user("octo")


def test_garbage_repository_list(gh):
    gh.add_user("octo")
    gh.fail("/users/octo/repos", status=200, body=b'{"message": "not a list"}')
    with pytest.raises(BadResponse):
        client(gh).repos("octo")


def test_server_errors_and_timeouts(gh):
    gh.fail("/users/down", status=502)
    gh.fail("/users/slow", delay=2.0)
    with pytest.raises(SourceUnavailable, match="502"):
        client(gh).user("down")
    start = time.monotonic()
    with pytest.raises(SourceTimeout):
        client(gh).user("slow", deadline=time.monotonic() + 0.5)
    assert time.monotonic() - start < 1.5


def test_errors_other_than_not_found_are_not_cached(gh):
    gh.fail("/users/flaky", status=503)
    github = client(gh)
    with pytest.raises(SourceUnavailable):
        github.user("flaky")
    gh.failures.clear()
    gh.add_user("flaky")
    assert github.user("flaky").login == "flaky"


def test_messages_never_hold_the_login(gh):
    gh.fail("/users/secretlogin", status=404, body=b"nope")
    with pytest.raises(SourceError) as err:
        client(gh).user("secretlogin")
    assert "secretlogin" not in str(err.value)


def test_parse_time():
    assert parse_time("2011-01-25T18:44:36Z") == datetime(2011, 1, 25, 18, 44, 36, tzinfo=UTC)
    assert parse_time(None) is None and parse_time("") is None
    with pytest.raises(BadResponse):
        parse_time(12)


def test_rate_limit_status_for_doctor(gh):
    limit, remaining, reset = client(gh).rate_limit()
    assert (limit, remaining) == (60, 59) and reset > datetime.now(UTC)
    gh.fail("/rate_limit", status=200, body=b'{"resources": {}}')
    with pytest.raises(BadResponse):
        client(gh).rate_limit()
