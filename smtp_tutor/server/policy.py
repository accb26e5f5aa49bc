"""What the practice server allows: protective limits, and the teaching faults of a lesson.

Limits protect the server (and the class sharing it) from a runaway student client;
each one ends in a clear SMTP reply.  Teaching faults are off by default and switched
on by a flag, so a class can watch a sender queue and retry (RFC 5321 §4.5.4).
"""

from __future__ import annotations

import ipaddress
import random
from dataclasses import dataclass, field

from smtp_tutor.server.wording import reply


@dataclass
class Limits:
    max_message_size: int = 10 * 1024 * 1024  # octets; advertised as SIZE, 552 5.3.4 above
    max_recipients: int = 100  # per message; RFC 5321 §4.5.3.1.8 asks for at least 100
    max_errors: int = 20  # 5xx syntax/sequence errors before 421 and a disconnect
    idle_timeout: float = 300.0  # seconds without a command; RFC 5321 §4.5.3.2.7
    max_per_client: int = 50  # connections from one address at once
    per_client_on_loopback: bool = False  # loopback is exempt unless asked (as Postfix's anvil)
    max_connections: int = 500  # all clients together (421 4.3.2 beyond); 0 = no limit
    close_grace: float = 2.0  # seconds a closing connection's last replies may take


@dataclass
class TeachingFaults:
    fail_rate: float = 0.0  # chance that MAIL, RCPT or DATA gets 451 4.3.0
    drop_rate: float = 0.0  # chance that a command gets no reply: the connection is cut
    slow_seconds: float = 0.0  # every reply, the greeting included, waits this long
    greylist_seconds: float = 0.0  # 451 4.7.1 for a new (client, sender, recipient)
    seed: int | None = None  # makes the random faults repeatable
    # the scenarios of `smtp-tutor grade` (smtp_tutor/grade/scenarios.py), one at a time
    greeting_seconds: float = 0.0  # only the 220 greeting comes this late
    split_seconds: float = 0.0  # each reply line in two TCP writes, this far apart
    line_seconds: float = 0.0  # a pause before each continuation line of a multi-line reply
    refuse_greeting: str = ""  # this reply (a 421) instead of the greeting, then hang up
    # ... after this long, reading (and watching, never answering) what the client sends
    # meanwhile: a client that carries on after the 421 shows it
    refuse_linger: float = 0.0
    replies: dict[str, str] = field(default_factory=dict)  # {"MAIL": "451 ..."}: always that
    any_recipient: str = ""  # a recipient in any domain is accepted, stored for this user

    def __post_init__(self) -> None:
        self.random = random.Random(self.seed)

    def roll(self, rate: float) -> bool:
        return rate > 0 and self.random.random() < rate


class Gate:
    """Counts connections, by client address and in all, and refuses those over a limit."""

    def __init__(self, limits: Limits, domain: str) -> None:
        self.limits = limits
        self.domain = domain
        self.total = 0
        self.by_client: dict[str, int] = {}

    def admit(self, address: str) -> str:
        """Count a new connection; returns the 421 that refuses it, or ``""``."""
        self.total += 1
        self.by_client[address] = self.by_client.get(address, 0) + 1
        limits = self.limits
        if limits.max_connections and self.total > limits.max_connections:
            return reply("too-many-connections", domain=self.domain,
                         limit=limits.max_connections)
        if (limits.max_per_client and self.by_client[address] > limits.max_per_client
                and (limits.per_client_on_loopback or not _is_loopback(address))):
            return reply("too-many-from-client", domain=self.domain, address=address,
                         limit=limits.max_per_client)
        return ""

    def release(self, address: str) -> None:
        self.total -= 1
        left = self.by_client.get(address, 1) - 1
        if left > 0:
            self.by_client[address] = left
        else:
            self.by_client.pop(address, None)


def _is_loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False
