"""What a check receives besides the candidate: every outside capability, injected.

A check never imports HTTP, Slack or the store. It asks ``ctx`` for a source; a source that this
deployment did not configure raises ``NotConfigured`` (the check then reports ``error``).
"""
from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

from checks.errors import NotConfigured


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class CheckContext:
    #: sources by name ("http", "rdap", "dns", "sanctions", "phone_lookup", ...). Third-party checks
    #: may receive their own sources through the same map.
    sources: Mapping[str, Any] = field(default_factory=dict)
    #: shared per-vetting artefacts, e.g. "resume_text" extracted once for every check
    artefacts: Mapping[str, Any] = field(default_factory=dict)
    clock: Callable[[], datetime] = _utcnow
    #: time.monotonic() value by which this check must be done (set by the runner per check)
    deadline: float | None = None
    vetting_id: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "sources", MappingProxyType(dict(self.sources)))
        object.__setattr__(self, "artefacts", MappingProxyType(dict(self.artefacts)))

    def source(self, name: str) -> Any:
        try:
            value = self.sources[name]
        except KeyError:
            raise NotConfigured(f"{name} source is not configured") from None
        if value is None:
            raise NotConfigured(f"{name} source is not configured")
        return value

    def has_source(self, name: str) -> bool:
        return self.sources.get(name) is not None

    def now(self) -> datetime:
        return self.clock()

    def time_left(self) -> float | None:
        if self.deadline is None:
            return None
        return max(0.0, self.deadline - time.monotonic())

    def with_deadline(self, deadline: float) -> CheckContext:
        return replace(self, deadline=deadline)

    # Convenience accessors for the built-in sources.
    @property
    def rdap(self) -> Any:
        return self.source("rdap")

    @property
    def dns(self) -> Any:
        return self.source("dns")

    @property
    def sanctions(self) -> Any:
        return self.source("sanctions")
