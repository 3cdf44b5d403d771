"""``vetcandidate`` command line: ``check`` runs locally without Slack; the other commands
operate the deployment. Exit codes: 0 success, 1 failure (e.g. doctor), 2 bad usage."""
from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from bot.config import ConfigError, Settings
from bot.store_errors import StoreError

MAX_RESUME_BYTES = 20 * 1024 * 1024


class UsageError(Exception):
    """Bad usage: one line, exit 2."""


class _Parser(argparse.ArgumentParser):
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


def _configure_logging(level: str) -> None:
    logging.basicConfig(level=getattr(logging, level, logging.INFO), stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # At DEBUG these libraries log request lines and bodies, which can carry candidate data.
    for noisy in ("urllib3", "slack_sdk", "slack_bolt"):
        logging.getLogger(noisy).setLevel(max(logging.INFO, logging.getLogger().level))
    logging.getLogger("urllib3").setLevel(logging.WARNING)


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


def main(argv: Sequence[str] | None = None, env: Mapping[str, str] | None = None) -> int:
    if env is None:
        from dotenv import load_dotenv

        load_dotenv(Path.cwd() / ".env", override=False)
        env = os.environ
    try:
        args = build_parser().parse_args(argv)
        settings = Settings.from_env(env)
        _configure_logging(settings.log_level)
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


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
