"""Events the core returns: small immutable records every face consumes the same way.

Notes and errors carry a *key* (e.g. ``"bare-lf"``) and parameters, never prose: the
knowledge base turns a key into words in the reader's language.
"""

from __future__ import annotations

from smtp_tutor.record import field, record

TYPE_CHECKING = False  # (typing costs 2 ms at start: annotations only)
if TYPE_CHECKING:
    from typing import Literal

    from smtp_tutor.protocol.commands import Command
    from smtp_tutor.protocol.replies import Reply
    from smtp_tutor.protocol.states import State


@record(frozen=True)
class Note:
    """Advice about the dialogue: a textbook habit, a predicted refusal, a sloppy peer."""

    key: str
    params: dict[str, str] = field(default_factory=dict)
    level: Literal["info", "warning", "error"] = "info"
    rfc: str = ""
    expect: str = ""  # the reply code a server will probably give, e.g. "503"


@record(frozen=True)
class ReplyReceived:
    """A complete reply, with the command it answers (None for an unsolicited one)."""

    reply: Reply
    answering: Command | None
    state: State
    notes: tuple[Note, ...] = ()


@record(frozen=True)
class CommandSent:
    """A command line put on the wire; ``command.display`` is safe to show or store."""

    command: Command
    wire: bytes
    state: State
    notes: tuple[Note, ...] = ()
    group: int = 0  # a PIPELINING group's number (1, 2, ...); 0 when sent alone


@record(frozen=True)
class DataLineSent:
    """One line of the message body, after dot-stuffing."""

    text: str
    wire: bytes
    stuffed: bool
    state: State
    notes: tuple[Note, ...] = ()


@record(frozen=True)
class ChunkDataSent:
    """Octets of a BDAT chunk (RFC 3030): counted, never dot-stuffed, never a command.

    ``text`` is what to show (a typed line, or a summary of a file); ``wire`` holds at
    most the first octets of a large chunk, for the raw view.
    """

    text: str
    wire: bytes
    octets: int  # octets of the chunk sent by this event
    sent: int  # octets of the chunk sent so far
    size: int  # the chunk's size from the BDAT line
    last: bool
    state: State
    notes: tuple[Note, ...] = ()


@record(frozen=True)
class ProtocolError:
    """The server's byte stream cannot be read as SMTP any more; the connection must end."""

    key: str
    detail: str = ""


Event = ReplyReceived | CommandSent | DataLineSent | ChunkDataSent | ProtocolError
