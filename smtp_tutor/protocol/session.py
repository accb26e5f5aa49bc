"""One client's SMTP dialogue, without I/O: lines in, wire bytes and events out.

The session knows which command every reply answers (several may be in flight with
PIPELINING), keeps the EHLO capabilities, and predicts what a server will say to a
command out of place.  It never refuses to send one: seeing the 503 is the lesson.
"""

from __future__ import annotations

from collections import deque

from smtp_tutor.protocol import commands as cmd
from smtp_tutor.protocol import data
from smtp_tutor.protocol.auth import decode_challenge
from smtp_tutor.protocol.capabilities import Capabilities
from smtp_tutor.protocol.chunking import (
    BDAT_LAST,
    PREVIEW,
    ChunkInProgress,
    bdat_line,
    parse_bdat,
    typed_octets,
)
from smtp_tutor.protocol.commands import AUTH_RESPONSE, END_OF_DATA, GREETING, Command
from smtp_tutor.protocol.events import (
    ChunkDataSent,
    CommandSent,
    DataLineSent,
    Event,
    Note,
    ProtocolError,
    ReplyReceived,
)
from smtp_tutor.protocol.numbers import ascii_int
from smtp_tutor.protocol.replies import MAX_REPLY_LINE, MAX_REPLY_LINES, Reply, ReplyParser
from smtp_tutor.protocol.states import State, next_state, placement
from smtp_tutor.record import field, record, replace


@record
class Outgoing:
    """Bytes to write to the server and the events that describe them."""

    wire: bytes
    events: list[Event] = field(default_factory=list)


class ClientSession:
    """The dialogue as seen from the client side of one connection."""

    def __init__(self, *, max_reply_line: int = MAX_REPLY_LINE,
                 max_reply_lines: int = MAX_REPLY_LINES) -> None:
        self.state = State.GREETING
        self.capabilities = Capabilities()
        self.extended = False  # True after a successful EHLO
        self.tls = False
        self.authenticated = False
        self.addresses: list[str] = []
        self.last_reply: Reply | None = None
        self._parser = ReplyParser(max_reply_line, max_reply_lines)
        self._pending: deque[Command] = deque([Command(GREETING)])
        self._caps_before_reset: Capabilities | None = None
        self._body_lines = 0
        self._body_first_line = ""
        self._body_last_blank = False
        self._body_8bit = False  # the open transaction's MAIL said BODY=8BITMIME
        self._body_warned: set[str] = set()
        self._body_binary = False  # the open transaction's MAIL said BODY=BINARYMIME
        self._chunk: ChunkInProgress | None = None  # a BDAT whose octets are being typed
        # a BDAT the server never advertised (CHUNKING): it may answer at once and read the
        # "chunk" as command lines (aiosmtpd, OpenSMTPD, Exim); the octets sent are kept
        self._unsure: Command | None = None
        self._unsure_octets = bytearray()
        self._bdat_seen = False  # a chunk of the open transaction was answered (RFC 3030 §2)
        self._bdat_failed = False  # ... and refused: no more chunks may follow
        self.group = 0  # the PIPELINING group being sent (0: commands go alone)
        self._groups = 0
        self._grouped: dict[int, int] = {}  # id(command in flight) -> its group

    # -- what the client says ------------------------------------------------

    @property
    def awaiting_reply(self) -> bool:
        """A reply is owed.  An unadvertised BDAT whose chunk is still open may be
        answered early, but is not owed anything before its octets are all sent."""
        if self._chunk is not None and self._unsure is self._chunk.command:
            return len(self._pending) > 1
        return bool(self._pending)

    # -- what a connection plan asks (net/plan.py ``Core``; POP3 and IMAP say the same) --

    @property
    def reply_due(self) -> bool:
        return self.awaiting_reply

    @property
    def start_tls(self) -> bool:
        """220 to STARTTLS came: the transport upgrades before anything else is read."""
        return self.state is State.TLS

    @property
    def closed(self) -> bool:
        return self.state is State.CLOSED

    @staticmethod
    def answered(events: list) -> bool:
        return any(isinstance(event, ReplyReceived) for event in events)

    @staticmethod
    def failed(events: list) -> bool:
        return any(isinstance(event, ProtocolError) for event in events)

    def begin_group(self) -> int:
        """Commands sent from now on leave together (RFC 2920); returns the group's number."""
        self._groups += 1
        self.group = self._groups
        return self.group

    @property
    def next_group(self) -> int:
        return self._groups + 1

    def end_group(self) -> None:
        self.group = 0

    @property
    def body_8bit(self) -> bool:
        """The open transaction's MAIL declared an 8-bit body (8BITMIME or BINARYMIME)."""
        return self._body_8bit

    @property
    def chunk_unconfirmed(self) -> bool:
        """A BDAT the server never advertised, with none of its octets sent yet: a
        connection first listens a moment for a refusal (a server that does not know
        BDAT answers at once) before it sends octets that would be read as commands."""
        return self._chunk is not None and self._unsure is self._chunk.command \
            and self._chunk.sent == 0

    @property
    def between_chunks(self) -> bool:
        """A chunk of the open transaction was answered: BDAT (or RSET) comes next, never
        DATA (RFC 3030 §2)."""
        return self._bdat_seen and self.state is State.RCPT

    @property
    def chunk(self) -> ChunkInProgress | None:
        """The BDAT chunk still owed octets: until it is full, typed lines are its data."""
        return self._chunk

    def check(self, line: str) -> list[Note]:
        """Notes about ``line`` before it is sent: placement, syntax, extensions."""
        if self.state in (State.DATA, State.AUTH) or self._chunk is not None:
            return []
        command = cmd.parse_command(line)
        notes: list[Note] = []
        pipelined = self._pending and self.state is not State.GREETING
        if pipelined and "PIPELINING" not in self.capabilities:
            notes.append(Note("pipelining-not-offered", level="warning", rfc="RFC 2920 §3.1"))
        where = placement(command.verb, self._expected_state() if pipelined else self.state)
        if where is not None:
            key, expect, rfc = where
            notes.append(Note(key, {"verb": command.verb, "state": self.state.value},
                              level="warning", rfc=rfc, expect=expect))
        notes.extend(cmd.syntax_notes(command, self.capabilities))
        notes.extend(self._extension_notes(command))
        return notes

    def _expected_state(self) -> State:
        """Where the dialogue will be if every command in flight succeeds: a pipelined
        RCPT after MAIL is in place (RFC 2920), even though MAIL's 250 has not come yet."""
        state = self.state
        for pending in self._pending:
            success = 354 if pending.verb == "DATA" else 250
            state = next_state(state, pending.verb, 220 if pending.verb == GREETING else success)
        return state

    def send(self, line: str, *, secret: bool | None = None) -> Outgoing:
        """Send what the user typed, routed by state: a command, a body line, chunk
        octets or an AUTH answer."""
        if self._chunk is not None:
            return self.send_chunk_line(line)
        if self.state is State.DATA:
            if line.rstrip("\r\n") == ".":
                return self.end_data()
            return self.send_data_line(line)
        if self.state is State.AUTH:
            return self._send_auth_response(line, secret=True if secret is None else secret)
        return self.send_command(line, secret=bool(secret))

    def send_command(self, line: str, *, secret: bool = False) -> Outgoing:
        """Format and queue one command; raises ``CommandRefused`` for a bare CR/LF."""
        line = line.strip(" ")
        command = cmd.parse_command(line, secret=secret)
        smtputf8 = "SMTPUTF8" in self.capabilities
        wire, encoding_notes = cmd.encode_line(line, smtputf8=smtputf8)
        notes = self.check(line) + encoding_notes
        if command.verb == "MAIL":
            words = command.args.upper().split()
            self._body_binary = "BODY=BINARYMIME" in words
            self._body_8bit = "BODY=8BITMIME" in words or self._body_binary
        chunk = parse_bdat(command.args) if command.verb == "BDAT" else None
        if chunk is not None and chunk[1]:
            command = Command(BDAT_LAST, command.args, command.display)
        unadvertised = chunk is not None and "CHUNKING" not in self.capabilities
        if chunk is not None and chunk[0] > 0:
            # RFC 3030 §2: the reply comes after the octets, so none is awaited yet
            self._chunk = ChunkInProgress(command, chunk[0])
            notes.append(Note("chunk-opened", {"size": str(chunk[0])}, rfc="RFC 3030 §2"))
            if unadvertised:  # its reply may come at once: wait for it in order
                self._unsure = command
                self._unsure_octets.clear()
                self._pending.append(command)
        else:
            self._pending.append(command)
            if self.group:
                self._grouped[id(command)] = self.group
        event = CommandSent(command, _shown(command, wire), self.state, tuple(notes),
                            self.group)
        return Outgoing(wire, [event])

    # -- BDAT chunks ----------------------------------------------------------

    def send_chunk_line(self, line: str) -> Outgoing:
        """A typed line as chunk octets (text + CRLF), cut where the chunk is full."""
        chunk = self._chunk
        assert chunk is not None
        text = line.rstrip("\r\n")
        octets = typed_octets(text)
        wire, dropped = chunk.take(octets)
        if self._unsure is chunk.command:
            self._unsure_octets += wire
        notes = self._chunk_notes(wire, text)
        if dropped:
            notes.append(Note("chunk-overflow", {"dropped": str(dropped),
                                                 "size": str(chunk.size)},
                              level="warning", rfc="RFC 3030 §2"))
        return Outgoing(wire, [self._chunk_event(wire.decode("utf-8", "replace").rstrip("\r\n"),
                                                 wire, notes)])

    def send_chunk(self, payload: bytes, *, last: bool, label: str = "") -> Outgoing:
        """``BDAT n [LAST]`` and its ``n`` octets in one write (a file, a composed message)."""
        if self._chunk is not None:
            raise ValueError("a BDAT chunk is still open")
        line = bdat_line(len(payload), last=last)
        outgoing = self.send_command(line)
        outgoing.events = [_whole_chunk(event) for event in outgoing.events]
        if self._chunk is None:  # BDAT 0: nothing follows
            return outgoing
        self._chunk.take(payload)
        if self._unsure is self._chunk.command:
            self._unsure_octets += payload
        notes = self._chunk_notes(payload, payload[:PREVIEW].decode("utf-8", "replace"))
        shown = label or f"[{len(payload)} octets]"
        event = self._chunk_event(shown, payload[:PREVIEW], notes, octets=len(payload))
        return Outgoing(outgoing.wire + payload, [*outgoing.events, event])

    def _chunk_notes(self, octets: bytes, text: str) -> list[Note]:
        notes: list[Note] = []
        if not octets.isascii() and "8bit" not in self._body_warned:
            self._body_warned.add("8bit")
            if not self._body_8bit:
                notes.append(Note("8bit-without-8bitmime", level="warning", rfc="RFC 6152 §3"))
        longest = max((len(line) + 2 for line in octets.split(b"\r\n")), default=0)
        if longest > data.MAX_TEXT_LINE and "long" not in self._body_warned:
            self._body_warned.add("long")
            notes.append(Note("text-line-too-long", {"octets": str(longest)}, level="warning",
                              rfc="RFC 5321 §4.5.3.1.6"))
        return notes

    def _chunk_event(self, text: str, wire: bytes, notes: list[Note], *,
                     octets: int | None = None) -> ChunkDataSent:
        """The event for octets just added; a full chunk now awaits its reply."""
        chunk = self._chunk
        assert chunk is not None
        last = chunk.command.verb == BDAT_LAST
        key = "chunk-full" if chunk.left == 0 else "chunk-progress"
        notes.insert(0, Note(key, {"sent": str(chunk.sent), "size": str(chunk.size),
                                   "left": str(chunk.left)}, rfc="RFC 3030 §2"))
        event = ChunkDataSent(text, wire, len(wire) if octets is None else octets,
                              chunk.sent, chunk.size, last, self.state, tuple(notes))
        if chunk.left == 0:
            if self._unsure is not chunk.command:  # an unsure BDAT is in line already
                self._pending.append(chunk.command)
            self._chunk = None
            if last:
                self._body_warned = set()
        return event

    def _send_auth_response(self, line: str, *, secret: bool) -> Outgoing:
        text = line.strip()
        wire, _ = cmd.encode_line(text, smtputf8=False)
        if cmd.is_auth_cancel(text):
            secret = False  # the cancel line `*` teaches something and hides nothing
        display = cmd.mask_command(AUTH_RESPONSE, text) if secret else text
        command = Command(AUTH_RESPONSE, "" if secret else text, display, secret=secret)
        self._pending.append(command)
        return Outgoing(wire, [CommandSent(command, _shown(command, wire), self.state,
                                           group=self.group)])

    def send_data_line(self, line: str) -> Outgoing:
        """One body line, dot-stuffed; only valid after 354."""
        wire, stuffed = data.encode_line(line)
        text = line.rstrip("\r\n")
        if self._body_lines == 0:
            self._body_first_line = text
        self._body_lines += 1
        self._body_last_blank = text == ""
        return Outgoing(wire, [DataLineSent(text, wire, stuffed, self.state,
                                            tuple(self._body_line_notes(text, wire)))])

    def _body_line_notes(self, text: str, wire: bytes) -> list[Note]:
        """Once per message: 8-bit text not declared with BODY=8BITMIME; a line too long."""
        notes: list[Note] = []
        if text.strip() == "." and text != ".":  # `. ` or ` .`: looks like the end, is not
            notes.append(Note("dot-not-alone", {"line": text.replace(" ", "␠")[:20]},
                              level="warning", rfc="RFC 5321 §4.1.1.4"))
        if self._body_lines == 1 and text and not data.looks_like_header(text):
            self._body_warned.add("headers")  # said now, while :headers can still help
            notes.append(Note("no-header-section", rfc="RFC 5322 §2.1"))
        in_header = self._in_header_section(text)
        if not text.isascii() and in_header and "8bit-header" not in self._body_warned:
            # a header field: the rule is RFC 2047's encoded-words, or RFC 6532 with
            # SMTPUTF8; not BODY=8BITMIME, which covers the body only
            self._body_warned.add("8bit-header")
            notes.append(Note("8bit-header", level="warning", rfc="RFC 2047 §5"))
        elif not text.isascii() and not in_header and "8bit" not in self._body_warned:
            self._body_warned.add("8bit")
            if not self._body_8bit:
                notes.append(Note("8bit-without-8bitmime", level="warning",
                                  rfc="RFC 6152 §3"))
        if len(wire) > data.MAX_TEXT_LINE and "long" not in self._body_warned:
            self._body_warned.add("long")
            notes.append(Note("text-line-too-long", {"octets": str(len(wire))}, level="warning",
                              rfc="RFC 5321 §4.5.3.1.6"))
        return notes

    def _in_header_section(self, text: str) -> bool:
        """The line just sent belongs to the message's header section: the lines before
        the first empty one, when the message starts with a header field."""
        if "header-ended" in self._body_warned:
            return False
        if text == "" or (self._body_lines == 1 and not data.looks_like_header(text)):
            self._body_warned.add("header-ended")
            return False
        return True

    def send_body_chunk(self, lines: bytes) -> bytes:
        """Many complete body lines at once (bulk input); no per-line events."""
        if self._body_lines == 0 and lines:
            first = data.normalise_newlines(lines).split(b"\n", 1)[0]
            self._body_first_line = first.decode("utf-8", "replace")
        self._body_lines += lines.count(b"\n") or 1
        self._body_last_blank = lines.endswith((b"\n\n", b"\r\n\r\n"))
        return data.encode_chunk(lines)

    def end_data(self) -> Outgoing:
        """The ``<CRLF>.<CRLF>`` that ends the message."""
        notes: list[Note] = []
        if "headers" not in self._body_warned and (
                self._body_lines == 0 or not data.looks_like_header(self._body_first_line)):
            notes.append(Note("no-header-section", rfc="RFC 5322 §2.1"))
        if self._body_last_blank:
            notes.append(Note("blank-line-before-dot", rfc="RFC 5321 §4.1.1.4"))
        command = Command(END_OF_DATA, "", ".")
        self._pending.append(command)
        self._body_lines = 0
        self._body_first_line = ""
        self._body_last_blank = False
        self._body_warned = set()
        wire = data.TERMINATOR
        return Outgoing(wire, [CommandSent(command, wire, self.state, tuple(notes))])

    # -- what the server says ------------------------------------------------

    def receive(self, chunk: bytes) -> list[Event]:
        """Feed bytes from the server; return the replies (and errors) they complete."""
        events: list[Event] = []
        injected = False
        for item in self._parser.feed(chunk):
            if self.state is State.TLS:
                injected = True  # sent in plaintext after the 220 to STARTTLS: dropped
            elif isinstance(item, ProtocolError):
                self.state = State.CLOSED
                events.append(item)
            else:
                events.append(self._take_reply(item))
        if self.state is State.TLS and (self._parser.discard() or injected):
            events = self._flag_injection(events)
        return events

    def discard_plaintext(self) -> bool:
        """Before the TLS handshake: drop whatever plaintext is still buffered."""
        return self._parser.discard()

    @staticmethod
    def _flag_injection(events: list[Event]) -> list[Event]:
        """RFC 3207 §4.2: what came after the 220 is not trusted; say that it was dropped."""
        note = Note("starttls-injection", level="warning", rfc="RFC 3207 §4.2")
        for index in range(len(events) - 1, -1, -1):
            event = events[index]
            if isinstance(event, ReplyReceived):
                events[index] = replace(event, notes=(*event.notes, note))
                break
        return events

    @property
    def reply_incomplete(self) -> bool:
        """True when the connection ends in the middle of a reply."""
        return self._parser.pending

    @property
    def partial_reply(self) -> str:
        """What arrived of the unfinished reply (said when the server hangs up mid-reply)."""
        return self._parser.partial()

    def _take_reply(self, reply: Reply) -> ReplyReceived:
        answering = self._pending.popleft() if self._pending else None
        notes = list(reply.notes)
        if answering is None:
            notes.append(Note("unsolicited-reply", {"code": str(reply.code)}, level="warning"))
            verb = ""
        elif answering is self._unsure and self._unsure_refused(reply):
            verb = ""  # BDAT was not taken: nothing in the transaction changed
            notes.append(self._chunk_not_opened())
        else:
            if answering is self._unsure:
                self._unsure = None
            verb = answering.verb
            group = self._grouped.pop(id(answering), 0)
            if group:  # a pipelined reply: say which command it answers
                notes.append(Note("pipeline-answer", {"command": answering.display,
                                                      "group": str(group)}))
        self.last_reply = reply
        notes.extend(self._learn_from(verb, answering, reply))
        notes.extend(self._chunk_sequence(verb, reply))
        self.state = next_state(self.state, verb, reply.code)
        if self.state not in (State.MAIL, State.RCPT):
            self._bdat_seen = self._bdat_failed = False  # the transaction is over
        if reply.code == 421 or self.state is State.CLOSED:
            self._pending.clear()
            self._grouped.clear()
        return ReplyReceived(reply, answering, self.state, tuple(notes))

    def _chunk_sequence(self, verb: str, reply: Reply) -> list[Note]:
        """RFC 3030 §2: one transaction uses BDAT or DATA, never both; after a refused
        chunk the transaction has failed.  A 503 to DATA after BDAT says that rule."""
        if verb == "BDAT":
            self._bdat_seen = True
            self._bdat_failed = self._bdat_failed or reply.klass in (4, 5)
        elif verb == "DATA" and reply.code == 503 and self._bdat_seen:
            return [Note("data-after-bdat", rfc="RFC 3030 §2")]
        return []

    def _unsure_refused(self, reply: Reply) -> bool:
        """The reply to an unadvertised BDAT says the server read no chunk: it came before
        the octets did, or it says BDAT is unknown here (500 aiosmtpd and OpenSMTPD, 502,
        Exim's 503 "BDAT command used when CHUNKING not advertised").  Other refusals
        come after a chunk that was read: Postfix after HELO reads it, then says 554."""
        if self._chunk is not None or reply.code in (500, 502):
            return True
        return reply.code == 503 and "advertised" in reply.text.lower()

    def _chunk_not_opened(self) -> Note:
        """The server read the "chunk" as command lines: each complete line sent is a
        command it will answer, in order, before anything sent after it."""
        octets = bytes(self._unsure_octets)
        lines = octets.split(b"\r\n")[:-1]  # a cut tail joins the next line sent
        for line in reversed(lines):
            text = line.decode("utf-8", "replace")
            self._pending.appendleft(cmd.parse_command(text))
        self._chunk = None
        self._unsure = None
        self._unsure_octets.clear()
        key = "chunk-not-opened" if lines else "chunk-not-opened-none-sent"
        return Note(key, {"lines": str(len(lines))}, level="warning", rfc="RFC 3030 §2")

    def _learn_from(self, verb: str, answering: Command | None, reply: Reply) -> list[Note]:
        notes: list[Note] = []
        ok = reply.klass == 2
        if verb == "EHLO" and ok:
            before = self._caps_before_reset if self._caps_before_reset is not None \
                else self.capabilities
            self.capabilities = Capabilities.from_ehlo_lines(reply.lines)
            self.extended = True
            if self._caps_before_reset is not None:
                added, removed = self.capabilities.diff(before)
                if added or removed:  # worded by what is there: render/views.note_wording
                    notes.append(Note("capabilities-changed",
                                      {"added": " ".join(added), "removed": " ".join(removed)}))
                self._caps_before_reset = None
        elif verb == "HELO" and ok:
            self.capabilities = Capabilities()
            self.extended = False
        elif verb in ("MAIL", "RCPT") and ok and answering is not None:
            address = cmd.mail_path(answering)
            if address and address not in self.addresses:
                self.addresses.append(address)
        elif verb in ("AUTH", AUTH_RESPONSE) and reply.code == 235:
            self.authenticated = True
            self._caps_before_reset = self.capabilities
        elif verb in ("AUTH", AUTH_RESPONSE) and reply.code == 250:
            # smtp-sink and some test servers say 250: RFC 4954 §6 says 235
            notes.append(Note("auth-250-not-235", level="warning", rfc="RFC 4954 §6"))
        elif verb == GREETING and reply.klass == 5:
            notes.append(Note("greeting-refused", level="warning", rfc="RFC 5321 §3.1"))
        if reply.code == 334:
            decoded = decode_challenge(reply.lines[0] if reply.lines else "")
            if decoded is not None:
                notes.append(Note("auth-challenge", {"decoded": decoded}))
        return notes

    def tls_established(self) -> None:
        """After the handshake, everything learned before is forgotten (RFC 3207 §4.2)."""
        self.tls = True
        self.authenticated = False
        self._caps_before_reset = self.capabilities
        self.capabilities = Capabilities()
        self.extended = False
        if self.state is State.TLS:
            self.state = State.HELLO

    def assume_greeted(self) -> None:
        """Go on as if a 220 greeting came (a transcript that begins after it)."""
        if self.state is State.GREETING and self._pending and self._pending[0].verb == GREETING:
            self._pending.popleft()
            self.state = next_state(self.state, GREETING, 220)

    def implicit_tls(self) -> None:
        """The connection was TLS from its first byte (port 465, RFC 8314)."""
        self.tls = True

    def _extension_notes(self, command: Command) -> list[Note]:
        caps = self.capabilities
        verb = command.verb
        if not self.extended:
            if verb in ("STARTTLS", "AUTH", "BDAT") and self.state is State.READY:
                return [Note("extension-needs-ehlo", {"verb": verb}, level="warning",
                             rfc="RFC 5321 §4.1.1.1", expect="503")]
            if verb == "BDAT":
                return [Note("chunk-unadvertised", level="warning", rfc="RFC 3030 §2",
                             expect="500")]
            return []
        if verb == "STARTTLS":
            if self.tls:
                return [Note("tls-already", level="warning", rfc="RFC 3207 §4", expect="554")]
            if "STARTTLS" not in caps:
                return [Note("extension-not-offered", {"extension": "STARTTLS"},
                             level="warning", rfc="RFC 3207 §4", expect="502")]
        if verb == "AUTH":
            return self._auth_notes(command)
        if verb == "BDAT" and "CHUNKING" not in caps:
            return [Note("chunk-unadvertised", level="warning", rfc="RFC 3030 §2", expect="500")]
        if verb == "BDAT" and parse_bdat(command.args) is None:
            return [Note("bdat-size-missing", level="warning", rfc="RFC 3030 §2",
                         expect="501")]
        if verb == "DATA" and self._bdat_seen:
            return [Note("data-after-bdat", level="warning", rfc="RFC 3030 §2", expect="503")]
        if verb == "BDAT" and self._bdat_failed:
            return [Note("bdat-after-failed-chunk", level="warning", rfc="RFC 3030 §2",
                         expect="551")]
        if verb == "DATA" and self._body_binary:
            return [Note("binarymime-needs-bdat", level="warning", rfc="RFC 3030 §3",
                         expect="503")]
        if verb == "MAIL":
            return self._mail_parameter_notes(command)
        return []

    def _auth_notes(self, command: Command) -> list[Note]:
        caps = self.capabilities
        if self.authenticated:
            return [Note("auth-already", level="warning", rfc="RFC 4954 §4", expect="503")]
        if "AUTH" not in caps:
            if "STARTTLS" in caps and not self.tls:
                return [Note("auth-needs-tls", level="warning", rfc="RFC 4954 §4", expect="530")]
            return [Note("extension-not-offered", {"extension": "AUTH"},
                         level="warning", rfc="RFC 4954 §3", expect="502")]
        mechanism = command.args.split()[0].upper() if command.args.split() else ""
        if mechanism and mechanism not in caps.auth_mechanisms:
            return [Note("auth-mechanism-not-offered",
                         {"mechanism": mechanism, "offered": " ".join(caps.auth_mechanisms)},
                         level="warning", rfc="RFC 4954 §4", expect="504")]
        if not self.tls:
            return [Note("auth-without-tls", rfc="RFC 4954 §4")]
        return []

    def _mail_parameter_notes(self, command: Command) -> list[Note]:
        notes: list[Note] = []
        caps = self.capabilities
        address = cmd.mail_path(command) or ""
        words = command.args.upper().split()[1:]
        if not address.isascii() and "SMTPUTF8" in caps and "SMTPUTF8" not in words:
            # Postfix: 501 5.1.7 Bad sender address syntax; Exim: 501 … malformed address
            notes.append(Note("utf8-address-needs-parameter", level="warning",
                              rfc="RFC 6531 §3.4", expect="501"))
        for word in command.args.split()[1:]:
            name, _, value = word.partition("=")
            name = name.upper()
            size = ascii_int(value) if name == "SIZE" else None
            if name == "SIZE" and value and size is None:
                notes.append(Note("size-not-a-number", {"value": value[:40]}, level="warning",
                                  rfc="RFC 1870 §6", expect="501"))
            elif size is not None:
                limit = caps.size_limit
                if limit is None and self.extended:
                    notes.append(Note("extension-not-offered", {"extension": "SIZE"},
                                      level="warning", rfc="RFC 1870 §6", expect="555"))
                elif limit and size > limit:
                    notes.append(Note("size-over-limit", {"size": value, "limit": str(limit)},
                                      level="warning", rfc="RFC 1870 §6", expect="552"))
            elif name == "BODY" and value.upper() == "8BITMIME" and "8BITMIME" not in caps:
                notes.append(Note("extension-not-offered", {"extension": "8BITMIME"},
                                  level="warning", rfc="RFC 6152 §3", expect="555"))
            elif name == "SMTPUTF8" and "SMTPUTF8" not in caps:
                notes.append(Note("extension-not-offered", {"extension": "SMTPUTF8"},
                                  level="warning", rfc="RFC 6531 §3.4", expect="555"))
        return notes


def _whole_chunk(event: Event) -> Event:
    """A chunk sent whole (a file, a composed message) is not typed: its note says so,
    not "type the lines" (I13)."""
    if not isinstance(event, CommandSent):
        return event
    notes = tuple(replace(n, key="chunk-sent-whole") if n.key == "chunk-opened" else n
                  for n in event.notes)
    return replace(event, notes=notes)


def _shown(command: Command, wire: bytes) -> bytes:
    """The bytes an event may carry: a secret's wire form is replaced by its masked line."""
    return command.display.encode("utf-8") + b"\r\n" if command.secret else wire
