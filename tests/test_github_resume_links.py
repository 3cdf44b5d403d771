"""github_profile finds the login behind link text in a real PDF: the resume is extracted in the
sandbox like any other, and the profile URL exists only as the link's target."""
from __future__ import annotations

import pytest

from checks import Candidate, Status
from checks.context import CheckContext
from checks.github_profile import GitHubProfile
from checks.registry import Registry
from checks.runner import Runner
from checks.sources.github import GitHubClient
from checks.sources.http import HttpClient
from tests.fakes.github_server import GitHubFake, days_ago
from tests.test_resume_links import ROLE, linked_pdf


@pytest.fixture
def gh():
    with GitHubFake() as fake:
        yield fake


def run(gh, pdf: bytes):
    ctx = CheckContext(sources={"github": GitHubClient(HttpClient(retries=0), gh.base_url)})
    candidate = Candidate(name="Jane Roe", resume_bytes=pdf, resume_filename="cv.pdf")
    return Runner(Registry([GitHubProfile()])).run(candidate, ctx).checks[0]


def test_profile_behind_link_text_is_used(gh):
    gh.add_user("janeroe", name="Jane Roe", created=days_ago(45))
    result = run(gh, linked_pdf([("Jane Roe", None), ("GitHub", "https://github.com/janeroe"), (ROLE, None)]))
    assert result.status == Status.OK
    opened = next(f for f in result.findings if "opened" in f.title)
    assert opened.evidence["login"] == "janeroe" and opened.evidence["login_source"] == "resume"


def test_a_repository_link_is_still_not_a_profile(gh):
    rows = [("Jane Roe", None), ("my project", "https://github.com/acme/tool"), (ROLE, None)]
    result = run(gh, linked_pdf(rows))
    assert result.status == Status.OK and gh.requests == []
    assert [f.title for f in result.findings] == ["No GitHub profile to check"]
