"""The github_profile check's signals: what a GitHub profile and its repositories say about a candidate.

``Signals`` turns the account (age vs claimed experience, profile name, e-mail and website, location),
its repositories (own work, dormant accounts revived) and their first commits (back-dated history)
into findings; ``checks.github_profile`` fetches the data and calls it. Each signal has innocent
explanations, so most are low or medium. This module is not a check.
"""
from __future__ import annotations

import re
import unicodedata
from datetime import datetime, timedelta
from typing import Any

from checks import normalize, places
from checks.email_lists import freemail_match
from checks.model import Candidate, Confidence, Finding, Severity

S, C = Severity, Confidence

NEW_ACCOUNT_DAYS = 90          # younger => medium
LATE_JOIN_YEARS = 5            # claimed experience exceeds the account's age by this much...
LATE_JOIN_RATIO = 3            # ...and is over 3x the account's age => low
BACKDATED_DAYS = 730           # first commit this long before the account existed => low
DORMANT_DAYS = 730             # account at least this old...
RECENT_DAYS = 183              # ...with every public repository created within this => low
MAX_COMMIT_REPOS = 3           # repositories whose first commit is looked up (<= 2 calls each)

# Sites where a profile's "blog" URL says nothing about the owner's e-mail domain.
_HOSTING = frozenset({"github.io", "github.com", "gitlab.io", "gitlab.com", "medium.com", "dev.to",
                      "hashnode.dev", "linkedin.com", "twitter.com", "x.com", "wordpress.com", "blogspot.com",
                      "substack.com", "netlify.app", "vercel.app", "pages.dev", "herokuapp.com", "about.me",
                      "linktr.ee", "youtube.com", "stackoverflow.com", "notion.site", "facebook.com"})


def day(value: datetime | None) -> str:
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


class Signals:
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
        facts = {"created": day(user.created_at), "age_days": age.days}
        if claimed:
            facts["claimed_experience_since"] = day(claimed)
        if age.days < NEW_ACCOUNT_DAYS:
            return self.make(S.MEDIUM, C.HIGH, f"GitHub account opened {age.days} days ago",
                             f"The account was created on {day(user.created_at)}, less than "
                             f"{NEW_ACCOUNT_DAYS} days ago: fabricated personas open theirs just before "
                             "applying.", **facts)
        experience = self.now - claimed if claimed else timedelta(0)
        if (claimed and experience - age >= timedelta(days=365 * LATE_JOIN_YEARS)
                and experience > age * LATE_JOIN_RATIO):
            return self.make(S.LOW, C.LOW, "GitHub account far younger than the claimed experience",
                             f"The resume claims experience since {day(claimed)} ({_years(experience)}); "
                             f"the account was opened on {day(user.created_at)} ({_years(age)} ago). Many "
                             "real developers join GitHub late or keep their work in employers' private "
                             "repositories.", **facts)
        return self.make(S.INFO, C.HIGH,
                         f"GitHub account opened {day(user.created_at)} ({_years(age)} ago)", **facts)

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
        dormant = self.dormant(user, repos) if complete else None
        return out + ([dormant] if dormant else [])

    def dormant(self, user: Any, repos: list) -> Finding | None:
        """An old account whose every public repository (forks too: forking is activity) was created
        in the last few months. The dates are those GitHub sets itself: each repository's
        ``created_at`` (its oldest is the earliest activity we can see) and the non-forks' ``pushed_at``
        (the latest push). A repository created long ago is history, however recently it was pushed;
        one created recently carries none, even if its commits are dated years back (commit dates
        are written by the author, and imported history is the back-dating signal's business). Public
        events are not fetched: GitHub keeps only 90 days of them, so they could never show older
        activity, and the finding never claims there was none -- only that none is visible."""
        created = [r.created_at for r in repos if r.created_at]
        if (not created or len(created) < len(repos)
                or self.now - user.created_at < timedelta(days=DORMANT_DAYS)
                or min(created) < self.now - timedelta(days=RECENT_DAYS)):
            return None
        first = min(created)
        pushed = [r.pushed_at for r in repos if r.pushed_at and not r.fork]
        facts = {"created": day(user.created_at), "first_repository_created": day(first),
                 "public_repos": len(repos),
                 "dates_used": "account created_at; each public repository's created_at; pushed_at of "
                               "own repositories for the latest push"}
        if pushed:
            facts["last_push"] = day(max(pushed))
        return self.make(
            S.LOW, C.MEDIUM, "Dormant GitHub account revived",
            f"Opened on {day(user.created_at)} ({_years(self.now - user.created_at)} ago), yet its oldest "
            f"public repository was created on {day(first)}"
            + (f" and the latest push was on {day(max(pushed))}" if pushed else "")
            + ". These are the dates GitHub records for the account and its repositories; commit dates "
            "(set by the author) and public events (GitHub keeps only 90 days) were not used. Nothing "
            "public shows earlier activity, which is not proof there was none: deleted or private "
            "repositories leave no trace. Bought or taken-over accounts look like this; so does a "
            "person returning to open source.", **facts)

    def backdated(self, client: Any, user: Any, repos: list, deadline: float | None) -> list[Finding]:
        own = sorted((r for r in repos if not r.fork and r.size > 0), key=lambda r: -r.size)
        hits = {}
        for repo in own[:MAX_COMMIT_REPOS]:
            first = client.first_commit_date(user.login, repo.name, deadline=deadline)
            if first and user.created_at - first >= timedelta(days=BACKDATED_DAYS):
                hits[repo.name] = day(first)
        if not hits:
            return []
        oldest = min(hits.values())
        return [self.make(S.LOW, C.MEDIUM, "Repository history predates the GitHub account by years",
                          f"First commits dated as early as {oldest}, but the account was opened on "
                          f"{day(user.created_at)}: the history was imported or back-dated. Migrating old "
                          "projects from elsewhere is an innocent reason.",
                          created=day(user.created_at), first_commits=hits)]
