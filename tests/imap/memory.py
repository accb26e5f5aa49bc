"""An in-memory mailbox for the IMAP server core's tests (the core never touches a file)."""

from __future__ import annotations

from smtp_tutor.protocol.imap.mailbox import Message


class MemoryMailbox:
    def __init__(self, messages: list[bytes], name: str = "INBOX") -> None:
        self.name, self.uidvalidity = name, 42
        self.store: dict[int, tuple[bytes, frozenset[str]]] = {}
        self.next = 1
        self.recent: set[int] = set()
        for message in messages:
            self.add(message)

    def add(self, message: bytes, flags: frozenset[str] = frozenset()) -> int:
        uid, self.next = self.next, self.next + 1
        self.store[uid] = (message, flags)
        self.recent.add(uid)
        return uid

    def uidnext(self) -> int:
        return self.next

    def messages(self) -> list[Message]:
        return [Message(uid, flags, len(data), 1_700_000_000.0, uid in self.recent)
                for uid, (data, flags) in sorted(self.store.items())]

    def read(self, uid: int) -> bytes | None:
        found = self.store.get(uid)
        return found[0] if found else None

    def set_flags(self, uid: int, flags: frozenset[str]) -> bool:
        if uid not in self.store:
            return False
        self.store[uid] = (self.store[uid][0], flags)
        return True

    def expunge(self, uid: int) -> bool:
        return self.store.pop(uid, None) is not None

    def claim_recent(self) -> None:
        self.recent.clear()


class MemoryAccount:
    def __init__(self, boxes: dict[str, MemoryMailbox]) -> None:
        self.user, self.boxes = "bob", boxes

    def folders(self) -> list[str]:
        return list(self.boxes)

    def mailbox(self, name: str) -> MemoryMailbox | None:
        return self.boxes.get("INBOX" if name.upper() == "INBOX" else name)


class MemoryAccounts:
    def __init__(self, account: MemoryAccount) -> None:
        self.account = account

    def login(self, user: str, password: str) -> MemoryAccount | None:
        return self.account if (user, password) == ("bob", "pickles") else None


def message(subject: str, sender: str = "Alice <alice@crepes.fr>", body: str = "Hello") -> bytes:
    return (f"From: {sender}\r\nTo: bob@hamburger.edu\r\nSubject: {subject}\r\n\r\n"
            f"{body}\r\n").encode()
