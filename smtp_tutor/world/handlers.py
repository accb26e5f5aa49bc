"""The two servers' rules in the practice world, as small changes to hamburger.edu's handler.

- ``SubmissionHandler``: crepes.fr on its submission port (playing 587, RFC 6409).  AUTH
  is required (the server is started with ``auth_required``), every recipient's domain
  is looked up in the practice DNS at RCPT time (a null MX or a missing domain is
  refused at once, RFC 7505 §4.2), and DATA ends in the durable queue: the 250 is
  sent only after the queue files are fsync'ed.
- ``MxHandler``: hamburger.edu as MX, the existing practice server, plus the last hop:
  the delivery agent's own ``Received:`` line, and a word to the world view when a
  message is in Bob's Maildir.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from smtp_tutor.protocol.visible import printable
from smtp_tutor.server.handler import (
    PracticeHandler,
    _now,
    _starts_with_header,
    for_clause,
    with_protocol,
)
from smtp_tutor.server.maildir import MaildirStore
from smtp_tutor.server.wording import reply

TYPE_CHECKING = False
if TYPE_CHECKING:
    from smtp_tutor.world.zone import Route

Enqueue = Callable[[str, list[str], bytes], Awaitable[str]]
Checked = Callable[[str, "Route"], None]  # the recipient and its domain's MX answer


class SubmissionHandler(PracticeHandler):
    """crepes.fr's message submission agent: authenticated users, any destination."""

    def __init__(self, domain: str, users: dict[str, str], mailbox_dir: Path, *,
                 resolver, enqueue: Enqueue, checked: Checked | None = None,  # noqa: ANN001
                 **options) -> None:
        super().__init__(domain, users, mailbox_dir, **options)
        self.resolver = resolver
        self.enqueue = enqueue
        self.checked = checked or (lambda address, route: None)

    async def handle_RCPT(self, server, session, envelope, address: str,
                          rcpt_options: list[str]) -> str:
        if address in ("", "<>") or "@" not in address:
            return reply("bad-recipient-domain")
        if len(envelope.rcpt_tos) >= self.limits.max_recipients:
            return reply("too-many-recipients", limit=self.limits.max_recipients)
        local, _, domain = address.rpartition("@")
        domain = domain.lower()
        if domain == self.domain:
            if local.lower() not in self.users and local.lower() != "postmaster":
                return reply("user-unknown", address=address)
        else:
            try:
                route = await self.resolver.route(domain)
            except Exception:  # noqa: BLE001 - a DNS timeout is a transient failure
                return reply("domain-lookup-failed", address=address)
            self.checked(address, route)
            if route.null_mx:
                return reply("null-mx", address=address, domain=domain)
            if route.missing:
                return reply("domain-not-found", address=address, domain=domain)
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return reply("recipient-ok", address=address)

    async def handle_DATA(self, server, session, envelope) -> str:
        protocol = with_protocol(session, envelope)
        peer = session.peer[0] if session.peer else "unknown"
        trace = (f"Received: from {printable(session.host_name or 'unknown')} ([{peer}])\r\n"
                 f"\tby {self.domain} (smtp-tutor submission server) with {protocol}"
                 f"{for_clause(envelope.rcpt_tos)}; {_now()}\r\n")
        content = envelope.original_content or b""
        if not _starts_with_header(content):
            trace += "\r\n"
        message = trace.encode("utf-8", "replace") + content
        try:
            queue_id = await self.enqueue(envelope.mail_from or "", list(envelope.rcpt_tos),
                                          message)
        except OSError as error:
            return reply("queue-failed", reason=error.strerror)
        return reply("queued", queue_id=queue_id)


class ObservedStore(MaildirStore):
    """A Maildir store that says where each message landed, once it is durable."""

    def __init__(self, root: Path, delivered: Callable[[str, Path, bytes], None]) -> None:
        super().__init__(root)
        self.delivered = delivered

    async def deliver(self, user: str, message: bytes, *, alone: bool = False) -> Path:
        path = await super().deliver(user, message, alone=alone)
        self.delivered(user, path, message)
        return path


class MxHandler(PracticeHandler):
    """hamburger.edu: the practice server, with the delivery agent's trace line."""

    def __init__(self, domain: str, users: dict[str, str], mailbox_dir: Path, *,
                 delivered: Callable[[str, Path, bytes], None] | None = None,
                 **options) -> None:
        super().__init__(domain, users, mailbox_dir, **options)
        if delivered is not None:
            self.store = ObservedStore(mailbox_dir, delivered)

    def _with_trace(self, session, envelope) -> bytes:
        stored = super()._with_trace(session, envelope)
        first, _, rest = stored.partition(b"\r\n")  # the Return-Path line stays on top
        return first + b"\r\n" + delivery_trace(self.domain, envelope.rcpt_tos) + rest


def delivery_trace(domain: str, recipients: list[str]) -> bytes:
    """The last hop's line: the delivery agent puts the message in the mailbox."""
    return (f"Received: by {domain} (smtp-tutor delivery agent, Maildir)"
            f"{for_clause(recipients)}; {_now()}\r\n").encode("utf-8", "replace")


def local_copy(domain: str, sender: str, recipient: str, message: bytes) -> bytes:
    """What crepes.fr stores for its own user (a bounce for Alice, or mail between users)."""
    return (f"Return-Path: <{printable(sender)}>\r\n".encode("utf-8", "replace")
            + delivery_trace(domain, [recipient]) + message)


