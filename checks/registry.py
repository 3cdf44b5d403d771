"""Finds checks: the built-ins in this package and third-party ones registered under the
entry-point group ``vetcandidate.checks``. Every check is validated when loaded."""
from __future__ import annotations

import importlib
import inspect
import logging
import pkgutil
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import Any

from checks.model import CANDIDATE_FIELDS

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "vetcandidate.checks"
NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")
MAX_TIMEOUT_S = 300.0
# Modules of this package that hold engine code, not checks.
_NOT_CHECKS = {"base", "context", "errors", "model", "normalize", "registry", "runner", "scoring",
               "sources", "crypto_address", "address_codecs", "places", "fingerprints", "jurisdictions",
               "phone_facts", "github_signals", "email_lists"}


class PluginError(Exception):
    """A check failed validation or could not be imported."""


def validate(check: Any, origin: str = "") -> None:
    where = f" ({origin})" if origin else ""
    name = getattr(check, "name", None)
    if not isinstance(name, str) or not NAME_RE.match(name):
        raise PluginError(f"check name {name!r} must match {NAME_RE.pattern}{where}")
    if not callable(getattr(check, "run", None)):
        raise PluginError(f"check {name!r} has no run(candidate, ctx) method{where}")
    for attr in ("requires", "requires_any"):
        fields = getattr(check, attr, frozenset())
        if isinstance(fields, str) or not isinstance(fields, Iterable):
            raise PluginError(f"check {name!r}: {attr} must be a set of field names{where}")
        unknown = sorted(set(fields) - set(CANDIDATE_FIELDS))
        if unknown:
            raise PluginError(f"check {name!r}: {attr} names unknown fields {unknown}; "
                              f"known: {', '.join(CANDIDATE_FIELDS)}{where}")
    timeout = getattr(check, "timeout_s", None)
    if timeout is not None and (isinstance(timeout, bool) or not isinstance(timeout, int | float)
                                or not 0 < timeout <= MAX_TIMEOUT_S):
        raise PluginError(f"check {name!r}: timeout_s must be in (0, {MAX_TIMEOUT_S:g}]{where}")
    description = getattr(check, "description", "")
    if not isinstance(description, str):
        raise PluginError(f"check {name!r}: description must be a string{where}")


def _instantiate(obj: Any, origin: str) -> Any:
    try:
        return obj() if inspect.isclass(obj) else obj
    except Exception as exc:
        raise PluginError(f"cannot instantiate check from {origin}: {exc}") from exc


def builtin_checks() -> list[Any]:
    import checks as package

    found = []
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
        if info.name.startswith("_") or info.name in _NOT_CHECKS:
            continue
        module = importlib.import_module(f"checks.{info.name}")
        for _, obj in inspect.getmembers(module, inspect.isclass):
            if (obj.__module__ == module.__name__ and getattr(obj, "name", "")
                    and callable(getattr(obj, "run", None)) and not inspect.isabstract(obj)):
                found.append(_instantiate(obj, module.__name__))
    return found


def plugin_checks(strict: bool = False) -> list[Any]:
    found = []
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        origin = f"entry point {ep.name} = {ep.value}"
        try:
            check = _instantiate(ep.load(), origin)
            validate(check, origin)
        except Exception as exc:
            if strict:
                raise PluginError(f"broken plugin: {exc}") from exc
            log.error("skipping broken plugin %s: %s", ep.name, exc)
            continue
        found.append(check)
    return found


@dataclass
class Registry:
    checks: list[Any] = field(default_factory=list)
    disabled: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        seen: set[str] = set()
        for check in self.checks:
            validate(check)
            if check.name in seen:
                raise PluginError(f"two checks are named {check.name!r}")
            seen.add(check.name)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.checks]

    def enabled(self) -> list[Any]:
        return [c for c in self.checks if c.name not in self.disabled]

    def get(self, name: str) -> Any:
        for check in self.checks:
            if check.name == name:
                return check
        raise KeyError(name)


def load_registry(disabled: Sequence[str] = (), strict: bool = False,
                  include_plugins: bool = True) -> Registry:
    checks = builtin_checks()
    for check in checks:
        validate(check, "built-in")
    names = {c.name for c in checks}
    for plugin in plugin_checks(strict) if include_plugins else []:
        if plugin.name in names:
            message = f"plugin check {plugin.name!r} clashes with an existing check; skipped"
            if strict:
                raise PluginError(message)
            log.error(message)
            continue
        names.add(plugin.name)
        checks.append(plugin)
    unknown = sorted(set(disabled) - names)
    if unknown:
        log.warning("DISABLED_CHECKS names unknown checks: %s", ", ".join(unknown))
    return Registry(checks=checks, disabled=frozenset(disabled))
