"""Deterministic faults chosen by the recipient's local part: any reply, on purpose.

Always on, so a lesson or an instructor can show a 450 or a dropped connection without
random chaos.  Plain data: the help text and the handler read the same table.
"""

from __future__ import annotations

from dataclasses import dataclass

SLOW_SECONDS = 5.0


@dataclass(frozen=True)
class Fault:
    reply: str  # the catalogue key of what RCPT TO gets ("" = accept normally)
    action: str = ""  # "drop": close the connection; "slow": answer after a delay
    about: str = ""


FAULTS: dict[str, Fault] = {
    "busy": Fault("fault-busy",
                  about="transient: mailbox busy"),
    "tempfail": Fault("fault-tempfail",
                      about="transient: local error"),
    "full": Fault("fault-full", about="permanent: over quota"),
    "spam": Fault("fault-spam",
                  about="permanent: policy refusal"),
    "gone": Fault("fault-gone",
                  about="permanent: no such user"),
    "slow": Fault("", action="slow", about=f"accepted, but after {SLOW_SECONDS:g} s"),
    "drop": Fault("", action="drop", about="the server closes the connection"),
}


def fault_code(fault: Fault) -> str:
    """The reply code and enhanced code a fault answers with ("450 4.2.1"), or "-"."""
    if not fault.reply:
        return "-"
    from smtp_tutor.server.wording import catalogue

    return " ".join(catalogue()[fault.reply].split(" ", 2)[:2])


def describe_faults() -> str:
    """The table as shown at the end of ``smtp-tutor serve --help``."""
    lines = ["recipients that always fail the same way (any @<domain>):"]
    for name, fault in FAULTS.items():
        lines.append(f"  {name + '@':<10} {fault_code(fault):<10} {fault.about}")
    return "\n".join(lines)
