"""crepes.fr's outbound SMTP client: the textbook session, performed by our own server.

It drives the very core the shell uses (``ClientSession`` through ``SmtpConnection``):
the MX lookup in the practice DNS, a connection to each exchanger in order of
preference, EHLO, STARTTLS when offered, MAIL, one RCPT per recipient, DATA, QUIT.  Each
recipient ends delivered, deferred (4xx or no server reachable: the queue tries again)
or failed (5xx: a bounce).

TLS is opportunistic (RFC 7435), as Postfix's ``may`` level: the certificate is checked
against the MX *host name* (as DANE and MTA-STS do, RFC 7672, RFC 8461) with the CA the
world trusts; if it does not verify, the relay goes on over TLS unverified and says why;
if the handshake itself fails, it connects to the same MX again in clear.  The next MX
is tried only when a connection fails or the MX answers 4xx, and a deferral names the
first MX's failure, the one that matters.
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
from smtp_tutor.world.events import (
    AddressFound,
    BodySent,
    ConnectionFailed,
    RelayConnecting,
    RelaySaid,
    RelayTls,
    WorldWatcher,
    routed,
)
from smtp_tutor.world.zone import PracticeResolver

DELIVERED, DEFERRED, FAILED = "delivered", "deferred", "failed"
SHOWN_BODY_LINES = 12
VERIFY, UNVERIFIED, CLEAR = "verify", "unverified", "clear"  # TLS, tried in this order
VERIFY_FAILURES = ("tls-verify-failed", "tls-verify-failed-cafile")


@dataclass(frozen=True)
class _TlsFailed:
    """STARTTLS did not give a session of this kind: ``verify`` (the certificate) or
    the handshake itself."""

    verify: bool
    reason: str


@dataclass(frozen=True)
class Result:
    recipient: str
    outcome: str
    reply: str  # the reply that decided it, or what happened
    mta: str = ""  # the exchanger that said it


class RelayClient:
    def __init__(self, resolver: PracticeResolver, ports: dict[str, int], helo: str, *,
                 watcher: WorldWatcher | None = None, cafile: str | None = None,
                 insecure: bool = False, timeout: float = 30.0,
                 connection: Callable[..., SmtpConnection] = SmtpConnection) -> None:
        self.resolver = resolver
        self.ports = ports  # "port 25" of each practice host: its loopback port
        self.helo = helo
        self.watcher = watcher or WorldWatcher()
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
        self.watcher.publish(routed(route))
        if route.null_mx:
            return [Result(r, FAILED, f"556 5.1.10 {domain} does not accept mail (null MX)")
                    for r in recipients]
        if route.missing:
            return [Result(r, FAILED, f"550 5.1.2 {domain}: no such domain") for r in recipients]
        first: list[Result] | str | None = None  # the first exchanger's failure
        for exchanger in route.exchangers:
            address, lookups = await self.resolver.address(exchanger.host)
            port = self.ports.get(exchanger.host)
            records = "; ".join(f"{lookup.rdtype} {' '.join(lookup.records) or lookup.rcode}"
                                for lookup in lookups)
            self.watcher.publish(AddressFound(exchanger.host, address, records, port))
            if address is None or port is None:
                reason = f"451 4.4.1 {exchanger.host}: no practice server answers there"
                self.watcher.publish(ConnectionFailed(exchanger.host, reason))
                first = first or reason
                continue
            results = await self._exchange(exchanger.host, address, port, sender, recipients,
                                           message)
            if isinstance(results, str):  # the connection failed: the next MX
                first = first or results
                continue
            if all(result.outcome == DEFERRED for result in results):  # 4xx: the next MX
                first = first or results
                continue
            return results
        if isinstance(first, list):
            return first
        return [Result(r, DEFERRED, first or "451 4.4.1 No mail exchanger") for r in recipients]

    async def _exchange(self, host: str, address: str, port: int, sender: str,
                        recipients: list[str], message: bytes) -> list[Result] | str:
        """One exchanger: TLS verified, else unverified, else in clear; the results, or
        why no session took the message."""
        mode = VERIFY
        while True:
            outcome = await self._session(host, address, port, sender, recipients, message,
                                          mode)
            if not isinstance(outcome, _TlsFailed):
                return outcome
            if outcome.verify and mode == VERIFY:
                self.watcher.publish(RelayTls(host, "unverified", outcome.reason))
                mode = UNVERIFIED
            elif mode != CLEAR:
                self.watcher.publish(RelayTls(host, "clear", outcome.reason))
                mode = CLEAR
            else:
                return f"451 4.4.2 {host}: {outcome.reason}"

    async def _session(self, host: str, address: str, port: int, sender: str,
                       recipients: list[str], message: bytes,
                       mode: str = VERIFY) -> list[Result] | str | _TlsFailed:
        """One SMTP session: the results; or why this exchanger could not take the message
        at all (a string: try the next one); or a STARTTLS that failed (try again)."""
        self.watcher.publish(RelayConnecting(host, address, port))
        connection = self.connection(address, port, session=ClientSession(),
                                     timeout=self.timeout, cafile=self.cafile,
                                     insecure=self.insecure or mode == UNVERIFIED,
                                     servername=host)
        accepted: list[str] = []
        results: list[Result] = []
        data_sent = False
        try:
            greeting = await self._step(connection.open())
            if _code(greeting) // 100 != 2:
                await self._quit(connection)
                return f"451 4.4.1 {host}: {_text(greeting)}"
            reply = await self._send(connection, f"EHLO {self.helo}")
            if _code(reply) // 100 != 2:
                await self._send(connection, f"HELO {self.helo}")
            elif "STARTTLS" in connection.session.capabilities and mode != CLEAR:
                failed = await self._start_tls(connection, host, mode)
                if failed is not None:
                    return failed
            if _eight_bit(message) and "8BITMIME" not in connection.session.capabilities:
                # RFC 6152 §3: 8-bit data never goes to a server that did not offer it;
                # crepes.fr does not convert, so the message comes back to Alice
                await self._quit(connection)
                reason = (f"554 5.6.3 {host} does not offer 8BITMIME and the message "
                          "has 8-bit data (RFC 6152 §3): not sent")
                return [Result(r, FAILED, reason, host) for r in recipients]
            body = " BODY=8BITMIME" if _eight_bit(message) else ""
            reply = await self._send(connection, f"MAIL FROM:<{sender}>{body}")
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
            self._show(error.events)
            reason = f"451 4.4.2 {host}: {error.key}"
            self.watcher.publish(ConnectionFailed(host, reason))
            await connection.close()
            if not accepted and not data_sent and not results:
                return reason
            return results + [Result(r, DEFERRED, reason, host) for r in accepted]

    async def _start_tls(self, connection: SmtpConnection, host: str,
                         mode: str) -> _TlsFailed | None:
        """STARTTLS, then EHLO again; a failed handshake closes this session."""
        try:
            reply = await self._send(connection, "STARTTLS")
        except TransportError as error:
            self._show(error.events)
            await connection.close()
            detail = error.params.get("detail") or error.key
            return _TlsFailed(error.key in VERIFY_FAILURES, str(detail))
        if _code(reply) == 220 and connection.session.tls:
            if mode == VERIFY:
                self.watcher.publish(RelayTls(host, "verified"))
            await self._send(connection, f"EHLO {self.helo}")
        return None

    async def _step(self, pending) -> object:  # noqa: ANN001
        events = await pending
        self._show(events)
        return _last_reply(events)

    async def _send(self, connection: SmtpConnection, line: str) -> object:
        return await self._transmit(connection, connection.session.send(line))

    async def _transmit(self, connection: SmtpConnection, outgoing) -> object:  # noqa: ANN001
        """Each event is shown as it happens (the command before its reply)."""
        seen: list = []

        def show(events: list) -> None:
            seen.extend(events)
            self._show(events)

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
        self._show(shown)
        self.watcher.publish(BodySent(len(message), len(lines)))
        await connection.write(session.send_body_chunk(message))

    def _show(self, events: list) -> None:
        if events:
            self.watcher.publish(RelaySaid(tuple(events)))

    async def _quit(self, connection: SmtpConnection) -> None:
        if connection.closed or connection.session.state is State.CLOSED:
            await connection.close()
            return
        with contextlib.suppress(TransportError):
            await self._send(connection, "QUIT")
        await connection.close()


def _eight_bit(message: bytes) -> bool:
    """8-bit content, declared with BODY=8BITMIME (RFC 6152 §3)."""
    return any(byte > 127 for byte in message)


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
