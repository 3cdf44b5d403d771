"""sanctions_name: does the candidate's name resemble an SDN-listed individual?

A name alone is never a match: many people share one. So a resemblance is at most a medium,
low-confidence finding worded "verify identity". Guards against the classic false positives:
every token of the candidate's name must match a token of the listed name (one common token
scoring 100% is not enough), at least a given and a family name are needed, very short tokens
must match exactly, and the listed name may carry at most one extra token (a middle name)."""
from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz, process

from checks import normalize
from checks.base import Check
from checks.context import CheckContext
from checks.errors import CheckFailed, SourceError
from checks.model import Candidate, Confidence, Finding, Severity

TOKEN_CUTOFF = 88.0       # per-token similarity for tokens of 4+ letters
MIN_TOKENS = 2
MAX_REPORTED = 3


@dataclass(frozen=True)
class NameMatch:
    listed_name: str              # the entry's primary name
    profile_id: str
    programs: tuple[str, ...]
    score: float
    matched_name: str = ""        # the name that scored: the primary name or one of its aliases

    @property
    def via_alias(self) -> bool:
        return bool(self.matched_name) and self.matched_name != self.listed_name

    def describe(self) -> str:
        if self.via_alias:
            return f"matches alias '{self.matched_name}' of {self.listed_name}"
        return f"resembles {self.listed_name}"


def _tokens_match(a: str, b: str) -> bool:
    if len(a) < 4 or len(b) < 4:
        return a == b
    return fuzz.ratio(a, b) >= TOKEN_CUTOFF


def strong_resemblance(candidate_tokens: list[str], listed_tokens: list[str]) -> bool:
    """Every candidate token pairs with a distinct listed token; at most one listed token left over."""
    if len(candidate_tokens) < MIN_TOKENS or len(listed_tokens) < MIN_TOKENS:
        return False
    remaining = list(listed_tokens)
    for token in candidate_tokens:
        partner = next((t for t in remaining if _tokens_match(token, t)), None)
        if partner is None:
            return False
        remaining.remove(partner)
    return len(remaining) <= 1


class NameScreen:
    """A prepared, read-only view of the SDN individuals' names: an inverted index from name token
    to listed names, so a search only looks at names sharing (fuzzily) every candidate token."""

    def __init__(self, individuals) -> None:
        self._names: list[list[str]] = []
        self._raw: list[str] = []   # each name as published (primary or alias)
        self._owners: list = []
        by_token: dict[str, set[int]] = {}
        for person in individuals:
            if not person.is_individual:
                continue
            for raw in (person.name, *person.aliases):
                try:
                    tokens = normalize.name(raw).split()
                except ValueError:
                    continue
                for token in tokens:
                    by_token.setdefault(token, set()).add(len(self._names))
                self._names.append(tokens)
                self._raw.append(raw)
                self._owners.append(person)
        self._by_token = by_token
        self._tokens = list(by_token)

    def _similar(self, token: str) -> set[int]:
        if len(token) < 4:
            return set(self._by_token.get(token, ()))
        found: set[int] = set()
        for listed, _score, _ in process.extract(token, self._tokens, scorer=fuzz.ratio,
                                                 score_cutoff=TOKEN_CUTOFF, limit=None):
            found |= self._by_token[listed]
        return found

    def search(self, name: str) -> list[NameMatch]:
        tokens = normalize.name(name).split()
        if len(tokens) < MIN_TOKENS:
            return []
        ids: set[int] | None = None
        for token in tokens:
            ids = self._similar(token) if ids is None else ids & self._similar(token)
            if not ids:
                return []
        best: dict[str, NameMatch] = {}
        query = " ".join(tokens)
        for i in ids or ():
            if not strong_resemblance(tokens, self._names[i]):
                continue
            person = self._owners[i]
            score = round(fuzz.token_sort_ratio(query, " ".join(self._names[i])), 1)
            held = best.get(person.profile_id)
            # the best-scoring name of the entry; on a tie the primary name, else the first alias
            if held is None or held.score < score or (held.score == score and self._raw[i] == person.name):
                best[person.profile_id] = NameMatch(person.name, person.profile_id, person.programs, score,
                                                    self._raw[i])
        return sorted(best.values(), key=lambda m: (-m.score, m.profile_id))


class SanctionsName(Check):
    name = "sanctions_name"
    description = "Candidate name against SDN-listed individuals (fuzzy; at most 'verify identity')"
    requires = frozenset({"name"})
    timeout_s = 5.0

    def run(self, candidate: Candidate, ctx: CheckContext) -> list[Finding]:
        try:
            tokens = normalize.name(candidate.name).split()
        except ValueError:
            tokens = []
        if len(tokens) < MIN_TOKENS or sum(len(t) for t in tokens) < 5:
            raise CheckFailed("name screening needs a given and a family name")
        try:
            index = ctx.sanctions.current(now=ctx.now())
            screen = ctx.sanctions.name_screen(index)
        except SourceError as exc:
            raise CheckFailed(f"name screening not done: {exc}") from None
        matches = screen.search(candidate.name)
        if not matches:
            return [Finding(severity=Severity.INFO, confidence=Confidence.MEDIUM,
                            title="Name does not resemble any SDN-listed individual",
                            evidence={"list_published": index.publish_date.isoformat()},
                            source=index.citation)]
        shown = matches[:MAX_REPORTED]
        return [Finding(
            severity=Severity.MEDIUM, confidence=Confidence.LOW,
            title="Name resembles an SDN-listed individual: verify identity",
            detail=f"The name {'; '.join(m.describe() for m in shown)}. A similar name is not a match "
                   "-- many people share names. Confirm the candidate's identity (government ID, date of "
                   "birth) before drawing any conclusion.",
            evidence={"listed_names": [m.listed_name for m in shown],
                      "matched_names": [m.matched_name for m in shown],
                      "sdn_profiles": [m.profile_id for m in shown],
                      "programs": sorted({p for m in shown for p in m.programs}),
                      "similarity": [m.score for m in shown],
                      "list_published": index.publish_date.isoformat()},
            source=index.citation)]
