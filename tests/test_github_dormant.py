"""github_profile's "dormant account revived" signal, through the real runner against a local GitHub
API server: which dates count as history and which do not."""
import pytest

from checks import Candidate, Severity, Status
from checks.context import CheckContext
from checks.github_profile import GitHubProfile
from checks.registry import Registry
from checks.runner import Runner
from checks.sources.github import GitHubClient
from checks.sources.http import HttpClient
from tests.fakes.github_server import GitHubFake, days_ago, repo

pytestmark = pytest.mark.network_edge


@pytest.fixture
def gh():
    with GitHubFake() as fake:
        yield fake


def dormant(gh, login):
    ctx = CheckContext(sources={"github": GitHubClient(HttpClient(retries=0, read_timeout=2.0), gh.base_url)})
    result = Runner(Registry([GitHubProfile()])).run(Candidate(github=login), ctx).checks[0]
    assert result.status == Status.OK, result.reason
    found = [f for f in result.findings if "Dormant" in f.title]
    assert len(found) <= 1
    return found[0] if found else None


def test_old_account_whose_every_repository_is_recent_is_low_with_the_dates(gh):
    gh.add_user("sleeper", created=days_ago(3000))
    gh.add_repos("sleeper", [repo("a", created=days_ago(20), pushed=days_ago(3)),
                             repo("b", created=days_ago(60))])
    finding = dormant(gh, "sleeper")
    assert finding.severity == Severity.LOW
    assert finding.evidence["created"] == days_ago(3000).date().isoformat()
    assert finding.evidence["first_repository_created"] == days_ago(60).date().isoformat()
    assert finding.evidence["last_push"] == days_ago(3).date().isoformat()
    assert "created_at" in finding.evidence["dates_used"] and "pushed_at" in finding.evidence["dates_used"]
    # it never claims there was no earlier activity, and says which dates were not used
    assert "not proof there was none" in finding.detail and "90 days" in finding.detail
    assert not any("/events" in path for path, _ in gh.requests)


def test_a_repository_created_long_ago_is_history_however_recently_pushed(gh):
    gh.add_user("returner", created=days_ago(3000))
    gh.add_repos("returner", [repo("new", created=days_ago(20)),
                              repo("old", created=days_ago(2000), pushed=days_ago(5))])
    assert dormant(gh, "returner") is None


def test_old_commit_dates_in_a_recent_repository_are_no_history(gh):
    # commit dates are written by the author: a repository created last month stays recent
    gh.add_user("importer", created=days_ago(3000))
    gh.add_repos("importer", [repo("tool", created=days_ago(30), size=500)])
    gh.add_commits("importer", "tool", [days_ago(2000), days_ago(25)])
    assert dormant(gh, "importer").evidence["first_repository_created"] == days_ago(30).date().isoformat()


def test_a_recent_fork_counts_but_its_inherited_push_date_does_not(gh):
    # a fork's pushed_at can be its parent's, years before the fork was made
    gh.add_user("forky", created=days_ago(3000))
    gh.add_repos("forky", [repo("mine", created=days_ago(40), pushed=days_ago(10)),
                           repo("theirs", fork=True, created=days_ago(50), pushed=days_ago(1500))])
    finding = dormant(gh, "forky")
    assert finding.evidence["first_repository_created"] == days_ago(50).date().isoformat()
    assert finding.evidence["last_push"] == days_ago(10).date().isoformat()


@pytest.mark.parametrize("account_days, public_repos", [(400, None), (3000, 150)])
def test_no_claim_for_a_young_account_or_an_incomplete_repository_list(gh, account_days, public_repos):
    gh.add_user("maybe", created=days_ago(account_days))
    gh.add_repos("maybe", [repo("a", created=days_ago(20))])
    if public_repos:
        gh.users["maybe"]["public_repos"] = public_repos  # only the newest page was seen
    assert dormant(gh, "maybe") is None
