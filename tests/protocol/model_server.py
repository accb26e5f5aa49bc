"""A small sans-I/O SMTP server for property tests of the client core.

It is not a real server: it is the set of behaviours real ones show (issue 24, the
interop review's I1/I7), chosen by ``Settings``.  Each reply's last line ends with
``re: <the line it answers>``, so a test can check that the client matched every reply
to the command that caused it.  A server that does not advertise CHUNKING either does
not know BDAT (aiosmtpd, OpenSMTPD: 500; Exim: 503 "... not advertised"; it answers BDAT
at once and reads the "chunk" lines as commands) or knows it anyway and reads the chunk
(Postfix after HELO: then it may refuse the chunk with 554, after reading it).
"""

from __future__ import annotations

from dataclasses import dataclass, field

VERBS = ("EHLO", "MAIL", "RCPT", "DATA", "BDAT", "NOOP", "RSET", "VRFY")
ACCEPT, REFUSE, HANG_UP = "accept", "refuse", "hang-up"
REFUSALS = {"EHLO": "550", "MAIL": "550", "RCPT": "550", "DATA": "554", "BDAT": "554",
            "NOOP": "500", "RSET": "500", "VRFY": "502"}


@dataclass
class Settings:
    """What the model server does; each test example draws one."""

    advertised: frozenset[str] = frozenset()
    verbs: dict[str, str] = field(default_factory=dict)  # verb -> ACCEPT/REFUSE/HANG_UP
    unadvertised_bdat_read_as_commands: bool = True
    # how a server that does not know BDAT refuses it (aiosmtpd/OpenSMTPD, Postfix, Exim)
    unknown_bdat_reply: str = "500 unrecognized command"


def _tag(line: bytes) -> str:
    """The answered line as reply text: printable ASCII only."""
    text = line.decode("ascii", "replace")
    return "".join(c if " " <= c <= "~" else "?" for c in text)


class ModelServer:
    """Bytes in (``feed``), reply bytes out (``outbox``); ``closed`` after a hang-up."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.outbox = bytearray(b"220 model ready re: (greeting)\r\n")
        self.closed = False
        self._buffer = bytearray()
        self._mode = "command"  # or "data", or "chunk"
        self._chunk_left = 0
        self._chunk_line = b""
        self._extended = False  # EHLO accepted: only then is anything advertised

    def feed(self, data: bytes) -> None:
        if self.closed:
            return
        self._buffer += data
        while not self.closed:
            if self._mode == "chunk":
                if not self._buffer:
                    return
                taken = self._buffer[:self._chunk_left]
                del self._buffer[:len(taken)]
                self._chunk_left -= len(taken)
                if self._chunk_left == 0:
                    self._mode = "command"
                    self._verdict("BDAT", self._chunk_line, "250")
                continue
            end = self._buffer.find(b"\r\n")
            if end < 0:
                return
            line = bytes(self._buffer[:end])
            del self._buffer[:end + 2]
            if self._mode == "data":
                if line == b".":
                    self._mode = "command"
                    self._reply("250", line)
                continue
            self._command(line)

    def _reply(self, code: str, line: bytes, *, extra: tuple[str, ...] = (),
               text: str = "") -> None:
        for item in extra:
            self.outbox += f"{code}-{item}\r\n".encode()
        self.outbox += f"{code} {text}{' ' if text else ''}re: {_tag(line)}\r\n".encode()

    def _hang_up(self, line: bytes) -> None:
        self._reply("421", line)
        self.closed = True

    def _verdict(self, verb: str, line: bytes, ok: str) -> bool:
        """Accept, refuse or hang up as the settings say; True when accepted."""
        how = self.settings.verbs.get(verb, ACCEPT)
        if how == HANG_UP:
            self._hang_up(line)
        elif how == REFUSE:
            self._reply(REFUSALS[verb], line)
        else:
            self._reply(ok, line)
        return how == ACCEPT

    def _command(self, line: bytes) -> None:
        words = line.split()
        verb = words[0].upper().decode("ascii", "replace") if words else ""
        if verb == "QUIT":
            self._reply("221", line)
            self.closed = True
        elif verb == "EHLO" and self.settings.verbs.get("EHLO", ACCEPT) == ACCEPT:
            self._reply("250", line, extra=("model", *sorted(self.settings.advertised)))
            self._extended = True
        elif verb == "HELO":
            self._reply("250", line)
            self._extended = False
        elif verb == "BDAT":
            self._bdat(line, words)
        elif verb == "DATA":
            if self._verdict("DATA", line, "354"):
                self._mode = "data"
        elif verb in VERBS:
            self._verdict(verb, line, "250")
        else:
            self._reply("500", line)

    def _bdat(self, line: bytes, words: list[bytes]) -> None:
        advertised = "CHUNKING" in self.settings.advertised and self._extended
        if not advertised and self.settings.unadvertised_bdat_read_as_commands:
            code, _, text = self.settings.unknown_bdat_reply.partition(" ")
            self._reply(code, line, text=text)  # the lines that follow are read as commands
            return
        if len(words) < 2 or not words[1].isdigit():
            self._reply("521", line)  # Postfix: it cannot find the chunk's end
            self.closed = True
            return
        self._chunk_left = int(words[1])
        self._chunk_line = line
        if self._chunk_left == 0:
            self._verdict("BDAT", line, "250")

        else:
            self._mode = "chunk"
