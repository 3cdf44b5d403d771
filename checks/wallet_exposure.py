"""wallet_exposure: one-hop exposure of the payout wallet to OFAC-listed addresses, from its public
on-chain history, and how new the wallet is.

DPRK IT-worker networks are mostly designated without addresses and give employers fresh wallets,
so an exact SDN match (wallet_sanctions) has low recall. The wallet's own history is public: funds
sent to a listed address, or received from one in a meaningful amount of the native asset or of a
known stablecoin contract, is one hop from the laundering network (high). Anyone can push value to
any address (dust, zero-value "address poisoning", fake tokens forging the sender): such transfers
are reported as info, saying why they are no evidence. Histories come from ``ctx.source("chains")``
(``checks.sources.chains.ChainSources``); counterparties are matched like the direct screening
(EVM case-insensitively, the rest exactly); wallets on the security team's watchlists count too.
``WALLET_HISTORY_MAX_TX`` bounds the wallet over all its chains (``cap_across``). Any explorer fault
ends as ``error`` with the findings made so far, never as "no exposure". The wallet address is never
logged. Judging transfers and wording the findings: ``checks.wallet_exposure_findings``.
"""
from __future__ import annotations

import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from checks.base import Check
from checks.context import CheckContext
from checks.crypto_address import TESTNET, analyse
from checks.errors import CheckFailed, CheckSkipped, SourceError
from checks.model import Candidate, Confidence, Finding, Severity
from checks.wallet_exposure_findings import day as _day
from checks.wallet_exposure_findings import exposure_findings, token_data, with_watchlists

NEW_WALLET_DAYS = 30
_FAR_FUTURE = datetime.max.replace(tzinfo=UTC)
FETCH_MARGIN_S = 0.5  # leave time to judge what was fetched before the runner's deadline
FAMILIES = {"bitcoin": "bitcoin", "evm": "evm", "tron": "tron"}
LABELS = {"bitcoin": "Bitcoin", "evm": "EVM", "tron": "TRON", "litecoin": "Litecoin", "dogecoin": "Dogecoin",
          "bitcoin_cash": "Bitcoin Cash", "solana": "Solana", "xrp": "XRP Ledger", "zcash": "Zcash",
          "dash": "Dash", "monero": "Monero"}
_PRIVACY = {"monero": "Monero hides senders, receivers and amounts by design: there is no history to examine",
            "zcash": "shielded Zcash addresses hide their history by design: there is nothing to examine"}


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
            raise CheckSkipped(f"no {LABELS[info.chain]} explorer configured")
        try:
            index = ctx.sanctions.current(now=ctx.now())
            index = with_watchlists(index, ctx)
        except SourceError as exc:
            raise CheckFailed(f"counterparties cannot be screened: {exc}") from None
        histories, failures = self._fetch(chains, names, info.normalized, ctx.deadline)
        histories = cap_across(histories)
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

    # -- judging ------------------------------------------------------------------------------
    @staticmethod
    def _exposure(histories: Mapping[str, Any], index: Any, minimums: Mapping[str, Decimal]) -> list[Finding]:
        return exposure_findings(histories, index, minimums)

    @staticmethod
    def _summary(histories: Mapping[str, Any], index: Any, now: datetime, exposed: bool) -> list[Finding]:
        if not histories:
            return []
        examined = sorted(histories)
        count = sum(h.tx_count for h in histories.values())
        hosts = ", ".join(sorted({h.source for h in histories.values() if h.source}))
        evidence: dict[str, Any] = {"chains_examined": examined, "transactions_examined": count,
                                    "history_truncated": any(h.truncated for h in histories.values()),
                                    "max_transactions": max(h.cap for h in histories.values())}
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
            across = " across these chains" if len(examined) > 1 else ""
            detail += (f" History cut at the most recent {evidence['max_transactions']} transactions{across} "
                       f"(WALLET_HISTORY_MAX_TX): older transfers on {', '.join(cut)} were not examined, and "
                       "the first use may be earlier.")
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


def cap_across(histories: dict[str, Any]) -> dict[str, Any]:
    """The most recent ``WALLET_HISTORY_MAX_TX`` transactions of the wallet over all its chains
    (pending ones first): the cap bounds a wallet, while each adapter only bounds its own chain. A
    chain that loses transactions to the cut is marked truncated, with its counts and dates redone."""
    cap = max((h.cap for h in histories.values()), default=0)
    if not cap or sum(h.tx_count for h in histories.values()) <= cap:
        return histories
    ranked = sorted(((when or _FAR_FUTURE, chain, txid) for chain, h in histories.items()
                     if len(h.txs) == h.tx_count for txid, when in h.txs), key=lambda r: r[0], reverse=True)
    fixed = sum(h.tx_count for h in histories.values() if len(h.txs) != h.tx_count)  # cannot be cut
    kept: dict[str, set[str]] = {chain: set() for chain in histories}
    for _, chain, txid in ranked[:max(0, cap - fixed)]:
        kept[chain].add(txid)
    out = {}
    for chain, h in histories.items():
        if len(h.txs) != h.tx_count or len(kept[chain]) == h.tx_count:
            out[chain] = h
            continue
        txs = tuple(x for x in h.txs if x[0] in kept[chain])
        times = [when for _, when in txs if when is not None]
        out[chain] = replace(h, transfers=tuple(t for t in h.transfers if t.txid in kept[chain]),
                             tx_count=len(txs), truncated=True, first_seen=min(times, default=None),
                             last_seen=max(times, default=None), pending=len(txs) - len(times), txs=txs)
    return out
