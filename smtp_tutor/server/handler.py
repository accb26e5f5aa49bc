"""What hamburger.edu answers: aiosmtpd hooks with the textbook's friendly replies.

Local users get their mail stored; unknown local users get 550 5.1.1; any other
domain gets a relay refusal.  Nothing is ever sent anywhere.
"""

from __future__ import annotations

import asyncio
import email.utils
import functools
import inspect
import time
from pathlib import Path

from smtp_tutor.protocol.data import looks_like_header
from smtp_tutor.protocol.visible import printable
from smtp_tutor.server.faults import FAULTS, SLOW_SECONDS
from smtp_tutor.server.maildir import MaildirStore
from smtp_tutor.server.policy import Limits, TeachingFaults
from smtp_tutor.server.protocol import PracticeEnvelope

_DATE: list = [0, ""]


def _now() -> str:
    """The date of the Received: line, formatted once per second."""
    second = int(time.time())
    if _DATE[0] != second:
        _DATE[:] = [second, email.utils.formatdate(second, localtime=True)]
    return _DATE[1]


RANDOM_FAILURE = "451 4.3.0 Temporary local problem (practice fault --fail-rate), try again later"


class PracticeHandler:
    """aiosmtpd handler: HELO/EHLO/MAIL/RCPT/DATA hooks."""

    def __dir__(self) -> list[str]:
        """Only the hooks aiosmtpd looks for (``handle_*``, ``auth_*``): it walks ``dir()``
        and ``inspect.getmembers()`` of the handler on every connection."""
        return _hook_names(type(self))

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
        return f"250 {self.domain} Hello {hostname}, pleased to meet you"

    async def handle_EHLO(self, server, session, envelope, hostname: str,
                          responses: list[str]) -> list[str]:
        session.host_name = hostname
        first = f"250-{self.domain} Hello {hostname}, pleased to meet you"
        extras = ["250-PIPELINING", "250-ENHANCEDSTATUSCODES", "250-VRFY"]
        if hasattr(server, "smtp_BDAT"):  # the practice server's own (server/chunking.py)
            extras.append("250-CHUNKING")
        return [first, *extras, *responses[1:]]

    async def handle_MAIL(self, server, session, envelope, address: str,
                          mail_options: list[str]) -> str:
        if self.faults.replies.get("MAIL"):
            return self.faults.replies["MAIL"]
        if self.faults.roll(self.faults.fail_rate):
            return RANDOM_FAILURE
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return f"250 2.1.0 {address or '<>'} ... Sender ok"

    async def handle_RCPT(self, server, session, envelope, address: str,
                          rcpt_options: list[str]) -> str:
        if address in ("", "<>"):
            return "501 5.1.3 Bad recipient address syntax"
        if address.lower() == "postmaster":  # RFC 5321 §4.5.1: with no domain, always ours
            address = f"postmaster@{self.domain}"
        local, _, domain = address.rpartition("@")
        if len(envelope.rcpt_tos) >= self.limits.max_recipients:
            return (f"452 4.5.3 Too many recipients: at most {self.limits.max_recipients} "
                    "per message, send the rest in another one")
        if self.faults.roll(self.faults.fail_rate):
            return RANDOM_FAILURE
        if self.faults.replies.get("RCPT"):
            return self.faults.replies["RCPT"].format(address=printable(address))
        if self.faults.any_recipient:  # grading: whatever address the student chose
            envelope.rcpt_tos.append(f"{self.faults.any_recipient}@{self.domain}")
            return f"250 2.1.5 {address} ... Recipient ok"
        if domain.lower() != self.domain:
            return f"550 5.7.1 <{address}>: Relay access denied"
        fault = FAULTS.get(local.lower())
        if fault is not None:
            if fault.action == "drop":
                server.transport.abort()
                return "421 4.4.2 Connection dropped on purpose"
            if fault.action == "slow":
                await asyncio.sleep(SLOW_SECONDS)
            elif fault.reply:
                return fault.reply.format(address=address)
        elif local.lower() not in self.users and local.lower() != "postmaster":
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        greylisted = self._greylisted(session, envelope, address)
        if greylisted:
            return greylisted
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return f"250 2.1.5 {address} ... Recipient ok"

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
            return (f"451 4.7.1 <{address}>: Recipient address rejected: Greylisted, "
                    f"try again in {seconds} second{'' if seconds == 1 else 's'}")
        return ""

    async def handle_VRFY(self, server, session, envelope, address: str) -> str:
        return "252 2.0.0 Cannot VRFY user, but will accept message and attempt delivery"

    async def handle_DATA(self, server, session, envelope) -> str:
        if isinstance(envelope, PracticeEnvelope) and envelope.bare_lf:
            return ("550 5.5.2 Message refused: bare <LF> or <CR> received; end every line "
                    "with <CR><LF> (RFC 5321 section 2.3.8)")
        if self.faults.roll(self.faults.fail_rate):
            return RANDOM_FAILURE
        message = self._with_trace(session, envelope)
        users = {recipient.rpartition("@")[0].lower() for recipient in envelope.rcpt_tos}
        try:
            alone = len(users) == 1 and _connections(server) <= 1
            await asyncio.gather(*(self.store.deliver(user, message, alone=alone)
                                   for user in users))
        except OSError as error:
            return (f"451 4.3.0 Could not store the message ({error.strerror}), "
                    "try again later")
        self.delivered += 1
        return "250 2.0.0 Message accepted for delivery"

    def _with_trace(self, session, envelope) -> bytes:
        """The message as stored: Return-Path and Received: trace lines first (RFC 5321 §4.4)."""
        protocol = "ESMTP" if session.extended_smtp else "SMTP"
        if session.ssl:
            protocol += "S"
        if session.authenticated:
            protocol += "A"
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


@functools.cache
def _hook_names(cls: type) -> list[str]:
    return sorted(name for name in dir(cls) if name.startswith(("handle_", "auth_")))


def _connections(server) -> int:  # noqa: ANN001 - PracticeSMTP
    """Clients connected now (more than one: the group commit pays off)."""
    context = getattr(server, "context", None)
    return context.gate.total if context is not None else 2


def _starts_with_header(content: bytes) -> bool:
    first = content.split(b"\n", 1)[0].rstrip(b"\r").decode("utf-8", "replace")
    return looks_like_header(first)


# aiosmtpd inspects handle_EHLO's signature on every connection; a cached one is read
# at once (inspect.signature looks for __signature__ first)
PracticeHandler.handle_EHLO.__signature__ = inspect.signature(  # type: ignore[attr-defined]
    PracticeHandler.handle_EHLO)


def make_authenticator(users: dict[str, str]):
    """AUTH PLAIN/LOGIN against the practice accounts."""
    from aiosmtpd.smtp import AuthResult, LoginPassword

    def authenticate(server, session, envelope, mechanism, auth_data) -> AuthResult:
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        user = auth_data.login.decode("utf-8", "replace").partition("@")[0].lower()
        password = auth_data.password.decode("utf-8", "replace")
        ok = user in users and users[user] != "" and users[user] == password
        return AuthResult(success=ok, handled=False)

    return authenticate


def for_clause(recipients: list[str]) -> str:
    """RFC 5321 §4.4: ``for`` names one path; with several recipients it is left out (as
    Postfix does): listing them all would show Bcc and refused recipients to each."""
    if len(recipients) != 1:
        return ""
    return f"\r\n\tfor <{printable(recipients[0])}>"
