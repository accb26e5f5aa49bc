"""PIPELINING (RFC 2920): several commands in one write, replies matched in order.

The session's queue of commands in flight already pairs each reply with its command;
what is left is where a group must end.  RFC 2920 §3.1: EHLO, DATA, VRFY, EXPN, TURN,
QUIT and NOOP change the dialogue in a way the client must see before it goes on, so
each may only be the *last* command of a group; RFC 4954 §4 and RFC 3207 §4 say the same
of AUTH and STARTTLS, and HELO is EHLO's older twin.  ``split_group`` cuts a list of
typed lines there and says why, so a student who pastes ``DATA`` then body lines sees
the rule instead of a server reading the body as commands.
"""

from __future__ import annotations

from smtp_tutor.protocol.commands import parse_command
from smtp_tutor.protocol.events import Note

GROUP_ENDERS = frozenset({"EHLO", "HELO", "DATA", "VRFY", "EXPN", "TURN", "QUIT", "NOOP",
                          "AUTH", "STARTTLS"})


def ends_group(line: str) -> bool:
    """True when ``line``'s command may only be the last of a group; also a BDAT, whose
    chunk octets are typed after it and so cannot be read ahead as commands."""
    return parse_command(line).verb in GROUP_ENDERS | {"BDAT"}


def split_group(lines: list[str]) -> tuple[list[str], list[str], Note | None]:
    """The first group of ``lines``, the rest, and a note when a group-ending command
    came before the end (the rest then waits for its reply)."""
    for index, line in enumerate(lines):
        if ends_group(line) and index < len(lines) - 1:
            verb = parse_command(line).verb
            if verb == "BDAT":
                return lines[: index + 1], lines[index + 1:], None
            note = Note("pipeline-group-ends", {"verb": verb, "left": str(len(lines) - index - 1)},
                        rfc="RFC 2920 §3.1")
            return lines[: index + 1], lines[index + 1:], note
    return lines, [], None
