"""github_profile: does the candidate's GitHub account back up who they say they are?

Fabricated personas lean on GitHub: accounts opened weeks before applying, forks passed off as own
work, someone else's name, back-dated history, dormant accounts bought and revived. Each signal has
innocent explanations, so most are low or medium; only a profile that does not exist is high. The
login is the one given, else the first GitHub profile link in the resume (the evidence says which).
``network_findings``: contributors to the candidate's own repositories that are on a watchlist.
"""
from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from checks import normalize
from checks.base import Check
from checks.context import CheckContext
from checks.errors import CheckFailed, NotFound, SourceError, SourceTimeout
from checks.github_signals import Signals, day, names_agree
from checks.model import Candidate, Confidence, Finding, Severity
from checks.resume.check import document
from checks.resume.timeline import parse_timeline

__all__ = ["GitHubProfile", "names_agree", "network_findings", "profile_link"]  # names_agree re-exported
S, C = Severity, Confidence

TIME_MARGIN_S = 0.5            # stop calling GitHub this long before the check's deadline
NETWORK_REPOS = 3               # own repositories whose contributors are compared with the watchlists
_PROFILE_LINK = re.compile(r"(?<![\w.@/-])(?:https?://)?(?:www\.)?github\.com/[^\s<>()\"'|,;]*", re.I)


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
            # printed or behind link text ("GitHub" linked to the profile): the visible text first
            login, origin = _login(profile_link("\n".join((doc.text, *doc.links)))), "resume"
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
        sig = Signals(base, source, ctx.now())
        if user.type == "Organization":
            return [sig.make(S.MEDIUM, C.HIGH, "GitHub account is an organisation, not a person",
                             "The profile given as the candidate's own belongs to an organisation (a company "
                             "or project). Ask for the candidate's personal account.",
                             type=user.type, created=day(user.created_at))]
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
    """The network signal: for at most ``NETWORK_REPOS`` own (non-fork) repositories, the other
    contributors; each one on a security team's watchlist or in ``confirmed-fraud`` is one HIGH
    finding naming the list, the candidate's repositories and the watchlist entry's ID (for
    ``vetcandidate watchlist show``) -- never the other person's login or details. Nothing without a
    watchlists source."""
    if not ctx.has_source("watchlists"):
        return []
    snapshot = ctx.source("watchlists").snapshot()
    own = [r for r in repos if not r.fork][:NETWORK_REPOS]
    # One finding per (list, contributor): a login listed twice on one list (two confirmations,
    # a block) is one fact; the first entry is the one cited.
    found: dict[tuple[str, str], tuple[Any, list[str]]] = {}
    for repo in own:
        for login in client.contributors(user.login, repo.name, deadline=deadline):
            if login.lower() == user.login.lower():
                continue
            for hit in sorted(snapshot.lookup("github", login.lower()), key=lambda h: h.entry_id):
                found.setdefault((hit.list_name, login.lower()), (hit, []))[1].append(repo.name)
    out = []
    for hit, where in found.values():
        confirmed = hit.list_name == "confirmed-fraud"
        who = (f"a candidate confirmed as fraudulent on {hit.added_at:%Y-%m-%d}" if confirmed
               else f"an account on watchlist '{hit.list_name}'")
        evidence = {"list": hit.list_name, "repositories": sorted(set(where)),
                    "watchlist_entry": hit.entry_id}
        out.append(Finding(severity=Severity.HIGH, confidence=Confidence.MEDIUM,
                           title=f"GitHub repository shared with {who}",
                           detail="A contributor to the candidate's own repositories is on a watchlist: "
                                  "rings share code across personas. Ask the candidate who their "
                                  f"collaborators are; a security analyst can look up entry {hit.entry_id} "
                                  f"with `vetcandidate watchlist show {hit.list_name}`.",
                           evidence=evidence,
                           source=f"GitHub REST API; vetcandidate watchlists ({hit.list_name})"))
    return out


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
