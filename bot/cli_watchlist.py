"""``vetcandidate watchlist import FILE_OR_URL --list NAME [--format csv|misp|stix] [--skip-invalid]
[--allow-empty]``, ``watchlist list``, ``show NAME``, ``remove NAME``, ``export NAME [--format csv]``.

An import with any invalid indicator fails and lists every bad line/ID with the reason (all of
them, on standard error), leaving the previous version of the list whole; ``--skip-invalid``
imports the rest and still lists everything it dropped. A file that yields no indicator at all
fails too (a malformed feed must not empty a list) unless ``--allow-empty`` says that is meant.
A URL import is an operator's act: http(s) only, through the shared ``HttpClient`` with a size and
a time limit. Exit codes: 0 done, 1 refused or failed (database, invalid file), 2 bad usage.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import IO, TYPE_CHECKING

from bot.config import Settings
from bot.store_errors import StoreError
from bot.watchlist_import import FORMATS, ImportFailed, Parsed, parse

if TYPE_CHECKING:
    from bot.watchlists import Watchlists

MAX_IMPORT_BYTES = 64 * 1024 * 1024
URL_TIMEOUT_S = 60.0


class FetchFailed(RuntimeError):
    pass


def add_parser(sub: argparse._SubParsersAction) -> None:
    wl = sub.add_parser("watchlist",
                        help="security teams' indicator lists (import, list, show, remove, export)")
    ws = wl.add_subparsers(dest="action", required=True, parser_class=type(wl))
    imp = ws.add_parser("import", help="load or replace a list from a CSV, MISP or STIX 2.1 file or URL")
    imp.add_argument("source", metavar="FILE_OR_URL")
    imp.add_argument("--list", dest="list_name", required=True, metavar="NAME")
    imp.add_argument("--format", choices=FORMATS, default=None, help="detected when omitted")
    imp.add_argument("--skip-invalid", action="store_true",
                     help="import the valid rest; list what was dropped")
    imp.add_argument("--allow-empty", action="store_true",
                     help="let a file that yields no indicators empty the list (refused otherwise)")
    ws.add_parser("list", help="every list, with its size and last update")
    show = ws.add_parser("show", help="a list's entries")
    show.add_argument("name")
    rm = ws.add_parser("remove", help="delete a list")
    rm.add_argument("name")
    exp = ws.add_parser("export", help="write a list as CSV to standard output")
    exp.add_argument("name")
    exp.add_argument("--format", choices=("csv",), default="csv")


def read_source(source: str, settings: Settings, *, max_bytes: int | None = None,
                timeout_s: float | None = None) -> bytes:
    """The file's bytes, or an http(s) URL's body within ``max_bytes`` and ``timeout_s`` overall."""
    max_bytes = max_bytes or MAX_IMPORT_BYTES
    timeout_s = timeout_s or URL_TIMEOUT_S
    if "://" in source:
        return _fetch(source, settings, max_bytes, timeout_s)
    path = Path(source)
    try:
        if path.stat().st_size > max_bytes:
            raise FetchFailed(f"{source} is larger than the {max_bytes // 1024 // 1024} MB import limit")
        return path.read_bytes()
    except OSError as exc:
        raise FetchFailed(f"cannot read {source}: {exc.strerror}") from None


def _fetch(url: str, settings: Settings, max_bytes: int, timeout_s: float) -> bytes:
    from bot.wiring import build_http
    from checks.errors import SourceError

    if not url.lower().startswith(("http://", "https://")):
        raise FetchFailed("only http(s) URLs can be imported")
    http = build_http(settings)
    try:
        return http.get(url, deadline=time.monotonic() + timeout_s, max_bytes=max_bytes).content
    except SourceError as exc:
        raise FetchFailed(f"cannot fetch the import URL: {exc}") from None
    finally:
        http.close()


def _report(parsed: Parsed, out: IO[str], err: IO[str], dropped: bool) -> None:
    if parsed.skipped:
        kinds = ", ".join(f"{k}: {n}" for k, n in sorted(parsed.skipped.items()))
        out.write(f"skipped {sum(parsed.skipped.values())} non-identity indicators ({kinds})\n")
    if parsed.duplicates:
        out.write(f"folded {parsed.duplicates} duplicates\n")
    if parsed.invalid:
        err.write(f"{'dropped' if dropped else 'invalid'}: {len(parsed.invalid)} indicators\n")
        for where, reason in parsed.invalid:  # every one: the operator fixes the file from this list
            err.write(f"  {where}: {reason}\n")


def run(args: argparse.Namespace, settings: Settings, out: IO[str], err: IO[str] | None = None) -> int:
    """Messages on ``out``; with an import, what failed and every bad line/ID on ``err`` (stderr)."""
    from bot.store import Store  # SQLAlchemy only when the command runs, not for --help
    from bot.watchlists import WatchlistError, Watchlists

    err = err or sys.stderr
    parsed = None
    try:
        if args.action == "import":
            try:
                parsed = parse(read_source(args.source, settings), args.format)
            except (FetchFailed, ImportFailed) as exc:
                err.write(f"import failed: {exc}; nothing changed\n")
                return 1
            if parsed.invalid and not args.skip_invalid:
                _report(parsed, out, err, dropped=False)
                err.write(f"import failed: list {args.list_name!r} left unchanged "
                          "(fix the file, or pass --skip-invalid)\n")
                return 1
            if not parsed.indicators and not args.allow_empty:
                _report(parsed, out, err, dropped=True)
                err.write(f"import failed: the file yields no indicators; list {args.list_name!r} left "
                          "unchanged (pass --allow-empty to empty it)\n")
                return 1
        store = Store.open(settings)
        try:
            return _run(Watchlists(store), args, out, err, parsed)
        finally:
            store.close()
    except WatchlistError as exc:
        err.write(f"error: {exc}\n")
        return 1
    except StoreError as exc:
        err.write(f"database error: {exc}\n")
        return 1


def _run(lists: Watchlists, args: argparse.Namespace, out: IO[str], err: IO[str],
         parsed: Parsed | None) -> int:
    from bot.cli import _operator

    if parsed is not None:
        count = lists.replace(args.list_name, parsed, source=args.source, actor=_operator(),
                              allow_empty=args.allow_empty)
        _report(parsed, out, err, dropped=True)
        out.write(f"imported {count} indicators into {args.list_name!r} ({parsed.format})\n")
        return 0
    if args.action == "list":
        rows = lists.lists()
        if not rows:
            out.write("no watchlists\n")
        for r in rows:
            out.write(f"{r.name}\t{r.entries} entries\t{r.list_format or '-'}\t"
                      f"{r.updated_at:%Y-%m-%d %H:%M} UTC\t{r.updated_by}\n")
        return 0
    if args.action == "show":
        info = lists.info(args.name)
        out.write(f"{info.name}: {info.entries} entries, {info.list_format or 'added from Slack'}, "
                  f"updated {info.updated_at:%Y-%m-%d %H:%M} UTC by {info.updated_by}\n")
        for row in lists.entries(args.name):
            value = row.value if row.kind != "resume" else "(keyed resume fingerprint)"
            out.write(f"{row.id}\t{row.kind}\t{value}\t{row.severity}\t{row.note}\t{row.reference}\n")
        return 0
    if args.action == "remove":
        count = lists.remove(args.name, actor=_operator())
        out.write(f"removed {args.name!r} ({count} entries)\n")
        return 0
    out.write(lists.export_csv(args.name))
    return 0
