"""The check contract. Subclassing ``Check`` is optional: any class with these attributes and a
``run`` method is accepted by the registry (duck typing), but the base class documents the shape."""
from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from checks.context import CheckContext
    from checks.model import Candidate, Finding


class Check:
    #: unique, ``^[a-z][a-z0-9_]*$``
    name: ClassVar[str] = ""
    #: one line shown in help and reports
    description: ClassVar[str] = ""
    #: Candidate fields that must all be present (all-of); otherwise the check is skipped
    requires: ClassVar[frozenset[str]] = frozenset()
    #: Candidate fields of which at least one must be present (any-of); empty means no condition
    requires_any: ClassVar[frozenset[str]] = frozenset()
    #: seconds; ``None`` means the deployment's CHECK_TIMEOUT_S
    timeout_s: ClassVar[float | None] = None
    #: a failure of a critical check makes the risk level "incomplete" unless high/critical stands
    critical: ClassVar[bool] = False
    #: False when the check only consults our own records (reuse, watchlists): a report where only
    #: such checks completed is "incomplete", not "low"
    counts_as_coverage: ClassVar[bool] = True

    def not_applicable(self, candidate: Candidate) -> str:
        """Optional: a reason (shown as "skipped") why this check does not apply to ``candidate``
        although its inputs are present, e.g. a wallet on a chain whose history is private. Must be
        cheap and offline. "" means it applies."""
        return ""

    def run(self, candidate: Candidate, ctx: CheckContext) -> list[Finding]:  # pragma: no cover
        raise NotImplementedError
