"""On-chain transaction histories: one adapter per API family, behind a small registry.

    chains = build_chain_sources(settings, http)       # in bot/wiring.py: sources["chains"] = chains
    chains.for_family("evm")                           # -> ["ethereum", "bsc", ...] as configured
    chains.history("ethereum", "0x…", deadline=...)    # -> History (cached per address for a TTL)

Adapters: ``EsploraAdapter`` (Bitcoin, ``BTC_EXPLORER_URL``), ``EtherscanAdapter`` (one per EVM chain
in ``EVM_EXPLORER_URL``; ``EVM_EXPLORER_API_KEY``), ``TronGridAdapter`` (``TRON_API_URL``;
``TRON_API_KEY``). Each reads at most ``WALLET_HISTORY_MAX_TX`` most recent transactions (the check
then cuts the wallet's chains together to that many) and only ever calls its configured base URL's
host: a redirect elsewhere is refused. Complete histories are cached per (chain, address) for
``ttl_s`` (default 10 minutes) -- in memory (``HistoryCache``), or in any JSON key/value cache with
``get(str)``/``set(str, json)`` such as the store's ``DbCache`` -- failures and partial histories never are.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from decimal import Decimal, InvalidOperation
from typing import Any

from checks.errors import NotConfigured
from checks.sources.chains.base import (
    CO_INPUT,
    CO_OUTPUT,
    IN,
    OUT,
    ChainAdapter,
    History,
    HistoryCache,
    Transfer,
    decimal_text,
    history_from_json,
    history_to_json,
)
from checks.sources.chains.esplora import EsploraAdapter
from checks.sources.chains.etherscan import EtherscanAdapter, canonical_chain
from checks.sources.chains.trongrid import TronGridAdapter, tron_address
from checks.sources.sanctions import address_key

__all__ = ["CO_INPUT", "CO_OUTPUT", "IN", "OUT", "ChainAdapter", "ChainSources", "EsploraAdapter",
           "EtherscanAdapter", "History", "HistoryCache", "Transfer", "TronGridAdapter",
           "build_chain_sources", "decimal_text", "parse_minimums", "tron_address"]

DEFAULT_CACHE_TTL_S = 600.0


class ChainSources:
    """Chain name -> adapter, a history cache in front of them, and per-asset minimum overrides
    (``{"USDT": Decimal("1")}``) for the check, over the defaults kept as data."""

    def __init__(self, adapters: Iterable[ChainAdapter], *, cache: HistoryCache | None = None,
                 minimums: Mapping[str, Decimal] | None = None):
        self._adapters: dict[str, ChainAdapter] = {}
        for adapter in adapters:
            if adapter.chain in self._adapters:
                raise ValueError(f"two explorers configured for chain {adapter.chain!r}")
            self._adapters[adapter.chain] = adapter
        self.cache = cache if cache is not None else HistoryCache(DEFAULT_CACHE_TTL_S)
        self.minimums: dict[str, Decimal] = {k.upper(): v for k, v in (minimums or {}).items()}

    def __repr__(self) -> str:
        return f"ChainSources({', '.join(f'{c}={a.source}' for c, a in self._adapters.items())})"

    @property
    def chains(self) -> tuple[str, ...]:
        return tuple(self._adapters)

    def __contains__(self, chain: object) -> bool:
        return chain in self._adapters

    def __getitem__(self, chain: str) -> ChainAdapter:
        try:
            return self._adapters[chain]
        except KeyError:
            raise NotConfigured(f"no explorer configured for chain {chain!r}") from None

    def for_family(self, family: str) -> list[str]:
        """Configured chains that can examine addresses of ``family`` ("bitcoin", "evm", "tron")."""
        return [name for name, adapter in self._adapters.items() if adapter.family == family]

    def endpoints(self) -> dict[str, str]:
        """Chain -> explorer host (for ``doctor`` and reports; no secrets)."""
        return {name: adapter.source for name, adapter in self._adapters.items()}

    def history(self, chain: str, address: str, *, deadline: float | None = None) -> History:
        adapter = self[chain]
        key = (chain, address_key(address), getattr(adapter, "max_tx", 0))
        cached = self._cached(key)
        if cached is not None:
            return replace(cached, cached=True, requests=0)
        history = adapter.history(address, deadline=deadline)
        if not history.error:
            if hasattr(self.cache, "set"):
                self.cache.set("|".join(map(str, key)), history_to_json(history))
            else:
                self.cache.put(key, history)
        return history

    def _cached(self, key: tuple) -> History | None:
        if not hasattr(self.cache, "set"):
            return self.cache.get(key)
        data = self.cache.get("|".join(map(str, key)))  # a JSON store: string keys (it hashes them)
        try:
            return history_from_json(data) if data else None
        except (KeyError, TypeError, ValueError, ArithmeticError):
            return None  # an unreadable entry is a miss


def parse_minimums(value: str | Mapping[str, Any] | None) -> dict[str, Decimal]:
    """``"USDT=1,ETH=0.001"`` (or a mapping) -> ``{"USDT": Decimal("1"), ...}``."""
    if not value:
        return {}
    items = value.items() if isinstance(value, Mapping) else (
        part.partition("=")[::2] for part in str(value).split(",") if part.strip())
    out: dict[str, Decimal] = {}
    for asset, amount in items:
        try:
            number = Decimal(str(amount).strip())
        except InvalidOperation:
            raise ValueError(f"minimum for {asset!r} is not a number: {amount!r}") from None
        if not asset.strip() or not number.is_finite() or number < 0:
            raise ValueError(f"bad minimum {asset!r}={amount!r}")
        out[asset.strip().upper()] = number
    return out


def build_chain_sources(settings: Any, http: Any, *, cache: HistoryCache | None = None) -> ChainSources:
    """The registry for a deployment, from ``bot.config.Settings``: Bitcoin when
    ``btc_explorer_url`` is set, one EVM adapter per ``evm_explorers`` entry, TRON when
    ``tron_api_url`` is set. Optional settings read when present: ``wallet_history_cache_ttl_s``
    (seconds, 0 disables the cache) and ``wallet_exposure_minimums`` ("USDT=1,ETH=0.001")."""
    cap = int(getattr(settings, "wallet_history_max_tx", 500) or 500)
    adapters: list[ChainAdapter] = []
    if getattr(settings, "btc_explorer_url", ""):
        adapters.append(EsploraAdapter(http, settings.btc_explorer_url, max_tx=cap))
    for chain, url in (getattr(settings, "evm_explorers", None) or {}).items():
        if url:
            adapters.append(EtherscanAdapter(http, url, chain=canonical_chain(chain),
                                             api_key=getattr(settings, "evm_explorer_api_key", ""),
                                             max_tx=cap))
    if getattr(settings, "tron_api_url", ""):
        adapters.append(TronGridAdapter(http, settings.tron_api_url,
                                        api_key=getattr(settings, "tron_api_key", ""), max_tx=cap))
    if cache is None:
        ttl = getattr(settings, "wallet_history_cache_ttl_s", DEFAULT_CACHE_TTL_S)
        cache = HistoryCache(float(DEFAULT_CACHE_TTL_S if ttl is None else ttl))
    return ChainSources(adapters, cache=cache,
                        minimums=parse_minimums(getattr(settings, "wallet_exposure_minimums", None)))
