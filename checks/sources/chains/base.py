"""The common model every chain adapter returns, and what the adapters share: merging pages into a
bounded, newest-first history, a per-address TTL cache, and safe number/time parsing.

A ``Transfer`` is one movement of value between the examined wallet and one counterparty, as the
explorer reports it. Nothing here judges whether it is evidence: the check does (zero-value
transfers, unknown token contracts and dust can be forged or pushed by anyone).

Adapter error messages never contain the wallet address (it is candidate data); they name the
explorer's host and what went wrong.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Protocol, runtime_checkable

from checks.errors import BadResponse
from checks.sources.ttl_cache import TtlCache

IN, OUT = "in", "out"
MAX_DECIMALS = 36  # explorers echo whatever a token contract claims; beyond this it is garbage


@dataclass(frozen=True)
class Transfer:
    chain: str                  # "bitcoin", "ethereum", "bsc", "tron", ...
    txid: str
    time: datetime | None       # aware UTC; None while unconfirmed (mempool)
    direction: str              # IN (to the wallet) or OUT (from the wallet)
    counterparty: str           # the other side, normalised (TRON base58, EVM lower case)
    asset: str                  # native symbol ("BTC", "ETH", "TRX") or the token's claimed symbol
    amount: Decimal             # in whole units of ``asset``
    token_contract: str = ""    # "" for the chain's native asset

    @property
    def native(self) -> bool:
        return not self.token_contract


@dataclass(frozen=True)
class TxRecord:
    """One transaction as an adapter parsed it: its id, time and the wallet's transfers in it."""

    txid: str
    time: datetime | None
    transfers: tuple[Transfer, ...] = ()


@dataclass(frozen=True)
class History:
    chain: str
    transfers: tuple[Transfer, ...]
    tx_count: int                     # distinct transactions examined (at most the cap)
    truncated: bool                   # more transactions exist than were examined
    first_seen: datetime | None       # oldest examined (confirmed) transaction
    last_seen: datetime | None        # newest examined (confirmed) transaction
    pending: int = 0                  # unconfirmed transactions among those examined
    total_tx: int | None = None       # the explorer's own count of all transactions, when it gives one
    requests: int = 0
    source: str = ""                  # host of the explorer, for citations
    cap: int = 0                      # the most recent transactions this read was limited to
    error: str = ""                   # set when a later page failed: the history is partial
    cached: bool = False

    @property
    def empty(self) -> bool:
        return self.tx_count == 0


@runtime_checkable
class ChainAdapter(Protocol):
    chain: str      # name in the registry, e.g. "ethereum"
    family: str     # "bitcoin" | "evm" | "tron": which addresses it can examine
    source: str     # host, for citations and error messages

    def history(self, address: str, *, deadline: float | None = None) -> History: ...


def merge_history(chain: str, listings: Iterable[tuple[Iterable[TxRecord], bool]], cap: int, *,
                  requests: int, source: str, total_tx: int | None = None, error: str = "") -> History:
    """Merge one or more listings, each ``(records newest first, read to its end?)``, into the
    ``cap`` most recent distinct transactions (a txid may appear in several listings). Where a
    listing was not read to its end, records older than the oldest one read from it are dropped:
    unread ones might be newer than those."""
    by_id: dict[str, TxRecord] = {}
    horizon: datetime | None = None
    more = False
    for records, complete in listings:
        records = list(records)
        for rec in records:
            seen = by_id.get(rec.txid)
            if seen is None:
                by_id[rec.txid] = rec
            else:
                extra = tuple(t for t in rec.transfers if t not in seen.transfers)
                by_id[rec.txid] = TxRecord(rec.txid, seen.time or rec.time, seen.transfers + extra)
        if not complete:
            more = True
            oldest = min((r.time for r in records if r.time is not None), default=None)
            if oldest is not None and (horizon is None or oldest > horizon):
                horizon = oldest
    far_future = datetime.max.replace(tzinfo=UTC)
    ordered = sorted(by_id.values(), key=lambda r: r.time or far_future, reverse=True)
    if horizon is not None:
        ordered = [r for r in ordered if r.time is None or r.time >= horizon]
    kept = ordered[:cap]
    times = [r.time for r in kept if r.time is not None]
    return History(chain=chain, transfers=tuple(t for r in kept for t in r.transfers),
                   tx_count=len(kept), truncated=more or len(ordered) > cap,
                   first_seen=min(times, default=None), last_seen=max(times, default=None),
                   pending=sum(1 for r in kept if r.time is None), total_tx=total_tx,
                   requests=requests, source=source, cap=cap, error=error)


# -- parsing helpers -------------------------------------------------------------------------------
def as_int(value: object, what: str, source: str) -> int:
    if isinstance(value, bool):
        raise BadResponse(f"{source} sent a malformed {what}")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    raise BadResponse(f"{source} sent a malformed {what}")


def scaled(raw: object, decimals: int, what: str, source: str) -> Decimal:
    """An integer amount in base units -> whole units."""
    value = as_int(raw, what, source)
    if not 0 <= decimals <= MAX_DECIMALS:
        raise BadResponse(f"{source} sent an impossible number of decimals")
    return Decimal(value).scaleb(-decimals) if decimals else Decimal(value)


def decimals_or_none(value: object) -> int | None:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if 0 <= number <= MAX_DECIMALS else None


def epoch(value: object, what: str, source: str, *, millis: bool = False) -> datetime:
    seconds = as_int(value, what, source)
    if millis:
        seconds = seconds // 1000
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        raise BadResponse(f"{source} sent an impossible {what}") from None


def decimal_text(value: Decimal) -> str:
    """A Decimal for people: no exponent, no trailing zeros."""
    try:
        text = format(value.normalize(), "f")
    except InvalidOperation:
        return str(value)
    return text


def history_to_json(history: History) -> dict:
    """A JSON-able form for a persistent cache (the wallet itself is not in it)."""
    def iso(when: datetime | None) -> str | None:
        return when.isoformat() if when else None
    rows = [[t.chain, t.txid, iso(t.time), t.direction, t.counterparty, t.asset, str(t.amount),
             t.token_contract] for t in history.transfers]
    return {"v": 1, "chain": history.chain, "transfers": rows, "tx_count": history.tx_count,
            "truncated": history.truncated, "first_seen": iso(history.first_seen),
            "last_seen": iso(history.last_seen), "pending": history.pending, "total_tx": history.total_tx,
            "source": history.source, "cap": history.cap}


def history_from_json(data: dict) -> History:
    """The inverse of ``history_to_json``; raises ValueError/KeyError/TypeError on anything else."""
    def when(text: str | None) -> datetime | None:
        return datetime.fromisoformat(text) if text else None
    if data.get("v") != 1:
        raise ValueError("unknown cache format")
    transfers = tuple(Transfer(c, txid, when(t), d, cp, asset, Decimal(amount), contract)
                      for c, txid, t, d, cp, asset, amount, contract in data["transfers"])
    return History(chain=data["chain"], transfers=transfers, tx_count=int(data["tx_count"]),
                   truncated=bool(data["truncated"]), first_seen=when(data["first_seen"]),
                   last_seen=when(data["last_seen"]), pending=int(data["pending"]), total_tx=data["total_tx"],
                   source=data["source"], cap=int(data["cap"]))


# -- cache -----------------------------------------------------------------------------------------
class HistoryCache(TtlCache[History]):
    """Complete histories per (chain, address key, cap), for ``ttl_s`` seconds; thread-safe and
    bounded (least recently used entries go first). Partial histories are never stored. The store
    may later provide another object with the same ``get``/``put``."""

    def __init__(self, ttl_s: float = 600.0, max_entries: int = 2048,
                 clock: Callable[[], float] = time.monotonic):
        super().__init__(ttl_s, max_entries, clock)

    def put(self, key: tuple, value: History) -> None:
        if not value.error:
            super().put(key, value)
