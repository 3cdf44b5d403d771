"""wallet_exposure: one-hop exposure of the payout wallet to OFAC-listed addresses, from its public
on-chain history, and how new the wallet is.

DPRK IT-worker networks are mostly designated without addresses and give employers fresh wallets,
so an exact SDN match (wallet_sanctions) has low recall. The wallet's own history is public: funds
sent to a listed address, or received from one in a meaningful amount of the native asset or of a
known stablecoin contract, is one hop from the laundering network (high). Anyone can push value to
any address (dust, zero-value "address poisoning", fake tokens forging the sender): such transfers
are reported as info, saying why they are no evidence. Histories come from ``ctx.source("chains")``
(``checks.sources.chains.ChainSources``); counterparties are matched like the direct screening
(EVM case-insensitively, the rest exactly). Any explorer fault ends as ``error`` with the findings
made so far, never as "no exposure". The wallet address is never logged.
"""
from __future__ import annotations

import json
import time
from collections import defaultdict
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from checks.base import Check
from checks.context import CheckContext
from checks.crypto_address import TESTNET, analyse
from checks.errors import CheckFailed, SourceError
from checks.model import Candidate, Confidence, Finding, Severity

DATA_FILE = Path(__file__).with_name("data") / "stablecoins.json"
NEW_WALLET_DAYS = 30
FETCH_MARGIN_S = 0.5  # leave time to judge what was fetched before the runner's deadline
FAMILIES = {"bitcoin": "bitcoin", "evm": "evm", "tron": "tron"}
LABELS = {"bitcoin": "Bitcoin", "evm": "EVM", "tron": "TRON", "litecoin": "Litecoin", "dogecoin": "Dogecoin",
          "bitcoin_cash": "Bitcoin Cash", "solana": "Solana", "xrp": "XRP Ledger", "zcash": "Zcash",
          "dash": "Dash", "monero": "Monero"}
_PRIVACY = {"monero": "Monero hides senders, receivers and amounts by design: there is no history to examine",
            "zcash": "shielded Zcash addresses hide their history by design: there is nothing to examine"}


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


def _day(when: datetime | None) -> str:
    return when.date().isoformat() if when else "pending"


class _Watchlisted:
    """The sanctions index plus the security teams' watchlisted wallets, treated like listed ones
    (entity "watchlist 'NAME'"); everything else is the sanctions index's."""

    def __init__(self, index: Any, snapshot: Any):
        self._index, self._snapshot = index, snapshot

    def lookup(self, value: str) -> list:
        from types import SimpleNamespace

        from checks import normalize

        found = list(self._index.lookup(value))
        try:
            hits = self._snapshot.lookup("wallet", normalize.wallet(value))
        except ValueError:
            return found
        return found + [SimpleNamespace(profile_id=f"watchlist:{h.entry_id}", programs=(), address=value,
                                        entity=f"watchlist '{h.list_name}'", ticker="") for h in hits]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._index, name)


def _with_watchlists(index: Any, ctx: CheckContext) -> Any:
    """EXTENSION POINT used by the watchlists: counterparties on a watchlist count like SDN ones."""
    if not ctx.has_source("watchlists"):
        return index
    return _Watchlisted(index, ctx.source("watchlists").snapshot())


def _listed(entity: str) -> str:
    return "a watchlisted address" if entity.startswith("watchlist '") else "an OFAC-listed address"


class WalletExposure(Check):
    name = "wallet_exposure"
    description = "Payout wallet's on-chain history: one-hop exposure to OFAC-listed addresses; wallet age"
    requires = frozenset({"wallet"})
    timeout_s = 20.0

    def not_applicable(self, candidate: Candidate) -> str:
        """Why this wallet has no history to examine ("" when it has). The runner reports it as
        ``skipped``; ``run`` still says it as info when called directly."""
        info = analyse(candidate.wallet)
        label = LABELS.get(info.chain or "", "unknown")
        if info.chain in _PRIVACY and (info.privacy or info.chain == "monero"):
            return _PRIVACY[info.chain]
        if info.network == "testnet" or info.problem == TESTNET:
            return "testnet address: it has no mainnet history"
        if not info.valid:
            return f"not a valid address ({info.problem})"
        if info.chain not in FAMILIES:
            return f"no history source for {label} addresses"
        return ""

    def run(self, candidate: Candidate, ctx: CheckContext) -> list[Finding]:
        why = self.not_applicable(candidate)
        info = analyse(candidate.wallet)
        if why:
            return [self._not_examined(why, info.chain)]
        chains = ctx.source("chains")
        names = list(chains.for_family(FAMILIES[info.chain]))
        if not names:
            return [self._not_examined(f"no {LABELS[info.chain]} explorer configured", info.chain)]
        try:
            index = ctx.sanctions.current(now=ctx.now())
            index = _with_watchlists(index, ctx)
        except SourceError as exc:
            raise CheckFailed(f"counterparties cannot be screened: {exc}") from None
        histories, failures = self._fetch(chains, names, info.normalized, ctx.deadline)
        minimums = {**token_data()[1], **dict(getattr(chains, "minimums", None) or {})}
        findings = self._exposure(histories, index, minimums)
        if failures:  # what was found stands; "never used", "clean" or "new" could be wrong now
            raise CheckFailed("history incomplete: " + "; ".join(f"{c}: {e}" for c, e in failures.items()),
                              findings)
        return findings + self._summary(histories, index, ctx.now(), bool(findings))

    @staticmethod
    def _not_examined(why: str, chain: str | None) -> Finding:
        return Finding(severity=Severity.INFO, confidence=Confidence.HIGH,
                       title="On-chain history not examined", detail=why[0].upper() + why[1:] + ".",
                       evidence={"reason": why, "chain": chain or "unknown"}, source="address format")

    # -- fetching ------------------------------------------------------------------------------
    @staticmethod
    def _fetch(chains: Any, names: list[str], address: str,
               deadline: float | None) -> tuple[dict[str, Any], dict[str, str]]:
        until = None
        if deadline is not None:
            until = deadline - min(FETCH_MARGIN_S, max(0.0, deadline - time.monotonic()) / 4)

        def one(chain: str) -> Any:
            try:
                return chains.history(chain, address, deadline=until)
            except SourceError as exc:
                return exc
            except (ValueError, TypeError, KeyError, ArithmeticError) as exc:
                return SourceError(f"unusable explorer answer ({type(exc).__name__})")

        with ThreadPoolExecutor(len(names), thread_name_prefix="exposure") as pool:
            outcomes = dict(zip(names, pool.map(one, names), strict=True))
        histories = {c: h for c, h in outcomes.items() if not isinstance(h, Exception)}
        failures = {c: str(h) or type(h).__name__ for c, h in outcomes.items() if isinstance(h, Exception)}
        failures.update({c: h.error for c, h in histories.items() if h.error})
        return histories, failures

    # -- judging -------------------------------------------------------------------------------
    @staticmethod
    def _verdict(transfer: Any, minimums: Mapping[str, Decimal]) -> tuple[str, str]:
        """(asset as judged, "" when the transfer is evidence, else why it is not)."""
        tokens = token_data()[0]
        known = None
        if transfer.token_contract:
            known = tokens.get((transfer.chain, _key(transfer.token_contract)))
        asset = known or transfer.asset
        if transfer.amount <= 0:
            return asset, "zero-value transfer (anyone can create these: address poisoning)"
        if transfer.token_contract and known is None:
            return asset, (f"token contract {transfer.token_contract} is not a known stablecoin contract "
                           "(fake tokens can forge the sender)")
        if transfer.direction == "out":
            return asset, ""
        minimum = minimums.get(asset.upper())
        if minimum is None:
            return asset, f"no minimum set for {asset}: a payment cannot be told from dust"
        if transfer.amount < minimum:
            return asset, f"inbound amount under the {minimum:f} {asset} minimum (anyone can send dust)"
        return asset, ""

    def _exposure(self, histories: Mapping[str, Any], index: Any,
                  minimums: Mapping[str, Decimal]) -> list[Finding]:
        listed: dict[str, list] = {}
        for history in histories.values():
            for t in history.transfers:
                if t.counterparty not in listed:
                    listed[t.counterparty] = index.lookup(t.counterparty)
        by_entity: dict[tuple[str, str], list] = defaultdict(list)
        for history in histories.values():
            for t in history.transfers:
                for listing in listed[t.counterparty]:
                    by_entity[(listing.profile_id, listing.entity)].append((t, listing))
        findings = []
        for (_, entity), hits in sorted(by_entity.items(), key=lambda kv: kv[0][1]):
            seen, judged = set(), []
            for t, listing in hits:
                if (t.txid, t.counterparty, t.direction, t.asset, t.amount) not in seen:
                    seen.add((t.txid, t.counterparty, t.direction, t.asset, t.amount))
                    judged.append((t, listing, *self._verdict(t, minimums)))
            findings.append(self._entity_finding(entity, judged, histories, index))
        return findings

    @staticmethod
    def _entity_finding(entity: str, judged: list, histories: Mapping[str, Any], index: Any) -> Finding:
        evidence_rows = [row for row in judged if not row[3]]
        rows = evidence_rows or judged
        newest = max(rows, key=lambda r: r[0].time.timestamp() if r[0].time else float("inf"))
        t, _, asset, _ = newest
        directions = sorted({r[0].direction for r in rows})
        listings = [r[1] for r in judged]
        evidence = {"entity": entity, "programs": sorted({p for x in listings for p in x.programs}),
                    "sdn_profiles": sorted({x.profile_id for x in listings}),
                    "listed_addresses": sorted({r[0].counterparty for r in rows}),
                    "direction": directions[0] if len(directions) == 1 else "both",
                    "transactions": len({r[0].txid for r in rows}), "txid": t.txid, "date": _day(t.time),
                    "amount": format(t.amount.normalize(), "f"), "asset": asset, "chain": t.chain,
                    "list_published": index.publish_date.isoformat(), "chains_examined": sorted(histories),
                    "transactions_examined": sum(h.tx_count for h in histories.values()),
                    "history_truncated": any(h.truncated for h in histories.values())}
        if t.token_contract:
            evidence["token_contract"] = t.token_contract
        hosts = sorted({histories[c].source for c in histories if histories[c].source})
        source = f"{index.citation}; history from {', '.join(hosts)}"
        moved = (f"{'sent' if t.direction == 'out' else 'received'} {evidence['amount']} {asset} "
                 f"({t.chain}, {_day(t.time)}, transaction {t.txid})")
        if evidence_rows:
            word = {"out": "sent funds to", "in": "received funds from"}.get(evidence["direction"],
                                                                            "exchanged funds with")
            evidence["ignored_transfers"] = len(judged) - len(evidence_rows)
            confidence = Confidence.HIGH if "out" in directions else Confidence.MEDIUM
            return Finding(
                severity=Severity.HIGH, confidence=confidence,
                title=f"Wallet {word} {_listed(entity)} ({entity})",
                detail=f"{evidence['transactions']} transaction(s) with an address listed for {entity} "
                       f"(programs: {', '.join(evidence['programs']) or 'not stated'}); most recent: "
                       f"{moved}. This wallet is one hop from a sanctioned party: escalate to compliance "
                       "before paying.",
                evidence=evidence, source=source)
        reasons = sorted({r[3] for r in judged})
        evidence["why_no_evidence"] = reasons
        return Finding(
            severity=Severity.INFO, confidence=Confidence.MEDIUM,
            title=f"Unsolicited-looking transfers with {_listed(entity)} ({entity})",
            detail=f"{evidence['transactions']} transfer(s) with an address listed for {entity}, none of "
                   f"which shows a payment: {'; '.join(reasons)}. Most recent: {moved}.",
            evidence=evidence, source=source)

    @staticmethod
    def _summary(histories: Mapping[str, Any], index: Any, now: datetime, exposed: bool) -> list[Finding]:
        if not histories:
            return []
        examined = sorted(histories)
        count = sum(h.tx_count for h in histories.values())
        hosts = ", ".join(sorted({h.source for h in histories.values() if h.source}))
        evidence: dict[str, Any] = {"chains_examined": examined, "transactions_examined": count,
                                    "history_truncated": any(h.truncated for h in histories.values()),
                                    "max_transactions_per_chain": max(h.cap for h in histories.values())}
        if count == 0:
            return [Finding(severity=Severity.INFO, confidence=Confidence.HIGH,
                            title="Never used on chain: nothing to corroborate",
                            detail=f"No transaction on {', '.join(examined)} (this holds only for the "
                                   "chains examined).", evidence=evidence, source=f"history from {hosts}")]
        used = [h for h in histories.values() if h.tx_count]
        firsts = [h.first_seen or now for h in used]
        first, last = min(firsts), max((h.last_seen or now for h in used), default=now)
        evidence.update(first_seen=_day(first), last_seen=_day(last),
                        per_chain={c: h.tx_count for c, h in sorted(histories.items())})
        cut = [c for c, h in sorted(histories.items()) if h.truncated]
        detail = (f"{count} transaction(s) examined on {', '.join(examined)}, "
                  f"from {_day(first)} to {_day(last)}.")
        if cut:
            detail += (f" History cut at the most recent {evidence['max_transactions_per_chain']} "
                       f"transactions on {', '.join(cut)} (WALLET_HISTORY_MAX_TX): older transfers were "
                       "not examined, and the first use may be earlier.")
        if not exposed:
            detail += (" No counterparty is on the OFAC SDN list published "
                       f"{index.publish_date.isoformat()} -- not a clearance: most DPRK fronts are "
                       "listed without addresses.")
        findings = [Finding(severity=Severity.INFO, confidence=Confidence.HIGH,
                            title="On-chain history examined", detail=detail, evidence=evidence,
                            source=f"history from {hosts}")]
        if not cut and first >= now - timedelta(days=NEW_WALLET_DAYS):
            findings.append(Finding(
                severity=Severity.LOW, confidence=Confidence.HIGH,
                title=f"Wallet first used on {_day(first)}",
                detail=f"The wallet's first transaction is less than {NEW_WALLET_DAYS} days old. Fresh "
                       "payout wallets are common in IT-worker schemes; also common for new crypto users.",
                evidence={"first_used": _day(first), "last_used": _day(last), "chains_examined": examined,
                          "transactions_examined": count}, source=f"history from {hosts}"))
        return findings
