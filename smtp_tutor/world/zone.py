"""The practice DNS: one zone for the practice domains, served by dnspython on loopback.

Four domains, each showing one rule of RFC 5321 §5.1:

- ``hamburger.edu``: two MX records of different preference (the lower number first);
- ``crepes.fr``: one MX, Alice's provider;
- ``bistro.fr``: no MX at all, so mail goes to the domain's own address (A fallback);
- ``nomail.fr``: a null MX (``MX 0 .``, RFC 7505): this domain takes no mail.

Every address is loopback.  On one laptop all servers share 127.0.0.1, so "port 25 of
mx.hamburger.edu" is played by a port of its own (``World.ports``): the one thing the
practice world has to pretend.  ``dig @127.0.0.1 -p PORT MX hamburger.edu`` asks it.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
from dataclasses import dataclass, field

import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdatatype
import dns.zone

ZONE_TEXT = """\
$TTL 300
crepes.fr.                IN MX   10 smtp.crepes.fr.
crepes.fr.                IN TXT  "v=spf1 a:smtp.crepes.fr -all"
smtp.crepes.fr.           IN A    127.0.0.1
smtp.crepes.fr.           IN AAAA ::1
hamburger.edu.            IN MX   10 mx.hamburger.edu.
hamburger.edu.            IN MX   20 backup-mx.hamburger.edu.
hamburger.edu.            IN TXT  "v=spf1 mx -all"
mx.hamburger.edu.         IN A    127.0.0.1
mx.hamburger.edu.         IN AAAA ::1
backup-mx.hamburger.edu.  IN A    127.0.0.1
pop.hamburger.edu.        IN A    127.0.0.1
bistro.fr.                IN A    127.0.0.1
bistro.fr.                IN TXT  "no MX here: mail goes to this A record (RFC 5321 section 5.1)"
nomail.fr.                IN MX   0 .
nomail.fr.                IN A    127.0.0.1
nomail.fr.                IN TXT  "v=spf1 -all"
"""

PRACTICE_DOMAINS = ("crepes.fr", "hamburger.edu", "bistro.fr", "nomail.fr")


def load_zone(text: str = ZONE_TEXT) -> dns.zone.Zone:
    return dns.zone.from_text(text, origin=dns.name.root, relativize=False, check_origin=False)


def answer(zone: dns.zone.Zone, query: dns.message.Message) -> dns.message.Message:
    """The authoritative answer to ``query`` from ``zone`` (NXDOMAIN, NODATA or records)."""
    response = dns.message.make_response(query)
    response.flags |= dns.flags.AA
    if not query.question:
        response.set_rcode(dns.rcode.FORMERR)
        return response
    question = query.question[0]
    node = zone.get_node(question.name)
    if node is None:
        response.set_rcode(dns.rcode.NXDOMAIN)
        return response
    rdataset = node.get_rdataset(question.rdclass, question.rdtype)
    if rdataset is not None:
        rrset = response.find_rrset(response.answer, question.name, question.rdclass,
                                    question.rdtype, create=True)
        rrset.update(rdataset)
    return response


class _DnsProtocol(asyncio.DatagramProtocol):
    def __init__(self, zone: dns.zone.Zone) -> None:
        self.zone = zone
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport) -> None:  # noqa: ANN001
        self.transport = transport

    def datagram_received(self, data: bytes, addr) -> None:  # noqa: ANN001
        try:
            query = dns.message.from_wire(data)
        except Exception:  # noqa: BLE001 - anything that is not a query is ignored
            return
        if self.transport is not None:
            with contextlib.suppress(Exception):
                self.transport.sendto(answer(self.zone, query).to_wire(), addr)


@dataclass
class ZoneServer:
    host: str
    port: int
    transport: asyncio.DatagramTransport

    def close(self) -> None:
        self.transport.close()


async def serve_zone(zone: dns.zone.Zone, host: str = "127.0.0.1", port: int = 0) -> ZoneServer:
    """The zone on UDP ``host``:``port`` (0: a free port)."""
    loop = asyncio.get_running_loop()
    transport, _ = await loop.create_datagram_endpoint(lambda: _DnsProtocol(zone),
                                                       local_addr=(host, port))
    return ZoneServer(host, transport.get_extra_info("sockname")[1], transport)


# -- the relay's questions ----------------------------------------------------------


@dataclass(frozen=True)
class Lookup:
    """One question and its answer, as the console shows it."""

    name: str
    rdtype: str
    rcode: str  # NOERROR, NXDOMAIN, ...
    records: tuple[str, ...] = ()


@dataclass(frozen=True)
class Exchanger:
    preference: int
    host: str  # "" for the null MX


@dataclass
class Route:
    """Where mail for a domain goes: MX hosts in order, or the domain itself (A fallback)."""

    domain: str
    exchangers: list[Exchanger] = field(default_factory=list)
    lookups: list[Lookup] = field(default_factory=list)
    fallback: bool = False  # no MX: the domain's own A/AAAA (RFC 5321 §5.1)
    null_mx: bool = False  # MX 0 . (RFC 7505): no mail at all
    missing: bool = False  # NXDOMAIN: no such domain


class PracticeResolver:
    """Asks the practice DNS server on loopback; never the system resolver."""

    def __init__(self, host: str, port: int, timeout: float = 2.0) -> None:
        if not ipaddress.ip_address(host).is_loopback:
            raise ValueError("the practice resolver only asks a loopback server")
        self.host, self.port, self.timeout = host, port, timeout

    async def query(self, name: str, rdtype: str) -> Lookup:
        import dns.asyncquery

        question = dns.message.make_query(name.rstrip(".") + ".", rdtype)
        response = await dns.asyncquery.udp(question, self.host, port=self.port,
                                            timeout=self.timeout)
        records = tuple(rdata.to_text() for rrset in response.answer for rdata in rrset)
        return Lookup(name, rdtype, dns.rcode.to_text(response.rcode()), records)

    async def route(self, domain: str) -> Route:
        """MX first; with no MX, the A fallback; a null MX or NXDOMAIN says no mail."""
        route = Route(domain.lower())
        mx = await self.query(domain, "MX")
        route.lookups.append(mx)
        if mx.rcode == "NXDOMAIN":
            route.missing = True
            return route
        for record in mx.records:
            preference, _, host = record.partition(" ")
            route.exchangers.append(Exchanger(int(preference), host.rstrip(".").lower()))
        route.exchangers.sort(key=lambda e: e.preference)
        if len(route.exchangers) == 1 and route.exchangers[0].host == "":
            route.null_mx = True
            route.exchangers = []
        elif not route.exchangers:
            route.fallback = True
            route.exchangers = [Exchanger(0, route.domain)]
        return route

    async def address(self, host: str) -> tuple[str | None, list[Lookup]]:
        """The first loopback address of ``host`` (A, then AAAA); anything else refused."""
        lookups = []
        for rdtype in ("A", "AAAA"):
            found = await self.query(host, rdtype)
            lookups.append(found)
            for record in found.records:
                with contextlib.suppress(ValueError):
                    if ipaddress.ip_address(record).is_loopback:
                        return record, lookups
        return None, lookups
