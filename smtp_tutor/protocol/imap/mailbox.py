"""What the IMAP server's core needs of a mailbox; ``smtp_tutor.imap.maildir`` provides it.

The core never touches a file: a message is a UID, its flags and its size, and its
octets are read through ``Mailbox.read`` (CRLF line ends, as IMAP sends them).
"""

from __future__ import annotations

from typing import Protocol

from smtp_tutor.record import record

SYSTEM_FLAGS = ("\\Answered", "\\Deleted", "\\Draft", "\\Flagged", "\\Seen")


@record(frozen=True)
class Message:
    uid: int
    flags: frozenset[str]
    size: int  # octets with CRLF line ends (RFC822.SIZE)
    internal_date: float  # seconds since the epoch (the file's modification time)
    recent: bool = False  # in Maildir's new/ when the mailbox was opened


class Mailbox(Protocol):
    name: str
    uidvalidity: int

    def uidnext(self) -> int: ...

    def messages(self) -> list[Message]:
        """Every message now, by ascending UID (a rescan: others may have changed it)."""
        ...

    def read(self, uid: int) -> bytes | None:
        """The message's octets with CRLF line ends; None when it is gone."""
        ...

    def set_flags(self, uid: int, flags: frozenset[str]) -> bool:
        """Store the flags; False when the message is gone."""
        ...

    def expunge(self, uid: int) -> bool:
        """Remove the message for good; False when it was gone already."""
        ...

    def claim_recent(self) -> None:
        """The mailbox was selected read-write: new messages stop being recent."""
        ...


class Account(Protocol):
    user: str

    def folders(self) -> list[str]:
        """Mailbox names, INBOX first."""
        ...

    def mailbox(self, name: str) -> Mailbox | None:
        """The mailbox called ``name`` (INBOX in any case), or None."""
        ...


class Accounts(Protocol):
    def login(self, user: str, password: str) -> Account | None:
        """The account when the password is right, else None."""
        ...
