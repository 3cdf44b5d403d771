"""wallet_sanctions: screen the requested crypto payout wallet against the OFAC SDN list, and
say what kind of address it is.

The screening runs on the trimmed raw value before any validation (the SDN list itself holds
values that fail strict validation). No hit never means "safe": DPRK IT-worker entities are
designated without addresses. No usable list => status error, never "no match"."""
from __future__ import annotations

from checks.base import Check
from checks.context import CheckContext
from checks.crypto_address import AddressInfo, analyse
from checks.errors import CheckFailed, SourceError
from checks.model import Candidate, Confidence, Finding, Severity

ADVISORY = ("US State/Treasury/FBI advisory on DPRK IT workers, 2022-05-16 "
            "(updated 2023-10-18 and 2025-01-23)")
_CHAIN_NAMES = {"bitcoin": "Bitcoin", "evm": "Ethereum-compatible (EVM)", "tron": "TRON",
                "litecoin": "Litecoin", "bitcoin_cash": "Bitcoin Cash", "dogecoin": "Dogecoin",
                "monero": "Monero", "solana": "Solana", "xrp": "XRP Ledger", "zcash": "Zcash",
                "dash": "Dash"}


def payout_findings(info: AddressInfo) -> list[Finding]:
    """The payout request itself, and what the address is (or why it is not an address)."""
    chain = _CHAIN_NAMES.get(info.chain or "", "unknown chain")
    findings = []
    if info.privacy:
        findings.append(Finding(
            severity=Severity.MEDIUM, confidence=Confidence.HIGH,
            title="Payout requested to a privacy coin",
            detail=f"Payment was requested to a {chain} address, whose transfers cannot be traced. "
                   "Asking for crypto payouts is a published red flag for DPRK IT-worker schemes; a "
                   "privacy coin also defeats any later screening of where the money goes.",
            evidence={"chain": info.chain, "kind": info.kind}, source=ADVISORY))
    else:
        findings.append(Finding(
            severity=Severity.LOW, confidence=Confidence.HIGH, title="Crypto payout requested",
            detail="Asking to be paid in cryptocurrency is a published red flag for DPRK IT-worker "
                   "schemes. Innocent on its own; ask why.",
            evidence={"chain": info.chain or "unknown"}, source=ADVISORY))
    if info.valid:
        findings.append(Finding(
            severity=Severity.INFO, confidence=Confidence.HIGH,
            title=f"Wallet is a valid {chain} address",
            evidence={"chain": info.chain, "kind": info.kind, "network": info.network or "unstated"},
            source="address format and checksum"))
    elif info.chain is None:
        findings.append(Finding(
            severity=Severity.LOW, confidence=Confidence.MEDIUM,
            title="Wallet address format not recognised",
            detail=f"{info.problem}. It may be a chain this tool does not know, or not an address at "
                   "all; ask the candidate which network it is on.",
            evidence={"problem": info.problem}, source="address format and checksum"))
    else:
        findings.append(Finding(
            severity=Severity.MEDIUM, confidence=Confidence.HIGH,
            title=f"Wallet is not a valid {chain} address",
            detail=f"{info.problem}. Money sent there could be lost; a made-up or mistyped payout "
                   "address deserves a question.",
            evidence={"chain": info.chain, "problem": info.problem}, source="address format and checksum"))
    return findings


class WalletSanctions(Check):
    name = "wallet_sanctions"
    description = "Payout wallet against the OFAC SDN list; address format and checksum"
    requires = frozenset({"wallet"})
    timeout_s = 5.0
    critical = True

    def run(self, candidate: Candidate, ctx: CheckContext) -> list[Finding]:
        raw = candidate.wallet.strip()
        info = analyse(raw)
        findings = payout_findings(info)
        try:
            index = ctx.sanctions.current(now=ctx.now())
        except SourceError as exc:
            raise CheckFailed(f"sanctions screening not done: {exc}", findings) from None

        listings = index.lookup(raw)
        if not listings and info.normalized and info.normalized != raw:
            listings = index.lookup(info.normalized)
        if not listings:
            findings.append(Finding(
                severity=Severity.INFO, confidence=Confidence.HIGH,
                title=f"Wallet not on the OFAC SDN list published {index.publish_date.isoformat()}",
                detail="This does not mean the wallet is safe: DPRK IT-worker fronts are often "
                       "designated without any address, and new wallets are cheap.",
                evidence={"list_published": index.publish_date.isoformat(),
                          "addresses_screened": index.unique_addresses},
                source=index.citation))
            return findings

        entities = sorted({listing.entity for listing in listings})
        programs = sorted({p for listing in listings for p in listing.programs})
        tickers = sorted({listing.ticker for listing in listings})
        # The entity's designation date, not the address's: OFAC often adds addresses to an entity
        # designated years before (the list does not date its addresses).
        designated: dict[str, str] = {}
        for listing in listings:
            if (when := getattr(listing, "entity_designated", None)) is not None:
                designated[listing.entity] = min(designated.get(listing.entity, when.isoformat()),
                                                 when.isoformat())
        named = "; ".join(f"{e} (entity designated {designated[e]})" if e in designated else e
                          for e in entities)
        evidence = {"address": listings[0].address, "entities": entities, "programs": programs,
                    "tickers": tickers, "sdn_profiles": sorted({listing.profile_id for listing in listings}),
                    "list_published": index.publish_date.isoformat()}
        if designated:
            evidence["entity_designated"] = min(designated.values())
        findings.append(Finding(
            severity=Severity.CRITICAL, confidence=Confidence.HIGH,
            title="Payout wallet is on the OFAC SDN list",
            detail=f"This address is listed for {named} (programs: {', '.join(programs) or 'not stated'}). "
                   + ("The date is the entity's designation; the address itself may have been added "
                      "later. " if designated else "")
                   + "Paying it is prohibited for US persons: stop and escalate to compliance.",
            evidence=evidence, source=index.citation))
        return findings
