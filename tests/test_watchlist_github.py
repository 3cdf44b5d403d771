"""github_profile's network signal: a contributor to the candidate's own repositories who is on a
watchlist (or confirmed fraud) is one HIGH finding naming the list, never that person's details."""
from __future__ import annotations

import pytest

from bot.watchlist_import import Indicator, parse
from bot.watchlist_index import build_index
from bot.watchlists import CONFIRMED, Watchlists
from checks import Candidate, Severity
from checks.context import CheckContext
from checks.github_profile import GitHubProfile
from checks.registry import Registry
from checks.runner import Runner
from checks.sources.github import GitHubClient
from checks.sources.http import HttpClient
from tests.db_fixtures import db_env_fixture, pg_url_fixture, store_fixture  # noqa: F401
from tests.fakes.github_server import GitHubFake, days_ago, repo


@pytest.fixture
def gh():
    with GitHubFake() as fake:
        yield fake


def test_contributor_on_a_watchlist_or_confirmed_fraud(gh, store):
    lists = Watchlists(store)
    lists.replace("peers", parse(b"type,value,note\ngithub,Ring7-Dev,fork farm\n"), source="t", actor="t")
    lists.add(CONFIRMED, [Indicator("github", "old-persona", "old-persona")], actor="U0ADMIN")
    lists.add(CONFIRMED, [Indicator("github", "old-persona", "old-persona")], actor="U0ADMIN",
              vetting_id="v-second")  # listed twice on one list: still one finding
    gh.add_user("janeroe", created=days_ago(2000))
    gh.add_repos("janeroe", [repo("tool", created=days_ago(1500)), repo("lib", created=days_ago(1400)),
                             repo("forked", fork=True)])
    gh.add_contributors("janeroe", "tool", ["janeroe", "ring7-dev", "alice"])
    gh.add_contributors("janeroe", "lib", ["old-persona"])
    ctx = CheckContext(sources={"github": GitHubClient(HttpClient(retries=0), gh.base_url),
                                "watchlists": build_index(store)})
    result = Runner(Registry([GitHubProfile()])).run(Candidate(github="janeroe"), ctx).checks[0]
    high = sorted((f for f in result.findings if f.severity == Severity.HIGH), key=lambda f: f.title)
    assert len(high) == 2
    assert [f.title for f in high][1] == "GitHub repository shared with an account on watchlist 'peers'"
    assert high[0].title.startswith("GitHub repository shared with a candidate confirmed as fraudulent on ")
    peer = lists.entries("peers")[0]
    confirmed = min(lists.entries(CONFIRMED), key=lambda row: row.id)
    assert high[1].evidence == {"list": "peers", "repositories": ["tool"], "watchlist_entry": peer.id}
    assert high[0].evidence == {"list": CONFIRMED, "repositories": ["lib"], "watchlist_entry": confirmed.id}
    assert f"entry {peer.id} with `vetcandidate watchlist show peers`" in high[1].detail
    for finding in high:  # the other person's login (in any case) appears nowhere in the finding
        text = repr((finding.title, finding.detail, dict(finding.evidence), finding.source)).lower()
        assert "ring7" not in text and "old-persona" not in text and "fork farm" not in text
