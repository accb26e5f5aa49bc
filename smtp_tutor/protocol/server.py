"""One SMTP server's dialogue, without I/O: bytes in, events out.

Theory of operation
-------------------
This is the other half of ``session.ClientSession`` and reads the same table
(``states.RULES`` and ``states.next_state``): a command out of place gets the reply
that ``placement`` predicts for the client, and the state moves only when a reply
leaves, exactly as it moves on the client when that reply arrives.  So "the reply the
tutor predicts is the reply you get" is one table read twice, and
``tests/protocol/test_dialogue_pair.py`` proves it through bytes for every
(state, verb).

The dialogue decides sequence, syntax and framing itself.  What depends on the server's
policy (who may receive mail, what HELO says, whether a password is right, where a
message goes) it asks for with an ``Ask`` event and waits (``PAUSED``) until the driver
calls ``answer``.  Every reply leaves as a ``Send`` event, in order, one per command,
however the commands were pipelined.  Reply texts come from a catalogue
(``knowledge/data/server.toml``) through the ``texts`` function it is given: the code
here names replies by key.

Reading: commands are CRLF lines of at most 512 octets (a bare LF or CR is refused,
RFC 5321 §2.3.8); after 354 the lines are judged by ``framing`` (only <CRLF>.<CRLF>
ends a message); after ``BDAT n`` exactly n octets are taken, unframed; after a 334
the line is an AUTH answer, never shown.  Memory is bounded: an over-long line is
dropped piece by piece, and the buffer never holds more than one line's limit.
"""

from __future__ import annotations

import base64
import binascii
import secrets
from collections import deque
from collections.abc import Callable

from smtp_tutor.protocol.chunking import BDAT_LAST, parse_bdat
from smtp_tutor.protocol.commands import (
    AUTH_RESPONSE,
    END_OF_DATA,
    GREETING,
    looks_like_auth_answer,
)
from smtp_tutor.protocol.data import unstuff
from smtp_tutor.protocol.framing import DataFraming, Verdict
from smtp_tutor.protocol.numbers import ascii_int
from smtp_tutor.protocol.states import RULES, TRANSACTION_STATES, Rule, State, next_state
from smtp_tutor.protocol.transcript import AUTH_ANSWER, COMMAND, DATA  # kinds of line
from smtp_tutor.record import field, record

MAX_COMMAND_LINE = 512  # octets with CRLF (RFC 5321 §4.5.3.1.4)
MAIL_PARAMETERS_ROOM = 46  # SIZE=, BODY=, SMTPUTF8 (RFC 1870 §3, RFC 6152, RFC 6531)
MAX_TEXT_LINE = 1000  # octets with CRLF (RFC 5321 §4.5.3.1.6)
MECHANISMS = ("CRAM-MD5", "LOGIN", "PLAIN", "XOAUTH2")
HELP_COMMANDS = "AUTH BDAT DATA EHLO HELO HELP MAIL NOOP QUIT RCPT RSET STARTTLS VRFY"
SYNTAX = {
    "HELO": "HELO hostname", "EHLO": "EHLO hostname", "MAIL": "MAIL FROM: <address>",
    "RCPT": "RCPT TO: <address>", "DATA": "DATA", "RSET": "RSET", "NOOP": "NOOP [ignored]",
    "QUIT": "QUIT", "VRFY": "VRFY <address>", "STARTTLS": "STARTTLS",
    "AUTH": "AUTH <mechanism>", "BDAT": "BDAT <chunk-size> [LAST]", "HELP": "HELP [command]",
}
NOT_IMPLEMENTED = frozenset({"EXPN"})  # known to RFC 5321 §4.5.1, refused on purpose
NEEDS_AUTH = frozenset({"MAIL", "RCPT", "DATA", "BDAT", "VRFY"})
LOGIN_USERNAME, LOGIN_PASSWORD = b"Username:", b"Password:"  # as Postfix and Dovecot


class _Sentinel:
    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


NEED_DATA = _Sentinel("NEED_DATA")  # nothing more until ``receive`` gets bytes
PAUSED = _Sentinel("PAUSED")  # an ``Ask`` waits for ``answer``


@record
class Settings:
    """What one server offers; the same for all its connections."""

    domain: str = "hamburger.edu"
    max_message_size: int = 10 * 1024 * 1024  # advertised as SIZE
    max_errors: int = 20  # 5xx syntax and sequence errors, then 421
    tls_available: bool = True  # STARTTLS offered (until TLS is on)
    auth_require_tls: bool = True  # AUTH offered only under TLS (RFC 4954 §4 advice)
    auth_required: bool = False  # no MAIL before AUTH (a submission server, RFC 6409)
    mechanisms: tuple[str, ...] = MECHANISMS


@record
class Envelope:
    """The open transaction, as the policy sees it (the handler may add recipients)."""

    mail_from: str | None = None
    mail_options: list[str] = field(default_factory=list)
    rcpt_tos: list[str] = field(default_factory=list)
    rcpt_options: list[str] = field(default_factory=list)
    smtp_utf8: bool = False
    original_content: bytes | None = None
    content: bytes | None = None
    chunks: bytearray = field(default_factory=bytearray)
    bdat_failed: bool = False
    bare_lf: bool = False


@record
class Session:
    """The connection, as the policy sees it."""

    peer: tuple[str, int] | None = None
    host_name: str | None = None
    extended_smtp: bool = False
    ssl: bool = False
    authenticated: bool = False
    auth_user: str = ""
    extensions: frozenset[str] = frozenset()  # what the last EHLO reply advertised


# -- events ------------------------------------------------------------------


@record(frozen=True)
class Seen:
    """A line the client sent, for watchers: ``kind`` is COMMAND, DATA, AUTH_ANSWER
    (whose text must never be shown) or UNFINISHED."""

    line: bytes
    kind: str
    state: State = State.READY  # where the dialogue stood when the line came


@record(frozen=True)
class Overlong:
    """A line over its limit, dropped as it came (``octets`` read before the cut)."""

    octets: int
    in_data: bool


@record(frozen=True)
class Send:
    """A reply to write, whole; ``close``: the connection ends after it."""

    lines: tuple[str, ...]
    answering: str
    close: bool = False

    @property
    def code(self) -> int:
        return ascii_int(self.lines[-1][:3]) or 0


@record(frozen=True)
class Ask:
    """The policy decides: ``verb`` HELO, EHLO, MAIL, RCPT, VRFY, MESSAGE (a complete
    message in ``Envelope.original_content``) or CREDENTIALS (``mechanism``, ``user``,
    ``secret``; for CRAM-MD5 the secret is the digest and ``challenge`` what it signs)."""

    verb: str
    argument: str = ""
    parameters: tuple[str, ...] = ()
    mechanism: str = ""
    user: str = ""
    secret: str = ""
    challenge: bytes = b""


@record(frozen=True)
class StartTls:
    """The 220 to STARTTLS has left: hand the connection to TLS, then ``tls_started``.
    ``dropped``: octets the client sent after STARTTLS in the clear, discarded (they
    could be an attacker's commands, CVE-2011-0411)."""

    dropped: int = 0


Event = Seen | Overlong | Send | Ask | StartTls
Texts = Callable[..., str]


class ServerDialogue:
    """The dialogue as seen from the server side of one connection."""

    def __init__(self, texts: Texts, settings: Settings | None = None, *,
                 rules: dict[str, Rule] | None = None,
                 peer: tuple[str, int] | None = None) -> None:
        self.texts = texts
        self.settings = settings or Settings()
        self.rules = RULES if rules is None else rules
        self.state = State.GREETING
        self.session = Session(peer=peer)
        self.envelope = Envelope()
        self.errors = 0
        self._buffer = bytearray()
        self._events: deque[Event] = deque()
        self._asking: Ask | None = None
        self._answering = ""  # the (pseudo-)verb the pending Ask answers
        self._argument = ""  # its address (MAIL/RCPT) or host name
        self._parameters: tuple[str, ...] = ()
        self._cut = False  # an over-long line is being dropped to its end
        self._framing: DataFraming | None = None  # after 354: the message's lines
        self._content = bytearray()
        self._too_long = False  # a message line went over MAX_TEXT_LINE
        self._too_big = False
        self._chunk_left = 0  # BDAT octets still to take
        self._chunk_last = False
        self._chunk_refusal = ""
        self._chunk_size = 0  # the open chunk's announced octets
        self._rcpt_before = 0  # recipients in the envelope when RCPT was asked about
        self._auth: _Auth | None = None
        self._auth_refused = False  # the last command was a refused AUTH
        self.closed = False
        self._listening = False  # refused at the greeting, still watching

    # -- what the driver calls ------------------------------------------------

    def greet(self, refusal: str = "", *, listen: bool = False) -> Send:
        """The first reply: the greeting, or ``refusal`` (a 421) and the end; ``listen``:
        after the refusal, lines the client still sends are seen, never answered."""
        if refusal:
            self.closed = True
            self._listening = listen
            self.state = State.CLOSED
            return Send((refusal,), GREETING, close=True)
        return self._reply(GREETING, self.texts("greeting", domain=self.settings.domain),
                           queue=False)

    def receive(self, data: bytes) -> None:
        """Bytes from the client, as they came (any split)."""
        if not self.closed or self._listening:
            self._buffer += data

    @property
    def buffered(self) -> int:
        """Octets received and not yet read: the driver stops reading above a limit."""
        return len(self._buffer)

    def unfinished(self) -> bytes:
        """What the client sent of a line it never ended (taken at the end)."""
        data = bytes(self._buffer)
        self._buffer.clear()
        return data

    @property
    def taking_chunk(self) -> bool:
        """BDAT octets are being read (they come unframed: no line ends)."""
        return self._chunk_left > 0

    @property
    def in_auth(self) -> bool:
        """An AUTH exchange is under way, or the last AUTH was refused: a line now may
        be a password, never to be shown."""
        return self._auth is not None or self._auth_refused

    def next_event(self) -> Event | _Sentinel:
        """The next thing to do, NEED_DATA when the buffer holds no complete unit, or
        PAUSED while an ``Ask`` waits for ``answer``."""
        while not self._events:
            if self.closed and not self._listening:
                return NEED_DATA
            if self._asking is not None:
                return PAUSED
            if not self._read_unit():
                return NEED_DATA
        return self._events.popleft()

    def answer(self, reply: str | list[str]) -> None:
        """The policy's reply to the pending ``Ask``."""
        ask, self._asking = self._asking, None
        if ask is None:
            raise RuntimeError("answer() without a pending Ask")
        lines = [reply] if isinstance(reply, str) else list(reply)
        code = ascii_int(lines[0][:3]) or 0
        if ask.verb == "CREDENTIALS":
            self._credentials_checked(ask, code // 100 == 2)
            return
        if ask.verb in ("HELO", "EHLO") and code // 100 == 2:
            self.session.host_name = self._argument
            self.session.extended_smtp = ask.verb == "EHLO"
            self.session.extensions = frozenset(
                line[4:].split(" ", 1)[0].upper() for line in _continued(lines)[1:])
            self.envelope = Envelope()
        elif ask.verb == "MAIL" and code // 100 == 2:
            self.envelope.mail_from = self._argument
            self.envelope.mail_options = list(self._parameters)
            self.envelope.smtp_utf8 = any(p.upper() == "SMTPUTF8" for p in self._parameters)
        elif ask.verb == "RCPT" and code // 100 == 2 and self._argument not in \
                self.envelope.rcpt_tos and not self._rcpt_added:
            self.envelope.rcpt_tos.append(self._argument)
        if ask.verb == "MESSAGE":
            self._end_transaction()
        self._reply(self._answering, *lines)

    def credentials(self, ok: bool) -> None:
        """Shorthand for answering a CREDENTIALS ask."""
        self.answer(self.texts("auth-ok" if ok else "auth-failed"))

    def tls_started(self) -> None:
        """The handshake after STARTTLS succeeded: the dialogue starts again (RFC 3207
        §4.2: forget everything learnt before TLS)."""
        self.session = Session(peer=self.session.peer, ssl=True)
        self.envelope = Envelope()
        self.state = State.HELLO

    def timed_out(self) -> Send:
        """The client said nothing for too long (RFC 5321 §4.5.3.2.7)."""
        return self._reply("", self.texts("idle-timeout", domain=self.settings.domain),
                           close=True, queue=False)

    def offered_mechanisms(self) -> list[str]:
        if not self.settings.mechanisms or self.session.authenticated:
            return []
        if self.settings.auth_require_tls and not self.session.ssl:
            return []
        return sorted(self.settings.mechanisms)

    def ehlo_lines(self) -> list[str]:
        """What EHLO advertises (the policy adds its own lines after the first)."""
        lines = [self.texts("ehlo", domain=self.settings.domain, name=self._argument)]
        lines += [f"SIZE {self.settings.max_message_size}", "8BITMIME", "SMTPUTF8"]
        if self.settings.tls_available and not self.session.ssl:
            lines.append("STARTTLS")
        mechanisms = self.offered_mechanisms()
        if mechanisms:
            lines.append("AUTH " + " ".join(mechanisms))
        lines.append("HELP")
        return lines

    # -- reading --------------------------------------------------------------

    def _read_unit(self) -> bool:
        """Take one command, message line or chunk from the buffer; False: need more."""
        if self._chunk_left:
            return self._take_chunk()
        limit = MAX_TEXT_LINE if self._framing is not None else self._command_limit()
        end = self._buffer.find(b"\n")
        if end < 0:
            if len(self._buffer) > limit:  # over the limit with no end in sight: cut it
                if not self._cut:
                    self._cut = True
                    self._events.append(Overlong(len(self._buffer), self._framing is not None))
                self._buffer.clear()
            return False
        line = bytes(self._buffer[:end + 1])
        del self._buffer[:end + 1]
        if self._cut or len(line) > limit:
            if not self._cut:
                self._events.append(Overlong(len(line), self._framing is not None))
            self._cut = False
            self._line_too_long(line)
            return True
        if self._framing is not None:
            self._data_line(line)
        elif self._auth is not None:
            self._auth_line(line)
        else:
            self._command_line(line)
        return True

    def _command_limit(self) -> int:
        if self.session.extended_smtp and self._buffer[:4].upper() == b"MAIL":
            return MAX_COMMAND_LINE + MAIL_PARAMETERS_ROOM
        return MAX_COMMAND_LINE

    def _line_too_long(self, tail: bytes) -> None:
        if self._framing is not None:
            self._too_long = True
            self._framing.after_crlf = tail.endswith(b"\r\n")
            return
        if self._auth is not None:
            self._auth = None
            self._reply(AUTH_RESPONSE, self.texts("auth-aborted"))
            return
        self._error("", self.texts("command-too-long"))

    def _take_chunk(self) -> bool:
        if not self._buffer:
            return False
        piece = self._buffer[:self._chunk_left]
        del self._buffer[:len(piece)]
        self._chunk_left -= len(piece)
        if not self._chunk_refusal:
            self.envelope.chunks += piece
        if self._chunk_left == 0:
            self._chunk_done()
        return True

    # -- commands -------------------------------------------------------------

    def _command_line(self, line: bytes) -> None:
        refused_auth, self._auth_refused = self._auth_refused, False
        if refused_auth and looks_like_auth_answer(line.decode("utf-8", "replace")):
            # an answer to a refused AUTH, sent anyway: a password, never to be shown
            self._auth_refused = True  # and the next one may be the password
            self._events.append(Seen(line, AUTH_ANSWER, self.state))
            self._error("", self.texts("unknown-command"))
            return
        self._events.append(Seen(line, COMMAND, self.state))
        if self._listening:
            return
        if not line.endswith(b"\r\n") or b"\r" in line[:-2]:
            self._error("", self.texts("bare-cr" if line.endswith(b"\r\n") else "bare-lf"))
            return
        # a byte that is not UTF-8 stays a lone surrogate: the driver shows it as U+FFFD
        text = line[:-2].decode("utf-8", "surrogateescape")
        verb, _, argument = text.partition(" ")
        verb = verb.upper()
        argument = argument.strip()
        if not verb.isascii() or not verb.isalnum():
            self._error("", self.texts("bad-syntax"))
            return
        self._auth_refused = verb == "AUTH"  # until an exchange starts
        handler = getattr(self, f"_smtp_{verb}", None)
        if handler is None:
            key = "not-implemented" if verb in NOT_IMPLEMENTED else "unknown-command"
            self._error(verb, self.texts(key, verb=verb))
            return
        refusal = self._out_of_place(verb)
        if verb == "BDAT":  # its octets are taken even when it is refused
            self._smtp_BDAT(argument, refusal)
        elif refusal:
            self._error(verb, refusal)
        else:
            handler(argument)

    def _out_of_place(self, verb: str) -> str:
        """The reply to a command out of place, from the dialogue table; "" if in place."""
        state = self.state
        if verb in NEEDS_AUTH and state is not State.HELLO and self.settings.auth_required \
                and not self.session.authenticated:
            return self.texts("auth-required")
        rule = self.rules.get(verb)
        if rule is None or state in rule.allowed:
            return ""
        return self.texts(rule.key_for(state))

    def _smtp_HELO(self, argument: str) -> None:
        self._hello("HELO", argument)

    def _smtp_EHLO(self, argument: str) -> None:
        self._hello("EHLO", argument)

    def _hello(self, verb: str, argument: str) -> None:
        if not argument:
            self._error(verb, self.texts("syntax", syntax=SYNTAX[verb]))
            return
        self._end_transaction()
        self._ask(verb, Ask(verb, argument), argument)

    def _envelope_path(self, verb: str, argument: str) -> tuple[str, list[str]] | None:
        """MAIL's or RCPT's path and parameters; None once the syntax error is answered."""
        keyword, syntax, bad = (("FROM", "syntax-mail", "bad-sender") if verb == "MAIL"
                                else ("TO", "syntax-rcpt", "bad-recipient"))
        parsed = _path(argument, keyword)
        if parsed is None or parsed[0] is None:
            self._error(verb, self.texts(syntax if parsed is None else bad))
            return None
        return parsed[0], parsed[1]

    def _smtp_MAIL(self, argument: str) -> None:
        parsed = self._envelope_path("MAIL", argument)
        if parsed is None:
            return
        address, parameters = parsed
        if parameters and not self.session.extended_smtp:
            self._error("MAIL", self.texts("syntax-mail"))
            return
        if not address.isascii() and not any(p.upper() == "SMTPUTF8" for p in parameters):
            self._error("MAIL", self.texts("utf8-undeclared"))  # RFC 6531 §3.4
            return
        refusal = self._mail_parameters(parameters)
        if refusal:
            self._error("MAIL", refusal)
            return
        self._ask("MAIL", Ask("MAIL", address, tuple(parameters)), address, tuple(parameters))

    def _mail_parameters(self, parameters: list[str]) -> str:
        for parameter in parameters:
            name, equals, value = parameter.partition("=")
            name = name.upper()
            if name == "SIZE":
                size = ascii_int(value) if equals else None
                if size is None:
                    return self.texts("size-not-number")
                if size > self.settings.max_message_size:
                    return self.texts("too-big", limit=self.settings.max_message_size)
            elif name == "BODY":
                if value.upper() not in ("7BIT", "8BITMIME"):
                    return self.texts("body-value")
            elif name != "SMTPUTF8" or equals:
                return self.texts("mail-parameters")
        return ""

    def _smtp_RCPT(self, argument: str) -> None:
        parsed = self._envelope_path("RCPT", argument)
        if parsed is None:
            return
        address, parameters = parsed
        if parameters:
            self._error("RCPT", self.texts("rcpt-parameters"))
            return
        if not address.isascii() and not self.envelope.smtp_utf8:
            self._error("RCPT", self.texts("utf8-undeclared"))  # RFC 6531 §3.4
            return
        self._ask("RCPT", Ask("RCPT", address), address)

    def _smtp_DATA(self, argument: str) -> None:
        if argument:
            self._error("DATA", self.texts("syntax", syntax="DATA"))
        elif self.envelope.chunks:
            self._error("DATA", self.texts("data-after-chunks"))
        else:
            self._reply("DATA", self.texts("start-data"))

    def _smtp_BDAT(self, argument: str, refusal: str = "") -> None:
        parsed = parse_bdat(argument)
        words = argument.split()
        size_only = parse_bdat(words[0]) if words else None
        if parsed is None or len(words) > 2 or (len(words) == 2 and not parsed[1]):
            if size_only is None:
                # the size is unknown, so nothing can be read: the next line is a command
                self._error("BDAT", self.texts("syntax-bdat"))
                return
            # the size is known (``BDAT 5 NOTLAST``): its octets are taken, then refused
            parsed, refusal = (size_only[0], False), self.texts("syntax-bdat")
        size, last = parsed
        if refusal:
            pass
        elif self.envelope.bdat_failed:
            refusal = self.texts("chunk-after-refusal")
        elif len(self.envelope.chunks) + size > self.settings.max_message_size:
            refusal = self.texts("chunk-too-big")
        self._chunk_left, self._chunk_last, self._chunk_refusal = size, last, refusal
        self._chunk_size = size
        if size == 0:
            self._chunk_done()

    def _chunk_done(self) -> None:
        verb = BDAT_LAST if self._chunk_last else "BDAT"
        if self._chunk_refusal:
            if self.envelope.rcpt_tos:
                self.envelope.bdat_failed = True  # RFC 3030 §2: the transaction failed
            self._reply(verb, self._chunk_refusal)
            return
        if not self._chunk_last:
            self._reply(verb, self.texts("chunk-ok", size=self._chunk_size,
                                         total=len(self.envelope.chunks)))
            return
        content = bytes(self.envelope.chunks)
        self.envelope.original_content = self.envelope.content = content
        self._ask(verb, Ask("MESSAGE"))

    def _smtp_RSET(self, argument: str) -> None:
        if argument:
            self._error("RSET", self.texts("syntax", syntax="RSET"))
            return
        self._end_transaction()
        self._reply("RSET", self.texts("ok"))

    def _smtp_NOOP(self, argument: str) -> None:
        self._reply("NOOP", self.texts("ok"))

    def _smtp_QUIT(self, argument: str) -> None:
        if argument:
            self._error("QUIT", self.texts("syntax", syntax="QUIT"))
            return
        self._reply("QUIT", self.texts("bye", domain=self.settings.domain), close=True)

    def _smtp_VRFY(self, argument: str) -> None:
        if not argument:
            self._error("VRFY", self.texts("syntax", syntax=SYNTAX["VRFY"]))
            return
        self._ask("VRFY", Ask("VRFY", argument), argument)

    def _smtp_HELP(self, argument: str) -> None:
        if not argument:
            self._reply("HELP", self.texts("help", commands=HELP_COMMANDS))
        elif argument.upper() in SYNTAX:
            self._reply("HELP", self.texts("help-syntax", syntax=SYNTAX[argument.upper()]))
        else:
            self._error("HELP", self.texts("help-unknown"))

    def _smtp_STARTTLS(self, argument: str) -> None:
        if argument:
            self._error("STARTTLS", self.texts("syntax", syntax="STARTTLS"))
        elif self.session.ssl:
            self._reply("STARTTLS", self.texts("tls-active"))
        elif not self.settings.tls_available:
            self._reply("STARTTLS", self.texts("tls-unavailable"))
        else:
            self._reply("STARTTLS", self.texts("start-tls"))
            dropped = len(self._buffer)
            self._buffer.clear()  # nothing sent in the clear may count after TLS
            self._events.append(StartTls(dropped))

    # -- AUTH (RFC 4954) --------------------------------------------------------

    def _smtp_AUTH(self, argument: str) -> None:
        words = argument.split()
        if not self.session.extended_smtp:
            self._error("AUTH", self.texts("unknown-command"))
        elif self.session.authenticated:
            self._error("AUTH", self.texts("already-authenticated"))
        elif not words:
            self._error("AUTH", self.texts("auth-no-mechanism"))
        elif len(words) > 2:
            self._error("AUTH", self.texts("auth-too-many"))
        elif words[0].upper() not in self.settings.mechanisms:
            self._error("AUTH", self.texts("auth-unknown-mechanism"))
        elif self.settings.auth_require_tls and not self.session.ssl:
            self._reply("AUTH", self.texts("auth-needs-tls"))
        else:
            self._auth_refused = False
            self._auth = _Auth(words[0].upper(), self.settings.domain)
            self._auth_step("AUTH", words[1] if len(words) > 1 else None)

    def _auth_line(self, line: bytes) -> None:
        self._events.append(Seen(line, AUTH_ANSWER, self.state))
        self._auth_step(AUTH_RESPONSE, line.rstrip(b"\r\n").decode("ascii", "replace"))

    def _auth_step(self, answering: str, answer: str | None) -> None:
        """One step of the exchange: ``answer`` is the client's base64 (None: none yet)."""
        auth = self._auth
        assert auth is not None
        if answer is None:
            challenge = auth.first_challenge()
            self._reply(answering, self.texts("auth-challenge",
                                              challenge=base64.b64encode(challenge).decode()))
            return
        if answer == "*":
            self._auth = None
            self._reply(answering, self.texts("auth-aborted"))
            return
        try:
            decoded = b"" if answer == "=" and answering == "AUTH" and auth.mechanism \
                == "LOGIN" else base64.b64decode(answer, validate=True)
        except (binascii.Error, ValueError):
            decoded = None
        if decoded is None or (answer == "=" and auth.mechanism != "LOGIN"):
            self._auth = None
            self._reply(answering, self.texts("auth-bad-base64"))
            return
        ask = auth.take(decoded)
        if ask is None:  # another challenge
            self._reply(answering, self.texts(
                "auth-challenge", challenge=base64.b64encode(auth.challenge).decode()))
            return
        self._auth = None
        if not ask.user and ask.verb == "CREDENTIALS" and not ask.secret:
            self._reply(answering, self.texts("auth-failed"))
            return
        self._ask(answering, ask)

    def _credentials_checked(self, ask: Ask, ok: bool) -> None:
        if ok:
            self.session.authenticated = True
            self.session.auth_user = ask.user
        self._reply(self._answering, self.texts("auth-ok" if ok else "auth-failed"))

    # -- the message ----------------------------------------------------------

    def _data_line(self, line: bytes) -> None:
        framing = self._framing
        assert framing is not None
        verdict = framing.line(line)
        self._events.append(Seen(line, DATA, self.state))
        if verdict is Verdict.LOOKALIKE:
            self._framing = None
            self._end_transaction()
            self._reply(END_OF_DATA, self.texts("lookalike-end"), close=True)
            return
        if verdict is Verdict.END:
            self._framing = None
            self._end_of_data(framing.bare_line_ending)
            return
        if self._too_big:
            return
        line = unstuff(line)
        if len(self._content) + len(line) > self.settings.max_message_size:
            self._too_big = True
            self._content.clear()
            return
        self._content += line

    def _end_of_data(self, bare: bool) -> None:
        if self._too_long or self._too_big or bare:
            key = "data-line-too-long" if self._too_long else "too-big" if self._too_big \
                else "bare-line-ending"
            self._end_transaction()
            self._reply(END_OF_DATA, self.texts(key, limit=self.settings.max_message_size))
            return
        content = bytes(self._content)
        self._content.clear()
        self.envelope.original_content = self.envelope.content = content
        self._ask(END_OF_DATA, Ask("MESSAGE"))

    def _end_transaction(self) -> None:
        self.envelope = Envelope()
        self._content.clear()
        self._too_long = self._too_big = False

    # -- replies ----------------------------------------------------------------

    def _ask(self, answering: str, ask: Ask, argument: str = "",
             parameters: tuple[str, ...] = ()) -> None:
        self._asking = ask
        self._answering = answering
        self._argument = argument
        self._parameters = parameters
        self._rcpt_before = len(self.envelope.rcpt_tos)
        self._events.append(ask)

    @property
    def _rcpt_added(self) -> bool:
        """The policy added a recipient itself (it may store another address)."""
        return len(self.envelope.rcpt_tos) != self._rcpt_before

    def _error(self, answering: str, text: str) -> None:
        """A client error (5xx syntax or sequence), counted by ``_reply``."""
        self._reply(answering, text)

    def _reply(self, answering: str, *lines: str, close: bool = False,
               queue: bool = True) -> Send:
        code = ascii_int(lines[0][:3]) or 0
        if code >= 500:  # as Postfix's hard error limit: refused recipients count too
            self.errors += 1
        before = self.state
        self.state = next_state(self.state, answering, code) if answering else self.state
        if answering == "DATA" and code == 354:
            self._framing = DataFraming()
            self._content.clear()
        if self.state is State.READY and before in TRANSACTION_STATES \
                and answering in ("RSET", END_OF_DATA, BDAT_LAST):
            self.envelope = Envelope()
        if code == 421 or code == 221 or close:
            close = True
            self.closed = True
            self.state = State.CLOSED
        send = Send(tuple(_continued(lines)), answering, close)
        if queue:
            self._events.append(send)
            if code >= 500 and self.errors >= self.settings.max_errors > 0 \
                    and not self.closed:
                self._reply("", self.texts("too-many-errors", domain=self.settings.domain,
                                           count=self.errors), close=True)
        return send


def _continued(lines: tuple[str, ...] | list[str]) -> list[str]:
    """Lines of one reply with the hyphen on all but the last (RFC 5321 §4.2.1)."""
    if len(lines) == 1:
        return [lines[0]]
    code = lines[0][:3]
    body = [line[4:] if line[:3] == code and line[3:4] in (" ", "-") else line
            for line in lines]
    return [f"{code}-{text}" for text in body[:-1]] + [f"{code} {body[-1]}"]


def _path(argument: str, keyword: str) -> tuple[str | None, list[str]] | None:
    """``FROM:<address> params`` read as (address, parameters); None: no keyword, the
    syntax reply; (None, ...): a path that does not parse (an unclosed ``<``)."""
    if argument[:len(keyword) + 1].upper() != keyword + ":":
        return None
    rest = argument[len(keyword) + 1:].lstrip()
    if rest.startswith("<"):
        end = _closing_bracket(rest)
        if end < 0:
            return None, []
        address, tail = rest[1:end], rest[end + 1:]
        if tail and not tail[:1].isspace():
            return None, []
    else:
        address, _, tail = rest.partition(" ")
        if not address:
            return None
    return address, tail.split()


def _closing_bracket(text: str) -> int:
    quoted = False
    index = 1
    while index < len(text):
        char = text[index]
        if char == "\\" and quoted:
            index += 2
            continue
        if char == '"':
            quoted = not quoted
        elif char == ">" and not quoted:
            return index
        index += 1
    return -1


class _Auth:
    """One SASL exchange: PLAIN (RFC 4616), LOGIN, CRAM-MD5 (RFC 2195), XOAUTH2."""

    def __init__(self, mechanism: str, domain: str) -> None:
        self.mechanism = mechanism
        self.domain = domain
        self.user = ""
        self.challenge = b""

    def first_challenge(self) -> bytes:
        if self.mechanism == "LOGIN":
            self.challenge = LOGIN_USERNAME
        elif self.mechanism == "CRAM-MD5":
            # RFC 2195 §2: a unique string in the form of a message id
            self.challenge = f"<{secrets.randbelow(10**9)}.{secrets.randbits(32)}" \
                             f"@{self.domain}>".encode()
        return self.challenge

    def take(self, decoded: bytes) -> Ask | None:
        """The client's answer; an Ask for the policy when complete, None when another
        challenge is due."""
        text = decoded.decode("utf-8", "replace")
        if self.mechanism == "PLAIN":
            parts = text.split("\x00")
            if len(parts) != 3:
                return Ask("CREDENTIALS", mechanism="PLAIN")
            return Ask("CREDENTIALS", mechanism="PLAIN", user=parts[1], secret=parts[2])
        if self.mechanism == "LOGIN":
            if self.challenge != LOGIN_PASSWORD:
                self.user = text
                self.challenge = LOGIN_PASSWORD
                return None
            return Ask("CREDENTIALS", mechanism="LOGIN", user=self.user, secret=text)
        if self.mechanism == "CRAM-MD5":
            user, _, digest = text.rpartition(" ")
            return Ask("CREDENTIALS", mechanism="CRAM-MD5", user=user,
                       secret=digest.strip().lower(), challenge=self.challenge)
        fields = dict(part.partition("=")[::2] for part in text.split("\x01") if part)
        token = fields.get("auth", "").removeprefix("Bearer ").strip()
        return Ask("CREDENTIALS", mechanism="XOAUTH2", user=fields.get("user", ""),
                   secret=token)
