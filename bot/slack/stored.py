"""Pure: a report as the audit log stores it (the JSON report) read back into a ``Report``.

A job retried after its worker died may find its vetting already recorded; it then answers with the
recorded report instead of running every check again, so the reply is what the audit log holds.
The level and score are the recorded ones; the checks that could not decide are the failed ones,
as scoring names them.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from checks.model import Candidate, CheckResult, Finding, Report, Risk, RiskLevel

_CANDIDATE = ("name", "email", "phone", "location", "wallet", "github")


def _when(value: Any) -> datetime:
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return datetime.fromtimestamp(0, UTC)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _finding(data: Mapping[str, Any]) -> Finding:
    return Finding(severity=data["severity"], title=data["title"], detail=data.get("detail") or "",
                   confidence=data.get("confidence") or "medium", evidence=data.get("evidence") or {},
                   source=data.get("source") or "")


def report_from_dict(data: Mapping[str, Any]) -> Report:
    """The ``Report`` behind a stored JSON report. ``ValueError``/``KeyError`` on a malformed one."""
    person = data.get("candidate") or {}
    candidate = Candidate(**{k: str(person.get(k) or "") for k in _CANDIDATE},
                          resume_filename=str(person.get("resume") or ""))
    checks = tuple(CheckResult(name=c["name"], status=c["status"], reason=c.get("reason") or "",
                               duration_ms=int(c.get("duration_ms") or 0),
                               findings=tuple(_finding(f) for f in c.get("findings") or ()))
                   for c in data.get("checks") or ())
    risk = data["risk"]
    unchecked = tuple(r.name for r in checks if r.failed)
    return Report(candidate=candidate, checks=checks, generated_at=_when(data.get("generated_at")),
                  risk=Risk(level=RiskLevel(risk["level"]), score=int(risk["score"]), unchecked=unchecked))
