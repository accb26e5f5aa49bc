"""One POP3 client dialogue without I/O: lines in, wire bytes and replies out (RFC 1939).

POP3 has no reply codes: a reply starts with ``+OK`` or ``-ERR``.  Some ``+OK`` replies
go on for several lines (CAPA, LIST and UIDL without an argument, RETR, TOP), ended by a
line holding only ``.``; lines of the message that begin with a dot come with one more
dot (dot-stuffing, as in SMTP's DATA), removed here so ``data`` is the message byte for
byte.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

MULTILINE_ALWAYS = frozenset({"CAPA", "RETR", "TOP"})
MULTILINE_WITHOUT_ARGUMENT = frozenset({"LIST", "UIDL"})
VERBS = ("CAPA", "STLS", "USER", "PASS", "APOP", "STAT", "LIST", "UIDL", "RETR", "TOP", "DELE",
         "RSET", "NOOP", "QUIT", "AUTH")
MAX_LINE = 64 * 1024
MAX_LINES = 1_000_000

GREETING = "<greeting>"


@dataclass(frozen=True)
class Pop3Command:
    verb: str
    argument: str
    display: str  # PASS is masked
    multiline: bool


@dataclass
class Pop3Reply:
    ok: bool
    text: str  # after +OK / -ERR
    answering: Pop3Command | None
    lines: list[str] = field(default_factory=list)  # the multi-line block, unstuffed
    data: bytes = b""  # the same block as bytes, CRLF ends: a RETR'd message as stored

    @property
    def status(self) -> str:
        return "+OK" if self.ok else "-ERR"


@dataclass(frozen=True)
class Pop3Error:
    detail: str


def parse_command(line: str) -> Pop3Command:
    verb, _, argument = line.strip().partition(" ")
    verb = verb.upper()
    multiline = verb in MULTILINE_ALWAYS or (verb in MULTILINE_WITHOUT_ARGUMENT
                                             and not argument.strip())
    display = "PASS ********" if verb == "PASS" else line.strip()
    return Pop3Command(verb, argument.strip(), display, multiline)


class Pop3Session:
    def __init__(self) -> None:
        self.pending: deque[Pop3Command] = deque([Pop3Command(GREETING, "", "", False)])
        self.state = "authorization"
        self.tls = False
        self.start_tls = False  # True after +OK to STLS: the transport must upgrade now
        self._buffer = b""
        self._current: Pop3Reply | None = None
        self._block: list[bytes] = []

    @property
    def awaiting_reply(self) -> bool:
        return bool(self.pending)

    def send(self, line: str) -> tuple[bytes, Pop3Command]:
        """One command; raises ValueError for a CR or LF inside it."""
        text = line.rstrip("\r\n")
        if "\r" in text or "\n" in text:
            raise ValueError("a POP3 command is one line")
        command = parse_command(text)
        self.pending.append(command)
        return text.encode("utf-8") + b"\r\n", command

    def receive(self, chunk: bytes) -> list[Pop3Reply | Pop3Error]:
        self._buffer += chunk
        out: list[Pop3Reply | Pop3Error] = []
        while True:
            end = self._buffer.find(b"\n")
            if end < 0:
                if len(self._buffer) > MAX_LINE:
                    self._buffer = b""
                    out.append(Pop3Error("line too long"))
                return out
            raw, self._buffer = self._buffer[:end + 1], self._buffer[end + 1:]
            line = raw.rstrip(b"\r\n")
            if self._current is not None:  # inside a multi-line block
                if line == b".":
                    out.append(self._finish_block())
                    continue
                if line.startswith(b"."):
                    line = line[1:]
                self._block.append(line)
                if len(self._block) > MAX_LINES:
                    self._current = None
                    out.append(Pop3Error("too many lines"))
                continue
            out.append(self._status(line))
            if isinstance(out[-1], Pop3Reply) and out[-1] is self._current:
                out.pop()  # completed when its block ends

    def _status(self, line: bytes) -> Pop3Reply | Pop3Error:
        text = line.decode("utf-8", "replace")
        answering = self.pending.popleft() if self.pending else None
        if text.startswith("+OK"):
            ok, rest = True, text[3:]
        elif text.startswith("-ERR"):
            ok, rest = False, text[4:]
        else:
            return Pop3Error(f"not a POP3 reply: {text[:80]}")
        reply = Pop3Reply(ok, rest.strip(), answering)
        verb = answering.verb if answering else ""
        if ok and answering is not None and answering.multiline:
            self._current = reply
            self._block = []
        elif ok:
            self._learn(verb)
        return reply

    def _finish_block(self) -> Pop3Reply:
        reply = self._current
        assert reply is not None
        reply.data = b"".join(line + b"\r\n" for line in self._block)
        reply.lines = [line.decode("utf-8", "replace") for line in self._block]
        self._current, self._block = None, []
        return reply

    def _learn(self, verb: str) -> None:
        if verb == "STLS":
            self.start_tls = True
        elif verb == "PASS":
            self.state = "transaction"
        elif verb == "QUIT":
            self.state = "closed"

    def tls_established(self) -> None:
        self.tls, self.start_tls = True, False
