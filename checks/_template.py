"""A commented template for a new check. Copy this file to ``checks/<your_check>.py`` (no leading
underscore: files starting with "_" are not discovered) or into your own package and register it
under the entry-point group ``vetcandidate.checks``:

    [project.entry-points."vetcandidate.checks"]
    my_check = "mypkg.checks:MyCheck"

Rules of the road:
* ``run`` gets the candidate and a ``CheckContext``. Everything outside the process (HTTP, DNS,
  RDAP, the sanctions list, ...) comes from ``ctx.source("name")`` -- never import requests, Slack
  or the database here. That keeps checks testable and lets the runner bound their time.
* Return a list of ``Finding``s. An empty list means "looked, found nothing" -- so only return it
  when you really looked. If you could not decide (a source failed, data was unusable), raise
  ``CheckFailed(reason, findings_so_far)`` or let the source's ``SourceError`` propagate: the
  report then says the check could not run, and never calls the candidate clean. If the check
  turns out not to apply (e.g. nothing configured for this kind of input), raise
  ``CheckSkipped(reason)``: listed as skipped, with the reason.
* Pass ``deadline=ctx.deadline`` to sources so your check stops when its time is up.
* Severity is how bad the fact is; confidence is how sure you are. Read the severity guide in
  the README. Never score nationality, ethnicity, accent or any other protected trait.
* Evidence is what a human needs to verify the finding (dates, the matching value, a URL);
  ``source`` says where the fact came from. Do not log candidate data; log the vetting ID.
"""
from __future__ import annotations

from checks import Candidate, Check, CheckContext, Finding, Severity
from checks.model import Confidence


class TemplateCheck(Check):
    # Unique, lower_snake_case. Shown in reports and used by DISABLED_CHECKS.
    name = "template_example"
    # One line for help output and the report.
    description = "Describe what this check looks for"
    # Candidate fields that must ALL be present; otherwise the check is reported as skipped.
    requires = frozenset({"email"})
    # Alternatively/additionally: at least ONE of these must be present.
    requires_any: frozenset[str] = frozenset()
    # Seconds before the runner gives up on this check (status "timeout"). None = CHECK_TIMEOUT_S.
    timeout_s = 5.0
    # True only when a failure must make the level "incomplete" (e.g. sanctions screening).
    critical = False

    def run(self, candidate: Candidate, ctx: CheckContext) -> list[Finding]:
        # 1. Get what you need from ctx (raises NotConfigured -> status "error" if absent):
        #    lookup = ctx.source("my_source"); answer = lookup.query(..., deadline=ctx.deadline)
        # 2. Decide, and say why, with evidence and source:
        if candidate.email.endswith(".invalid"):
            return [Finding(severity=Severity.MEDIUM, confidence=Confidence.HIGH,
                            title="E-mail uses a reserved test domain",
                            detail="'.invalid' is reserved (RFC 2606) and can never receive mail.",
                            evidence={"email_tld": "invalid"}, source="RFC 2606")]
        # 3. Nothing found -- and you did look:
        return []
