"""``confirmed-fraud`` on SQLite and PostgreSQL: every confirmation and block keeps its own reference
(undo never removes another's), one identifier is one finding naming each reference, a block is
worded as an admin's, name entries are low-confidence "verify identity" findings, and
``/vetcandidate block`` tokenises like the vetting command."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.config import Settings
from bot.slack.fraud_actions import BLOCK_USAGE, block_command
from bot.watchlist_index import build_index
from bot.watchlists import CONFIRMED, Watchlists
from checks.context import CheckContext
from checks.model import Candidate, Confidence, Report, Risk, RiskLevel
from checks.registry import Registry
from checks.runner import Runner
from checks.watchlist import Watchlist
from tests.db_fixtures import db_env_fixture, pg_url_fixture, store_fixture  # noqa: F401

ADMIN = "U0ADMIN"
SETTINGS = Settings.from_env({"VETCANDIDATE_ADMIN_USERS": ADMIN})
TODAY = datetime.now(UTC).strftime("%Y-%m-%d")


def record(store, vetting_id, days_ago=0.0, **fields):
    report = Report(candidate=Candidate(**fields), risk=Risk(RiskLevel.LOW, 0), checks=(),
                    generated_at=datetime.now(UTC) - timedelta(days=days_ago))
    store.record(report, vetting_id=vetting_id, requested_by="U0")


def vet(store, candidate):
    ctx = CheckContext(sources={"watchlists": build_index(store)}, vetting_id="now")
    return Runner(Registry([Watchlist()])).run(candidate, ctx).checks[0].findings


def refs(lists) -> set[tuple[str, str, str | None]]:
    return {(e.kind, e.normal, e.vetting_id) for e in lists.entries(CONFIRMED)}


def test_undo_keeps_what_other_confirmations_and_blocks_listed(store):
    record(store, "vA", name="Ann Lee", email="ann@ring.example", phone="+14155550142")
    record(store, "vB", name="Bo Park", email="ANN@ring.example")
    lists = Watchlists(store)
    assert lists.confirm("vA", actor=ADMIN) == 3                 # email, its domain, phone
    assert lists.confirm("vB", actor=ADMIN) == 2                 # its own reference to the same two
    assert lists.confirm("vB", actor=ADMIN) == 0                 # idempotent per vetting
    assert lists.is_confirmed("vB")
    assert "Added one email" in block_command(SETTINGS, store, ADMIN, "block email=ann@ring.example")
    assert "already on" in block_command(SETTINGS, store, ADMIN, "block email=Ann@Ring.example")
    answer = block_command(SETTINGS, store, ADMIN, "block url=https://x.example:&lt;!channel&gt;")
    assert "not valid" in answer and "<!channel>" not in answer  # urllib's reasons quote the input
    assert lists.undo("vA", actor=ADMIN) == 3
    assert refs(lists) == {("email", "ann@ring.example", "vB"), ("domain", "ring.example", "vB"),
                           ("email", "ann@ring.example", None)}
    assert lists.is_confirmed("vB") and not lists.is_confirmed("vA")
    assert lists.info(CONFIRMED).entries == 3
    assert lists.undo("vB", actor=ADMIN) == 2
    assert refs(lists) == {("email", "ann@ring.example", None)}  # the block stays until removed
    found = vet(store, Candidate(email="ann@ring.example", phone="+14155550142"))
    assert [f.title for f in found] == [
        f"E-mail address matches an indicator added by an admin (block) on {TODAY}"]


def test_one_identifier_is_one_finding_naming_every_reference(store):
    record(store, "vA", name="Ann Lee", email="ann@ring.example")
    record(store, "vB", name="Bo Park", email="ann@ring.example")
    lists = Watchlists(store)
    lists.confirm("vA", actor=ADMIN)
    lists.confirm("vB", actor=ADMIN)
    block_command(SETTINGS, store, ADMIN, 'block domain=ring.example note="seen in incident 9"')
    found = vet(store, Candidate(email="ann@hr.ring.example"))      # the domain only, label-wise
    assert len(found) == 1
    (domain,) = found
    assert domain.title == f"Domain matches a candidate confirmed as fraudulent on {TODAY} (vetting #vA)"
    assert domain.evidence["also"] == [
        f"a candidate confirmed as fraudulent on {TODAY} (vetting #vB)",
        f"an indicator added by an admin (block) on {TODAY}"]
    found = vet(store, Candidate(email="ann@ring.example"))
    assert sorted(f.evidence["type"] for f in found) == ["domain", "email"]
    assert all("Ann" not in str(f.to_dict()) and "Bo Park" not in str(f.to_dict()) for f in found)


def test_block_purged_and_name_wording(store):
    record(store, "old", days_ago=400, name="Ann Lee", email="ann@gone.example")
    Watchlists(store).confirm("old", actor=ADMIN)
    store.purge()
    block_command(SETTINGS, store, ADMIN, "block phone=+14155550199 note=“from a peer”")
    block_command(SETTINGS, store, ADMIN, 'block name="Kim Chol Ryong"')
    purged = vet(store, Candidate(email="ann@gone.example"))
    assert {f.title for f in purged} == {
        f"E-mail address matches a candidate confirmed as fraudulent on {TODAY} (vetting purged)",
        f"Domain matches a candidate confirmed as fraudulent on {TODAY} (vetting purged)"}
    (blocked,) = vet(store, Candidate(phone="+1 415 555 0199"))
    assert blocked.title == f"Phone number matches an indicator added by an admin (block) on {TODAY}"
    assert "purged" not in str(blocked.to_dict()) and blocked.evidence["note"] == "from a peer"
    assert blocked.evidence["added_by"] == "admin (block)" and blocked.confidence == Confidence.HIGH
    (name,) = vet(store, Candidate(name="Ryong Kim Chol"))
    assert name.confidence == Confidence.LOW and "verify identity" in name.detail
    assert name.title == f"Name is similar to an indicator added by an admin (block) on {TODAY}"


@pytest.mark.parametrize("text,kind,normal,note", [
    ("block email=a@ring.example note=“from incident 7”", "email", "a@ring.example", "from incident 7"),
    ("block phone=<tel:+14155550142|+1 415 555 0142>", "phone", "+14155550142", ""),
    ("block email=b@ring.example note=don't", "email", "b@ring.example", "don't"),
    ("Block github=<https://github.com/Ring-Dev|github.com/Ring-Dev> note='peer list'", "github", "ring-dev",
     "peer list"),
    ("block email=<mailto:C@Ring.example|C@Ring.example>", "email", "c@ring.example", ""),
])
def test_block_accepts_what_the_vetting_command_accepts(store, text, kind, normal, note):
    answer = block_command(SETTINGS, store, ADMIN, text)
    assert answer.startswith(f"Added one {kind}"), answer
    (entry,) = Watchlists(store).entries(CONFIRMED)
    assert (entry.kind, entry.normal, entry.note) == (kind, normal, note)


@pytest.mark.parametrize("text,problem", [
    ("block", ""), ("block   ", ""), ("", ""),
    ("block shoe=size-9", "unknown type"),
    ('block email=a@ring.example note="never closed', "quote after note= is not closed"),
    ("block email=a@ring.example stray", "`stray` is not TYPE=VALUE"),
    ("block email=a@ring.example phone=+14155550142", "exactly one TYPE=VALUE"),
    ('block note="only a note"', "exactly one TYPE=VALUE"),
    ("block email=a@ring.example email=b@ring.example", "email is given twice"),
])
def test_block_answers_usage_for_empty_or_invalid_arguments(store, text, problem):
    answer = block_command(SETTINGS, store, ADMIN, text)
    assert answer.endswith(BLOCK_USAGE) and problem in answer
    assert Watchlists(store).lists() == []
