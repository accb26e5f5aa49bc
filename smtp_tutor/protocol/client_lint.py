"""Mistakes a hand-written SMTP client makes, seen from the server's side.

Students who write their own client (the classic socket-programming assignment) get
told what a strict server would hold against them, with the RFC section.  Pure code:
the server feeds what it read and what it answered; findings come back as ``Note``s
with keys ``lint-<rule>`` (texts in ``messages.toml``).  The lint never stores a line
of the client's text, so nothing secret (an AUTH answer) can leak through a finding.
"""

from __future__ import annotations

from smtp_tutor.protocol.commands import KNOWN_VERBS
from smtp_tutor.protocol.data import looks_like_header
from smtp_tutor.protocol.events import Note

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
    """One connection's client, judged line by line.

    Each mistake is reported once per connection (a client sending bare LFs does it on
    every line), the three about the message's form once per message.
    """

    def __init__(self) -> None:
        self.reported: set[str] = set()
        self.greeted = False
        self.helo_seen = False
        self.pipelining_offered = False
        self.last_verb = ""
        self._capabilities_pending = False
        self._headers_open = True
        self._headers_seen: set[str] = set()
        self._body_lines = 0
        self._last_blank = False
        self._overlong = False

    # -- what the client sent -----------------------------------------------

    def command(self, line: bytes) -> list[Note]:
        """A command line as read, ending included."""
        notes = self._line_ending(line)
        if len(line) > MAX_COMMAND_LINE:
            notes += self._once("long-command-line", octets=str(len(line)))
        words = line.split(None, 1)
        verb = words[0].upper().decode("ascii", "replace") if words else ""
        if verb not in KNOWN_VERBS:
            verb = "?"  # never copy what the client sent (it may be a password in base64)
        if verb in ("HELO", "EHLO"):
            self.helo_seen = True
            self.pipelining_offered = False
            self._capabilities_pending = verb == "EHLO"
        elif verb in TRANSACTION and not self.helo_seen:
            notes += self._once("no-helo", verb=verb)
        if verb == "DATA":
            self._start_message()
        self.last_verb = verb
        return notes

    def auth_answer(self, line: bytes) -> list[Note]:
        """An answer to a 334 challenge: only its line ending is judged, never its text."""
        self.last_verb = "AUTH"
        return self._line_ending(line)

    def data_line(self, line: bytes) -> list[Note]:
        """A line of the message after 354, as on the wire (dot-stuffing not undone)."""
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

    def overlong(self, octets: int, *, in_data: bool) -> list[Note]:
        """A line the server cut because it passed its buffer; reported once per line."""
        if in_data:
            if self._overlong:
                return []
            self._overlong = True
            self._body_lines += 1
            self._last_blank = False
            return self._once("long-text-line", octets=f">{octets}")
        return self._once("long-command-line", octets=f">{octets}")

    # -- what the server answered -------------------------------------------

    def reply_line(self, line: str, *, client_spoke_first: bool) -> list[Note]:
        """A reply line as pushed; ``client_spoke_first``: unread client bytes were waiting."""
        final = line[3:4] != "-"
        if self._capabilities_pending and line[4:].split(" ", 1)[0].upper() == "PIPELINING":
            self.pipelining_offered = True
        if not final:
            return []
        self._capabilities_pending = False
        code = line[:3]
        notes: list[Note] = []
        if not self.greeted:
            self.greeted = True
            if client_spoke_first:
                notes += self._once("early-talker")
        elif client_spoke_first:
            if self.last_verb in LAST_IN_GROUP:
                notes += self._once("pipelined-after", verb=self.last_verb)
            elif not self.pipelining_offered:
                # an unknown line is not named (it may be a secret): "" picks the wording
                # that calls it "its last line" (knowledge.lookup.explain_note)
                verb = "" if self.last_verb == "?" else self.last_verb
                notes += self._once("pipelining-not-offered", verb=verb)
        if self.last_verb == "STARTTLS" and code == "220":
            self.helo_seen = False  # RFC 3207 §4.2: the client starts again with EHLO
            self.pipelining_offered = False
        return notes

    def partial_reply(self) -> list[Note]:
        """The client sent while the server was half-way through a reply (the server
        paused in it on purpose): it acted on part of a reply."""
        return self._once("partial-reply")

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
        self.last_verb = "."
        self._start_message()
        return notes
