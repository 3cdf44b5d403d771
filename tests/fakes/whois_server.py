"""A local WHOIS server (TCP, RFC 3912) that plays both IANA and the TLD servers.

    with WhoisFake() as fake:
        fake.add_tld("zz")                                   # IANA answers "refer: 127.0.0.1"
        fake.add_domain("old.zz", gtld_answer("old.zz", created="1999-01-02T03:04:05Z"))
        fake.add_behaviour("slow.zz", "hang")               # or "drip", "close", "huge"
        client = WhoisClient(fake.address, timeout=1.0, referral_port=fake.port)

A query without a dot is a TLD question (IANA's role); anything else is a domain question.
Unknown domains get a "No match" answer; ``fake.queries`` lists what was asked, in order.
"""
from __future__ import annotations

import socketserver
import threading
import time
from typing import Any

NO_MATCH = 'No match for "{name}".\r\n>>> Last update of whois database: 2026-01-01T00:00:00Z <<<\r\n'


def iana_answer(tld: str, refer: str) -> str:
    return (f"% IANA WHOIS server\n% for more information on IANA, visit http://www.iana.org\n"
            f"% This query returned 1 object\n\nrefer:        {refer}\n\ndomain:       {tld.upper()}\n\n"
            f"organisation: Example Registry Services\naddress:      1 Example Way\n\n"
            f"whois:        {refer}\n\nstatus:       ACTIVE\nremarks:      Registration information: "
            f"http://www.example/\n\ncreated:      1985-01-01\nchanged:      2023-12-07\n"
            f"source:       IANA\n")


def gtld_answer(name: str, created: str, expires: str = "2030-01-02T03:04:05Z",
                updated: str = "2024-05-06T07:08:09Z", registrar: str = "Example Registrar, Inc.") -> str:
    """Thick gTLD registry layout (ICANN RAA style)."""
    return (f"   Domain Name: {name.upper()}\r\n   Registry Domain ID: 123456_DOMAIN_ZZ-VRSN\r\n"
            f"   Registrar WHOIS Server: whois.example-registrar.test\r\n"
            f"   Registrar URL: http://www.example-registrar.test\r\n   Updated Date: {updated}\r\n"
            f"   Creation Date: {created}\r\n   Registry Expiry Date: {expires}\r\n"
            f"   Registrar: {registrar}\r\n   Registrar IANA ID: 9999\r\n"
            f"   Domain Status: clientTransferProhibited https://icann.org/epp#clientTransferProhibited\r\n"
            f"   Name Server: NS1.EXAMPLE.TEST\r\n   DNSSEC: unsigned\r\n"
            f">>> Last update of whois database: 2026-01-01T00:00:00Z <<<\r\n\r\n"
            f"NOTICE: The expiration date displayed in this record is the date the registrar's\r\n"
            f"sponsorship of the domain name registration in the registry is currently set to expire.\r\n")


def nominet_answer(name: str, registered: str, expiry: str = "12-Jul-2030",
                   updated: str = "13-Jun-2024") -> str:
    """Layout with section headers and values on the following, more indented line."""
    return (f"\n    Domain name:\n        {name}\n\n"
            f"    Registrar:\n        Example Hosting Ltd [Tag = EXAMPLE]\n"
            f"        URL: https://www.example-hosting.test\n\n    Relevant dates:\n"
            f"        Registered on: {registered}\n        Expiry date:  {expiry}\n"
            f"        Last updated:  {updated}\n\n    Registration status:\n"
            f"        Registered until expiry date.\n\n    WHOIS lookup made at 12:00:00 01-Jan-2026\n")


def bracket_answer(name: str, created: str) -> str:
    """``[Key]  value`` layout (as JPRS answers in English)."""
    return (f"[ JPRS database provides information on network administration. ]\n\n"
            f"Domain Information:\n[Domain Name]                   {name.upper()}\n"
            f"[Registrant]                    Example K.K.\n"
            f"[Name Server]                   ns1.example.test\n"
            f"[Created on]                    {created}\n[Expires on]                    2030/01/31\n"
            f"[Status]                        Active\n"
            f"[Last Updated]                  2025/02/01 01:05:06 (JST)\n")


class WhoisFake:
    def __init__(self, refer_host: str = "127.0.0.1") -> None:
        self.refer_host = refer_host
        self.tlds: dict[str, str] = {}
        self.domains: dict[str, str] = {}
        self.behaviours: dict[str, str] = {}
        self.queries: list[str] = []
        fake = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                fake._handle(self.request)

        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._server.block_on_close = False
        self.port: int = self._server.server_address[1]
        self.address: tuple[str, int] = ("127.0.0.1", self.port)
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    def __enter__(self) -> WhoisFake:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def add_tld(self, tld: str, refer: str | None = None) -> None:
        """IANA's answer for ``tld`` refers to ``refer`` (default: this server's host)."""
        self.tlds[tld.lower()] = refer or self.refer_host

    def add_domain(self, name: str, text: str) -> None:
        self.domains[name.lower()] = text
        self.tlds.setdefault(name.lower().rsplit(".", 1)[-1], self.refer_host)

    def add_behaviour(self, name: str, behaviour: str) -> None:
        """``hang`` (never answer), ``drip`` (a byte every 0.2 s, forever), ``close`` (hang up
        without a word) or ``huge`` (megabytes of text, then a creation date)."""
        assert behaviour in ("hang", "drip", "close", "huge")
        self.behaviours[name.lower()] = behaviour
        self.tlds.setdefault(name.lower().rsplit(".", 1)[-1], self.refer_host)

    def _handle(self, sock: Any) -> None:
        sock.settimeout(5)
        data = b""
        try:
            while b"\n" not in data and len(data) < 4096:
                chunk = sock.recv(1024)
                if not chunk:
                    break
                data += chunk
            query = data.decode("utf-8", errors="replace").strip().lower()
            self.queries.append(query)
            behaviour = self.behaviours.get(query)
            if behaviour == "close":
                return
            if behaviour == "hang":
                time.sleep(10)
                return
            if behaviour == "drip":
                for _ in range(100):
                    sock.sendall(b"x")
                    time.sleep(0.2)
                return
            if behaviour == "huge":
                line = b"% " + b"filler " * 10 + b"\r\n"
                for _ in range(1024 * 1024 // len(line) + 1):
                    sock.sendall(line)
                sock.sendall(b"Creation Date: 2001-01-01T00:00:00Z\r\n")
                return
            if "." not in query:
                text = (iana_answer(query, self.tlds[query]) if query in self.tlds
                        else "% IANA WHOIS server\n% This query returned 0 objects.\n")
            else:
                text = self.domains.get(query, NO_MATCH.format(name=query.upper()))
            sock.sendall(text.encode("utf-8"))
        except OSError:
            pass  # the client hung up (timeout and cap tests)
