"""Mistakes a hand-written SMTP client makes, seen from the server's side.

Students who write their own client (the classic socket-programming assignment) get
told what a strict server would hold against them, with the RFC section.  Pure code:
it observes the server dialogue's events (``protocol/server.py``: the lines it read,
the replies it sent, with the state each came in); findings come back as ``Note``s
with keys ``lint-<rule>`` (texts in ``messages.toml``).  The lint never stores a line
of the client's text, so nothing secret (an AUTH answer) can leak through a finding.
"""

from __future__ import annotations

from collections.abc import Container

from smtp_tutor.protocol.chunking import BDAT_LAST
from smtp_tutor.protocol.commands import AUTH_RESPONSE, END_OF_DATA, GREETING, KNOWN_VERBS
from smtp_tutor.protocol.data import looks_like_header
from smtp_tutor.protocol.events import Note
from smtp_tutor.protocol.server import Overlong, Seen, Send
from smtp_tutor.protocol.states import State
from smtp_tutor.protocol.transcript import AUTH_ANSWER, COMMAND, DATA

MAX_COMMAND_LINE = 512  # octets with the CRLF, RFC 5321 §4.5.3.1.4
MAX_TEXT_LINE = 1000  # octets with the CRLF, RFC 5321 §4.5.3.1.6
# RFC 2920 §3.1 (and RFC 3207 §4.2, RFC 4954 §4): these end a pipelined group
LAST_IN_GROUP = frozenset({"EHLO", "HELO", "DATA", "VRFY", "EXPN", "TURN", "QUIT", "NOOP",
                           "STARTTLS", "AUTH"})
TRANSACTION = frozenset({"MAIL", "RCPT", "DATA"})
REQUIRED_HEADERS = ("Date", "From")
PER_MESSAGE = frozenset({"missing-header", "no-blank-line", "blank-before-dot"})

RULES: dict[str, str] = {
    "bare-lf": "RFC 5321 §2.3.8",
    "early-talker": "RFC 5321 §3.1",
    "no-helo": "RFC 5321 §4.1.4",
    "pipelining-not-offered": "RFC 2920 §3",
    "pipelined-after": "RFC 2920 §3.1",
    "long-command-line": "RFC 5321 §4.5.3.1.4",
    "long-text-line": "RFC 5321 §4.5.3.1.6",
    "missing-header": "RFC 5322 §3.6",
    "no-blank-line": "RFC 5322 §2.1",
    "blank-before-dot": "RFC 5321 §4.1.1.4",
    "partial-reply": "RFC 5321 §4.2.1",
}


def finding(rule: str, **params: str) -> Note:
    """A lint note; ``rule`` is one of ``RULES``."""
    return Note(f"lint-{rule}", params, level="warning", rfc=RULES[rule])


def rule_of(note: Note) -> str:
    return note.key.removeprefix("lint-")


class ClientLint:
    """One connection's client, judged from the server dialogue's events.

    The lint keeps no copy of the dialogue: where the dialogue stood when a line came
    (``Seen.state``), which command a reply answers (``Send.answering``) and what EHLO
    offered are the dialogue's to say.  It tracks only the form of the message being
    sent.  Each mistake is reported once per connection (a client sending bare LFs does
    it on every line), the three about the message's form once per message.
    """

    def __init__(self) -> None:
        self.reported: set[str] = set()
        self._in_message = False
        self._headers_open = True
        self._headers_seen: set[str] = set()
        self._body_lines = 0
        self._last_blank = False
        self._overlong = False

    def observe(self, event: object, *, offered: Container[str] = (),
                client_spoke_first: bool = False) -> list[Note]:
        """One event of the server dialogue.  For a reply (``Send``): ``offered``, what
        the last EHLO advertised; ``client_spoke_first``, unread client bytes were
        already waiting when it left."""
        if isinstance(event, Seen):
            if event.kind == COMMAND:
                return self._command(event)
            if event.kind == DATA:
                return self._data_line(event.line)
            if event.kind == AUTH_ANSWER:  # only its line ending is judged, never its text
                return self._line_ending(event.line)
            return []
        if isinstance(event, Overlong):
            return self._overlong_line(event.octets, in_data=event.in_data)
        if isinstance(event, Send):
            return self._answered(event, offered, client_spoke_first)
        return []

    def partial_reply(self) -> list[Note]:
        """The client sent while the server was half-way through a reply (the server
        paused in it on purpose): it acted on part of a reply."""
        return self._once("partial-reply")

    # -- what the client sent -----------------------------------------------

    def _command(self, event: Seen) -> list[Note]:
        line = event.line
        notes = self._line_ending(line)
        if len(line) > MAX_COMMAND_LINE:
            notes += self._once("long-command-line", octets=str(len(line)))
        words = line.split(None, 1)
        verb = words[0].upper().decode("ascii", "replace") if words else ""
        if verb in TRANSACTION and event.state is State.HELLO:
            notes += self._once("no-helo", verb=verb)
        return notes

    def _data_line(self, line: bytes) -> list[Note]:
        """A line of the message after 354, as on the wire (dot-stuffing not undone)."""
        if not self._in_message:
            self._start_message()
        notes = self._line_ending(line)
        if len(line) > MAX_TEXT_LINE and not self._overlong:
            notes += self._once("long-text-line", octets=str(len(line)))
        self._overlong = False
        text = line.rstrip(b"\r\n")
        if text == b".":
            return notes + self._end_message()
        self._body_lines += 1
        self._last_blank = text == b""
        if self._headers_open:
            notes.extend(self._header_line(text))
        return notes

    def _overlong_line(self, octets: int, *, in_data: bool) -> list[Note]:
        """A line the server cut because it passed its limit; reported once per line."""
        if in_data:
            if not self._in_message:
                self._start_message()
            if self._overlong:
                return []
            self._overlong = True
            self._body_lines += 1
            self._last_blank = False
            return self._once("long-text-line", octets=f">{octets}")
        return self._once("long-command-line", octets=f">{octets}")

    # -- what the server answered -------------------------------------------

    def _answered(self, send: Send, offered: Container[str],
                  client_spoke_first: bool) -> list[Note]:
        if not client_spoke_first:
            return []
        if send.answering == GREETING:
            return self._once("early-talker")
        verb = _verb_of(send.answering)
        if verb in LAST_IN_GROUP:
            return self._once("pipelined-after", verb=verb)
        if "PIPELINING" not in offered:
            # an unknown line is not named (it may be a secret): "" picks the wording
            # that calls it "its last line" (knowledge.lookup.explain_note)
            return self._once("pipelining-not-offered", verb=verb)
        return []

    # -- helpers --------------------------------------------------------------

    def _once(self, rule: str, **params: str) -> list[Note]:
        if rule in self.reported:
            return []
        self.reported.add(rule)
        return [finding(rule, **params)]

    def _line_ending(self, line: bytes) -> list[Note]:
        if line.endswith(b"\n") and not line.endswith(b"\r\n"):
            return self._once("bare-lf")
        return []

    def _start_message(self) -> None:
        self._in_message = True
        self.reported -= PER_MESSAGE
        self._headers_open = True
        self._headers_seen = set()
        self._body_lines = 0
        self._last_blank = False
        self._overlong = False

    def _header_line(self, text: bytes) -> list[Note]:
        decoded = text.decode("utf-8", "replace")
        if decoded == "":
            self._headers_open = False
        elif looks_like_header(decoded):
            self._headers_seen.add(decoded.partition(":")[0].strip().lower())
        elif decoded[:1] in (" ", "\t") and self._headers_seen:
            pass  # a folded header line
        else:
            self._headers_open = False
            if self._headers_seen:
                return self._once("no-blank-line")
        return []

    def _end_message(self) -> list[Note]:
        notes: list[Note] = []
        missing = [name for name in REQUIRED_HEADERS if name.lower() not in self._headers_seen]
        if missing:
            notes += self._once("missing-header", headers=", ".join(f"{m}:" for m in missing))
        if self._body_lines and self._last_blank:
            notes += self._once("blank-before-dot")
        self._in_message = False
        return notes


def _verb_of(answering: str) -> str:
    """The command a reply answers, as a finding may name it ("" for a line that is no
    known command: never copy what the client sent, it may be a password in base64)."""
    if answering == AUTH_RESPONSE:
        return "AUTH"
    if answering == END_OF_DATA:
        return "."
    if answering == BDAT_LAST:
        return "BDAT"
    return answering if answering in KNOWN_VERBS else ""
