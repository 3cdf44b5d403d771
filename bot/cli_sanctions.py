"""``vetcandidate sanctions update|status``: keep the OFAC SDN list the wallet checks rely on."""
from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from bot.config import Settings


def add_parser(sub: argparse._SubParsersAction) -> None:
    sanctions = sub.add_parser("sanctions", help="fetch or inspect the OFAC SDN list")
    verbs = sanctions.add_subparsers(dest="verb", required=True, parser_class=type(sanctions))
    update = verbs.add_parser("update", help="fetch, parse and store the list")
    update.add_argument("--source", metavar="URL_OR_PATH", default="",
                        help="http(s) URL, file:// URL or path (.xml, .xml.gz, .xml.bz2); "
                             "default OFAC_SDN_URL")
    update.add_argument("--force", action="store_true",
                        help="accept an edition older than the stored one, or listing less than half "
                             "of its addresses")
    verbs.add_parser("status", help="publish date, age and counts; exit 1 when missing or stale")


def run(args: argparse.Namespace, settings: Settings, out: IO[str]) -> int:
    from bot import wiring  # heavy imports only when the command runs, not for --help

    store = wiring.build_store(settings).sanctions()
    if args.verb == "update":
        return _update(args, settings, store, out)
    return _status(settings, store, out)


def _update(args: argparse.Namespace, settings: Settings, store: Any, out: IO[str]) -> int:
    from bot import wiring
    from checks.sources.sanctions_store import refresh

    source = args.source or settings.ofac_sdn_url
    if "://" not in source:
        source = str(Path(source).expanduser().resolve())
    outcome = refresh(store, wiring.build_http(settings), source, now=datetime.now(UTC), force=args.force)
    if not outcome.ok:
        out.write(f"sanctions update failed: {outcome.reason}\n")
        if outcome.index is not None:
            out.write(f"kept the stored edition published {outcome.index.publish_date.isoformat()}\n")
        return 1
    index = outcome.index
    if outcome.status == "not_modified":
        out.write(f"not modified: edition published {index.publish_date.isoformat()} is current\n")
    else:
        was = outcome.previous_publish_date
        out.write(f"updated: edition published {index.publish_date.isoformat()}"
                  + (f" (was {was.isoformat()})" if was else "")
                  + f"; {index.total} address entries ({index.unique_addresses} unique), "
                    f"+{outcome.added} / -{outcome.removed}\n")
    return 0


def _status(settings: Settings, store: Any, out: IO[str]) -> int:
    from checks.errors import SourceError
    from checks.sources.sanctions import usable_index

    now = datetime.now(UTC)
    try:
        index = store.load()
    except SourceError as exc:
        out.write(f"sanctions list unusable: {exc}\n")
        return 1
    if index is None:
        out.write("no sanctions list loaded: run `vetcandidate sanctions update`\n")
        return 1
    out.write(f"source:        {index.source}\n")
    out.write(f"published:     {index.publish_date.isoformat()}\n")
    out.write(f"last checked:  {index.checked_at.strftime('%Y-%m-%d %H:%M UTC')} "
              f"({index.age_days(now):.1f} days ago; limit {settings.sanctions_max_age_days:g})\n")
    out.write(f"entries:       {index.total} address entries, {index.unique_addresses} unique addresses, "
              f"{index.party_count} parties\n")
    counts = index.counts_per_ticker()
    out.write("per ticker:    " + ", ".join(f"{t} {n}" for t, n in counts.items()) + "\n")
    try:
        usable_index(index, now, settings.sanctions_max_age_days)
    except SourceError as exc:
        out.write(f"STALE: {exc}\n")
        return 1
    return 0
