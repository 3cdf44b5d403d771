"""`vetcandidate migrate | history | purge` on SQLite and PostgreSQL, through the command line."""
from __future__ import annotations

import argparse
import contextlib
import io
import json
from datetime import UTC, datetime, timedelta

import pytest

from bot.config import ConfigError, Settings
from bot.store import Store, head_revision
from checks.model import Candidate, Report, Risk, RiskLevel
from tests.db_fixtures import db_env_fixture, pg_url_fixture  # noqa: F401

CONTACTS = ("ann@example.com", "4155550100", "0xabab", "Ann", "Lee", "octocat")


def cli(argv: list[str], env: dict[str, str]) -> tuple[int, str]:
    """Exit code and stdout + stderr, through ``bot.cli.main`` once it routes these commands; until
    then through the same parser pieces (``cli._Parser`` + ``cli_store.add_parser``) and
    ``cli_store.run``."""
    from bot import cli, cli_store

    if all(c in cli.COMMANDS for c in cli_store.COMMANDS):
        out = io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            code = cli.main(argv, env=env)
        return code, out.getvalue()
    parser = cli._Parser(prog="vetcandidate")
    cli_store.add_parser(parser.add_subparsers(dest="command", required=True, parser_class=cli._Parser))
    out = io.StringIO()
    try:
        args: argparse.Namespace = parser.parse_args(argv)
        return cli_store.run(args, Settings.from_env(env), out), out.getvalue()
    except cli.UsageError as exc:
        return 2, f"vetcandidate: error: {exc}\n"
    except ConfigError as exc:
        return 2, f"vetcandidate: configuration error: {exc}\n"


def seed(env, vettings):
    opened = Store.open(Settings.from_env(env), upgrade=True)
    try:
        for vetting_id, days_ago, level, fields in vettings:
            report = Report(candidate=Candidate(**fields), risk=Risk(level, 0), checks=(),
                            generated_at=datetime.now(UTC) - timedelta(days=days_ago))
            opened.record(report, vetting_id=vetting_id, requested_by="U042", team="T1", channel="C9")
    finally:
        opened.close()


ANN = {"name": "Ann Lee", "email": "ann@example.com", "phone": "+14155550100", "wallet": "0x" + "ab" * 20,
       "github": "octocat"}


def test_migrate_from_empty_then_up_to_date(db_env):
    code, out = cli(["migrate"], db_env)
    assert code == 0 and out.startswith(f"database schema upgraded from empty to {head_revision()}")
    code, out = cli(["migrate"], db_env)
    assert code == 0 and "up to date" in out


def test_migrate_on_postgres_needs_the_secret(pg_url, tmp_path, capsys):
    code, out = cli(["migrate"], {"DATABASE_URL": pg_url, "VETCANDIDATE_DATA_DIR": str(tmp_path)})
    assert code == 2 and "VETCANDIDATE_SECRET is required" in out + capsys.readouterr().err


def test_history_shows_who_where_level_never_contact_data(db_env):
    assert cli(["migrate"], db_env)[0] == 0
    assert cli(["history"], db_env) == (0, "no vettings recorded yet\n")
    seed(db_env, [("vet-a", 2, RiskLevel.HIGH, ANN), ("vet-b", 1, RiskLevel.LOW, {"email": "bo@example.org"}),
                  ("vet-c", 0, RiskLevel.CRITICAL, {"wallet": "0x" + "cd" * 20})])
    code, out = cli(["history", "--limit", "2"], db_env)
    lines = out.splitlines()
    assert code == 0 and len(lines) == 3
    assert lines[0].split() == ["when", "(UTC)", "requested", "by", "where", "level", "vetting"]
    assert lines[1].split()[2:] == ["U042", "T1/C9", "critical", "vet-c"]
    assert lines[2].split()[-2:] == ["low", "vet-b"]
    code, out = cli(["history"], db_env)
    assert "vet-a" in out and not any(c.lower() in out.lower() for c in CONTACTS + ("bo@",))


@pytest.mark.parametrize("limit", ["0", "x", "100000"])
def test_history_limit_is_checked(limit, tmp_path):
    code, out = cli(["history", "--limit", limit], {"VETCANDIDATE_DATA_DIR": str(tmp_path)})
    assert code == 2 and "--limit" in out


def test_purge_past_retention_and_on_request(db_env):
    seed(db_env, [("old", 200, RiskLevel.LOW, {"name": "Old One", "email": "old@example.com"}),
                  ("ann1", 5, RiskLevel.HIGH, ANN), ("ann2", 1, RiskLevel.LOW, {"name": "Ann Lee",
                                                                                "email": "ANN@example.com"}),
                  ("bo", 1, RiskLevel.LOW, {"name": "Bo Chan", "email": "bo@example.org"})])
    code, out = cli(["purge"], db_env)
    assert code == 0 and out.startswith("purged 1 vetting(s) and 3 fingerprint(s) older than 180 days")
    assert out.endswith("1 vetting(s) purged since the audit log began\n")

    code, out = cli(["purge", "--candidate", "ann@example.com"], db_env)
    assert code == 0 and out.startswith("erased 2 vetting(s)")
    assert "ann" not in out.lower() and out.endswith("3 vetting(s) purged since the audit log began\n")
    assert [line.split()[-1] for line in cli(["history"], db_env)[1].splitlines()[1:]] == ["bo"]

    code, out = cli(["purge", "--candidate", " "], db_env)
    assert code == 2 and "needs an e-mail address" in out


def test_database_down_is_exit_1(tmp_path):
    env = {"DATABASE_URL": "postgres://postgres@127.0.0.1:1/none", "VETCANDIDATE_SECRET": "x" * 32,
           "VETCANDIDATE_DATA_DIR": str(tmp_path)}
    for argv in (["history"], ["purge"], ["migrate"]):
        code, out = cli(argv, env)
        assert code == 1 and out.startswith("database error:")


def test_check_records_the_vetting_and_finds_reuse(db_env):
    from bot import cli as cli_module

    if "history" not in cli_module.COMMANDS:
        pytest.skip("bot/cli.py does not route the store commands yet: recording is wired in bot/wiring.py")
    env = {**db_env, "DISABLED_CHECKS": "email_domain"}
    assert cli(["migrate"], env)[0] == 0
    argv = ["check", "--name", "Jane Roe", "--phone", "+14155550100", "--format", "json"]
    assert cli([*argv, "--no-record"], env)[0] == 0
    assert cli(["history"], env)[1] == "no vettings recorded yet\n"

    code, out = cli(argv, env)
    assert code == 0
    level = json.loads(out)["risk"]["level"]
    (row,) = cli(["history"], env)[1].splitlines()[1:]
    assert row.split()[2].startswith("cli") and row.split()[-2] == level
    first_id = row.split()[-1]

    code, out = cli(["check", "--name", "John Doe", "--phone", "+1 415 555 0100", "--format", "json"], env)
    reuse = next(c for c in json.loads(out)["checks"] if c["name"] == "reuse")
    assert [f["evidence"]["earlier_vetting"] for f in reuse["findings"]] == [first_id]
    assert reuse["findings"][0]["severity"] == "high"
