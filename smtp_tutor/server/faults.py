"""Deterministic faults chosen by the recipient's local part: any reply, on purpose.

Always on, so a lesson or an instructor can show a 450 or a dropped connection without
random chaos.  Plain data: the help text and the handler read the same table.
"""

from __future__ import annotations

from dataclasses import dataclass

SLOW_SECONDS = 5.0


@dataclass(frozen=True)
class Fault:
    reply: str  # what RCPT TO gets ("" = accept normally)
    action: str = ""  # "drop": close the connection; "slow": answer after a delay
    about: str = ""


FAULTS: dict[str, Fault] = {
    "busy": Fault("450 4.2.1 <{address}>: Mailbox busy, try again later",
                  about="transient: mailbox busy"),
    "tempfail": Fault("451 4.3.0 <{address}>: Temporary local problem, try again later",
                      about="transient: local error"),
    "full": Fault("552 5.2.2 <{address}>: Mailbox full", about="permanent: over quota"),
    "spam": Fault("550 5.7.1 <{address}>: Message refused by policy (spam)",
                  about="permanent: policy refusal"),
    "gone": Fault("550 5.1.1 <{address}>: Recipient address rejected: User unknown",
                  about="permanent: no such user"),
    "slow": Fault("", action="slow", about=f"accepted, but after {SLOW_SECONDS:g} s"),
    "drop": Fault("", action="drop", about="the server closes the connection"),
}


def describe_faults() -> str:
    """The table as shown at the end of ``smtp-tutor serve --help``."""
    lines = ["recipients that always fail the same way (any @<domain>):"]
    for name, fault in FAULTS.items():
        code = fault.reply.split(" ", 2)[:2]
        shown = " ".join(code) if fault.reply else "-"
        lines.append(f"  {name + '@':<10} {shown:<10} {fault.about}")
    return "\n".join(lines)
