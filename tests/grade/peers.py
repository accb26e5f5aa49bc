"""Small SMTP servers for ``grade server``'s tests, each with one real server's habit.

``MiniSMTP`` is a correct, lock-step server (no PIPELINING advertised) unless told
otherwise:

- ``strict_pipelining``: as OpenSMTPD 6.8, input that arrives before a reply was sent
  (and PIPELINING was not advertised) gets ``500 5.5.1 Invalid command: Pipelining not
  supported`` and the connection is closed;
- ``lf_ends_lines``: a bare LF ends a line, so ``<LF>.<LF>`` ends the data and the
  next line runs as a command (Postfix 3.7's default, OpenSMTPD 6.8);
- ``refuse_noop_argument``: ``NOOP x`` gets 500 (OpenSMTPD 6.8);
- ``max_line``: longer lines are cut and each piece taken as a line (a fixed buffer);
- ``commit_delay``: seconds before the reply to the end of data (a queue commit);
  input that arrives meanwhile was sent before the reply.

``Dripping`` greets one byte at a time, for ever.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

DOMAIN = "mini.example"


@dataclass
class Behaviour:
    strict_pipelining: bool = False
    lf_ends_lines: bool = False
    refuse_noop_argument: bool = False
    advertise_pipelining: bool = False
    max_line: int = 4096
    commit_delay: float = 0.0


@dataclass
class Peer:
    """A running server: its address, and what it saw (for the test's assertions)."""

    behaviour: Behaviour
    host: str = "127.0.0.1"
    port: int = 0
    violations: list[bytes] = field(default_factory=list)
    messages: list[bytes] = field(default_factory=list)
    connections: int = 0
    quits: int = 0  # connections that ended with QUIT


class MiniSMTP(asyncio.Protocol):
    def __init__(self, peer: Peer) -> None:
        self.peer, self.rules = peer, peer.behaviour
        self.buffer = bytearray()
        self.transport: asyncio.Transport | None = None
        self.greeted = False
        self.sender: str | None = None
        self.recipients: list[str] = []
        self.data: list[bytes] | None = None
        self.busy = False
        self.closed = False

    # -- the connection ---------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.peer.connections += 1
        self.send(f"220 {DOMAIN} ESMTP mini")

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if not self.busy:
            self.process()

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True

    def send(self, *lines: str) -> None:
        if self.transport is not None and not self.closed:
            self.transport.write("".join(line + "\r\n" for line in lines).encode())

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.close()

    # -- lines --------------------------------------------------------------

    def next_line(self) -> bytes | None:
        end_mark = b"\n" if self.rules.lf_ends_lines else b"\r\n"
        end = self.buffer.find(end_mark)
        if end < 0 or end > self.rules.max_line:
            if len(self.buffer) <= self.rules.max_line:
                return None
            line = bytes(self.buffer[: self.rules.max_line])
            del self.buffer[: self.rules.max_line]
            return line
        line = bytes(self.buffer[:end])
        del self.buffer[: end + len(end_mark)]
        return line.removesuffix(b"\r") if self.rules.lf_ends_lines else line

    def process(self) -> None:
        while not self.closed and not self.busy:
            line = self.next_line()
            if line is None:
                return
            if self.data is not None:
                self.data_line(line)
            elif not self.too_early(line):
                self.command(line.decode("utf-8", "replace"))

    def too_early(self, line: bytes) -> bool:
        """OpenSMTPD's rule: more input waiting after a command, unadvertised, is refused."""
        if not self.rules.strict_pipelining or self.rules.advertise_pipelining or not self.buffer:
            return False
        self.peer.violations.append(line + b" | " + bytes(self.buffer))
        self.send("500 5.5.1 Invalid command: Pipelining not supported")
        self.close()
        return True

    # -- commands -----------------------------------------------------------

    def command(self, line: str) -> None:
        verb, _, argument = line.partition(" ")
        handler = getattr(self, "do_" + verb.upper(), None) if verb.isalpha() else None
        if handler is None:
            self.send("500 5.5.1 Command unrecognized")
        else:
            handler(argument.strip())

    def do_EHLO(self, argument: str) -> None:
        if not argument:
            return self.send("501 5.5.4 EHLO needs a domain")
        self.greeted, self.sender, self.recipients = True, None, []
        keywords = ["8BITMIME", *(["PIPELINING"] if self.rules.advertise_pipelining else [])]
        self.send(f"250-{DOMAIN}", *(f"250-{k}" for k in keywords), "250 HELP")

    def do_HELO(self, argument: str) -> None:
        if not argument:
            return self.send("501 5.5.4 HELO needs a domain")
        self.greeted, self.sender, self.recipients = True, None, []
        self.send(f"250 {DOMAIN}")

    def do_MAIL(self, argument: str) -> None:
        if not self.greeted or self.sender is not None:
            return self.send("503 5.5.1 Bad sequence of commands")
        if not argument.upper().startswith("FROM:<"):
            return self.send("501 5.5.4 Syntax: MAIL FROM:<address>")
        self.sender = argument[5:]
        self.send("250 2.1.0 Ok")

    def do_RCPT(self, argument: str) -> None:
        if self.sender is None:
            return self.send("503 5.5.1 Bad sequence of commands")
        if not argument.upper().startswith("TO:<"):
            return self.send("501 5.5.4 Syntax: RCPT TO:<address>")
        self.recipients.append(argument[3:])
        self.send("250 2.1.5 Ok")

    def do_DATA(self, argument: str) -> None:
        if not self.recipients:
            return self.send("503 5.5.1 Bad sequence of commands")
        self.data = []
        self.send("354 End data with <CR><LF>.<CR><LF>")

    def do_RSET(self, argument: str) -> None:
        self.sender, self.recipients = None, []
        self.send("250 2.0.0 Ok")

    def do_NOOP(self, argument: str) -> None:
        if argument and self.rules.refuse_noop_argument:
            return self.send("500 5.5.4 Invalid command arguments: "
                             "command does not accept arguments.")
        self.send("250 2.0.0 Ok")

    def do_VRFY(self, argument: str) -> None:
        self.send("252 2.0.0 Cannot VRFY")

    def do_QUIT(self, argument: str) -> None:
        self.peer.quits += 1
        self.send("221 2.0.0 Bye")
        self.close()

    # -- the data -----------------------------------------------------------

    def data_line(self, line: bytes) -> None:
        assert self.data is not None
        if line != b".":
            self.data.append(line[1:] if line.startswith(b".") else line)
            return
        self.peer.messages.append(b"\r\n".join(self.data))
        self.data, self.sender, self.recipients = None, None, []
        if not self.rules.commit_delay:
            self.end_of_data()
            return
        self.busy = True
        asyncio.get_running_loop().call_later(self.rules.commit_delay, self.end_of_data)

    def end_of_data(self) -> None:
        self.busy = False
        if self.closed or self.too_early(b"."):
            return
        self.send("250 2.0.0 Ok: queued")
        self.process()


class Dripping(asyncio.Protocol):
    """A greeting that never ends: one byte every ``interval`` seconds."""

    TEXT = b"220 slowly, one byte at a time, for ever and ever "

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self.sent = 0
        self.transport: asyncio.Transport | None = None
        self.timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.drip()

    def drip(self) -> None:
        assert self.transport is not None
        self.transport.write(self.TEXT[self.sent % len(self.TEXT):][:1])
        self.sent += 1
        self.timer = asyncio.get_running_loop().call_later(self.interval, self.drip)

    def connection_lost(self, exc: Exception | None) -> None:
        if self.timer is not None:
            self.timer.cancel()
