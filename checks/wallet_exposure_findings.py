"""Judging ``wallet_exposure``'s counterparties and writing its findings: which transfers are evidence
of a payment (anyone can push dust, zero-value "address poisoning" or a fake token to any address),
one finding per listed party, and how each source is cited.

Listed parties are the OFAC SDN index's and, when the watchlists source is there, the security
team's own watchlisted wallets. A counterparty on ``confirmed-fraud`` belongs to an earlier
candidate: the finding names the date and the vetting, never that wallet (like the ``watchlist``
check), nor the transaction id, amount or date that would lead an explorer to it; a counterparty on
any other watchlist is the team's own indicator and is shown.
"""
from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from checks.context import CheckContext
from checks.model import Confidence, Finding, Severity

DATA_FILE = Path(__file__).with_name("data") / "stablecoins.json"
WATCHLISTS = "vetcandidate watchlists"
CONFIRMED = "confirmed-fraud"
#: what the wallet did with the listed address, for titles ("Wallet sent funds to ...")
_DID = {"out": "sent funds to", "in": "received funds from", "co-input": "spent together with",
        "co-output": "was paid alongside", "both": "exchanged funds with"}
#: the same for a confirmed-fraud wallet, which is never shown
_DID_CONFIRMED = {"out": "paid", "in": "was paid by", "co-input": "spent together with",
                  "co-output": "was paid alongside", "both": "exchanged funds with"}
COMMON_INPUT = ("Spending in one transaction needs every input's key, so the two wallets most likely "
                "share an owner (common-input ownership; a CoinJoin is the exception) -- a link at least "
                "as strong as a payment.")


def _key(contract: str) -> str:
    contract = contract.strip()
    return contract.lower() if contract.lower().startswith("0x") else contract


@lru_cache(maxsize=1)
def token_data() -> tuple[dict[tuple[str, str], str], dict[str, Decimal]]:
    """((chain, contract key) -> symbol, asset -> minimum) from ``checks/data/stablecoins.json``."""
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    tokens = {(chain, _key(t["contract"])): t["symbol"] for chain, items in data["tokens"].items()
              for t in items}
    return tokens, {asset.upper(): Decimal(v) for asset, v in data["minimums"].items()}


def day(when: datetime | None) -> str:
    return when.date().isoformat() if when else "pending"


# -- watchlisted counterparties -----------------------------------------------------------------------
@dataclass(frozen=True)
class WatchlistListing:
    """A wallet on one watchlist (all its entries there), shaped like a sanctions ``Listing``."""
    profile_id: str                   # "watchlist:<list>:<wallet>", one party per list and wallet
    entity: str                       # "watchlist 'NAME'"
    address: str
    list_name: str
    severity: Severity                # the highest of its entries
    added_on: date                    # the earliest entry (for confirmed-fraud: the confirmation)
    vetting_id: str | None            # that entry's vetting (None: a block, or purged)
    entry_ids: tuple[int, ...] = ()
    programs: tuple[str, ...] = ()
    ticker: str = ""
    entity_designated: date | None = None


class Watchlisted:
    """The sanctions index plus the security teams' watchlisted wallets; everything else is the
    sanctions index's."""

    def __init__(self, index: Any, snapshot: Any):
        self._index, self._snapshot = index, snapshot

    def lookup(self, value: str) -> list:
        from checks import normalize

        found = list(self._index.lookup(value))
        try:
            normal = normalize.wallet(value)
            hits = self._snapshot.lookup("wallet", normal)
        except ValueError:
            return found
        by_list: dict[str, list] = defaultdict(list)
        for hit in hits:
            by_list[hit.list_name].append(hit)
        for name, group in sorted(by_list.items()):
            first = min(group, key=lambda h: (h.added_at, h.entry_id))
            worst = max(_severity(h.severity) for h in group)
            found.append(WatchlistListing(f"watchlist:{name}:{normal}", f"watchlist '{name}'", value, name,
                                          worst, first.added_at.date(), first.vetting_id,
                                          tuple(sorted(h.entry_id for h in group))))
        return found

    def __getattr__(self, name: str) -> Any:
        return getattr(self._index, name)


def _severity(text: object) -> Severity:
    return Severity.__members__.get(str(text or "high").upper(), Severity.HIGH)


def with_watchlists(index: Any, ctx: CheckContext) -> Any:
    """Counterparties on a watchlist count like SDN ones, when the watchlists source is there."""
    if not ctx.has_source("watchlists"):
        return index
    return Watchlisted(index, ctx.source("watchlists").snapshot())


# -- judging ------------------------------------------------------------------------------------------
def verdict(transfer: Any, minimums: Mapping[str, Decimal]) -> tuple[str, str]:
    """(asset as judged, "" when the transfer is evidence, else why it is not)."""
    tokens = token_data()[0]
    known = tokens.get((transfer.chain, _key(transfer.token_contract))) if transfer.token_contract else None
    asset = known or transfer.asset
    if transfer.direction == "co-output":
        return asset, ("another output of a payment to this wallet (the payer chose it, not the wallet's "
                       "owner)")
    if transfer.amount <= 0:
        return asset, "zero-value transfer (anyone can create these: address poisoning)"
    if transfer.token_contract and known is None:
        return asset, (f"token contract {transfer.token_contract} is not a known stablecoin contract "
                       "(fake tokens can forge the sender)")
    if transfer.direction in ("out", "co-input"):  # needs this wallet's own signature
        return asset, ""
    minimum = minimums.get(asset.upper())
    if minimum is None:
        return asset, f"no minimum set for {asset}: a payment cannot be told from dust"
    if transfer.amount < minimum:
        return asset, f"inbound amount under the {minimum:f} {asset} minimum (anyone can send dust)"
    return asset, ""


def exposure_findings(histories: Mapping[str, Any], index: Any,
                      minimums: Mapping[str, Decimal]) -> list[Finding]:
    """One finding per listed party the wallet's history touches."""
    listed: dict[str, list] = {}
    for history in histories.values():
        for t in history.transfers:
            if t.counterparty not in listed:
                listed[t.counterparty] = index.lookup(t.counterparty)
    by_party: dict[tuple[str, str], list] = defaultdict(list)
    for history in histories.values():
        for t in history.transfers:
            for listing in listed[t.counterparty]:
                by_party[(listing.profile_id, listing.entity)].append((t, listing))
    findings = []
    for (_, entity), hits in sorted(by_party.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        seen, judged = set(), []
        for t, listing in hits:
            if (t.txid, t.counterparty, t.direction, t.asset, t.amount) not in seen:
                seen.add((t.txid, t.counterparty, t.direction, t.asset, t.amount))
                judged.append((t, listing, *verdict(t, minimums)))
        findings.append(_party_finding(entity, judged, histories, index))
    return findings


def _direction(directions: list[str]) -> str:
    if len(directions) == 1:
        return directions[0]
    return "both" if directions == ["in", "out"] else "+".join(directions)


def _moved(t: Any, amount: str, asset: str) -> str:
    what = {"out": f"sent {amount} {asset}", "in": f"received {amount} {asset}",
            "co-input": f"an input of {amount} {asset} spent together with this wallet's",
            "co-output": f"{amount} {asset} paid to it alongside this wallet"}.get(t.direction,
                                                                                 f"{amount} {asset}")
    return f"{what} ({t.chain}, {day(t.time)}, transaction {t.txid})"


def _party_finding(entity: str, judged: list, histories: Mapping[str, Any], index: Any) -> Finding:
    evidence_rows = [row for row in judged if not row[3]]
    rows = evidence_rows or judged
    t, listing, asset, _ = max(rows, key=lambda r: r[0].time.timestamp() if r[0].time else float("inf"))
    directions = sorted({r[0].direction for r in rows})
    listings = [r[1] for r in judged]
    watch = listing if isinstance(listing, WatchlistListing) else None
    confirmed = watch is not None and watch.list_name == CONFIRMED
    amount = format(t.amount.normalize(), "f")
    evidence: dict[str, Any] = {
        "direction": _direction(directions), "transactions": len({r[0].txid for r in rows}), "asset": asset,
        "chain": t.chain, "chains_examined": sorted(histories),
        "transactions_examined": sum(h.tx_count for h in histories.values()),
        "history_truncated": any(h.truncated for h in histories.values())}
    if not confirmed:  # for confirmed fraud these would lead an explorer straight to that wallet
        evidence.update(txid=t.txid, date=day(t.time), amount=amount)
        if t.token_contract:
            evidence["token_contract"] = t.token_contract
    hosts = ", ".join(sorted({h.source for h in histories.values() if h.source}))
    follow = ""
    if watch is None:
        dates = [x.entity_designated for x in listings if getattr(x, "entity_designated", None)]
        evidence.update(entity=entity, programs=sorted({p for x in listings for p in x.programs}),
                        sdn_profiles=sorted({x.profile_id for x in listings}),
                        listed_addresses=sorted({r[0].counterparty for r in rows}),
                        list_published=index.publish_date.isoformat())
        if dates:  # the entity's designation: the address may have been added later (OFAC does not say)
            evidence["entity_designated"] = min(dates).isoformat()
        party = f"an OFAC-listed address ({entity})"
        about = (f"an address listed for {entity} (programs: "
                 f"{', '.join(evidence['programs']) or 'not stated'}"
                 + (f"; entity designated {evidence['entity_designated']} -- the address may have been "
                    "added to the list later, so an earlier transfer may predate its listing"
                    if dates else "")
                 + ")")
        advice = "This wallet is one hop from a sanctioned party: escalate to compliance before paying."
        source = index.citation
    elif confirmed:
        when = watch.added_on.isoformat()
        evidence.update(list=CONFIRMED, confirmed_on=when, vetting=watch.vetting_id or "purged",
                        watchlist_entries=list(watch.entry_ids))
        vetting = f"vetting #{watch.vetting_id}" if watch.vetting_id else "a vetting since purged"
        party = f"a wallet linked to a vetting confirmed as fraud on {when}"
        about = f"a wallet from {vetting}, confirmed as fraud on {when}"
        entries = ", ".join(f"#{i}" for i in watch.entry_ids)
        ref = (f"vetting #{watch.vetting_id} (watchlist entry {entries})" if watch.vetting_id
               else f"watchlist entry {entries}")
        follow = ("Transaction ids, amounts and dates are left out: they would reveal that earlier "
                  f"candidate's wallet. An admin can follow {ref} to them.")
        advice, source = (follow + " One ring runs many personas: talk to whoever confirmed that case before "
                          "paying.", f"{WATCHLISTS} ({CONFIRMED})")
    else:
        evidence.update(list=watch.list_name, listed_addresses=sorted({r[0].counterparty for r in rows}),
                        watchlist_entries=list(watch.entry_ids))
        party = f"a watchlisted address ({entity})"
        about = f"an address on {entity}"
        advice, source = ("This wallet is one hop from a wallet your security team listed: check with them "
                          "before paying.", f"{WATCHLISTS} ({watch.list_name})")
    source = f"{source}; history from {hosts}"
    moved = f"on {t.chain}" if confirmed else _moved(t, amount, asset)
    if evidence_rows:
        words = _DID_CONFIRMED if confirmed else _DID
        evidence["ignored_transfers"] = len(judged) - len(evidence_rows)
        strong = "out" in directions or "co-input" in directions
        severity = Severity.HIGH
        if watch is not None:  # never above what a direct hit on that entry would be
            severity = min(severity, watch.severity)
        recent = f"; most recent: {moved}" if not confirmed else f", {moved}"
        detail = (f"{evidence['transactions']} transaction(s) with {about}{recent}. "
                  + (COMMON_INPUT + " " if "co-input" in directions else "") + advice)
        return Finding(severity=severity, confidence=Confidence.HIGH if strong else Confidence.MEDIUM,
                       title=f"Wallet {words.get(evidence['direction'], 'transacted with')} {party}",
                       detail=detail, evidence=evidence, source=source)
    reasons = sorted({r[3] for r in judged})
    evidence["why_no_evidence"] = reasons
    return Finding(severity=Severity.INFO, confidence=Confidence.MEDIUM,
                   title=f"Unsolicited-looking transfers with {party}",
                   detail=f"{evidence['transactions']} transfer(s) with {about}, none of which shows a "
                          f"payment: {'; '.join(reasons)}. "
                          + (f"Most recent: {moved}." if not confirmed else f"Seen {moved}. {follow}"),
                   evidence=evidence, source=source)
