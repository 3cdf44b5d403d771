"""Pure scoring: check results -> one risk level and a 0-100 score.

Rules (stated in the README too):
* The level is the highest finding severity (``low`` when nothing above info was found).
* Medium findings from at least two different checks, three or more in all, each on different
  evidence, raise the level to ``high`` (independent signals agreeing; one fact counts once).
* ``incomplete`` when a critical-flagged check failed (error/timeout) or when no applicable check
  completed (checks that only consult our own records, such as reuse, do not count) -- but only
  where the findings alone would say ``low`` or ``medium``: a ``high`` or ``critical`` level
  found by other checks stands.
* score = min(100, sum of weights), with info 0, low 5, medium 15, high 40, critical 100.
"""
from __future__ import annotations

from collections.abc import Iterable

from checks.model import CheckResult, Risk, RiskLevel, Severity, Status

_LEVEL_OF = {
    Severity.INFO: RiskLevel.LOW,
    Severity.LOW: RiskLevel.LOW,
    Severity.MEDIUM: RiskLevel.MEDIUM,
    Severity.HIGH: RiskLevel.HIGH,
    Severity.CRITICAL: RiskLevel.CRITICAL,
}


def corroborated_mediums(results: Iterable[CheckResult]) -> bool:
    """True when medium findings from >= 2 checks, >= 3 distinct facts in all, agree."""
    facts: set[tuple] = set()
    checks: set[str] = set()
    for result in results:
        for finding in result.findings:
            if finding.severity == Severity.MEDIUM:
                key = finding.evidence_key()
                if key not in facts:
                    facts.add(key)
                    checks.add(result.name)
    return len(checks) >= 2 and len(facts) >= 3


def score(results: Iterable[CheckResult]) -> Risk:
    results = list(results)
    findings = [f for r in results for f in r.findings]
    top = max((f.severity for f in findings), default=Severity.INFO)
    level = _LEVEL_OF[top]
    if level == RiskLevel.MEDIUM and corroborated_mediums(results):
        level = RiskLevel.HIGH

    failed_critical = tuple(r.name for r in results if r.critical and r.failed)
    applicable = [r for r in results if r.status != Status.SKIPPED]
    none_completed = not any(r.status == Status.OK and r.coverage for r in applicable)
    unchecked = tuple(r.name for r in results if r.failed)
    if (failed_critical or none_completed) and level in (RiskLevel.LOW, RiskLevel.MEDIUM):
        level = RiskLevel.INCOMPLETE

    total = min(100, sum(f.severity.weight for f in findings))
    return Risk(level=level, score=total, unchecked=unchecked)
