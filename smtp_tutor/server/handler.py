"""What hamburger.edu answers where the dialogue leaves it to the server's policy.

Local users get their mail stored; unknown local users get 550 5.1.1; any other
domain gets a relay refusal.  Nothing is ever sent anywhere.
"""

from __future__ import annotations

import asyncio
import email.utils
import time
from pathlib import Path

from smtp_tutor.protocol.data import looks_like_header
from smtp_tutor.protocol.visible import printable
from smtp_tutor.server.faults import FAULTS, SLOW_SECONDS
from smtp_tutor.server.maildir import MaildirStore
from smtp_tutor.server.policy import Limits, TeachingFaults
from smtp_tutor.server.wording import reply

_DATE: list = [0, ""]


def _now() -> str:
    """The date of the Received: line, formatted once per second."""
    second = int(time.time())
    if _DATE[0] != second:
        _DATE[:] = [second, email.utils.formatdate(second, localtime=True)]
    return _DATE[1]


class PracticeHandler:
    """The hooks the connection calls (HELO, EHLO, MAIL, RCPT, VRFY, DATA), with
    aiosmtpd's signatures: ``(server, session, envelope, ...)``."""

    def __init__(self, domain: str, users: dict[str, str], mailbox_dir: Path, *,
                 limits: Limits | None = None, faults: TeachingFaults | None = None) -> None:
        self.domain = domain.lower()
        self.users = users
        self.mailbox_dir = mailbox_dir
        self.store = MaildirStore(mailbox_dir)
        self.delivered = 0
        self.limits = limits or Limits()
        self.faults = faults or TeachingFaults()
        self._first_seen: dict[tuple[str, str, str], float] = {}

    async def handle_HELO(self, server, session, envelope, hostname: str) -> str:
        session.host_name = hostname
        return reply("helo", domain=self.domain, name=hostname)

    async def handle_EHLO(self, server, session, envelope, hostname: str,
                          responses: list[str]) -> list[str]:
        """``responses``: the hello line, then the keywords the dialogue advertises."""
        session.host_name = hostname
        extras = ["PIPELINING", "ENHANCEDSTATUSCODES", "VRFY", "CHUNKING"]
        return [responses[0], *extras, *responses[1:]]

    async def handle_MAIL(self, server, session, envelope, address: str,
                          mail_options: list[str]) -> str:
        if self.faults.replies.get("MAIL"):
            return self.faults.replies["MAIL"]
        if self.faults.roll(self.faults.fail_rate):
            return reply("random-failure")
        return reply("sender-ok", address=address or "<>")

    async def handle_RCPT(self, server, session, envelope, address: str,
                          rcpt_options: list[str]) -> str:
        if address in ("", "<>"):
            return reply("bad-recipient")
        if address.lower() == "postmaster":  # RFC 5321 §4.5.1: with no domain, always ours
            address = f"postmaster@{self.domain}"
        local, _, domain = address.rpartition("@")
        if len(envelope.rcpt_tos) >= self.limits.max_recipients:
            return reply("too-many-recipients", limit=self.limits.max_recipients)
        if self.faults.roll(self.faults.fail_rate):
            return reply("random-failure")
        if self.faults.replies.get("RCPT"):
            return self.faults.replies["RCPT"].format(address=printable(address))
        if self.faults.any_recipient:  # grading: whatever address the student chose
            envelope.rcpt_tos.append(f"{self.faults.any_recipient}@{self.domain}")
            return reply("recipient-ok", address=address)
        if domain.lower() != self.domain:
            return reply("relay-denied", address=address)
        fault = FAULTS.get(local.lower())
        if fault is not None:
            if fault.action == "drop":
                server.transport.abort()
                return reply("dropped-on-purpose")
            if fault.action == "slow":
                await asyncio.sleep(SLOW_SECONDS)
            elif fault.reply:
                return reply(fault.reply, address=address)
        elif local.lower() not in self.users and local.lower() != "postmaster":
            return reply("user-unknown", address=address)
        greylisted = self._greylisted(session, envelope, address)
        if greylisted:
            return greylisted
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return reply("recipient-ok", address=address)

    def _greylisted(self, session, envelope, address: str) -> str:
        """A teaching fault: refuse an unknown (client, sender, recipient) triplet for a while."""
        wait = self.faults.greylist_seconds
        if wait <= 0:
            return ""
        peer = session.peer[0] if session.peer else ""
        triplet = (peer, (envelope.mail_from or "").lower(), address.lower())
        now = asyncio.get_running_loop().time()
        if len(self._first_seen) > 10_000:
            self._first_seen.clear()  # bounded memory; at worst someone is greylisted again
        first = self._first_seen.setdefault(triplet, now)
        left = first + wait - now
        if left > 0:
            seconds = max(1, round(left))
            return reply("greylisted", address=address, seconds=seconds,
                         unit="second" if seconds == 1 else "seconds")
        return ""

    async def handle_VRFY(self, server, session, envelope, address: str) -> str:
        return reply("vrfy")

    async def handle_DATA(self, server, session, envelope) -> str:
        if self.faults.roll(self.faults.fail_rate):
            return reply("random-failure")
        message = self._with_trace(session, envelope)
        users = {recipient.rpartition("@")[0].lower() for recipient in envelope.rcpt_tos}
        try:
            alone = len(users) == 1 and _connections(server) <= 1
            await asyncio.gather(*(self.store.deliver(user, message, alone=alone)
                                   for user in users))
        except OSError as error:
            return reply("store-failed", reason=error.strerror)
        self.delivered += 1
        return reply("accepted")

    def _with_trace(self, session, envelope) -> bytes:
        """The message as stored: Return-Path and Received: trace lines first (RFC 5321 §4.4)."""
        protocol = with_protocol(session, envelope)
        peer = session.peer[0] if session.peer else "unknown"
        # what the client chose (HELO name, addresses) can never add a header line
        trace = (
            f"Return-Path: <{printable(envelope.mail_from or '')}>\r\n"
            f"Received: from {printable(session.host_name or 'unknown')} ([{peer}])\r\n"
            f"\tby {self.domain} (smtp-tutor practice server) with {protocol}"
            f"{for_clause(envelope.rcpt_tos)}; {_now()}\r\n"
        )
        content = envelope.original_content or b""
        if not _starts_with_header(content):
            trace += "\r\n"  # a message without headers: its body stays a body
        return trace.encode("utf-8", "replace") + content


def _connections(server) -> int:  # noqa: ANN001 - PracticeSMTP
    """Clients connected now (more than one: the group commit pays off)."""
    context = getattr(server, "context", None)
    return context.gate.total if context is not None else 2


def _starts_with_header(content: bytes) -> bool:
    first = content.split(b"\n", 1)[0].rstrip(b"\r").decode("utf-8", "replace")
    return looks_like_header(first)


def with_protocol(session, envelope) -> str:  # noqa: ANN001 - the core's Session, Envelope
    """The Received: line's ``with`` (RFC 3848; RFC 6531 §3.7.3 for SMTPUTF8): ESMTP,
    then S for TLS and A for AUTH; UTF8SMTP when the transaction declared SMTPUTF8."""
    protocol = "ESMTP" if session.extended_smtp else "SMTP"
    if getattr(envelope, "smtp_utf8", False):
        protocol = "UTF8SMTP"
    return protocol + ("S" if session.ssl else "") + ("A" if session.authenticated else "")


def for_clause(recipients: list[str]) -> str:
    """RFC 5321 §4.4: ``for`` names one path; with several recipients it is left out (as
    Postfix does): listing them all would show Bcc and refused recipients to each."""
    if len(recipients) != 1:
        return ""
    return f"\r\n\tfor <{printable(recipients[0])}>"
