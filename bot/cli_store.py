"""``vetcandidate migrate | history | purge``: the audit store from the command line.

``history`` shows when, who and where, the level and the vetting ID -- never the candidate's
contact data. ``purge`` deletes what is past retention (or one person's data on request) and
reports counts only.
"""
from __future__ import annotations

import argparse
from typing import IO, TYPE_CHECKING

from bot.config import Settings
from bot.store_errors import StoreError

if TYPE_CHECKING:
    from bot.store import Store

COMMANDS = ("migrate", "history", "purge")
MAX_HISTORY = 1000


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid number {text!r}") from None
    if not 1 <= value <= MAX_HISTORY:
        raise argparse.ArgumentTypeError(f"must be between 1 and {MAX_HISTORY}")
    return value


def add_parser(sub: argparse._SubParsersAction) -> None:
    sub.add_parser("migrate", help="apply database migrations (Procfile `release`)")
    history = sub.add_parser("history", help="recent vettings from the audit log")
    history.add_argument("--limit", type=_positive, default=20, metavar="N", help="rows to show (default 20)")
    purge = sub.add_parser("purge", help="delete candidate data past retention, or one person's on request")
    purge.add_argument("--candidate", metavar="EMAIL|PHONE|WALLET", default=None,
                       help="erase every vetting and fingerprint of this person, whatever its age")


def run(args: argparse.Namespace, settings: Settings, out: IO[str]) -> int:
    """Exit 0 done, 1 database failure (configuration errors propagate as ConfigError: exit 2)."""
    from bot.store import Store  # SQLAlchemy only when the command runs, not for --help

    try:
        if args.command == "migrate":
            return _migrate(settings, out)
        store = Store.open(settings)
        try:
            if args.command == "history":
                return _history(store, args.limit, out)
            return _purge(store, args.candidate, out)
        finally:
            store.close()
    except StoreError as exc:
        out.write(f"database error: {exc}\n")
        return 1


def _migrate(settings: Settings, out: IO[str]) -> int:
    from bot.store import Store, database_url

    store = Store.open(settings, upgrade=False)
    try:
        before, after = store.migrate()
    finally:
        store.close()
    backend = database_url(settings).get_backend_name()
    if before == after:
        out.write(f"database schema is up to date (revision {after}, {backend})\n")
    else:
        out.write(f"database schema upgraded from {before or 'empty'} to {after} ({backend})\n")
    return 0


def _history(store: Store, limit: int, out: IO[str]) -> int:
    rows = store.history(limit)
    if not rows:
        out.write("no vettings recorded yet\n")
        return 0
    table = [("when (UTC)", "requested by", "where", "level", "vetting")]
    for r in rows:
        where = "/".join(x for x in (r.team, r.channel) if x) or "-"
        table.append((r.created_at.strftime("%Y-%m-%d %H:%M"), r.requested_by or "-", where, r.level,
                      r.vetting_id))
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    for row in table:
        out.write("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() + "\n")
    return 0


def _purge(store: Store, candidate: str | None, out: IO[str]) -> int:
    if candidate is not None:
        if not candidate.strip():
            out.write("purge --candidate needs an e-mail address, phone number or wallet\n")
            return 2
        done = store.purge_candidate(candidate)
        out.write(f"erased {done.vettings} vetting(s) and {done.fingerprints} fingerprint(s) "
                  "of that person\n")
    else:
        done = store.purge()
        out.write(f"purged {done.vettings} vetting(s) and {done.fingerprints} fingerprint(s) older than "
                  f"{store.retention_days} days (before {done.cutoff:%Y-%m-%d %H:%M} UTC); "
                  f"{done.cache_entries} expired cache entries\n")
    out.write(f"{store.purged_total()} vetting(s) purged since the audit log began\n")
    return 0

