import logging
import sys
import textwrap

import pytest

from checks.registry import PluginError, Registry, builtin_checks, load_registry, validate


class Good:
    name = "good_one"
    description = "ok"
    requires = frozenset({"email"})
    timeout_s = 3

    def run(self, candidate, ctx):
        return []


def variant(**overrides):
    return type("Variant", (Good,), overrides)()


@pytest.mark.parametrize("overrides, message", [
    ({"name": "Bad-Name"}, "must match"),
    ({"name": ""}, "must match"),
    ({"requires": frozenset({"shoe_size"})}, "unknown fields"),
    ({"requires": "email"}, "set of field names"),
    ({"requires_any": frozenset({"nope"})}, "unknown fields"),
    ({"timeout_s": 0}, "timeout_s"),
    ({"timeout_s": 10_000}, "timeout_s"),
    ({"timeout_s": "5"}, "timeout_s"),
    ({"run": None}, "no run"),
])
def test_validation_rejects_malformed_checks(overrides, message):
    with pytest.raises(PluginError, match=message):
        validate(variant(**overrides))


def test_duplicate_names_rejected():
    with pytest.raises(PluginError, match="two checks"):
        Registry([Good(), Good()])


def test_builtins_are_discovered_and_template_is_not():
    names = [c.name for c in builtin_checks()]
    assert "email_domain" in names
    assert "template_example" not in names


def test_disabled_checks_stay_registered_but_not_enabled():
    registry = load_registry(disabled=["email_domain"], include_plugins=False)
    assert "email_domain" in registry.names
    assert "email_domain" not in [c.name for c in registry.enabled()]


def _install_dist(tmp_path, monkeypatch, module_source, entry_points):
    """Lay out an installed distribution (module + dist-info) the way pip does."""
    monkeypatch.delitem(sys.modules, "acme_checks", raising=False)
    (tmp_path / "acme_checks.py").write_text(textwrap.dedent(module_source))
    info = tmp_path / "acme_checks-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-checks\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[vetcandidate.checks]\n" + entry_points)
    monkeypatch.syspath_prepend(str(tmp_path))


THIRD_PARTY = """
    from checks import Check, Finding, Severity

    class DomainOnWatchlist(Check):
        name = "domain_watchlist"
        description = "Email domain is on our internal watchlist"
        requires = frozenset({"email"})
        timeout_s = 5.0

        def run(self, candidate, ctx):
            return [Finding(severity=Severity.HIGH, title="Domain on internal watchlist",
                            evidence={"domain": candidate.email.split("@")[1]}, source="internal list")]

    class Broken:
        name = "Broken Name"
        def run(self, candidate, ctx):
            return []
"""


def test_third_party_check_from_entry_point(tmp_path, monkeypatch):
    _install_dist(tmp_path, monkeypatch, THIRD_PARTY, "domain_watchlist = acme_checks:DomainOnWatchlist\n")
    registry = load_registry()
    check = registry.get("domain_watchlist")
    from checks import Candidate
    from checks.runner import Runner

    report = Runner(registry).run(Candidate(email="x@bad.example"))
    result = next(r for r in report.checks if r.name == "domain_watchlist")
    assert result.findings[0].evidence["domain"] == "bad.example"
    assert check.__class__.__module__ == "acme_checks"


def test_broken_plugin_is_skipped_or_fatal_when_strict(tmp_path, monkeypatch, caplog):
    _install_dist(tmp_path, monkeypatch, THIRD_PARTY,
                  "broken = acme_checks:Broken\nmissing = acme_checks:DoesNotExist\n")
    with caplog.at_level(logging.ERROR):
        registry = load_registry()
    assert "broken" not in registry.names and "email_domain" in registry.names
    assert "skipping broken plugin broken" in caplog.text
    assert "skipping broken plugin missing" in caplog.text
    with pytest.raises(PluginError, match="broken plugin"):
        load_registry(strict=True)


def test_plugin_clashing_with_builtin_is_skipped(tmp_path, monkeypatch):
    source = THIRD_PARTY.replace('name = "domain_watchlist"', 'name = "email_domain"')
    _install_dist(tmp_path, monkeypatch, source, "email_domain = acme_checks:DomainOnWatchlist\n")
    registry = load_registry()
    assert registry.get("email_domain").__class__.__module__ == "checks.email_domain"
    with pytest.raises(PluginError, match="clashes"):
        load_registry(strict=True)
