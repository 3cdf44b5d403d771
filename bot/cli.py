"""``vetcandidate`` command line: ``check`` runs locally without Slack; the other commands
operate the deployment. Exit codes: 0 success, 1 failure (doctor, database, a broken plugin
under STRICT_PLUGINS=1), 2 bad usage or configuration."""
from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from bot import log_setup
from bot.config import ConfigError, Settings
from bot.store_errors import StoreError
from checks.registry import PluginError

MAX_RESUME_BYTES = 20 * 1024 * 1024


class UsageError(Exception):
    """Bad usage: one line, exit 2."""


_GIVEN = "_flags_given"  # namespace attribute: the destinations set on this command line


def _once(base: type[argparse.Action]) -> type[argparse.Action]:
    """``base`` that refuses to be given twice: ``--email a --email b`` is bad usage, not "b"."""

    class Once(base):  # type: ignore[misc, valid-type]
        def __call__(self, parser, namespace, values, option_string=None):  # type: ignore[no-untyped-def]
            given = getattr(namespace, _GIVEN, None)
            if given is None:
                given = set()
                setattr(namespace, _GIVEN, given)
            if self.dest in given:
                raise UsageError(f"{option_string or self.metavar or self.dest} given twice")
            given.add(self.dest)
            super().__call__(parser, namespace, values, option_string)

    Once.__name__ = f"Once{base.__name__}"
    return Once


_STORE_ONCE = _once(argparse._StoreAction)
_STORE_TRUE_ONCE = _once(argparse._StoreTrueAction)
_STORE_FALSE_ONCE = _once(argparse._StoreFalseAction)


class _Parser(argparse.ArgumentParser):
    """Every parser and subparser: no abbreviated flags (``--em`` is not ``--email``), every
    flag at most once, and errors as one line (exit 2)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs["allow_abbrev"] = False
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.register("action", None, _STORE_ONCE)
        self.register("action", "store", _STORE_ONCE)
        self.register("action", "store_true", _STORE_TRUE_ONCE)
        self.register("action", "store_false", _STORE_FALSE_ONCE)

    def parse_known_args(self, args=None, namespace=None):  # type: ignore[no-untyped-def, override]
        parsed, extras = super().parse_known_args(args, namespace)
        if hasattr(parsed, _GIVEN):
            delattr(parsed, _GIVEN)  # bookkeeping only; commands never see it
        return parsed, extras

    def error(self, message: str) -> None:  # one-line reason, exit 2
        raise UsageError(message)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="vetcandidate", description="Screen remote job candidates for fraud signals.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    check = sub.add_parser("check", help="run every applicable check locally and print the report")
    for flag in ("name", "email", "phone", "location", "wallet", "github"):
        check.add_argument(f"--{flag}", default="")
    check.add_argument("--resume", metavar="FILE", default="")
    check.add_argument("--format", choices=("text", "json"), default="text")
    check.add_argument("--no-record", action="store_true", help="do not write the vetting to the audit log")

    from bot import cli_sanctions

    cli_sanctions.add_parser(sub)
    from bot import cli_slack

    cli_slack.add_parsers(sub)
    from bot import cli_store

    cli_store.add_parser(sub)  # migrate, history, purge
    from bot import cli_worker

    cli_worker.add_parser(sub)
    from bot import cli_watchlist

    cli_watchlist.add_parser(sub)
    sub.add_parser("doctor", help="check configuration and reachability of every source")
    return parser


def _candidate(args: argparse.Namespace):
    from checks.model import Candidate

    resume_path = ""
    if args.resume:
        path = Path(args.resume)
        try:
            if not path.is_file():
                raise UsageError(f"resume {args.resume} is not a file")
            size = path.stat().st_size
            with path.open("rb"):
                pass
        except OSError as exc:
            raise UsageError(f"cannot read resume file {args.resume}: {exc.strerror}") from None
        if size > MAX_RESUME_BYTES:
            raise UsageError(f"resume file is larger than {MAX_RESUME_BYTES // 1024 // 1024} MB")
        resume_path = str(path)
    candidate = Candidate(name=args.name, email=args.email, phone=args.phone,
                          location=args.location, wallet=args.wallet, github=args.github,
                          resume_path=resume_path)
    if not candidate.given_fields():
        raise UsageError("nothing to check: give at least one of --name --email --phone "
                         "--location --wallet --github --resume")
    return candidate


def cmd_check(args: argparse.Namespace, settings: Settings) -> int:
    from bot import wiring
    from bot.text_report import render_text

    candidate = _candidate(args)
    app = wiring.build(settings)
    report = app.vet(candidate, record=not args.no_record, requested_by=_operator())
    if args.format == "json":
        sys.stdout.write(json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(render_text(report))
    return 0


def _operator() -> str:
    """Who ran ``check`` (the audit log's requester): ``cli:<OS user>``."""
    import getpass

    try:
        return f"cli:{getpass.getuser()}"[:64]
    except (KeyError, OSError):
        return "cli"


def cmd_store(args: argparse.Namespace, settings: Settings) -> int:
    from bot import cli_store

    return cli_store.run(args, settings, sys.stdout)


def cmd_doctor(args: argparse.Namespace, settings: Settings) -> int:
    from bot.doctor import run_doctor

    return run_doctor(settings, sys.stdout)


def cmd_sanctions(args: argparse.Namespace, settings: Settings) -> int:
    from bot import cli_sanctions

    return cli_sanctions.run(args, settings, sys.stdout)


def cmd_watchlist(args: argparse.Namespace, settings: Settings) -> int:
    from bot import cli_watchlist

    return cli_watchlist.run(args, settings, sys.stdout)


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    from bot import cli_slack

    return cli_slack.run_serve(args, settings, sys.stdout)


def cmd_worker(args: argparse.Namespace, settings: Settings) -> int:
    from bot import cli_worker

    return cli_worker.run(args, settings, sys.stdout)


def cmd_socket(args: argparse.Namespace, settings: Settings) -> int:
    from bot import cli_slack

    return cli_slack.run_socket(args, settings, sys.stdout)


COMMANDS = {"check": cmd_check, "migrate": cmd_store, "history": cmd_store, "purge": cmd_store,
            "doctor": cmd_doctor, "sanctions": cmd_sanctions, "serve": cmd_serve, "socket": cmd_socket,
            "watchlist": cmd_watchlist, "worker": cmd_worker}


# Commands that build the checks later, in another process or on the first job: with
# STRICT_PLUGINS=1 they load the plugins before starting, so a broken one stops them here.
LONG_RUNNING = frozenset({"serve", "socket", "worker"})


def _check_plugins(settings: Settings) -> None:
    from checks.registry import load_registry

    load_registry(settings.disabled_checks, strict=True)


def main(argv: Sequence[str] | None = None, env: Mapping[str, str] | None = None) -> int:
    if env is None:
        from dotenv import load_dotenv

        load_dotenv(Path.cwd() / ".env", override=False)
        env = os.environ
    try:
        args = build_parser().parse_args(argv)
        settings = Settings.from_env(env)
        log_setup.configure(settings.log_level)
        if settings.strict_plugins and args.command in LONG_RUNNING:
            _check_plugins(settings)
        return COMMANDS[args.command](args, settings)
    except UsageError as exc:
        print(f"vetcandidate: error: {exc}", file=sys.stderr)
        return 2
    except ConfigError as exc:
        print(f"vetcandidate: configuration error: {exc}", file=sys.stderr)
        return 2
    except StoreError as exc:
        print(f"vetcandidate: database error: {exc}", file=sys.stderr)
        return 1
    except PluginError as exc:  # STRICT_PLUGINS=1 and a third-party check is broken
        print(f"vetcandidate: plugin error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
