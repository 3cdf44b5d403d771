"""Pure function: a Report as plain text for the terminal."""
from __future__ import annotations

from checks.model import Report, RiskLevel, Status

_LEVEL_NOTE = {
    RiskLevel.LOW: "no strong signal found (this is not a clearance)",
    RiskLevel.MEDIUM: "moderate signals with innocent explanations: verify before acting",
    RiskLevel.HIGH: "direct evidence of fabrication or a link to fraud: verify identity",
    RiskLevel.CRITICAL: "a compliance fact (sanctions): stop and escalate",
    RiskLevel.INCOMPLETE: "some checks could not run: the result is not a clearance",
}


def render_text(report: Report) -> str:
    risk = report.risk
    lines = [f"Risk: {risk.level.upper()} (score {risk.score}) - {_LEVEL_NOTE[risk.level]}"]
    given = ", ".join(f"{k}={v}" for k, v in report.candidate.to_dict().items() if v)
    lines.append(f"Candidate: {given or '(nothing given)'}")
    if risk.unchecked:
        lines.append("Could not check: " + ", ".join(risk.unchecked))
    lines.append("")
    findings = report.findings()
    lines.append("Findings" if findings else "Findings: none")
    for check_name, f in findings:
        lines.append(f"  [{f.severity.label.upper()}] {f.title}  ({check_name}, "
                     f"confidence {f.confidence})")
        if f.detail:
            lines.append(f"      {f.detail}")
        if f.evidence:
            lines.append("      evidence: " + ", ".join(f"{k}={v}" for k, v in f.evidence.items()))
        if f.source:
            lines.append(f"      source: {f.source}")
    lines.append("")
    lines.append("Checks")
    width = max((len(r.name) for r in report.checks), default=0)
    for r in report.checks:
        timing = f"{r.duration_ms} ms" if r.status != Status.SKIPPED else ""
        reason = f"  {r.reason}" if r.reason else ""
        lines.append(f"  {r.name.ljust(width)}  {str(r.status).ljust(7)}  {timing:>8}{reason}")
    return "\n".join(lines) + "\n"
