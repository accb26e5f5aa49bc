"""One connection to hamburger.edu: aiosmtpd's SMTP with the practice server's rules.

The hooks (``handler.py``) choose most replies.  What aiosmtpd decides on its own is
adjusted here, on the way in and on the way out:

- lines come through ``ClientLineReader`` (strict CRLF, client lint);
- replies it hard-codes get the textbook's wording, or an RFC reference;
- the limits: connections per client and in all (421 instead of the greeting), errors
  before a disconnect, an idle timeout that says 421 before it hangs up;
- the teaching faults that act on every reply (slow replies, dropped connections);
- every line of both sides goes to the watchers (live console, lint report).
"""

from __future__ import annotations

import asyncio
import functools
import re
from dataclasses import dataclass, field
from itertools import count

from aiosmtpd.smtp import SMTP, Envelope, syntax

from smtp_tutor.protocol.client_lint import ClientLint
from smtp_tutor.protocol.commands import looks_like_auth_answer
from smtp_tutor.protocol.events import Note
from smtp_tutor.protocol.numbers import ascii_int
from smtp_tutor.server.chunking import smtp_bdat
from smtp_tutor.server.policy import Gate, Limits, TeachingFaults
from smtp_tutor.server.reader import ClientLineReader
from smtp_tutor.server.watch import AUTH_ANSWER, COMMAND, DATA, UNFINISHED, Peer, Watcher
from smtp_tutor.server.wording import Wording

# a dot-atom local part and a domain of letters, digits, dots and hyphens, in angle brackets
_SIMPLE_PATH = re.compile(r"\s*<(([A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*)"
                          r"@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9]"
                          r"(?:[A-Za-z0-9-]*[A-Za-z0-9])?)*)>[ \t]*(.*)\Z", re.ASCII | re.DOTALL)
CLIENT_ERRORS = frozenset({"500", "501", "502", "503", "504"})
HELP_COMMANDS = "AUTH BDAT DATA EHLO HELO HELP MAIL NOOP QUIT RCPT RSET STARTTLS VRFY"


@dataclass
class PracticeContext:
    """What every connection of one server shares."""

    domain: str
    limits: Limits = field(default_factory=Limits)
    faults: TeachingFaults = field(default_factory=TeachingFaults)
    watchers: list[Watcher] = field(default_factory=list)
    numbers: count = field(default_factory=lambda: count(1))

    def __post_init__(self) -> None:
        self.gate = Gate(self.limits, self.domain)
        self.wording = Wording(self.domain, self.limits.max_message_size)


class PracticeEnvelope(Envelope):
    def __init__(self) -> None:
        super().__init__()
        self.bare_lf = False  # a message line had a bare LF or CR: refused at the final dot
        self.chunks = bytearray()  # BDAT octets received so far (RFC 3030)
        self.bdat_failed = False  # a chunk was refused: no more until RSET


class PracticeSMTP(SMTP):
    """aiosmtpd's protocol, one instance per connection."""

    # what Postfix and Dovecot send (aiosmtpd's own are "User Name\x00", "Password\x00")
    AuthLoginUsernameChallenge = "Username:"
    AuthLoginPasswordChallenge = "Password:"

    def __dir__(self) -> list[str]:
        """Only the names aiosmtpd looks for (``smtp_*`` commands, ``auth_*`` mechanisms).

        aiosmtpd's ``__init__`` walks ``dir(self)`` and ``inspect.getmembers(self)`` on
        every connection to find them; over all of a protocol's attributes that costs
        ~0.3 ms a connection, a tenth of a one-message session.
        """
        return _protocol_names(type(self))

    def _getaddr(self, arg: str) -> tuple[str | None, str | None]:
        """The common ``<local@domain>`` read directly; anything else by aiosmtpd's RFC 5322
        parser (email's header parser: a quarter of a millisecond per address)."""
        match = _SIMPLE_PATH.match(arg) if arg else None
        if match is None or (self.local_part_limit
                             and len(match.group(2)) > self.local_part_limit):
            return super()._getaddr(arg)
        return match.group(1), match.group(3)

    def __init__(self, handler, *, context: PracticeContext, **options) -> None:  # noqa: ANN001
        super().__init__(handler, **options)
        self.context = context
        self.peer = Peer(0, "", 0)
        self.watched = bool(context.watchers)  # without watchers, no lint and no console
        self.lint = ClientLint() if self.watched else None
        self._refusal = ""
        self._admitted = False
        self._greeted = False
        self._in_reply = False
        self._hung_up = False
        self._errors = 0
        self._bare_reply = False  # replying to HELO/EHLO: no enhanced code (RFC 2034 §3)
        self._auth_pending = False  # the last command was AUTH: base64 lines are answers
        self._refused = False  # the greeting was a 421: nothing more is answered

    # -- connection ----------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        first = self._original_transport is None and not self._admitted
        super().connection_made(transport)
        if not first:
            self._tell("tls", self.peer)
            return
        address = transport.get_extra_info("peername") or ("?", 0)
        local = transport.get_extra_info("sockname") or ("", 0)
        self.peer = Peer(next(self.context.numbers), str(address[0]), int(address[1]),
                         f"{local[0]}:{local[1]}" if local[0] else "")
        self._refusal = (self.context.gate.admit(self.peer.host)
                         or self.context.faults.refuse_greeting)
        self._admitted = True
        self._tell("opened", self.peer)

    def connection_lost(self, error: Exception | None) -> None:
        if self._admitted:
            if isinstance(self._reader, ClientLineReader) and self._reader.waiting():
                self.saw_unfinished(self._reader.take_pending(), in_data=False)
            self._admitted = False
            self.context.gate.release(self.peer.host)
            self._tell("closed", self.peer)
        super().connection_lost(error)

    def _cb_client_connected(self, reader: asyncio.StreamReader,
                             writer: asyncio.StreamWriter) -> None:
        super()._cb_client_connected(reader, writer)
        self._reader = ClientLineReader(reader, self)  # type: ignore[assignment]

    def _create_envelope(self) -> Envelope:
        return PracticeEnvelope()

    def _timeout_cb(self) -> None:
        """RFC 5321 §4.5.3.2.7: say why before hanging up on an idle client."""
        if self.transport is not None and not self._hung_up:
            line = f"421 4.4.2 {self.context.domain} Error: timeout exceeded, closing connection"
            self.transport.write(line.encode() + b"\r\n")
            self._tell("server_line", self.peer, line)
            self._hung_up = True
        super()._timeout_cb()

    # -- replies -------------------------------------------------------------

    async def push(self, status: str | bytes) -> None:  # type: ignore[override]
        if self._hung_up:
            return
        text = status if isinstance(status, str) else status.decode("utf-8", "replace")
        if not text.isascii():  # a byte the client sent that was not UTF-8, echoed back
            # (aiosmtpd keeps it as a lone surrogate, which no encoder takes): U+FFFD
            text = text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        continuation = self._in_reply
        if not self._in_reply:  # the first line of a reply
            if self._refusal and not self._greeted:
                linger = self.context.faults.refuse_linger
                if linger and self._refusal == self.context.faults.refuse_greeting:
                    await self._refuse_then_listen(self._refusal, linger)
                else:
                    await self._hang_up(self._refusal)
                return
            if self._refused:
                return
            faults = self.context.faults
            if faults.slow_seconds:
                await asyncio.sleep(faults.slow_seconds)
            if faults.greeting_seconds and not self._greeted:
                await asyncio.sleep(faults.greeting_seconds)
            if faults.drop_rate and faults.roll(faults.drop_rate):
                self._tell("server_line", self.peer, "(connection dropped: --drop-rate)")
                self._cut()
                return
        text = self.context.wording.line(text, bare=self._bare_reply or not self._greeted)
        final = text[3:4] != "-"
        self._in_reply = not final
        self._greeted = True
        if self.lint is not None:
            waiting = isinstance(self._reader, ClientLineReader) and self._reader.waiting() > 0
            self._found(self.lint.reply_line(text, client_spoke_first=final and waiting))
        if self.context.faults.split_seconds or self.context.faults.line_seconds:
            await self._push_in_pieces(text, continuation)
        else:
            await super().push(text)
        if self.watched:
            self._tell("server_line", self.peer, text)
        if final and text[:3] in CLIENT_ERRORS:
            self._errors += 1
            if self._errors >= self.context.limits.max_errors:
                await self._hang_up(f"421 4.7.0 {self.context.domain} Too many errors "
                                    f"({self._errors}), closing connection")

    async def _push_in_pieces(self, text: str, continuation: bool) -> None:
        """`grade`'s scenarios: a reply line written in two pieces, or a multi-line reply
        with pauses between its lines; a client that speaks during a pause acted on part
        of a reply (the single-``recv`` bug), which the lint reports."""
        faults = self.context.faults
        data = text.encode("utf-8" if self.enable_SMTPUTF8 else "ascii", "replace") + b"\r\n"
        if continuation and faults.line_seconds:
            await self._pause(faults.line_seconds)
        if faults.split_seconds:
            self._writer.write(data[:2])
            await self._writer.drain()
            await self._pause(faults.split_seconds)
            data = data[2:]
        self._writer.write(data)
        await self._writer.drain()

    async def _pause(self, seconds: float) -> None:
        reader = self._reader if isinstance(self._reader, ClientLineReader) else None
        before = reader.waiting() if reader is not None else 0
        await asyncio.sleep(seconds)
        if reader is not None and self.lint is not None and reader.waiting() > before:
            self._found(self.lint.partial_reply())

    async def _hang_up(self, line: str) -> None:
        """Say ``line`` (a 421), then close; whatever the client sent after is dropped."""
        self._in_reply = False
        self._greeted = True
        await super().push(line)
        self._tell("server_line", self.peer, line)
        self._cut()

    async def _refuse_then_listen(self, line: str, seconds: float) -> None:
        """Say the 421, then hang up only after ``seconds``: what the client sends meanwhile
        is watched (the grader's greeting-421 scenario), never answered."""
        self._in_reply = False
        self._greeted = True
        self._refused = True
        await super().push(line)
        self._tell("server_line", self.peer, line)
        asyncio.get_running_loop().call_later(seconds, self._cut)

    def _cut(self) -> None:
        self._hung_up = True
        if isinstance(self._reader, ClientLineReader):
            self._reader.discard()
        if self.transport is not None:
            self.transport.close()

    # -- what the reader saw (ClientLineReader calls these) ------------------

    async def refuse_bare_lf(self) -> None:
        await self.push("500 5.5.2 Syntax error: bare <LF> received; "
                        "end every line with <CR><LF> (RFC 5321 section 2.3.8)")

    async def refuse_bare_cr(self) -> None:
        await self.push("500 5.5.2 Syntax error: bare <CR> received; a <CR> may only come "
                        "before <LF> (RFC 5321 section 2.3.8)")

    async def refuse_lookalike_end(self) -> None:
        """``<LF>.<LF>`` and its cousins: the whole message is refused, the connection
        ends, and nothing sent after it can run as a command (SMTP smuggling)."""
        self._in_reply = False
        await self._hang_up("550 5.5.2 Message refused: its end had a bare <LF> or <CR>; only "
                            "<CR><LF>.<CR><LF> ends a message (RFC 5321 section 4.1.1.4). "
                            "Closing the connection")

    def saw_command(self, line: bytes) -> None:
        answer = self._auth_pending and looks_like_auth_answer(
            line.decode("utf-8", "replace"))
        self._auth_pending = answer or line[:5].upper() in (b"AUTH ", b"AUTH\t")
        if answer:  # an answer to a refused AUTH, sent anyway: judged, never shown
            self.saw_auth_answer(line)
            return
        if self.lint is not None:
            self._tell("client_line", self.peer, line, COMMAND)
            self._found(self.lint.command(line))

    # -- commands whose rules aiosmtpd does not keep --------------------------

    async def smtp_HELO(self, arg: str) -> None:
        self._bare_reply = True
        try:
            await super().smtp_HELO(arg)
        finally:
            self._bare_reply = False

    async def smtp_EHLO(self, arg: str) -> None:
        self._bare_reply = True
        try:
            await super().smtp_EHLO(arg)
        finally:
            self._bare_reply = False

    async def smtp_AUTH(self, arg: str) -> None:
        """RFC 4954 §4: no AUTH during a mail transaction."""
        if self.envelope is not None and self.envelope.mail_from is not None:
            await self.push("503 5.5.1 Error: MAIL transaction in progress")
            return
        await super().smtp_AUTH(arg)

    async def auth_CRAM__MD5(self, _server, args: list[str]):  # noqa: ANN201 - AuthResult
        """AUTH CRAM-MD5 (RFC 2195): a fresh challenge, then ``user SP hex(HMAC-MD5)``
        checked against the practice account's password (which never crosses the wire)."""
        import hashlib
        import hmac
        import secrets
        import time

        from aiosmtpd.smtp import MISSING, AuthResult

        challenge = f"<{secrets.randbelow(10**9)}.{int(time.time())}@{self.hostname}>".encode()
        answer = await self.challenge_auth(challenge)
        if answer is MISSING:
            return AuthResult(success=False, handled=True)
        user, _, digest = answer.decode("utf-8", "replace").rpartition(" ")
        users = getattr(self.event_handler, "users", {}) or {}
        password = users.get(user.partition("@")[0].lower(), "")
        expected = hmac.new(password.encode("utf-8"), challenge, hashlib.md5).hexdigest()
        ok = bool(password) and hmac.compare_digest(expected, digest.strip().lower())
        return AuthResult(success=ok, handled=False, auth_data=user)

    async def auth_XOAUTH2(self, _server, args: list[str]):  # noqa: ANN201 - AuthResult
        """SASL XOAUTH2 (Gmail, Microsoft 365): ``user=NAME^Aauth=Bearer TOKEN^A^A`` in
        base64.  The practice server has no OAuth provider: the account's password stands
        in for the token.  A wrong token gets 535 at once (Gmail first sends a 334 with a
        JSON error and waits for an empty line)."""
        import base64
        import binascii
        import hmac

        from aiosmtpd.smtp import MISSING, AuthResult

        if len(args) > 1:
            try:
                blob = base64.b64decode(args[1], validate=True)
            except (binascii.Error, ValueError):
                await self.push("501 5.5.2 Can't decode base64")
                return AuthResult(success=False, handled=True)
        else:
            blob = await self.challenge_auth(b"")
            if blob is MISSING:
                return AuthResult(success=False, handled=True)
        fields = dict(part.partition("=")[::2]
                      for part in blob.decode("utf-8", "replace").split("\x01") if part)
        user = fields.get("user", "")
        token = fields.get("auth", "").removeprefix("Bearer ").strip()
        users = getattr(self.event_handler, "users", {}) or {}
        password = users.get(user.partition("@")[0].lower(), "")
        ok = bool(password) and hmac.compare_digest(password.encode(), token.encode())
        return AuthResult(success=ok, handled=False, auth_data=user)

    async def smtp_STARTTLS(self, arg: str) -> None:
        """RFC 3207 §4: no TLS inside TLS (Postfix's answer)."""
        if self._tls_protocol is not None:
            await self.push("554 5.5.1 Error: TLS already active")
            return
        await super().smtp_STARTTLS(arg)

    async def smtp_MAIL(self, arg: str | None) -> None:
        """A SIZE that is not ASCII digits gets 501 (aiosmtpd would crash on ``SIZE=²``)."""
        for word in (arg or "").split()[1:]:
            name, _, value = word.partition("=")
            if name.upper() == "SIZE" and ascii_int(value) is None:
                await self.push("501 5.5.4 Syntax error in parameters: SIZE takes a number "
                                "of octets (RFC 1870)")
                return
        await super().smtp_MAIL(arg)

    @syntax("BDAT <chunk-size> [LAST]")
    async def smtp_BDAT(self, arg: str) -> None:
        """CHUNKING (RFC 3030): exact octets, read past aiosmtpd (``server/chunking.py``)."""
        await smtp_bdat(self, arg)

    async def smtp_DATA(self, arg: str) -> None:
        """RFC 3030 §2: DATA after a BDAT chunk in the same transaction is out of place."""
        if isinstance(self.envelope, PracticeEnvelope) and self.envelope.chunks:
            await self.push("503 5.5.1 Error: BDAT chunks already sent; finish with BDAT LAST")
            return
        await super().smtp_DATA(arg)

    async def smtp_HELP(self, arg: str) -> None:
        """RFC 5321 §4.3.2: HELP is answered with 214 (aiosmtpd says 250)."""
        if arg:
            method = self._smtp_methods.get(arg.upper())
            syntax = getattr(method, "__smtp_syntax__", None)
            if syntax:
                await self.push(f"214 2.0.0 Syntax: {syntax}")
            else:
                await self.push("504 5.5.1 HELP topic unknown; HELP alone lists the commands")
            return
        await self.push(f"214 2.0.0 Supported commands: {HELP_COMMANDS}")

    def saw_unfinished(self, partial: bytes, *, in_data: bool) -> None:
        """The client hung up (or was stopped) in the middle of a line: what it had sent
        of that line is shown as such (the grader's "waited before the end marker")."""
        if self.lint is not None and not self._auth_pending:
            self._tell("client_line", self.peer, partial, UNFINISHED)

    def saw_data_line(self, line: bytes, *, bare_lf: bool) -> None:
        self._auth_pending = False
        if bare_lf and isinstance(self.envelope, PracticeEnvelope):
            self.envelope.bare_lf = True
        if self.lint is not None:
            self._tell("client_line", self.peer, line, DATA)
            self._found(self.lint.data_line(line))

    def saw_auth_answer(self, line: bytes) -> None:
        if self.lint is not None:
            self._tell("client_line", self.peer, line, AUTH_ANSWER)
            self._found(self.lint.auth_answer(line))

    def saw_overlong(self, octets: int, *, in_data: bool) -> None:
        if self.lint is not None and not in_data:
            # the console shows the line the 500 answers (its text stays unshown)
            shown = f"(a command line of more than {octets} octets)\r\n".encode()
            self._tell("client_line", self.peer, shown, COMMAND)
        if self.lint is not None:
            self._found(self.lint.overlong(octets, in_data=in_data))

    # -- watchers ------------------------------------------------------------

    def _found(self, notes: list[Note]) -> None:
        if notes:
            self._tell("findings", self.peer, notes)

    def _tell(self, event: str, *args: object) -> None:
        for watcher in self.context.watchers:
            getattr(watcher, event)(*args)


@functools.cache
def _protocol_names(cls: type) -> list[str]:
    return sorted(name for name in dir(cls) if name.startswith(("smtp_", "auth_")))


# HELP reads each command's syntax from aiosmtpd's decorator attributes
for _name in ("smtp_HELO", "smtp_EHLO", "smtp_AUTH", "smtp_STARTTLS", "smtp_MAIL", "smtp_HELP",
              "smtp_DATA"):
    for _attribute, _value in vars(getattr(SMTP, _name)).items():
        if _attribute.startswith("__smtp_syntax"):
            setattr(getattr(PracticeSMTP, _name), _attribute, _value)
