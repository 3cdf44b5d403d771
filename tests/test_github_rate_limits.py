"""github_profile under GitHub's rate limits, through the real runner against a local GitHub API
server: a wait that fits in the check's time is waited out once; a longer one is an error at once."""
import time

import pytest

from checks import Candidate, Status
from checks.context import CheckContext
from checks.github_profile import GitHubProfile
from checks.registry import Registry
from checks.runner import Runner
from checks.sources.github import GitHubClient
from checks.sources.http import HttpClient
from tests.fakes.github_server import GitHubFake, days_ago, repo

pytestmark = pytest.mark.network_edge
SLOW_DOWN = b'{"message": "You have exceeded a secondary rate limit."}'


@pytest.fixture
def gh():
    with GitHubFake() as fake:
        yield fake


def run(gh, login, token=None):
    client = GitHubClient(HttpClient(retries=0, read_timeout=2.0), gh.base_url, token)
    ctx = CheckContext(sources={"github": client})
    return Runner(Registry([GitHubProfile()])).run(Candidate(github=login), ctx).checks[0]


def test_short_retry_after_is_waited_out(gh):
    gh.add_user("janeroe", created=days_ago(2000))
    gh.add_repos("janeroe", [repo("tool", created=days_ago(1500))])
    gh.fail("/users/janeroe", status=429, headers={"Retry-After": "1"}, body=SLOW_DOWN, times=1)
    start = time.monotonic()
    result = run(gh, "janeroe")
    assert result.status == Status.OK, result.reason
    assert time.monotonic() - start >= 1.0 and gh.hits["/users/janeroe"] == 2
    assert any(f.title.startswith("GitHub account opened") for f in result.findings)


def test_retry_after_beyond_the_time_left_is_an_error_at_once(gh):
    gh.add_user("janeroe", created=days_ago(2000))
    gh.fail("/users/janeroe", status=429, headers={"Retry-After": "3600"}, body=SLOW_DOWN)
    start = time.monotonic()
    result = run(gh, "janeroe")
    assert time.monotonic() - start < 1.0 and gh.hits["/users/janeroe"] == 1
    assert result.status == Status.ERROR and "rate limited until" in result.reason
    assert result.findings == () and "janeroe" not in result.reason


def test_a_later_limit_keeps_the_profile_findings(gh):
    gh.add_user("halfway", created=days_ago(30))
    gh.add_repos("halfway", [repo("x")])
    gh.fail("/users/halfway/repos", status=403, headers={"retry-after": "120"}, body=SLOW_DOWN)
    result = run(gh, "halfway")
    assert result.status == Status.ERROR and "rate limited until" in result.reason
    assert [f.title for f in result.findings] == ["GitHub account opened 30 days ago"]


@pytest.mark.parametrize("status", [403, 429])
def test_exhausted_limit_is_an_error_naming_the_reset(gh, status):
    gh.exhaust(reset=1_900_000_000, status=status)
    result = run(gh, "janeroe")
    assert result.status == Status.ERROR
    assert "rate limited until 2030-03-17T17:46:40Z" in result.reason and "GITHUB_TOKEN" in result.reason
    assert "GITHUB_TOKEN" not in run(gh, "janeroe", token="t").reason
