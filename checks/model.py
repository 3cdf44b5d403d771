"""The engine's value types: what goes into a vetting and what comes out.

Everything here is immutable. A check returns ``Finding`` objects; the runner wraps them in a
``CheckResult``; scoring turns the results into a ``Risk``; a ``Report`` bundles it all and knows
its JSON form (the outward contract in ARCHITECTURE.md).
"""
from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

REPORT_VERSION = "1"

# Candidate attributes a check may declare in ``requires`` / ``requires_any``.
CANDIDATE_FIELDS = ("name", "email", "phone", "location", "wallet", "github", "resume")


class Severity(enum.IntEnum):
    INFO = 0
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4

    @property
    def label(self) -> str:
        return self.name.lower()

    @property
    def weight(self) -> int:
        return _WEIGHTS[self]

    @classmethod
    def parse(cls, value: Severity | str | int) -> Severity:
        if isinstance(value, cls):
            return value
        if isinstance(value, str):
            try:
                return cls[value.strip().upper()]
            except KeyError:
                raise ValueError(f"unknown severity {value!r}") from None
        return cls(value)


_WEIGHTS = {Severity.INFO: 0, Severity.LOW: 5, Severity.MEDIUM: 15, Severity.HIGH: 40,
            Severity.CRITICAL: 100}


class Confidence(enum.StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class Status(enum.StrEnum):
    OK = "ok"            # the check ran to the end; its findings (possibly none) are complete
    SKIPPED = "skipped"  # not applicable (inputs missing) or disabled
    ERROR = "error"      # could not decide: a source failed, bad data, a bug; partial findings kept
    TIMEOUT = "timeout"  # ran out of time; partial findings kept


class RiskLevel(enum.StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"
    INCOMPLETE = "incomplete"


def _freeze(mapping: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return MappingProxyType(dict(mapping or {}))


@dataclass(frozen=True)
class Candidate:
    """What a recruiter knows about one person. Empty strings mean "not given"."""

    name: str = ""
    email: str = ""
    phone: str = ""
    location: str = ""
    wallet: str = ""
    github: str = ""
    resume_path: str = ""
    resume_bytes: bytes | None = field(default=None, repr=False)
    resume_filename: str = ""
    extra: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in ("name", "email", "phone", "location", "wallet", "github", "resume_path",
                     "resume_filename"):
            value = getattr(self, name)
            object.__setattr__(self, name, (value or "").strip())
        object.__setattr__(self, "extra", _freeze(self.extra))

    def has(self, field_name: str) -> bool:
        if field_name == "resume":
            return bool(self.resume_path) or self.resume_bytes is not None
        if field_name not in CANDIDATE_FIELDS:
            raise ValueError(f"unknown candidate field {field_name!r}")
        return bool(getattr(self, field_name))

    def given_fields(self) -> tuple[str, ...]:
        return tuple(f for f in CANDIDATE_FIELDS if self.has(f))

    @property
    def resume_name(self) -> str:
        if self.resume_filename:
            return self.resume_filename
        return self.resume_path.replace("\\", "/").rsplit("/", 1)[-1] if self.resume_path else ""

    def to_dict(self) -> dict[str, str]:
        out = {f: getattr(self, f) for f in CANDIDATE_FIELDS if f != "resume"}
        out["resume"] = self.resume_name
        return out


@dataclass(frozen=True)
class Finding:
    """One observation with its evidence. Severity (how bad) and confidence (how sure) are apart."""

    severity: Severity
    title: str
    detail: str = ""
    confidence: Confidence = Confidence.MEDIUM
    evidence: Mapping[str, Any] = field(default_factory=dict)
    source: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "severity", Severity.parse(self.severity))
        object.__setattr__(self, "confidence", Confidence(self.confidence))
        if not isinstance(self.title, str) or not self.title.strip():
            raise ValueError("a Finding needs a non-empty title")
        object.__setattr__(self, "evidence", _freeze(self.evidence))

    def evidence_key(self) -> tuple:
        """Identity of the fact behind this finding, for counting independent signals."""
        if not self.evidence:
            return (self.title,)
        return tuple(sorted((k, _jsonable(v) if not isinstance(v, list | dict) else repr(v))
                            for k, v in self.evidence.items()))

    def to_dict(self) -> dict[str, Any]:
        return {
            "severity": self.severity.label,
            "title": self.title,
            "detail": self.detail,
            "confidence": str(self.confidence),
            "evidence": {k: _jsonable(v) for k, v in self.evidence.items()},
            "source": self.source,
        }


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [_jsonable(v) for v in value]
        return sorted(items, key=str) if isinstance(value, set | frozenset) else items
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


@dataclass(frozen=True)
class CheckResult:
    name: str
    status: Status
    findings: tuple[Finding, ...] = ()
    reason: str = ""
    duration_ms: int = 0
    critical: bool = False
    #: False for checks that only consult our own records (e.g. reuse): their completing alone does
    #: not mean the candidate was checked against the outside world
    coverage: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "status", Status(self.status))
        object.__setattr__(self, "findings", tuple(self.findings))

    @property
    def failed(self) -> bool:
        return self.status in (Status.ERROR, Status.TIMEOUT)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "status": str(self.status),
            "duration_ms": self.duration_ms,
            "reason": self.reason,
            "findings": [f.to_dict() for f in self.findings],
        }


@dataclass(frozen=True)
class Risk:
    level: RiskLevel
    score: int
    # Names of checks whose failure made or could have changed the level (shown to the user).
    unchecked: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"level": str(self.level), "score": self.score}


@dataclass(frozen=True)
class Report:
    candidate: Candidate
    risk: Risk
    checks: tuple[CheckResult, ...]
    generated_at: datetime

    def findings(self) -> list[tuple[str, Finding]]:
        """All findings, most severe first, each with the name of the check that made it."""
        pairs = [(r.name, f) for r in self.checks for f in r.findings]
        return sorted(pairs, key=lambda p: -p[1].severity)

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": REPORT_VERSION,
            "generated_at": _jsonable(self.generated_at),
            "candidate": self.candidate.to_dict(),
            "risk": self.risk.to_dict(),
            "checks": [r.to_dict() for r in self.checks],
        }
