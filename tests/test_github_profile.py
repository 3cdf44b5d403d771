"""github_profile end to end through the real runner, against a local GitHub API server (dormant
accounts: test_github_dormant.py; rate limits: test_github_rate_limits.py)."""
import time

import pytest

from checks import Candidate, Severity, Status
from checks.context import CheckContext
from checks.github_profile import GitHubProfile, names_agree, profile_link
from checks.normalize import github_login
from checks.registry import Registry
from checks.resume.extract import Problem, ResumeDoc
from checks.runner import Runner
from checks.sources.github import GitHubClient
from checks.sources.http import HttpClient
from tests.fakes.github_server import GitHubFake, days_ago, repo

pytestmark = pytest.mark.network_edge
RESUME = b"resume bytes (the shared extraction is used)"


@pytest.fixture
def gh():
    with GitHubFake() as fake:
        yield fake


def run(gh, resume_text=None, client=None, **fields):
    artefacts = {}
    if resume_text is not None:
        fields.update(resume_bytes=RESUME, resume_filename="cv.txt")
        artefacts["resume"] = (resume_text if isinstance(resume_text, ResumeDoc)
                               else ResumeDoc(kind="text", text=resume_text))
    client = client or GitHubClient(HttpClient(retries=0, read_timeout=2.0), gh.base_url)
    ctx = CheckContext(sources={"github": client}, artefacts=artefacts)
    return Runner(Registry([GitHubProfile()])).run(Candidate(**fields), ctx).checks[0]


def titled(result, words):
    found = [f for f in result.findings if words in f.title]
    assert len(found) == 1, [f.title for f in result.findings]
    return found[0]


def person(gh, login, **fields):
    """An ordinary, years-old account with one own repository: no signal of its own."""
    gh.add_user(login, created=days_ago(2000), **fields)
    gh.add_repos(login, [repo("project", created=days_ago(1500))])


def above_info(result):
    return [f for f in result.findings if f.severity > Severity.INFO]


# --- parsing -------------------------------------------------------------------------------------
@pytest.mark.parametrize("given, login", [
    ("janeroe", "janeroe"), ("@JaneRoe", "janeroe"), ("https://github.com/jane-roe", "jane-roe"),
    ("https://github.com/jane-roe/", "jane-roe"), ("http://github.com/JaneRoe", "janeroe"),
    ("https://www.github.com/janeroe", "janeroe"), ("github.com/janeroe", "janeroe"),
    ("https://github.com/janeroe?tab=repositories", "janeroe"), ("https://github.com/janeroe#top", "janeroe"),
    ("https://github.com/janeroe/dotfiles", "janeroe"), ("https://github.com/orgs/acme-corp", "acme-corp"),
    ("a" * 39, "a" * 39), ("x1", "x1")])
def test_login_forms(given, login):
    assert github_login(given) == login


@pytest.mark.parametrize("given", ["a" * 40, "-jane", "jane-", "ja--ne", "jane_roe", "jane.roe", "",
                                   "https://gitlab.com/janeroe", "https://gist.github.com/janeroe",
                                   "https://github.com/", "https://github.com/features", "../../etc/passwd"])
def test_invalid_logins(given):
    with pytest.raises(ValueError):
        github_login(given)


@pytest.mark.parametrize("text, link", [
    ("Jane Roe | github.com/janeroe | jane@roe.dev", "github.com/janeroe"),
    ("see https://www.github.com/JaneRoe.", "https://www.github.com/JaneRoe"),
    ("Built https://github.com/acme/tool; profile: https://github.com/janeroe/", "https://github.com/janeroe/"),
    ("docs.github.com/en and gist.github.com/janeroe and me@github.com", ""),
    ("https://github.com/features/actions and https://github.com/about", ""),
    ("no links at all", "")])
def test_profile_link_in_resume_text(text, link):
    assert profile_link(text) == link


@pytest.mark.parametrize("profile, candidate, agree", [
    ("Jane Roe", "Jane Roe", True), ("JANE ROÉ", "Jane Roe", True), ("J. Roe", "Jane Roe", True),
    ("Alexander Petrov", "Alex Petrov", True), ("JaneRoe", "Jane Roe", True),
    ("Jane Smith", "Jane Roe", True), ("Jean-Pierre Dupont", "Jane Roe", False),
    ("John Smith", "Jane Roe", False), ("coder42", "Jane Roe", None), ("Ninja", "Jane Roe", None),
    ("dev-ninja", "Jane Roe", None),
    ("张伟", "Wei Zhang", None), ("Иван Петров", "Ivan Petrov", None), ("John Smith", "Jane", None)])
def test_name_comparison(profile, candidate, agree):
    assert names_agree(profile, candidate) is agree


# --- signals -------------------------------------------------------------------------------------
def test_profile_that_does_not_exist_is_high(gh):
    result = run(gh, github="https://github.com/ghost-dev")
    assert result.status == Status.OK
    finding = titled(result, "does not exist")
    assert finding.severity == Severity.HIGH
    assert finding.title == "GitHub profile given by the candidate does not exist"
    assert dict(finding.evidence) == {"login": "ghost-dev", "login_source": "input"}
    assert finding.source.startswith("GitHub REST API (127.0.0.1:")


def test_invalid_login_is_a_finding_without_a_lookup(gh):
    result = run(gh, github="jane_roe")
    assert result.status == Status.OK and gh.requests == []
    assert titled(result, "not a valid").severity == Severity.LOW


def test_new_account_is_medium(gh):
    gh.add_user("newbie", created=days_ago(30))
    gh.add_repos("newbie", [repo("app", created=days_ago(20))])
    result = run(gh, github="newbie")
    assert result.status == Status.OK
    finding = titled(result, "opened 30 days ago")
    assert finding.severity == Severity.MEDIUM and finding.evidence["age_days"] == 30


def test_old_account_is_context_only(gh):
    gh.add_user("veteran", name="Jane Roe", created=days_ago(3650))
    gh.add_repos("veteran", [repo("app", created=days_ago(3000))])
    result = run(gh, github="veteran", name="Jane Roe")
    assert result.status == Status.OK and above_info(result) == []
    assert titled(result, "GitHub account opened").severity == Severity.INFO
    assert titled(result, "name matches").evidence["profile_name"] == "Jane Roe"


def test_account_far_younger_than_claimed_experience_is_low(gh):
    gh.add_user("latejoin", created=days_ago(400))
    gh.add_repos("latejoin", [repo("app", created=days_ago(300))])
    cv = "Jane Roe\nExperience\nSenior Engineer, Acme Corp\nJan 2010 – Present\n"
    finding = titled(run(gh, github="latejoin", resume_text=cv), "far younger")
    assert finding.severity == Severity.LOW and finding.confidence == "low"
    assert finding.evidence["claimed_experience_since"] == "2010-01-01"
    assert finding.evidence["created"] == days_ago(400).date().isoformat()
    assert "join GitHub late" in finding.detail
    short = "Experience\nEngineer, Acme Corp\nJan 2023 – Present\n"
    assert not [f for f in run(gh, github="latejoin", resume_text=short).findings if "far younger" in f.title]


def test_no_public_repositories_is_low_and_costs_no_repo_call(gh):
    gh.add_user("empty", created=days_ago(2000))
    result = run(gh, github="empty")
    assert titled(result, "no public repositories").severity == Severity.LOW
    assert gh.hits["/users/empty/repos"] == 0


def test_only_forks_is_low_unless_the_list_is_incomplete(gh):
    gh.add_user("forker", created=days_ago(2000))
    gh.add_repos("forker", [repo("react", fork=True), repo("vue", fork=True)])
    finding = titled(run(gh, github="forker"), "is a fork")
    assert finding.severity == Severity.LOW and finding.evidence["forks"] == ["react", "vue"]
    gh.users["forker"]["public_repos"] = 150  # only the newest page was seen: no claim about "every"
    assert above_info(run(gh, github="forker")) == []


def test_profile_name_of_another_person_is_medium(gh):
    gh.add_user("someone", name="John Smith", created=days_ago(2000))
    finding = titled(run(gh, github="someone", name="Jane Roe"), "another person")
    assert finding.severity == Severity.MEDIUM
    assert finding.evidence["profile_name"] == "John Smith"
    assert finding.evidence["candidate_name"] == "Jane Roe"


@pytest.mark.parametrize("profile_name", [None, "", "张伟", "dev-ninja"])
def test_no_or_incomparable_profile_name_is_no_finding(gh, profile_name):
    person(gh, "quiet", name=profile_name)
    result = run(gh, github="quiet", name="Wei Zhang")
    assert result.status == Status.OK
    assert not [f for f in result.findings if "profile_name" in f.evidence]


def test_profile_email_and_website_vs_the_email_given(gh):
    person(gh, "same", email="Jane@Roe.dev")
    person(gh, "site", blog="https://www.roe.dev/blog")
    person(gh, "other", email="jr@elsewhere.io", blog="elsewhere.io")
    person(gh, "hosted", blog="https://janeroe.github.io")
    assert titled(run(gh, github="same", email="jane@roe.dev"), "corroborate").severity == Severity.INFO
    site = titled(run(gh, github="site", email="jane@roe.dev"), "website corroborate")
    assert site.severity == Severity.INFO and site.evidence["profile_website"] == "https://www.roe.dev/blog"
    differ = titled(run(gh, github="other", email="jane@roe.dev"), "differ from the e-mail")
    assert differ.severity == Severity.LOW and differ.evidence["profile_email"] == "jr@elsewhere.io"
    assert differ.title == "GitHub profile e-mail and website differ from the e-mail given"
    # a free-mail address cannot match any website; a hosting platform says nothing about the owner
    assert above_info(run(gh, github="site", email="jane.roe@gmail.com")) == []
    assert above_info(run(gh, github="hosted", email="jane@roe.dev")) == []


def test_profile_location_vs_the_claimed_location(gh):
    person(gh, "berlin", location="Berlin, Germany")
    person(gh, "austin", location="Austin, Texas")
    person(gh, "planet", location="Planet Earth")
    differ = titled(run(gh, github="berlin", location="Austin, TX"), "location differs")
    assert differ.severity == Severity.LOW
    assert (differ.evidence["profile_country"], differ.evidence["claimed_country"]) == ("DE", "US")
    agrees = titled(run(gh, github="austin", location="Austin, TX"), "location agrees")
    assert agrees.severity == Severity.INFO
    assert above_info(run(gh, github="planet", location="Austin, TX")) == []


def test_history_predating_the_account_by_years_is_low(gh):
    gh.add_user("importer", created=days_ago(200))
    gh.add_repos("importer", [repo("old-tool", created=days_ago(150), size=900), repo("new", size=10)])
    gh.add_commits("importer", "old-tool", [days_ago(3000), days_ago(2500), days_ago(100)])
    gh.add_commits("importer", "new", [days_ago(120)])
    finding = titled(run(gh, github="importer"), "predates")
    assert finding.severity == Severity.LOW
    assert dict(finding.evidence["first_commits"]) == {"old-tool": days_ago(3000).date().isoformat()}


def test_commit_lookups_are_bounded(gh):
    gh.add_user("busy", created=days_ago(2000))
    names = [f"r{n}" for n in range(8)]
    gh.add_repos("busy", [repo(n, created=days_ago(1000), size=100 + i) for i, n in enumerate(names)])
    for n in names:
        gh.add_commits("busy", n, [days_ago(900), days_ago(800)])
    assert run(gh, github="busy").status == Status.OK
    assert len(gh.requests) <= 2 + 2 * 3
    assert sum(1 for p, _ in gh.requests if "/commits" in p) == 6


def test_organisation_given_as_a_person_is_medium(gh):
    gh.add_user("acme-corp", name="Acme Corp", type="Organization", created=days_ago(3000))
    result = run(gh, github="https://github.com/orgs/acme-corp", name="Jane Roe")
    assert [(f.severity, f.title) for f in result.findings] == [
        (Severity.MEDIUM, "GitHub account is an organisation, not a person")]


# --- the resume fallback -----------------------------------------------------------------------
def test_login_from_the_resume_when_none_is_given(gh):
    gh.add_user("JaneRoe", name="Jane Roe", created=days_ago(30))
    result = run(gh, name="Jane Roe", resume_text="Jane Roe\nhttps://github.com/JaneRoe\nExperience\n")
    assert result.status == Status.OK
    finding = titled(result, "opened 30 days ago")
    assert finding.evidence["login_source"] == "resume" and finding.evidence["login"] == "JaneRoe"


def test_missing_profile_linked_in_the_resume(gh):
    result = run(gh, resume_text="Jane Roe — github.com/nobody-here")
    finding = titled(result, "does not exist")
    assert finding.title == "GitHub profile linked in the resume does not exist"
    assert finding.severity == Severity.HIGH and finding.evidence["login_source"] == "resume"


def test_resume_without_a_profile_link_is_nothing_to_check(gh):
    result = run(gh, resume_text="Jane Roe\nContributed to https://github.com/acme/tool\n")
    assert result.status == Status.OK and gh.requests == []
    assert [f.title for f in result.findings] == ["No GitHub profile to check"]


def test_unreadable_resume_without_login_is_an_error(gh):
    result = run(gh, resume_text=ResumeDoc(kind="pdf", problem=Problem.ENCRYPTED, detail="locked"))
    assert result.status == Status.ERROR and "resume could not be read" in result.reason


def test_resume_fallback_extracts_the_resume_itself(gh):
    gh.add_user("selfread", created=days_ago(2000))
    ctx = CheckContext(sources={"github": GitHubClient(HttpClient(retries=0), gh.base_url)})
    candidate = Candidate(resume_bytes=b"Jane Roe\ngithub.com/selfread\n", resume_filename="cv.txt")
    result = Runner(Registry([GitHubProfile()])).run(candidate, ctx).checks[0]
    assert result.status == Status.OK
    assert titled(result, "GitHub account opened").evidence["login_source"] == "resume"


# --- failures are never "looks fine" (rate limits: test_github_rate_limits.py) -------------------
@pytest.mark.parametrize("status, body", [(500, b"oops"), (502, b"<html>bad gateway</html>"),
                                          (200, b'{"login": '), (200, b"[]"), (404, b"<html>nginx</html>")])
def test_server_errors_and_garbage_are_errors(gh, status, body):
    gh.fail("/users/janeroe", status=status, body=body)
    result = run(gh, github="janeroe")
    assert result.status == Status.ERROR and result.findings == ()
    assert "janeroe" not in result.reason


def test_slow_github_ends_in_time_as_a_failure(gh):
    gh.fail("/users/janeroe", delay=5.0)
    start = time.monotonic()
    result = run(gh, github="janeroe")  # the client's 2 s read timeout, well before the check's 10 s
    assert time.monotonic() - start < 3.5
    assert result.status in (Status.ERROR, Status.TIMEOUT)


@pytest.mark.parametrize("path, status, body", [("/users/halfway/repos", 503, b"down"),
                                                ("/repos/halfway/x/commits", 200, b"{garbage")])
def test_later_failures_keep_the_profile_findings(gh, path, status, body):
    gh.add_user("halfway", created=days_ago(30))
    gh.add_repos("halfway", [repo("x")])
    gh.fail(path, status=status, body=body)
    result = run(gh, github="halfway")
    assert result.status == Status.ERROR and "repository lookup failed" in result.reason
    assert titled(result, "opened 30 days ago").severity == Severity.MEDIUM


def test_not_configured_is_an_error():
    result = Runner(Registry([GitHubProfile()])).run(Candidate(github="janeroe"), CheckContext()).checks[0]
    assert result.status == Status.ERROR and "github source is not configured" in result.reason


def test_answers_are_cached_across_vettings(gh):
    gh.add_user("twice", created=days_ago(2000))
    gh.add_repos("twice", [repo("x", size=0)])
    client = GitHubClient(HttpClient(retries=0), gh.base_url)
    run(gh, github="twice", client=client)
    run(gh, github="https://github.com/Twice/", client=client)
    assert gh.hits["/users/twice"] == 1 and gh.hits["/users/twice/repos"] == 1
