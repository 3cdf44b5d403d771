"""The common model every chain adapter returns, and what the adapters share: merging pages into a
bounded, newest-first history, a per-address TTL cache, and safe number/time parsing.

A ``Transfer`` is one movement of value between the examined wallet and one counterparty, as the
explorer reports it. Nothing here judges whether it is evidence: the check does (zero-value
transfers, unknown token contracts and dust can be forged or pushed by anyone).

Adapter error messages never contain the wallet address (it is candidate data); they name the
explorer's host and what went wrong.
"""
from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Protocol, TypeVar, runtime_checkable
from urllib.parse import urlsplit

from checks.errors import BadResponse
from checks.sources.ttl_cache import TtlCache

T = TypeVar("T")
IN, OUT = "in", "out"
#: Bitcoin-family only: another input spent in the same transaction as the wallet (common-input
#: ownership: one signer, or a CoinJoin), and another output of a payment to the wallet
CO_INPUT, CO_OUTPUT = "co-input", "co-output"
CACHE_VERSION = 2  # of ``history_to_json``
MAX_DECIMALS = 36  # explorers echo whatever a token contract claims; beyond this it is garbage


@dataclass(frozen=True)
class Transfer:
    chain: str                  # "bitcoin", "ethereum", "bsc", "tron", ...
    txid: str
    time: datetime | None       # aware UTC; None while unconfirmed (mempool)
    direction: str              # IN (to the wallet), OUT (from it), CO_INPUT or CO_OUTPUT
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


class LazyRecord:
    """A ``TxRecord`` whose transfers are parsed on first use: rows read past what the cap keeps
    cost only their id and time. Internal to an adapter's read: ``merge_history`` flattens it."""

    __slots__ = ("_parse", "_transfers", "time", "txid")

    def __init__(self, txid: str, time: datetime | None, parse: Callable[[], tuple[Transfer, ...]]):
        self.txid, self.time = txid, time
        self._parse: Callable[[], tuple[Transfer, ...]] | None = parse
        self._transfers: tuple[Transfer, ...] = ()

    @property
    def transfers(self) -> tuple[Transfer, ...]:
        if self._parse is not None:
            self._transfers, self._parse = self._parse(), None
        return self._transfers


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
    #: (txid, time) of every examined transaction, newest first (pending ones first, time None):
    #: lets a caller cut several chains' histories to one budget
    txs: tuple[tuple[str, datetime | None], ...] = ()

    @property
    def empty(self) -> bool:
        return self.tx_count == 0


@runtime_checkable
class ChainAdapter(Protocol):
    chain: str      # name in the registry, e.g. "ethereum"
    family: str     # "bitcoin" | "evm" | "tron": which addresses it can examine
    source: str     # host, for citations and error messages

    def history(self, address: str, *, deadline: float | None = None) -> History: ...


AnyRecord = TxRecord | LazyRecord


def merge_history(chain: str, listings: Iterable[tuple[Iterable[AnyRecord], bool]], cap: int, *,
                  requests: int, source: str, total_tx: int | None = None, error: str = "") -> History:
    """Merge one or more listings, each ``(records newest first, read to its end?)``, into the
    ``cap`` most recent distinct transactions (a txid may appear in several listings). Where a
    listing was not read to its end, records older than the oldest one read from it are dropped:
    unread ones might be newer than those."""
    by_id: dict[str, AnyRecord] = {}
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
                   requests=requests, source=source, cap=cap, error=error,
                   txs=tuple((r.txid, r.time) for r in kept))


_POOL_WORKERS = 32
_pool: tuple[int, ThreadPoolExecutor] | None = None
_pool_lock = threading.Lock()


def side_by_side(*calls: Callable[[], T]) -> list[T]:
    """Run ``calls`` concurrently and return their results in order: the last one in the calling
    thread, the others on one long-lived pool shared by every adapter, so a history read starts no
    thread. When several fail, the first one's exception is raised (after all have finished)."""
    global _pool
    with _pool_lock:
        if _pool is None or _pool[0] != os.getpid():  # pool threads do not survive a fork
            _pool = (os.getpid(), ThreadPoolExecutor(_POOL_WORKERS, thread_name_prefix="chain-read"))
        pool = _pool[1]
    futures = [pool.submit(call) for call in calls[:-1]]
    last: list[T] = []
    error: BaseException | None = None
    try:
        last.append(calls[-1]())
    except Exception as exc:  # raised after the others, unless one of them failed too
        error = exc
    results = [future.result() for future in futures]
    if error is not None:
        raise error
    return results + last


# One listing read: (records newest first, read to its end?, requests made, the error that stopped it)
Listing = tuple[list, bool, int, "Exception | None"]


def read_listings(chain: str, cap: int, source: str, *calls: Callable[[], Listing]) -> History:
    """Read an adapter's listings (native and token transfers) side by side and merge them. A
    listing's error ends the read only when no listing returned anything; otherwise the history is
    reported as cut, with the error."""
    results = side_by_side(*calls)
    failures = [exc for _, _, _, exc in results if exc is not None]
    if failures and not sum(len(records) for records, _, _, _ in results):
        raise failures[0]
    return merge_history(chain, [(records, complete) for records, complete, _, _ in results], cap,
                         requests=sum(n for _, _, n, _ in results), source=source,
                         error="; ".join(dict.fromkeys(str(exc) for exc in failures)))


def host_allowlist(base_url: str) -> tuple[frozenset[str], str | None]:
    """(``allowed_hosts``, ``allowed_scheme``) for ``HttpClient.get`` so that a redirect can never
    take a request (and its API key) off the configured explorer: its ``host[:port]`` only, and no
    downgrade from https to http."""
    parts = urlsplit(base_url)
    host = (parts.hostname or "").lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    return frozenset({f"{host}:{port}" if port is not None else host}), (
        "https" if parts.scheme == "https" else None)


# -- parsing helpers -------------------------------------------------------------------------------
def as_int(value: object, what: str, source: str) -> int:
    """A non-negative integer sent as a JSON number or a string of ASCII digits (hot path: explorers
    send every number of every row as a string)."""
    if type(value) is str:
        text = value.strip()
        if text.isascii() and text.isdigit():
            return int(text)
    elif type(value) is int:  # not bool
        return value
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
    return {"v": CACHE_VERSION, "chain": history.chain, "transfers": rows, "tx_count": history.tx_count,
            "truncated": history.truncated, "first_seen": iso(history.first_seen),
            "last_seen": iso(history.last_seen), "pending": history.pending, "total_tx": history.total_tx,
            "source": history.source, "cap": history.cap, "txs": [[txid, iso(t)] for txid, t in history.txs]}


def history_from_json(data: dict) -> History:
    """The inverse of ``history_to_json``; raises ValueError/KeyError/TypeError on anything else."""
    def when(text: str | None) -> datetime | None:
        return datetime.fromisoformat(text) if text else None
    if data.get("v") != CACHE_VERSION:  # an older entry is a miss (it lacks ``txs``)
        raise ValueError("unknown cache format")
    transfers = tuple(Transfer(c, txid, when(t), d, cp, asset, Decimal(amount), contract)
                      for c, txid, t, d, cp, asset, amount, contract in data["transfers"])
    return History(chain=data["chain"], transfers=transfers, tx_count=int(data["tx_count"]),
                   truncated=bool(data["truncated"]), first_seen=when(data["first_seen"]),
                   last_seen=when(data["last_seen"]), pending=int(data["pending"]), total_tx=data["total_tx"],
                   source=data["source"], cap=int(data["cap"]),
                   txs=tuple((txid, when(t)) for txid, t in data["txs"]))


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
