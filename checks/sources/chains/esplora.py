"""Bitcoin-family histories from an Esplora-compatible API (Blockstream's, mempool.space's).

``GET {base}/address/{a}`` gives the totals (``chain_stats`` + ``mempool_stats``); ``{base}/address/{a}/txs``
the unconfirmed transactions and the newest 25 confirmed ones; ``{base}/address/{a}/txs/chain/{last_txid}``
the next 25 older ones. The totals and the first page are fetched together, then pages in order
(each needs the previous page's last txid) until ``max_tx`` transactions or the end.

Per transaction: when the wallet is among the inputs (``vin[].prevout.scriptpubkey_address``) it
spent: one OUT transfer per other output address, with that output's value, and one CO_INPUT per
other input address, with that input's value (spending together needs every input's key: common
ownership, unless it is a CoinJoin). Otherwise, when it is among the outputs, it received: one IN
transfer per input address, each carrying the total the wallet received in that transaction (inputs
are not attributable to outputs), and one CO_OUTPUT per other output address (the payer's change or
another payee: the payer chose it, not the wallet's owner).

Only the configured base URL's host is ever called: a redirect elsewhere is refused.
"""
from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlsplit

from checks.errors import BadResponse, SourceError
from checks.sources.chains.base import (
    CO_INPUT,
    CO_OUTPUT,
    IN,
    OUT,
    History,
    Transfer,
    TxRecord,
    as_int,
    epoch,
    host_allowlist,
    merge_history,
    scaled,
    side_by_side,
)
from checks.sources.http import HttpClient

PAGE_SIZE = 25  # confirmed transactions per page, fixed by Esplora


class EsploraAdapter:
    family = "bitcoin"

    def __init__(self, http: HttpClient, base_url: str, *, chain: str = "bitcoin", symbol: str = "BTC",
                 decimals: int = 8, max_tx: int = 500):
        self.http = http
        self.base_url = base_url.rstrip("/")
        self.chain = chain
        self.symbol = symbol
        self.decimals = decimals
        self.max_tx = max(1, int(max_tx))
        self.source = urlsplit(base_url).netloc or base_url
        self._hosts, self._scheme = host_allowlist(self.base_url)

    def __repr__(self) -> str:
        return f"EsploraAdapter(chain={self.chain!r}, source={self.source!r})"

    def _get(self, path: str, deadline: float | None) -> Any:
        return self.http.get_json(self.base_url + path, deadline=deadline, allowed_hosts=self._hosts,
                                  allowed_scheme=self._scheme)[1]

    def history(self, address: str, *, deadline: float | None = None) -> History:
        address = address.strip()
        root = "/address/" + quote(address, safe="")
        totals, first = side_by_side(lambda: self._get(root, deadline),
                                     lambda: self._get(root + "/txs", deadline))
        total = self._total(totals)
        requests = 2
        records, confirmed, last = self._page(first, address, allow_mempool=True)
        complete = confirmed < PAGE_SIZE
        error = ""
        while not complete and len(records) < self.max_tx:
            try:
                page = self._get(f"{root}/txs/chain/{quote(last, safe='')}", deadline)
            except SourceError as exc:
                error = str(exc)
                break
            requests += 1
            more, confirmed, last = self._page(page, address, allow_mempool=False)
            records += more
            complete = confirmed < PAGE_SIZE or not more
        if not complete and total is not None and total <= len(records):
            complete = True
        return merge_history(self.chain, [(records, complete)], self.max_tx, requests=requests,
                             source=self.source, total_tx=total, error=error)

    def _total(self, body: Any) -> int | None:
        if not isinstance(body, dict):
            raise BadResponse(f"{self.source} sent an unexpected address summary")
        total = 0
        for key in ("chain_stats", "mempool_stats"):
            stats = body.get(key)
            if not isinstance(stats, dict) or "tx_count" not in stats:
                return None
            total += as_int(stats["tx_count"], "transaction count", self.source)
        return total

    def _page(self, body: Any, address: str, *, allow_mempool: bool) -> tuple[list[TxRecord], int, str]:
        """(records, confirmed transactions in the page, txid of the last confirmed one)."""
        if not isinstance(body, list):
            raise BadResponse(f"{self.source} sent an unexpected transaction list")
        records, confirmed, last = [], 0, ""
        for tx in body:
            record = self._record(tx, address)
            if record.time is None and not allow_mempool:
                continue
            if record.time is not None:
                confirmed += 1
                last = record.txid
            records.append(record)
        return records, confirmed, last

    def _record(self, tx: Any, address: str) -> TxRecord:
        if not isinstance(tx, dict) or not isinstance(tx.get("txid"), str) or not tx["txid"]:
            raise BadResponse(f"{self.source} sent a transaction without txid")
        txid = tx["txid"]
        status = tx.get("status") if isinstance(tx.get("status"), dict) else {}
        when = epoch(status.get("block_time"), "block time", self.source) if status.get("confirmed") else None
        inputs = self._sums((vin.get("prevout") if isinstance(vin, dict) else None)
                            for vin in self._list(tx, "vin"))
        outputs = self._sums(self._list(tx, "vout"))
        transfers = []
        if address in inputs:
            for other, value in outputs.items():
                if other != address:
                    transfers.append(self._transfer(txid, when, OUT, other, value))
            for other, value in inputs.items():
                if other != address:
                    transfers.append(self._transfer(txid, when, CO_INPUT, other, value))
        elif address in outputs:
            received = outputs[address]
            for other in inputs:
                transfers.append(self._transfer(txid, when, IN, other, received))
            for other, value in outputs.items():
                if other != address and other not in inputs:  # the payer's own change is the IN already
                    transfers.append(self._transfer(txid, when, CO_OUTPUT, other, value))
        return TxRecord(txid, when, tuple(transfers))

    def _list(self, tx: dict, key: str) -> list:
        value = tx.get(key)
        if not isinstance(value, list):
            raise BadResponse(f"{self.source} sent a transaction without {key}")
        return value

    def _sums(self, scripts: Any) -> dict[str, int]:
        """Value per address over ``vout``-shaped objects (coinbase inputs and OP_RETURN skipped)."""
        sums: dict[str, int] = {}
        for script in scripts:
            if not isinstance(script, dict):
                continue
            who = script.get("scriptpubkey_address")
            if isinstance(who, str) and who:
                sums[who] = sums.get(who, 0) + as_int(script.get("value"), "output value", self.source)
        return sums

    def _transfer(self, txid: str, when: Any, direction: str, other: str, sats: int) -> Transfer:
        amount = scaled(sats, self.decimals, "amount", self.source)
        return Transfer(self.chain, txid, when, direction, other, self.symbol, amount)
