"""resume: the resume on its own -- read safely, then checked for an impossible timeline.

``checks/resume/`` is one built-in check. The registry imports this package as ``checks.resume``
and collects the classes defined *here*, so the check class lives in this file and delegates:
``extract`` and ``links`` (the document parsers, link targets included), ``sandbox`` (the fork server
that runs them under limits), ``timeline`` (dated entries), ``facts`` (contacts, URLs, the owner's
lines), ``rules`` and ``claims`` (the inconsistencies) and ``check`` (the logic, and
``prepare_artefacts`` for the delivery layer). ``location`` holds the consistency check's location
comparisons.
"""
from __future__ import annotations

from checks.base import Check
from checks.context import CheckContext
from checks.model import Candidate, Finding
from checks.resume import check as _logic
from checks.resume.check import ARTEFACT, prepare_artefacts
from checks.resume.extract import Limits, Problem, ResumeDoc
from checks.resume.sandbox import extract_resume, warm_up

__all__ = ["ARTEFACT", "Limits", "Problem", "Resume", "ResumeDoc", "extract_resume", "prepare_artefacts",
           "warm_up"]


class Resume(Check):
    name = "resume"
    description = ("Resume on its own: readable, timeline possible (overlaps, gaps, future dates), "
                   "claims vs dates, technology anachronisms, repeated bullets, document author")
    requires = frozenset({"resume"})
    timeout_s = 15.0

    def run(self, candidate: Candidate, ctx: CheckContext) -> list[Finding]:
        return _logic.run(candidate, ctx)
