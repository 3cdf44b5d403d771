"""Typed failures. Sources raise ``SourceError`` subclasses; the runner turns them into a result
status with a short reason. A check that wants to keep the findings it already made raises
``CheckFailed(reason, findings)``."""
from __future__ import annotations

from collections.abc import Iterable

from checks.model import Finding


class SourceError(Exception):
    """An outside source could not answer. The message is shown to users: keep it short and free
    of candidate data."""


class SourceUnavailable(SourceError):
    """Connection refused, DNS failure, 5xx after retries."""


class SourceTimeout(SourceError):
    """The source did not answer in time."""


class RateLimited(SourceError):
    """The source asked us to wait longer than the time left."""


class BadResponse(SourceError):
    """The source answered with something we cannot use (garbage JSON, wrong shape, too large)."""


class NotFound(SourceError):
    """The source says the object does not exist (e.g. RDAP 404)."""


class NotConfigured(SourceError):
    """The capability is not configured for this deployment."""


class CheckSkipped(Exception):
    """Raised by a check that finds, once it can see its sources, that it does not apply (e.g. no
    explorer is configured for the wallet's chain). The report lists it as skipped with the reason;
    prefer ``not_applicable(candidate)`` when the candidate alone decides."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class CheckFailed(Exception):
    """Raised by a check that could not decide. Findings made so far are kept in the report."""

    def __init__(self, reason: str, findings: Iterable[Finding] = (), *, timeout: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.findings = tuple(findings)
        self.timeout = timeout
