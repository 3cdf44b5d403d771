"""A local authoritative-style DNS server (dnslib) on 127.0.0.1, UDP and TCP on the same port.

    zone = {"example.test": {"MX": [(10, "mx1.example.test"), (20, "mx2.example.test")]},
            "nullmx.test": {"MX": [(0, ".")]}, "web.test": {"A": ["192.0.2.1"]}}
    with DnsFake(zone, servfail={"broken.test"}, silent={"slow.test"}) as fake:
        client = DnsClient([fake.nameserver], timeout=1.0)     # fake.nameserver == "127.0.0.1:<port>"

Names absent from the zone answer NXDOMAIN (names above zone entries, and the root, answer an
empty NOERROR); a listed name without the asked type answers an empty NOERROR. ``silent``
entries (a name, or "name/TYPE" for one type only) never get an answer; ``servfail`` names get
SERVFAIL. UDP answers over 512 bytes (or the client's EDNS size) are truncated (TC) so the client
retries over TCP. ``fake.queries`` lists (name, type, "udp"|"tcp"); ``fake.add(name, type, *values)``
adds records and ``fake.silent`` / ``fake.servfail`` may be changed while running.
Record values: MX ``(preference, exchange)``, A/AAAA addresses, CNAME/NS target names, TXT strings.
"""
from __future__ import annotations

import socket
import struct
import threading
from collections.abc import Iterable, Mapping
from typing import Any

from dnslib import AAAA, CNAME, MX, NS, QTYPE, RCODE, RR, TXT, A, DNSRecord

_RDATA = {"A": A, "AAAA": AAAA, "CNAME": CNAME, "NS": NS, "TXT": TXT}


def _norm(name: str) -> str:
    return name.strip().rstrip(".").lower()


class DnsFake:
    def __init__(self, zone: Mapping[str, Mapping[str, Iterable[Any]]] | None = None, *,
                 servfail: Iterable[str] = (), silent: Iterable[str] = ()) -> None:
        self.zone: dict[str, dict[str, list[Any]]] = {}
        for name, rrsets in (zone or {}).items():
            for rtype, values in rrsets.items():
                self.add(name, rtype, *values)
        self.servfail = {_norm(n) for n in servfail}
        self.silent = {_norm(n) for n in silent}
        self.queries: list[tuple[str, str, str]] = []
        self._stop = threading.Event()
        self._udp, self._tcp = self._bind()
        self.port: int = self._udp.getsockname()[1]
        self.nameserver = f"127.0.0.1:{self.port}"
        self._threads = [threading.Thread(target=self._serve_udp, daemon=True),
                         threading.Thread(target=self._serve_tcp, daemon=True)]

    def add(self, name: str, rtype: str, *values: Any) -> None:
        self.zone.setdefault(_norm(name), {}).setdefault(rtype.upper(), []).extend(values)

    def __enter__(self) -> DnsFake:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(2)
        self._udp.close()
        self._tcp.close()

    @staticmethod
    def _bind() -> tuple[socket.socket, socket.socket]:
        for _ in range(20):
            udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            udp.bind(("127.0.0.1", 0))
            tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            try:
                tcp.bind(("127.0.0.1", udp.getsockname()[1]))
            except OSError:
                udp.close()
                tcp.close()
                continue
            tcp.listen(16)
            udp.settimeout(0.1)
            tcp.settimeout(0.1)
            return udp, tcp
        raise RuntimeError("no free port for both UDP and TCP")

    # -- answering ------------------------------------------------------------------------------
    def answer(self, wire: bytes, transport: str) -> bytes | None:
        try:
            request = DNSRecord.parse(wire)
        except Exception:  # garbage in: no answer, like a real server would drop it
            return None
        name, qtype = _norm(str(request.q.qname)), QTYPE.get(request.q.qtype, str(request.q.qtype))
        self.queries.append((name, qtype, transport))
        if name in self.silent or f"{name}/{qtype}" in self.silent:
            return None
        reply = request.reply()
        if name in self.servfail:
            reply.header.rcode = RCODE.SERVFAIL
        elif name in self.zone:
            for value in self.zone[name].get(qtype, ()):
                reply.add_answer(RR(name, getattr(QTYPE, qtype), rdata=self._rdata(qtype, value), ttl=300))
        elif name and not any(other.endswith("." + name) for other in self.zone):
            reply.header.rcode = RCODE.NXDOMAIN
        packed = bytes(reply.pack())
        opt = next((rr for rr in request.ar if rr.rtype == QTYPE.OPT), None)
        limit = 512 if opt is None else max(512, opt.rclass)  # an OPT record's class is its UDP size
        if transport == "udp" and len(packed) > limit:
            truncated = request.reply()
            truncated.header.tc = 1
            packed = bytes(truncated.pack())
        return packed

    @staticmethod
    def _rdata(qtype: str, value: Any) -> Any:
        if qtype == "MX":
            preference, exchange = value
            return MX(exchange, preference)
        return _RDATA[qtype](value)

    def _serve_udp(self) -> None:
        while not self._stop.is_set():
            try:
                wire, peer = self._udp.recvfrom(65535)
            except (TimeoutError, OSError):
                continue
            packed = self.answer(wire, "udp")
            if packed is not None:
                try:
                    self._udp.sendto(packed, peer)
                except OSError:
                    pass

    def _serve_tcp(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._tcp.accept()
            except (TimeoutError, OSError):
                continue
            threading.Thread(target=self._serve_conn, args=(conn,), daemon=True).start()

    def _serve_conn(self, conn: socket.socket) -> None:
        conn.settimeout(5)
        with conn:
            try:
                while not self._stop.is_set():
                    header = self._recv_exact(conn, 2)
                    if header is None:
                        return
                    wire = self._recv_exact(conn, struct.unpack("!H", header)[0])
                    if wire is None:
                        return
                    packed = self.answer(wire, "tcp")
                    if packed is None:
                        continue  # silent: keep the connection open, answer nothing
                    conn.sendall(struct.pack("!H", len(packed)) + packed)
            except OSError:
                return

    @staticmethod
    def _recv_exact(conn: socket.socket, size: int) -> bytes | None:
        data = b""
        while len(data) < size:
            chunk = conn.recv(size - len(data))
            if not chunk:
                return None
            data += chunk
        return data
