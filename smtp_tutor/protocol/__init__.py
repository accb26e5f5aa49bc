"""The sans-I/O SMTP core: fed bytes and typed lines, it returns events.

Nothing here touches a socket, a terminal or a third-party package, so every rule of
the dialogue can be tested in milliseconds and shared by the REPL, the scripted
client, the lesson player and the annotator.
"""

from smtp_tutor.protocol.events import (
    ChunkDataSent,
    CommandSent,
    DataLineSent,
    Event,
    Note,
    ProtocolError,
    ReplyReceived,
)
from smtp_tutor.protocol.replies import Reply, ReplyParser
from smtp_tutor.protocol.session import ClientSession, Outgoing
from smtp_tutor.protocol.states import State

__all__ = [
    "ChunkDataSent",
    "ClientSession",
    "CommandSent",
    "DataLineSent",
    "Event",
    "Note",
    "Outgoing",
    "ProtocolError",
    "Reply",
    "ReplyParser",
    "ReplyReceived",
    "State",
]
