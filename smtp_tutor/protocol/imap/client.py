"""One IMAP client dialogue without I/O: commands in, wire bytes out; bytes in, responses out.

Every command carries a tag the client chooses (``a1``, ``a2`` …); the server may answer
with any number of untagged lines (``* 3 EXISTS``) before the tagged one that ends the
command (``a1 OK``, ``NO``, ``BAD``).  A ``+`` line asks the client to go on: to send the
octets of a literal it announced with ``{n}``, or the next line of a SASL exchange.
RFC 9051 (IMAP4rev2) and RFC 3501 (IMAP4rev1).
"""

from __future__ import annotations

import re

from smtp_tutor.protocol.imap.syntax import (
    Framer,
    SyntaxProblem,
    Value,
    literal_at_end,
    parse,
    response_code,
    split_first,
)
from smtp_tutor.protocol.numbers import ascii_int
from smtp_tutor.record import field, record

MASK = "********"
STATUSES = ("OK", "NO", "BAD", "PREAUTH", "BYE")
NOT_AUTHENTICATED, AUTHENTICATED, SELECTED, LOGOUT = (
    "not authenticated", "authenticated", "selected", "logout")
_TAG = re.compile(r"^[A-Za-z0-9.\-_]{1,20}$")


@record
class ImapCommand:
    tag: str
    name: str  # LOGIN, SELECT, UID FETCH …
    display: str  # LOGIN's password masked
    state: str  # the session's state when it was sent
    secret: bool = False
    lines: int = 1  # wire lines so far (one more per literal)


@record
class ImapResponse:
    """One response line (literals inside).  ``kind``: "tagged", "untagged" or "continuation"."""

    kind: str
    raw: bytes  # the line as received, literals inside, without its final CRLF
    tag: str = ""
    status: str = ""  # OK NO BAD PREAUTH BYE, for tagged and status untagged lines
    code: str = ""  # the response code's name, in brackets: UIDVALIDITY, TRYCREATE …
    code_argument: bytes = b""
    text: str = ""  # human text after the status and the code
    number: int | None = None  # * 3 EXISTS, * 2 FETCH (...)
    name: str = ""  # EXISTS, FETCH, SEARCH, LIST, CAPABILITY …
    data: list[Value] = field(default_factory=list)  # what follows the name, parsed
    answering: ImapCommand | None = None  # tagged: the command it ends

    @property
    def fetch(self) -> dict[str, Value]:
        """``* 1 FETCH (FLAGS (\\Seen) UID 7)`` → {"FLAGS": [b"\\Seen"], "UID": b"7"}."""
        if self.name != "FETCH" or not self.data or not isinstance(self.data[0], list):
            return {}
        items = self.data[0]
        return {(items[i] or b"").decode("ascii", "replace").upper(): items[i + 1]
                for i in range(0, len(items) - 1, 2) if isinstance(items[i], bytes)}


@record(frozen=True)
class ImapProblem:
    detail: str


def mask(line: str) -> tuple[str, bool]:
    """The line as it may be shown, stored or logged, and whether it held a secret:
    ``a1 LOGIN bob ********`` (also untagged, also with a literal)."""
    words = line.strip().split(None, 3)
    for start in (0, 1):  # "LOGIN bob pw" or "a1 LOGIN bob pw"
        if len(words) > start and words[start].upper() == "LOGIN":
            if len(words) > start + 2:
                return " ".join([*words[:start + 2], MASK]), True
            return line.strip(), False
        if len(words) > start + 1 and words[start].upper() == "AUTHENTICATE" \
                and len(words) > start + 2:
            return " ".join([*words[:start + 2], MASK]), True
    return line.strip(), False


def command_name(words: list[str]) -> str:
    if not words:
        return ""
    name = words[0].upper()
    if name == "UID" and len(words) > 1:
        return "UID " + words[1].upper()
    return name


class ImapClient:
    """The dialogue: ``send`` a command (tag added when missing), ``receive`` bytes."""

    def __init__(self, tag_prefix: str = "a") -> None:
        self.tag_prefix, self.counter = tag_prefix, 0
        self.state = NOT_AUTHENTICATED
        self.greeted = False
        self.tls = False
        self.start_tls = False  # after OK to STARTTLS: the transport must upgrade now
        self.capabilities: list[str] = []
        self.pending: dict[str, ImapCommand] = {}
        self.open: ImapCommand | None = None  # a command whose literal awaits "+"
        self.announced = 0  # octets of the literal it announced
        self.invited = False  # "+" came for the open literal: its octets may go now
        self.selected = ""
        self.framer = Framer(max_line=1024 * 1024)

    @property
    def awaiting_reply(self) -> bool:
        return not self.greeted or bool(self.pending)

    @property
    def awaiting_continuation(self) -> bool:
        """A synchronizing literal was announced: wait for "+" before its octets."""
        return self.open is not None

    # -- what a connection plan asks (net/plan.py ``Core``) ---------------------------

    @property
    def reply_due(self) -> bool:
        """Read on, unless "+" invited the literal the client announced."""
        return self.awaiting_reply and not (self.invited and self.open is not None)

    @property
    def closed(self) -> bool:
        return self.state == LOGOUT and not self.pending

    @property
    def reply_incomplete(self) -> bool:
        return self.framer.buffered > 0 or bool(self.framer.started)

    @property
    def partial_reply(self) -> str:
        return _text(self.framer.started[:200])

    @staticmethod
    def answered(events: list) -> bool:
        """A tagged line ends a command; "+" asks the client to go on."""
        return any(isinstance(event, ImapResponse) and event.kind != "untagged"
                   for event in events)

    @staticmethod
    def failed(events: list) -> bool:
        return any(isinstance(event, ImapProblem) for event in events)

    def next_tag(self) -> str:
        self.counter += 1
        return f"{self.tag_prefix}{self.counter}"

    def send(self, line: str) -> tuple[bytes, ImapCommand]:
        """A command line as typed: ``LOGIN bob pickles`` or ``a7 NOOP``.  A word that is
        a command name first gets a fresh tag.  A line ending with ``{n}`` leaves the
        command open: after the server's ``+``, ``continue_with`` sends the literal."""
        text = line.rstrip("\r\n")
        if "\r" in text or "\n" in text:
            raise ValueError("one line at a time")
        if self.open is not None:
            raise ValueError("the command waits for its literal: continue_with()")
        self.invited = False
        words = text.split()
        if len(words) < 2 or is_command_name(words[0]) or not _TAG.match(words[0]):
            tag, rest = self.next_tag(), text.strip()
        else:
            tag, rest = words[0], text.strip()[len(words[0]):].strip()
        display, secret = mask(rest)
        name = command_name(rest.split())
        sasl = name == "AUTHENTICATE" and len(rest.split()) == 2  # the answer comes after "+"
        command = ImapCommand(tag, name, f"{tag} {display}", self.state, secret or sasl)
        self.pending[tag] = command
        literal = literal_at_end(rest.encode("utf-8"))
        if literal is not None and literal.synchronizing:
            self.open, self.announced = command, literal.size
        elif sasl:
            self.open, self.announced = command, 0
        return f"{tag} {rest}\r\n".encode(), command

    def continue_with(self, data: bytes) -> bytes:
        """After "+": the literal's octets and the rest of the line (which may announce
        another literal).  ``data`` is sent as given, then CRLF."""
        command = self.open
        assert command is not None
        command.lines += 1
        self.invited = False
        literal = literal_at_end(data)
        self.open = command if literal is not None and literal.synchronizing else None
        self.announced = literal.size if self.open is not None and literal is not None else 0
        return data + b"\r\n"

    def cancel_open(self) -> None:
        """The server refused the literal (a tagged NO/BAD instead of "+")."""
        self.open = None

    def discard_plaintext(self) -> int:
        """After OK to STARTTLS: bytes that came with it were sent in clear and are
        dropped unread (RFC 9051 §11.1; a man in the middle could have put them there)."""
        return self.framer.clear()

    def tls_established(self) -> None:
        self.tls, self.start_tls = True, False
        self.capabilities = []  # RFC 9051 §6.2.1: ask again after TLS

    def receive(self, data: bytes) -> list[ImapResponse | ImapProblem]:
        out: list[ImapResponse | ImapProblem] = []
        self.framer.feed(data)
        while not self.start_tls:
            try:
                line = self.framer.next_line()
            except SyntaxProblem as problem:
                out.append(ImapProblem(str(problem)))
                return out
            if line is None:
                return out
            out.append(self._response(line))
        return out

    def _response(self, line: bytes) -> ImapResponse | ImapProblem:
        if line == b"+" or line.startswith(b"+ "):
            if self.open is None and not self.pending:
                return ImapProblem("a continuation request when nothing waits for one")
            self.invited = self.open is not None
            return ImapResponse("continuation", line, text=_text(line[2:]))
        words, rest = split_first(line, 2)
        if len(words) < 2:
            return ImapProblem(f"not an IMAP response: {_text(line[:80])}")
        if words[0] == b"*":
            return self._untagged(line, words[1], rest)
        tag = words[0].decode("ascii", "replace")
        status = words[1].decode("ascii", "replace").upper()
        command = self.pending.pop(tag, None)
        if command is None or status not in ("OK", "NO", "BAD"):
            return ImapProblem(f"a tagged line for no command sent: {_text(line[:80])}")
        if self.open is command:
            self.open = None
        code, argument, text = response_code(rest)
        response = ImapResponse("tagged", line, tag=tag, status=status, code=code,
                                code_argument=argument, text=_text(text), answering=command)
        if status == "OK":
            self._learn(command)
        self._codes(code, argument)
        return response

    def _untagged(self, line: bytes, first: bytes, rest: bytes) -> ImapResponse | ImapProblem:
        word = first.decode("ascii", "replace").upper()
        if word in STATUSES:
            code, argument, text = response_code(rest)
            if not self.greeted:
                self.greeted = True
                if word == "PREAUTH":
                    self.state = AUTHENTICATED
            if word == "BYE":
                self.state = LOGOUT
            self._codes(code, argument)
            return ImapResponse("untagged", line, status=word, code=code,
                                code_argument=argument, text=_text(text), name=word)
        number = ascii_int(word)
        if number is not None:
            name_word, _, rest = rest.partition(b" ")
            name = name_word.decode("ascii", "replace").upper()
        else:
            name = word
        try:
            data = parse(rest)
        except SyntaxProblem as problem:
            return ImapProblem(f"{name}: {problem}")
        if name == "CAPABILITY":
            self.capabilities = [_text(v).upper() for v in data if isinstance(v, bytes)]
        return ImapResponse("untagged", line, number=number, name=name, data=data)

    def _codes(self, code: str, argument: bytes) -> None:
        if code == "CAPABILITY":
            self.capabilities = argument.decode("ascii", "replace").upper().split()

    def _learn(self, command: ImapCommand) -> None:
        name = command.name
        if name == "STARTTLS":
            self.start_tls = True
        elif name in ("LOGIN", "AUTHENTICATE"):
            self.state = AUTHENTICATED
        elif name in ("SELECT", "EXAMINE"):
            self.state = SELECTED
        elif name in ("CLOSE", "UNSELECT"):
            self.state = AUTHENTICATED
        elif name == "LOGOUT":
            self.state = LOGOUT


COMMAND_NAMES = frozenset({
    "CAPABILITY", "NOOP", "LOGOUT", "STARTTLS", "AUTHENTICATE", "LOGIN", "ENABLE", "SELECT",
    "EXAMINE", "CREATE", "DELETE", "RENAME", "SUBSCRIBE", "UNSUBSCRIBE", "LIST", "LSUB",
    "NAMESPACE", "STATUS", "APPEND", "IDLE", "CHECK", "CLOSE", "UNSELECT", "EXPUNGE", "SEARCH",
    "FETCH", "STORE", "COPY", "MOVE", "UID", "ID"})


def is_command_name(word: str) -> bool:
    return word.upper() in COMMAND_NAMES


def _text(data: bytes) -> str:
    return data.decode("utf-8", "replace")
