"""Who said what: the one line type of every transcript, and the textbook notation.

The shell's ``:save``, the server's console, ``annotate``'s reader (``notation.py``), the
grader's recorder and its server probe all keep their dialogue as ``Line`` records, so a
transcript one of them writes (``textbook()``) is one the others read back
(``notation.read_transcript``), and the grader's judges can be run on a file.

``text`` is the line as decoded (no line end), with secrets already masked: it is made
displayable by ``visible()`` where it is shown (``shown()``), never before, because the
checks and the replay read it as the protocol's text.  What the grader needs beyond
that is kept bounded: the wire bytes only when the text does not say them exactly (a
bare LF, bytes that are not UTF-8, a line cut), at most ``MAX_RAW`` of them; the time
since the connection opened; the connection's number.
"""

from __future__ import annotations

from smtp_tutor.protocol.commands import parse_command
from smtp_tutor.protocol.events import (
    ChunkDataSent,
    CommandSent,
    DataLineSent,
    Event,
    Note,
    ReplyReceived,
)
from smtp_tutor.record import record

SERVER, CLIENT = "S", "C"
UNKNOWN = "?"  # a raw capture's line: the replay decides (notation.resolve_side)
TOOL = "!"  # what a tool or a lint says about the connection, not a line of it
NOTE = "#"  # a remark between the lines (a pipelined group, a silence, a connection)

# what a client line was, as the server read it (server/watch.py's watchers get these)
COMMAND, DATA, AUTH_ANSWER = "command", "data", "auth"
UNFINISHED = "unfinished"  # the start of a line the client never ended
RAW = "raw"  # bytes written as they are (the probe's malformed input), line ends inside

MAX_LINE = 512  # characters of text kept per line
MAX_RAW = 200  # wire bytes kept per line, when the text does not say them exactly
MASK = "********"
AUTH_ANSWER_SHOWN = "(AUTH answer, not shown)"


@record(frozen=True)
class Line:
    """One line of a dialogue (or a remark about it).

    ``side``: SERVER, CLIENT, UNKNOWN, TOOL or NOTE.  ``line_no``: its line in the file
    it was read from, else its place in the connection.  ``source``: who wrote it down
    (textbook, swaks, smtplib, telnet, server, recorder, probe, shell)."""

    side: str
    text: str
    line_no: int = 0
    source: str = ""
    kind: str = ""  # a client line: COMMAND, DATA, AUTH_ANSWER, UNFINISHED, RAW
    verb: str = ""  # a command's verb, upper-case
    bare_lf: bool = False  # ended by LF alone
    raw: bytes = b""  # the wire bytes when ``text`` does not say them (at most MAX_RAW)
    octets: int = 0  # its length on the wire
    at: float = 0.0  # seconds since the connection opened
    connection: int = 0  # which connection of a run
    note: Note | None = None  # a TOOL line's finding

    @property
    def code(self) -> str:
        """A server line's reply code ("" for any other line)."""
        return self.text[:3] if self.side == SERVER else ""

    @property
    def final(self) -> bool:
        """The last line of a reply (``250 ok``, not ``250-PIPELINING``)."""
        return self.side == SERVER and self.text[3:4] != "-"

    def shown(self, limit: int = 0) -> str:
        """``S: …``/``C: …`` made safe to show (``␊`` marks a bare LF); a remark indented.
        ``limit``: characters of text shown, the rest cut with "…"."""
        from smtp_tutor.protocol.visible import visible

        text = self.text if not limit or len(self.text) <= limit else self.text[:limit] + "…"
        if self.side == NOTE:
            return "   " + visible(text)
        return f"{self.side}: {visible(text)}" + ("␊" if self.bare_lf else "")


def client_line(data: bytes, kind: str = COMMAND, *, line_no: int = 0, source: str = "",
                at: float = 0.0, connection: int = 0) -> Line:
    """A line a client sent, as a server read it, with any secret masked: an AUTH answer
    is never kept (only its place), ``AUTH PLAIN <token>`` keeps its mechanism only."""
    bare = data.endswith(b"\n") and not data.endswith(b"\r\n")
    if kind == AUTH_ANSWER:
        return Line(CLIENT, AUTH_ANSWER_SHOWN, line_no, source, kind, bare_lf=bare,
                    octets=len(data), at=at, connection=connection)
    text = data.decode("utf-8", "replace").rstrip("\r\n")
    verb = ""
    if kind in (COMMAND, UNFINISHED):
        command = parse_command(text)
        if command.secret:  # nothing of the wire is kept: it holds the credentials
            return Line(CLIENT, command.display + (" …" if kind == UNFINISHED else ""),
                        line_no, source, kind, command.verb if kind == COMMAND else "",
                        bare, octets=len(data), at=at, connection=connection)
        if kind == COMMAND:
            verb = command.verb
        else:
            text += " …"
    exact = kind != UNFINISHED and len(text) <= MAX_LINE and (
        data == text.encode("utf-8") + (b"\n" if bare else b"\r\n"))
    if len(text) > MAX_LINE:
        text = text[:MAX_LINE] + "…"
    return Line(CLIENT, text, line_no, source, kind, verb, bare,
                b"" if exact else data[:MAX_RAW], len(data), at, connection)


def server_line(text: str, *, line_no: int = 0, source: str = "", at: float = 0.0,
                connection: int = 0) -> Line:
    """A reply line (without its line end), cut at ``MAX_LINE`` characters."""
    if len(text) > MAX_LINE:
        text = text[:MAX_LINE] + "…"
    return Line(SERVER, text, line_no, source, at=at, connection=connection)


def with_kinds(lines: list[Line]) -> list[Line]:
    """Lines read back from a file, each client line told apart as the server would: a
    command (with its verb), the data between a 354 and its ``.``, an AUTH answer after
    a 334.  A recorder's lines already say this and are returned unchanged."""
    from smtp_tutor.record import replace

    out: list[Line] = []
    in_data = challenged = False
    for line in lines:
        if line.side == SERVER and line.final:
            in_data, challenged = line.code == "354", line.code == "334"
        elif line.side == CLIENT and not line.kind:
            if in_data:
                line = replace(line, kind=DATA)
                in_data = line.text != "."
            elif challenged:
                line = replace(line, kind=AUTH_ANSWER)
                challenged = False
            else:
                line = replace(line, kind=COMMAND, verb=parse_command(line.text).verb)
        out.append(line)
    return out


def textbook(lines: list[Line]) -> str:
    """The textbook's notation: ``S: 220 …`` / ``C: HELO …``, remarks as ``# …`` lines;
    a tool's findings are left out (they are not the dialogue)."""
    out = []
    for line in lines:
        if line.side == NOTE:
            out.append(f"# {line.text}\n")
        elif line.side in (SERVER, CLIENT):
            out.append(f"{line.side}: {line.text}".rstrip(" ") + "\n")
    return "".join(out)


class Transcript:
    """The shell's dialogue, built from its events: what the screen showed, so secrets
    are already masked (``Command.display``) and never reach it."""

    def __init__(self) -> None:
        self.lines: list[Line] = []
        self._group = 0

    def add(self, event: Event) -> None:
        lines = self.lines
        if isinstance(event, ReplyReceived):
            lines.extend(Line(SERVER, line, source="shell") for line in event.reply.wire_lines())
        elif isinstance(event, CommandSent):
            if event.group and event.group != self._group:
                self._group = event.group
                lines.append(Line(NOTE, f"pipelined group {event.group}", source="shell"))
            lines.append(Line(CLIENT, event.command.display, source="shell",
                              kind=COMMAND, verb=event.command.verb))
        elif isinstance(event, ChunkDataSent | DataLineSent):
            lines.append(Line(CLIENT, event.text, source="shell", kind=DATA))

    def extend(self, events: list[Event]) -> None:
        for event in events:
            self.add(event)

    def dialogue(self) -> list[Line]:
        """Both sides, without the remarks."""
        return [line for line in self.lines if line.side != NOTE]

    def textbook(self) -> str:
        """``S: 220 ...`` / ``C: HELO ...`` lines, as in the course material."""
        return textbook(self.lines)
