"""A bounce: the delivery status notification of RFC 3464, as crepes.fr writes it.

``multipart/report; report-type=delivery-status`` with three parts: words for a person
(English, then Vietnamese), the machine-readable ``message/delivery-status`` (one block
for the message, one per failed recipient), and the original message's header
(``text/rfc822-headers``).  It travels with the null reverse-path ``<>`` (RFC 5321
§4.5.5) so that a bounce can never cause another bounce.
"""

from __future__ import annotations

import email.utils
import uuid
from dataclasses import dataclass

from smtp_tutor.protocol.visible import printable


@dataclass(frozen=True)
class Failure:
    recipient: str
    status: str  # enhanced code, e.g. 5.1.1
    diagnostic: str  # the reply that refused it ("550 5.1.1 ...") or what happened
    remote_mta: str = ""  # the host that said it


def _ascii(text: str) -> str:
    return printable(text).encode("ascii", "replace").decode("ascii")[:900]


def build_dsn(*, reporting_mta: str, original_sender: str, original: bytes,
              failures: list[Failure], arrival: float, queue_id: str) -> bytes:
    """The whole bounce message, CRLF lines."""
    boundary = f"{queue_id}.{uuid.uuid4().hex[:12]}/{reporting_mta}"
    now = email.utils.formatdate(localtime=True)
    who = ", ".join(f"<{_ascii(f.recipient)}>" for f in failures)
    reasons = "\r\n".join(f"  <{_ascii(f.recipient)}>: {_ascii(f.diagnostic)}" for f in failures)
    human = (
        f"This is the mail system at {reporting_mta}.\r\n\r\n"
        "Your message could not be delivered to one or more recipients.\r\n"
        "It is attached below (its header). The reason:\r\n\r\n"
        f"{reasons}\r\n\r\n"
        f"Đây là hệ thống thư của {reporting_mta}. Thư của bạn không gửi được tới "
        f"{who}.\r\nLý do ở trên; phần tiêu đề của thư gốc được đính kèm bên dưới.\r\n"
    )
    status = [
        f"Reporting-MTA: dns; {reporting_mta}",
        f"X-Queue-ID: {queue_id}",
        f"Arrival-Date: {email.utils.formatdate(arrival, localtime=True)}",
        "",
    ]
    for failure in failures:
        status += [f"Final-Recipient: rfc822; {_ascii(failure.recipient)}",
                   f"Original-Recipient: rfc822; {_ascii(failure.recipient)}",
                   "Action: failed",
                   f"Status: {failure.status}"]
        if failure.remote_mta:
            status.append(f"Remote-MTA: dns; {_ascii(failure.remote_mta)}")
        kind = "smtp" if failure.diagnostic[:3].isdigit() else "x-smtp-tutor"
        status += [f"Diagnostic-Code: {kind}; {_ascii(failure.diagnostic)}",
                   f"Last-Attempt-Date: {now}", ""]
    header = original.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    lines = [
        f"From: Mail Delivery System <MAILER-DAEMON@{reporting_mta}>",
        f"To: <{_ascii(original_sender)}>",
        "Subject: Undelivered Mail Returned to Sender",
        f"Date: {now}",
        f"Message-ID: <{queue_id}.{uuid.uuid4().hex[:8]}@{reporting_mta}>",
        "Auto-Submitted: auto-replied",
        "MIME-Version: 1.0",
        f'Content-Type: multipart/report; report-type=delivery-status;\r\n\tboundary="{boundary}"',
        "",
        "This is a MIME-encapsulated message.",
        "",
        f"--{boundary}",
        "Content-Description: Notification",
        "Content-Type: text/plain; charset=utf-8",
        "Content-Transfer-Encoding: quoted-printable",
        "",
        quoted_printable(human),
        f"--{boundary}",
        "Content-Description: Delivery report",
        "Content-Type: message/delivery-status",
        "",
        "\r\n".join(status),
        f"--{boundary}",
        "Content-Description: Undelivered Message Headers",
        "Content-Type: text/rfc822-headers",
        "",
    ]
    text = "\r\n".join(lines).encode("ascii") + b"\r\n"
    body = header.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n").rstrip(b"\r\n") + b"\r\n"
    return text + body + f"\r\n--{boundary}--\r\n".encode("ascii")


def quoted_printable(text: str) -> str:
    """UTF-8 text as quoted-printable (RFC 2045 §6.7), CRLF lines: a 7-bit part any
    relay can carry, whose Vietnamese survives (as lesson 08 teaches)."""
    import quopri

    lines = text.split("\r\n")
    encoded = [quopri.encodestring(line.encode("utf-8")).decode("ascii").replace("=\n", "=\r\n")
               for line in lines]
    return "\r\n".join(encoded)


EXPIRED = "4.4.7"  # RFC 3463 §3.5: delivery time expired, when no better code is known


def expired_status(reply: str) -> str:
    """The Status of a recipient given up on after its retries: the last attempt's own
    enhanced code when it had one (4.7.1 after greylisting), 4.4.7 only when nothing more
    precise is known (RFC 3463 §3.5, X.4.7: "the code for the actual problem found when
    delivery was attempted should be returned rather than this code")."""
    words = reply.split()
    if len(words) > 1 and words[1].count(".") == 2 and words[1][0] == "4":
        return words[1]
    return EXPIRED


def status_of(reply: str, default: str = "5.0.0") -> str:
    """The enhanced code in a reply (``550 5.1.1 ...``), or one made from its class."""
    words = reply.split()
    if len(words) > 1 and words[1].count(".") == 2 and words[1][0] in "245":
        return words[1]
    if words and words[0][:1] in "45":
        return f"{words[0][0]}.0.0"
    return default
