"""One POP3 client dialogue without I/O: lines in, wire bytes and replies out (RFC 1939).

POP3 has no reply codes: a reply starts with ``+OK`` or ``-ERR``.  Some ``+OK`` replies
go on for several lines (CAPA, LIST and UIDL without an argument, RETR, TOP), ended by a
line holding only ``.``; lines of the message that begin with a dot come with one more
dot (dot-stuffing, as in SMTP's DATA), removed here so ``data`` is the message byte for
byte.
"""

from __future__ import annotations

import re
from collections import deque

from smtp_tutor.protocol.data import unstuff
from smtp_tutor.record import field, record

MULTILINE_ALWAYS = frozenset({"CAPA", "RETR", "TOP"})
MULTILINE_WITHOUT_ARGUMENT = frozenset({"LIST", "UIDL"})
VERBS = ("CAPA", "STLS", "USER", "PASS", "APOP", "STAT", "LIST", "UIDL", "RETR", "TOP", "DELE",
         "RSET", "NOOP", "QUIT", "AUTH")
MAX_LINE = 64 * 1024
MAX_LINES = 1_000_000
MAX_BLOCK = 64 * 1024 * 1024  # octets of one multi-line answer (a message over SIZE)
MASK = "********"

GREETING = "<greeting>"


@record(frozen=True)
class Pop3Command:
    verb: str
    argument: str
    display: str  # PASS and AUTH's credentials are masked
    multiline: bool
    state: str = "authorization"  # the session's state when it was sent
    secret: bool = False  # the line holds a password or credentials

@record
class Pop3Reply:
    ok: bool
    text: str  # after +OK / -ERR
    answering: Pop3Command | None
    lines: list[str] = field(default_factory=list)  # the multi-line block, unstuffed
    data: bytes = b""  # the same block as bytes, CRLF ends: a RETR'd message as stored
    challenge: bool = False  # "+ " to AUTH: the server waits for a SASL answer

    @property
    def status(self) -> str:
        return "+" if self.challenge else "+OK" if self.ok else "-ERR"


@record(frozen=True)
class Pop3Error:
    detail: str


def parse_command(line: str, state: str = "authorization") -> Pop3Command:
    """Words may be split by spaces or tabs (``PASS<TAB>secret`` is a PASS too)."""
    words = line.strip().split(None, 1)
    verb = words[0].upper() if words else ""
    argument = words[1].strip() if len(words) > 1 else ""
    multiline = verb in MULTILINE_ALWAYS or (verb in MULTILINE_WITHOUT_ARGUMENT
                                             and not argument)
    display, secret = mask(line)
    return Pop3Command(verb, argument, display, multiline, state, secret)


_AUTH_WITH_RESPONSE = re.compile(r"(?i)^\s*AUTH\s+(\S+)\s+\S")


def mask(line: str) -> tuple[str, bool]:
    """The line as it may be shown, stored or logged, and whether it held a secret:
    ``PASS ********``, ``AUTH PLAIN ********`` (RFC 5034's initial response)."""
    words = line.strip().split(None, 1)
    verb = words[0].upper() if words else ""
    if verb == "PASS":
        return ("PASS " + MASK if len(words) > 1 else "PASS"), len(words) > 1
    if verb == "APOP" and len(words) > 1:
        return "APOP " + words[1].split()[0] + " " + MASK, True
    found = _AUTH_WITH_RESPONSE.match(line)
    if found:
        return f"AUTH {found.group(1).upper()} {MASK}", True
    return line.strip(), False


class Pop3Session:
    def __init__(self) -> None:
        self.pending: deque[Pop3Command] = deque([Pop3Command(GREETING, "", "", False)])
        self.state = "authorization"
        self.tls = False
        self.start_tls = False  # True after +OK to STLS: the transport must upgrade now
        self._buffer = b""
        self._current: Pop3Reply | None = None
        self._block: list[bytes] = []
        self._block_size = 0
        self.challenged = False  # after "+ " to AUTH: the next line is a SASL answer

    @property
    def awaiting_reply(self) -> bool:
        """A command still unanswered, or a multi-line answer not ended yet."""
        return bool(self.pending) or self._current is not None

    # -- what a connection plan asks (net/plan.py ``Core``) ---------------------------

    @property
    def reply_due(self) -> bool:
        """Read on, unless the server's "+ " to AUTH waits for the client's answer."""
        return self.awaiting_reply and not self.challenged

    @property
    def closed(self) -> bool:
        return self.state == "closed"

    @property
    def reply_incomplete(self) -> bool:
        return bool(self._buffer) or self._current is not None

    @property
    def partial_reply(self) -> str:
        return self._buffer[:200].decode("utf-8", "replace")

    @staticmethod
    def answered(events: list) -> bool:
        return any(isinstance(event, Pop3Reply) for event in events)

    @staticmethod
    def failed(events: list) -> bool:
        return any(isinstance(event, Pop3Error) for event in events)

    def discard_plaintext(self) -> int:
        """After +OK to STLS: whatever came with it was sent in clear, before TLS, and
        is dropped unread (RFC 2595 §4; a man in the middle could have put it there).
        Returns how many octets were dropped."""
        dropped = len(self._buffer)
        self._buffer = b""
        return dropped

    def send(self, line: str) -> tuple[bytes, Pop3Command]:
        """One command; raises ValueError for a CR or LF inside it."""
        text = line.rstrip("\r\n")
        if "\r" in text or "\n" in text:
            raise ValueError("a POP3 command is one line")
        if self.challenged:  # a SASL answer: credentials, or "*" to cancel
            self.challenged = False
            shown = "*" if text.strip() == "*" else MASK
            return text.encode("utf-8") + b"\r\n", Pop3Command("", "", shown, False,
                                                               self.state, shown != "*")
        command = parse_command(text, self.state)
        self.pending.append(command)
        return text.encode("utf-8") + b"\r\n", command

    def receive(self, chunk: bytes) -> list[Pop3Reply | Pop3Error]:
        self._buffer += chunk
        out: list[Pop3Reply | Pop3Error] = []
        while not self.start_tls:  # after +OK to STLS, nothing more is read in clear
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
                line = unstuff(line)
                self._block.append(line)
                self._block_size += len(line) + 2
                if len(self._block) > MAX_LINES or self._block_size > MAX_BLOCK:
                    self._current, self._block, self._block_size = None, [], 0
                    out.append(Pop3Error("too many lines"))
                continue
            out.append(self._status(line))
            if isinstance(out[-1], Pop3Reply) and out[-1] is self._current:
                out.pop()  # completed when its block ends
        return out

    def _status(self, line: bytes) -> Pop3Reply | Pop3Error:
        text = line.decode("utf-8", "replace")
        answering = self.pending.popleft() if self.pending else None
        if (text == "+" or text.startswith("+ ")) and answering is not None \
                and answering.verb == "AUTH":
            # RFC 5034 §4: a SASL challenge; the client's next line answers it
            self.pending.appendleft(answering)
            self.challenged = True
            return Pop3Reply(True, text[2:], answering, challenge=True)
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
        self._current, self._block, self._block_size = None, [], 0
        return reply

    def _learn(self, verb: str) -> None:
        if verb == "STLS":
            self.start_tls = True
        elif verb in ("PASS", "APOP", "AUTH"):  # logged in, whichever way
            self.state = "transaction"
        elif verb == "QUIT":
            self.state = "closed"

    def tls_established(self) -> None:
        self.tls, self.start_tls = True, False
