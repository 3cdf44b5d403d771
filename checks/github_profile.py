"""github_profile: does the candidate's GitHub account back up who they say they are?

Fabricated personas lean on GitHub: accounts opened weeks before applying, forks passed off as own
work, someone else's name, back-dated history, dormant accounts bought and revived. Each signal has
innocent explanations, so most are low or medium; only a profile that does not exist is high. The
login is the one given, else the first GitHub profile link in the resume (the evidence says which).
EXTENSION POINT: ``network_findings`` (contributors vs watchlists) finds nothing until watchlists exist.
"""
from __future__ import annotations

import re
import unicodedata
from datetime import datetime, timedelta
from typing import Any

from checks import normalize, places
from checks.base import Check
from checks.context import CheckContext
from checks.errors import CheckFailed, NotFound, SourceError, SourceTimeout
from checks.model import Candidate, Confidence, Finding, Severity
from checks.resume.check import document
from checks.resume.timeline import parse_timeline
from checks.sources.email_lists import freemail_match

S, C = Severity, Confidence

NEW_ACCOUNT_DAYS = 90          # younger => medium
LATE_JOIN_YEARS = 5            # claimed experience exceeds the account's age by this much...
LATE_JOIN_RATIO = 3            # ...and is over 3x the account's age => low
BACKDATED_DAYS = 730           # first commit this long before the account existed => low
DORMANT_DAYS = 730             # account at least this old...
RECENT_DAYS = 183              # ...with every own repository created within this => low
MAX_COMMIT_REPOS = 3           # repositories whose first commit is looked up (<= 2 calls each)
TIME_MARGIN_S = 0.5            # stop calling GitHub this long before the check's deadline

_PROFILE_LINK = re.compile(r"(?<![\w.@/-])(?:https?://)?(?:www\.)?github\.com/[^\s<>()\"'|,;]*", re.I)
# Sites where a profile's "blog" URL says nothing about the owner's e-mail domain.
_HOSTING = frozenset({"github.io", "github.com", "gitlab.io", "gitlab.com", "medium.com", "dev.to",
                      "hashnode.dev", "linkedin.com", "twitter.com", "x.com", "wordpress.com", "blogspot.com",
                      "substack.com", "netlify.app", "vercel.app", "pages.dev", "herokuapp.com", "about.me",
                      "linktr.ee", "youtube.com", "stackoverflow.com", "notion.site", "facebook.com"})


def profile_link(text: str) -> str:
    """The first GitHub *profile* link in free text ("" if none): ``github.com/jane`` counts,
    ``github.com/jane/project`` (a repository, maybe someone else's) and GitHub's own pages do not."""
    for match in _PROFILE_LINK.finditer(text or ""):
        url = match.group().rstrip(".:!")
        path = re.split(r"[?#]", re.split(r"(?i)github\.com/", url, maxsplit=1)[1], maxsplit=1)[0]
        if len([p for p in path.split("/") if p]) == 1 and _login(url):
            return url
    return ""


def _login(value: str) -> str:
    try:
        return normalize.github_login(value)
    except ValueError:
        return ""


def _day(value: datetime | None) -> str:
    return value.date().isoformat() if value else ""


def _years(delta: timedelta) -> str:
    return f"{delta.days / 365.25:.0f} years" if delta.days >= 730 else f"{delta.days} days"


def _scripts(text: str) -> frozenset[str]:  # LATIN, CYRILLIC, CJK, ...
    return frozenset(unicodedata.name(ch, "?").split()[0] for ch in text if ch.isalpha())


def names_agree(profile: str, candidate: str) -> bool | None:
    """True when the names share a name (or a prefix of one: Alex/Alexander), False when a full
    profile name shares none, None when they cannot be compared (empty, one word, another script)."""
    try:
        theirs, mine = normalize.name(profile).split(), normalize.name(candidate).split()
    except ValueError:
        return None
    if _scripts(profile) != _scripts(candidate):  # "张伟" vs "Wei Zhang": not comparable, never a mismatch
        return None
    theirs, mine = [t for t in theirs if len(t) >= 2], [t for t in mine if len(t) >= 2]
    if any(a == b or (min(len(a), len(b)) >= 3 and (a.startswith(b) or b.startswith(a)))
           for a in mine for b in theirs):
        return True
    if any(len(a) >= 3 and a in "".join(theirs) for a in mine) or any(
            len(b) >= 3 and b in "".join(mine) for b in theirs):
        return True  # "JaneRoe" / "Jane Roe"
    if len(profile.split()) < 2 or len(theirs) < 2 or len(mine) < 2 or not all(t.isalpha() for t in theirs):
        return None  # a nickname or handle ("dev-ninja") is no claim to be another person
    return False


def _email(value: str) -> str:
    try:
        return normalize.email(value) if value else ""
    except ValueError:
        return ""


def _domain_of(url: str) -> str:
    host = re.sub(r"^(?:[a-z][a-z0-9+.-]*://)?([^/:?#@\s]+).*$", r"\1", url.strip(), flags=re.I)
    try:
        return normalize.registrable_domain(host)
    except ValueError:
        return ""


class GitHubProfile(Check):
    name = "github_profile"
    description = ("GitHub profile vs the candidate's claims: existence, account age, own work, profile "
                   "name, e-mail/website and location, back-dated history, dormant accounts revived")
    requires_any = frozenset({"github", "resume"})
    timeout_s = 10.0

    def run(self, candidate: Candidate, ctx: CheckContext) -> list[Finding]:
        resume: list[Any] = []  # the ResumeDoc, loaded at most once and only when needed
        login, origin = _login(candidate.github), "input"
        if candidate.github and not login:
            return [Finding(severity=S.LOW, confidence=C.HIGH, source="GitHub username rules",
                            title="GitHub login given is not a valid GitHub username",
                            detail="GitHub logins are 1-39 letters, digits or single hyphens, not at either "
                                   "end, so no account can have this name. It may be a typo or a link to "
                                   "another site: ask for the profile URL.",
                            evidence={"given": candidate.github[:100]})]
        if not login:
            doc = _resume(candidate, ctx, resume)
            if doc.problem:
                raise CheckFailed(f"no GitHub login given, and the resume could not be read ({doc.problem})")
            login, origin = _login(profile_link(doc.text)), "resume"
        if not login:
            return [Finding(severity=S.INFO, confidence=C.HIGH, title="No GitHub profile to check",
                            detail="No GitHub login was given and the resume links no GitHub profile.",
                            source="resume file")]
        client = ctx.source("github")
        source = client.source if isinstance(getattr(client, "source", None), str) else "GitHub REST API"
        deadline = None if ctx.deadline is None else ctx.deadline - TIME_MARGIN_S
        base = {"login": login, "login_source": origin}
        try:
            user = client.user(login, deadline=deadline)
        except NotFound:
            where = "given by the candidate" if origin == "input" else "linked in the resume"
            return [Finding(severity=S.HIGH, confidence=C.HIGH if origin == "input" else C.MEDIUM,
                            title=f"GitHub profile {where} does not exist", evidence=base, source=source,
                            detail=f"GitHub has no account '{login}'. Renamed, deleted and suspended "
                                   "accounts vanish too (a renamed profile is not redirected): ask for the "
                                   "current URL.")]
        except SourceError as exc:
            raise CheckFailed(f"GitHub profile lookup failed: {exc}",
                              timeout=isinstance(exc, SourceTimeout)) from None
        base = {"login": user.login, "login_source": origin, "profile": user.html_url}
        sig = _Signals(base, source, ctx.now())
        if user.type == "Organization":
            return [sig.make(S.MEDIUM, C.HIGH, "GitHub account is an organisation, not a person",
                             "The profile given as the candidate's own belongs to an organisation (a company "
                             "or project). Ask for the candidate's personal account.",
                             type=user.type, created=_day(user.created_at))]
        findings = sig.about_user(user, candidate, _claimed_start(candidate, ctx, resume, sig.now))
        try:
            repos = client.repos(user.login, deadline=deadline) if user.public_repos else []
            findings += sig.own_work(user, repos)
            findings += sig.backdated(client, user, repos, deadline)
            findings += network_findings(client, user, repos, ctx, deadline)
        except SourceError as exc:
            raise CheckFailed(f"GitHub repository lookup failed: {exc}", findings,
                              timeout=isinstance(exc, SourceTimeout)) from None
        return findings


def network_findings(client: Any, user: Any, repos: list, ctx: CheckContext,
                     deadline: float | None) -> list[Finding]:
    """EXTENSION POINT (issue 11, network signal; needs the watchlists issue). When a watchlists
    source exists: for at most a few non-fork repositories, ``client.contributors(user.login,
    repo.name, deadline=deadline)``, and for each other login on a security team's watchlist or in
    ``confirmed-fraud`` one HIGH finding naming the list -- never the other person's details.
    Until then this looks at nothing and finds nothing (the README says so)."""
    return []


def _resume(candidate: Candidate, ctx: CheckContext, memo: list[Any]) -> Any:
    """The shared resume extraction (or a sandboxed one of our own), at most once per run."""
    if not memo:
        memo.append(document(candidate, ctx))
    return memo[0]


def _claimed_start(candidate: Candidate, ctx: CheckContext, memo: list[Any],
                   now: datetime) -> datetime | None:
    """Start of the earliest experience entry in the resume; None without a readable resume (the
    resume check reports that; this comparison just does not run)."""
    doc = _resume(candidate, ctx, memo) if candidate.has("resume") else None
    if doc is None or doc.problem:
        return None
    starts = [e.start_lo for e in parse_timeline(doc.text, now) if e.section == "experience" and e.start]
    if not starts:
        return None
    first = min(starts)
    return datetime(first // 12, first % 12 + 1, 1, tzinfo=now.tzinfo)


class _Signals:
    def __init__(self, base: dict, source: str, now: datetime):
        self.base, self.source, self.now = base, source, now

    def make(self, severity: Severity, confidence: Confidence, title: str, detail: str = "",
             **evidence: Any) -> Finding:
        return Finding(severity=severity, confidence=confidence, title=title, detail=detail,
                       evidence={**self.base, **evidence}, source=self.source)

    def about_user(self, user: Any, candidate: Candidate, claimed: datetime | None) -> list[Finding]:
        out = [self.age(user, claimed)]
        agree = names_agree(user.name, candidate.name) if user.name and candidate.name else None
        names = {"profile_name": user.name, "candidate_name": candidate.name}
        if agree is False:
            out.append(self.make(S.MEDIUM, C.MEDIUM, "GitHub profile name is another person's",
                                 "The profile's name shares no name with the candidate's. Nicknames, a "
                                 "previous name or a shared account are possible: ask.", **names))
        elif agree:
            out.append(self.make(S.INFO, C.MEDIUM, "GitHub profile name matches the candidate", **names))
        out += [f for f in (self.contact(user, candidate.email), self.location(user, candidate.location))
                if f]
        return out

    def age(self, user: Any, claimed: datetime | None) -> Finding:
        age = self.now - user.created_at
        facts = {"created": _day(user.created_at), "age_days": age.days}
        if claimed:
            facts["claimed_experience_since"] = _day(claimed)
        if age.days < NEW_ACCOUNT_DAYS:
            return self.make(S.MEDIUM, C.HIGH, f"GitHub account opened {age.days} days ago",
                             f"The account was created on {_day(user.created_at)}, less than "
                             f"{NEW_ACCOUNT_DAYS} days ago: fabricated personas open theirs just before "
                             "applying.", **facts)
        experience = self.now - claimed if claimed else timedelta(0)
        if (claimed and experience - age >= timedelta(days=365 * LATE_JOIN_YEARS)
                and experience > age * LATE_JOIN_RATIO):
            return self.make(S.LOW, C.LOW, "GitHub account far younger than the claimed experience",
                             f"The resume claims experience since {_day(claimed)} ({_years(experience)}); "
                             f"the account was opened on {_day(user.created_at)} ({_years(age)} ago). Many "
                             "real developers join GitHub late or keep their work in employers' private "
                             "repositories.", **facts)
        return self.make(S.INFO, C.HIGH,
                         f"GitHub account opened {_day(user.created_at)} ({_years(age)} ago)", **facts)

    def contact(self, user: Any, email: str) -> Finding | None:
        mine, theirs = _email(email), _email(user.email)
        if not mine or not (theirs or user.blog):
            return None
        my_domain = _domain_of(mine.rpartition("@")[2])
        own_domain = bool(my_domain) and not freemail_match(my_domain)
        agree, differ, facts = [], [], {"candidate_email": email}
        if theirs:
            facts["profile_email"] = user.email
            same = theirs == mine or (own_domain and _domain_of(theirs.rpartition("@")[2]) == my_domain)
            (agree if same else differ).append("e-mail")
        blog = _domain_of(user.blog) if user.blog else ""
        if blog and own_domain and blog not in _HOSTING:
            facts["profile_website"] = user.blog
            (agree if blog == my_domain else differ).append("website")
        if agree:
            return self.make(S.INFO, C.MEDIUM,
                             f"GitHub profile {' and '.join(agree)} corroborate the e-mail given", **facts)
        if differ:
            return self.make(S.LOW, C.LOW,
                             f"GitHub profile {' and '.join(differ)} differ from the e-mail given",
                             "People keep several addresses; worth a question, not a conclusion.", **facts)
        return None

    def location(self, user: Any, claimed: str) -> Finding | None:
        if not user.location or not claimed:
            return None
        theirs, mine = places.resolve(user.location), places.resolve(claimed)
        if not (theirs.resolved and mine.resolved):
            return None  # unknown or ambiguous places are never called a mismatch
        facts = {"profile_location": user.location, "claimed_location": claimed,
                 "profile_country": theirs.country, "claimed_country": mine.country}
        if places.same_jurisdiction(theirs.country, mine.country):
            return self.make(S.INFO, C.MEDIUM, "GitHub profile location agrees with the claim", **facts)
        return self.make(S.LOW, C.LOW, "GitHub profile location differs from the claimed location",
                         "Profiles go stale when people move; ask where the candidate works from.", **facts)

    def own_work(self, user: Any, repos: list) -> list[Finding]:
        complete = len(repos) >= user.public_repos
        out = []
        if not repos:
            out.append(self.make(S.LOW, C.HIGH, "GitHub account has no public repositories",
                                 "Nothing public to judge the claimed work by; much real work is private.",
                                 public_repos=user.public_repos))
        elif complete and all(r.fork for r in repos):
            out.append(self.make(S.LOW, C.HIGH, "Every public GitHub repository is a fork",
                                 "Forks are copies of other people's projects, not own work.",
                                 public_repos=len(repos), forks=[r.name for r in repos[:10]]))
        created = [r.created_at for r in repos if r.created_at]
        if (complete and created and self.now - user.created_at >= timedelta(days=DORMANT_DAYS)
                and min(created) >= self.now - timedelta(days=RECENT_DAYS)):
            out.append(self.make(
                S.LOW, C.MEDIUM, "Dormant GitHub account revived",
                f"Opened on {_day(user.created_at)}, yet every public repository was created since "
                f"{_day(min(created))}. Bought or taken-over accounts look like this; so does a person "
                "returning to open source.", created=_day(user.created_at),
                first_repository_created=_day(min(created)), public_repos=len(repos)))
        return out

    def backdated(self, client: Any, user: Any, repos: list, deadline: float | None) -> list[Finding]:
        own = sorted((r for r in repos if not r.fork and r.size > 0), key=lambda r: -r.size)
        hits = {}
        for repo in own[:MAX_COMMIT_REPOS]:
            first = client.first_commit_date(user.login, repo.name, deadline=deadline)
            if first and user.created_at - first >= timedelta(days=BACKDATED_DAYS):
                hits[repo.name] = _day(first)
        if not hits:
            return []
        oldest = min(hits.values())
        return [self.make(S.LOW, C.MEDIUM, "Repository history predates the GitHub account by years",
                          f"First commits dated as early as {oldest}, but the account was opened on "
                          f"{_day(user.created_at)}: the history was imported or back-dated. Migrating old "
                          "projects from elsewhere is an innocent reason.",
                          created=_day(user.created_at), first_commits=hits)]
