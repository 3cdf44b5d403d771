"""``vetcandidate watchlist import FILE_OR_URL --list NAME [--format csv|misp|stix] [--skip-invalid]``,
``watchlist list``, ``show NAME``, ``remove NAME``, ``export NAME [--format csv]``.

An import with any invalid indicator fails and lists every bad line/ID with the reason, leaving the
previous version of the list whole; ``--skip-invalid`` imports the rest and still lists what it
dropped. A URL import is an operator's act: http(s) only, with a size and a time limit.
Exit codes: 0 done, 1 refused or failed (database, invalid file), 2 bad usage.
"""
from __future__ import annotations

import argparse
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
MAX_LISTED_PROBLEMS = 200


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
    ws.add_parser("list", help="every list, with its size and last update")
    show = ws.add_parser("show", help="a list's entries")
    show.add_argument("name")
    rm = ws.add_parser("remove", help="delete a list")
    rm.add_argument("name")
    exp = ws.add_parser("export", help="write a list as CSV to standard output")
    exp.add_argument("name")
    exp.add_argument("--format", choices=("csv",), default="csv")


def read_source(source: str, *, max_bytes: int | None = None, timeout_s: float | None = None,
                user_agent: str = "") -> bytes:
    """The file's bytes, or an http(s) URL's body within ``max_bytes`` and ``timeout_s`` overall."""
    max_bytes = max_bytes or MAX_IMPORT_BYTES
    timeout_s = timeout_s or URL_TIMEOUT_S
    if "://" in source:
        return _fetch(source, max_bytes, timeout_s, user_agent)
    path = Path(source)
    try:
        if path.stat().st_size > max_bytes:
            raise FetchFailed(f"{source} is larger than the {max_bytes // 1024 // 1024} MB import limit")
        return path.read_bytes()
    except OSError as exc:
        raise FetchFailed(f"cannot read {source}: {exc.strerror}") from None


def _fetch(url: str, max_bytes: int, timeout_s: float, user_agent: str) -> bytes:
    import requests

    from checks.sources.http import DEFAULT_USER_AGENT

    if not url.lower().startswith(("http://", "https://")):
        raise FetchFailed("only http(s) URLs can be imported")
    deadline = time.monotonic() + timeout_s
    try:
        with requests.get(url, stream=True, timeout=(10, min(30, timeout_s)),
                          headers={"User-Agent": user_agent or DEFAULT_USER_AGENT}) as resp:
            if resp.status_code != 200:
                raise FetchFailed(f"HTTP {resp.status_code} from the import URL")
            if int(resp.headers.get("Content-Length") or 0) > max_bytes:
                raise FetchFailed(f"the import URL's body is larger than {max_bytes // 1024 // 1024} MB")
            chunks, total = [], 0
            for chunk in resp.iter_content(65536):
                total += len(chunk)
                if total > max_bytes:
                    raise FetchFailed(f"the import URL's body is larger than {max_bytes // 1024 // 1024} MB")
                if time.monotonic() > deadline:
                    raise FetchFailed(f"the import URL took longer than {timeout_s:g} s")
                chunks.append(chunk)
    except requests.RequestException as exc:
        raise FetchFailed(f"cannot fetch the import URL ({type(exc).__name__})") from None
    return b"".join(chunks)


def _report(parsed: Parsed, out: IO[str], dropped: bool) -> None:
    if parsed.skipped:
        kinds = ", ".join(f"{k}: {n}" for k, n in sorted(parsed.skipped.items()))
        out.write(f"skipped {sum(parsed.skipped.values())} non-identity indicators ({kinds})\n")
    if parsed.duplicates:
        out.write(f"folded {parsed.duplicates} duplicates\n")
    if parsed.invalid:
        out.write(f"{'dropped' if dropped else 'invalid'}: {len(parsed.invalid)} indicators\n")
        for where, reason in parsed.invalid[:MAX_LISTED_PROBLEMS]:
            out.write(f"  {where}: {reason}\n")
        if len(parsed.invalid) > MAX_LISTED_PROBLEMS:
            out.write(f"  ... and {len(parsed.invalid) - MAX_LISTED_PROBLEMS} more\n")


def run(args: argparse.Namespace, settings: Settings, out: IO[str]) -> int:
    from bot.store import Store  # SQLAlchemy only when the command runs, not for --help
    from bot.watchlists import WatchlistError, Watchlists

    try:
        if args.action == "import":
            try:
                data = read_source(args.source, user_agent=settings.user_agent)
                parsed = parse(data, args.format)
            except (FetchFailed, ImportFailed) as exc:
                out.write(f"import failed: {exc}; nothing changed\n")
                return 1
            if parsed.invalid and not args.skip_invalid:
                _report(parsed, out, dropped=False)
                out.write(f"import failed: list {args.list_name!r} left unchanged "
                          "(fix the file, or pass --skip-invalid)\n")
                return 1
        store = Store.open(settings)
        try:
            return _run(Watchlists(store), args, out, parsed if args.action == "import" else None)
        finally:
            store.close()
    except WatchlistError as exc:
        out.write(f"error: {exc}\n")
        return 1
    except StoreError as exc:
        out.write(f"database error: {exc}\n")
        return 1


def _run(lists: Watchlists, args: argparse.Namespace, out: IO[str], parsed: Parsed | None) -> int:
    from bot.cli import _operator

    if parsed is not None:
        count = lists.replace(args.list_name, parsed, source=args.source, actor=_operator())
        _report(parsed, out, dropped=True)
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
            out.write(f"{row.kind}\t{value}\t{row.severity}\t{row.note}\t{row.reference}\n")
        return 0
    if args.action == "remove":
        count = lists.remove(args.name, actor=_operator())
        out.write(f"removed {args.name!r} ({count} entries)\n")
        return 0
    out.write(lists.export_csv(args.name))
    return 0
