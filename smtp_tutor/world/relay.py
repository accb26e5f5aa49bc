"""crepes.fr's outbound SMTP client: the textbook session, performed by our own server.

It drives the very core the shell uses (``ClientSession`` through ``SmtpConnection``):
the MX lookup in the practice DNS, a connection to each exchanger in order of
preference, EHLO, STARTTLS when offered (opportunistic, as between most MTAs), MAIL,
one RCPT per recipient, DATA, QUIT.  Each recipient ends delivered, deferred (4xx or no
server reachable: the queue tries again) or failed (5xx: a bounce).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass

from smtp_tutor.net.connection import SmtpConnection
from smtp_tutor.net.errors import TransportError
from smtp_tutor.protocol import ClientSession, data
from smtp_tutor.protocol.events import DataLineSent
from smtp_tutor.protocol.states import State
from smtp_tutor.world.zone import PracticeResolver, Route

DELIVERED, DEFERRED, FAILED = "delivered", "deferred", "failed"
SHOWN_BODY_LINES = 12


@dataclass(frozen=True)
class Result:
    recipient: str
    outcome: str
    reply: str  # the reply that decided it, or what happened
    mta: str = ""  # the exchanger that said it


class RelayWatcher:
    """What the world view is told; every method may be left as it is."""

    def route(self, route: Route) -> None:
        pass

    def address(self, host: str, address: str | None, lookups: list, port: int | None) -> None:
        pass

    def connecting(self, host: str, address: str, port: int) -> None:
        pass

    def events(self, events: list) -> None:
        pass

    def body(self, octets: int, lines: int) -> None:
        pass

    def failed_connection(self, host: str, reason: str) -> None:
        pass


class RelayClient:
    def __init__(self, resolver: PracticeResolver, ports: dict[str, int], helo: str, *,
                 watcher: RelayWatcher | None = None, cafile: str | None = None,
                 insecure: bool = False, timeout: float = 30.0,
                 connection: Callable[..., SmtpConnection] = SmtpConnection) -> None:
        self.resolver = resolver
        self.ports = ports  # "port 25" of each practice host: its loopback port
        self.helo = helo
        self.watcher = watcher or RelayWatcher()
        self.cafile, self.insecure, self.timeout = cafile, insecure, timeout
        self.connection = connection

    async def deliver(self, domain: str, sender: str, recipients: list[str],
                      message: bytes) -> list[Result]:
        """All ``recipients`` are in ``domain``."""
        try:
            route = await self.resolver.route(domain)
        except Exception as error:  # noqa: BLE001 - DNS unreachable: try again later
            return [Result(r, DEFERRED, f"451 4.4.3 DNS lookup failed: {error!r}")
                    for r in recipients]
        self.watcher.route(route)
        if route.null_mx:
            return [Result(r, FAILED, f"556 5.1.10 {domain} does not accept mail (null MX)")
                    for r in recipients]
        if route.missing:
            return [Result(r, FAILED, f"550 5.1.2 {domain}: no such domain") for r in recipients]
        last = "451 4.4.1 No answer from any mail exchanger"
        for exchanger in route.exchangers:
            address, lookups = await self.resolver.address(exchanger.host)
            port = self.ports.get(exchanger.host)
            self.watcher.address(exchanger.host, address, lookups, port)
            if address is None or port is None:
                last = f"451 4.4.1 {exchanger.host}: no practice server answers there"
                self.watcher.failed_connection(exchanger.host, last)
                continue
            results = await self._session(exchanger.host, address, port, sender, recipients,
                                          message)
            if results is not None:
                return results
            last = f"451 4.4.1 {exchanger.host}: connection failed"
        return [Result(r, DEFERRED, last) for r in recipients]

    async def _session(self, host: str, address: str, port: int, sender: str,
                       recipients: list[str], message: bytes) -> list[Result] | None:
        """One SMTP session; None when this exchanger could not take the message at all."""
        self.watcher.connecting(host, address, port)
        connection = self.connection(address, port, session=ClientSession(),
                                     timeout=self.timeout, cafile=self.cafile,
                                     insecure=self.insecure)
        accepted: list[str] = []
        results: list[Result] = []
        data_sent = False
        try:
            greeting = await self._step(connection.open())
            if _code(greeting) // 100 != 2:
                await self._quit(connection)
                return None
            reply = await self._send(connection, f"EHLO {self.helo}")
            if _code(reply) // 100 != 2:
                await self._send(connection, f"HELO {self.helo}")
            elif "STARTTLS" in connection.session.capabilities:
                reply = await self._send(connection, "STARTTLS")
                if _code(reply) == 220 and connection.session.tls:
                    await self._send(connection, f"EHLO {self.helo}")
            reply = await self._send(connection, f"MAIL FROM:<{sender}>")
            if _code(reply) // 100 != 2:
                await self._quit(connection)
                return [Result(r, _outcome(reply), _text(reply), host) for r in recipients]
            for recipient in recipients:
                reply = await self._send(connection, f"RCPT TO:<{recipient}>")
                if _code(reply) // 100 == 2:
                    accepted.append(recipient)
                else:
                    results.append(Result(recipient, _outcome(reply), _text(reply), host))
            if not accepted:
                await self._quit(connection)
                return results
            reply = await self._send(connection, "DATA")
            if _code(reply) != 354:
                await self._quit(connection)
                return results + [Result(r, _outcome(reply), _text(reply), host)
                                  for r in accepted]
            data_sent = True
            await self._body(connection, message)
            reply = await self._transmit(connection, connection.session.end_data())
            outcome = DELIVERED if _code(reply) // 100 == 2 else _outcome(reply)
            results += [Result(r, outcome, _text(reply), host) for r in accepted]
            await self._quit(connection)
            return results
        except TransportError as error:
            self.watcher.events(error.events)
            reason = f"451 4.4.2 {host}: {error.key}"
            self.watcher.failed_connection(host, reason)
            await connection.close()
            if not accepted and not data_sent and not results:
                return None
            return results + [Result(r, DEFERRED, reason, host) for r in accepted]

    async def _step(self, pending) -> object:  # noqa: ANN001
        events = await pending
        self.watcher.events(events)
        return _last_reply(events)

    async def _send(self, connection: SmtpConnection, line: str) -> object:
        return await self._transmit(connection, connection.session.send(line))

    async def _transmit(self, connection: SmtpConnection, outgoing) -> object:  # noqa: ANN001
        """Each event is shown as it happens (the command before its reply)."""
        seen: list = []

        def show(events: list) -> None:
            seen.extend(events)
            self.watcher.events(events)

        await connection.transmit(outgoing, show)
        return _last_reply(seen)

    async def _body(self, connection: SmtpConnection, message: bytes) -> None:
        """The whole message in one write (dot-stuffed by the core); its first lines shown."""
        if message and not message.endswith(b"\n"):
            message += b"\r\n"
        session = connection.session
        lines = message.split(b"\n")[:-1]
        shown = []
        for raw in lines[:SHOWN_BODY_LINES]:
            text = raw.rstrip(b"\r").decode("utf-8", "replace")
            wire, stuffed = data.encode_line(text)
            shown.append(DataLineSent(text, wire, stuffed, State.DATA))
        self.watcher.events(shown)
        self.watcher.body(len(message), len(lines))
        await connection.write(session.send_body_chunk(message))

    async def _quit(self, connection: SmtpConnection) -> None:
        if connection.closed or connection.session.state is State.CLOSED:
            await connection.close()
            return
        with contextlib.suppress(TransportError):
            await self._send(connection, "QUIT")
        await connection.close()


def _last_reply(events: list) -> object:
    replies = [e for e in events if hasattr(e, "reply")]
    return replies[-1] if replies else None


def _code(reply) -> int:  # noqa: ANN001
    return reply.reply.code if reply is not None else 0


def _text(reply) -> str:  # noqa: ANN001
    if reply is None:
        return "451 4.4.2 no reply"
    return f"{reply.reply.code} {' '.join(reply.reply.lines)}".strip()


def _outcome(reply) -> str:  # noqa: ANN001
    return FAILED if _code(reply) // 100 == 5 else DEFERRED
