"""Meta-commands: typed with a ``:`` prefix, never sent to the server."""

from __future__ import annotations

import email.utils
from dataclasses import dataclass

from smtp_tutor.protocol import ClientSession
from smtp_tutor.protocol.commands import mail_path

HELP = {
    "en": [
        ":help                this list",
        ":explain TOPIC       explain 354, 5.1.1, RCPT, PIPELINING, dot-stuffing …",
        ":raw on|off          show the exact bytes on the wire (⏎ = CRLF)",
        ":headers             in DATA: insert From:/To:/Date:/Message-ID:/Subject: and a blank line",
        ":save FILE           save the session in the textbook's S:/C: notation",
        ":save-lesson FILE    save the session as a lesson (smtp-tutor lesson play FILE)",
        ":lang en|vi          switch the language of explanations",
        ":quit                send QUIT, wait for 221, leave (Ctrl-D does the same)",
        "Tab completes commands and addresses; a command the server will refuse is flagged",
        "first, and Enter again sends it anyway.",
    ],
    "vi": [
        ":help                danh sách này",
        ":explain CHỦ_ĐỀ      giải thích 354, 5.1.1, RCPT, PIPELINING, dot-stuffing …",
        ":raw on|off          hiện chính xác các byte trên đường truyền (⏎ = CRLF)",
        ":headers             trong DATA: chèn From:/To:/Date:/Message-ID:/Subject: và dòng trống",
        ":save TỆP            lưu phiên theo ký hiệu S:/C: của giáo trình",
        ":save-lesson TỆP     lưu phiên thành bài học (smtp-tutor lesson play TỆP)",
        ":lang en|vi          đổi ngôn ngữ giải thích",
        ":quit                gửi QUIT, chờ 221, rồi thoát (Ctrl-D cũng vậy)",
        "Tab gợi ý lệnh và địa chỉ; lệnh mà máy chủ sẽ từ chối được cảnh báo trước,",
        "nhấn Enter lần nữa để vẫn gửi.",
    ],
}


@dataclass(frozen=True)
class MetaCommand:
    name: str
    argument: str


def parse_meta(line: str) -> MetaCommand | None:
    """``:name argument`` → MetaCommand; None when the line is not a meta-command."""
    if not line.startswith(":") or len(line) < 2:
        return None
    name, _, argument = line[1:].strip().partition(" ")
    return MetaCommand(name.lower(), argument.strip())


def header_lines(session: ClientSession, sender: str | None, recipients: list[str],
                 domain: str = "crepes.fr") -> list[str]:
    """The header section a message needs today, then the blank line before the body."""
    sender = sender or "alice@crepes.fr"
    to = ", ".join(recipients) or "bob@hamburger.edu"
    host = sender.rpartition("@")[2] or domain
    return [
        f"From: <{sender}>",
        f"To: {', '.join(f'<{r}>' for r in recipients) if recipients else f'<{to}>'}",
        f"Date: {email.utils.formatdate(localtime=True)}",
        f"Message-ID: {email.utils.make_msgid(domain=host)}",
        "Subject: Hello from smtp-tutor",
        "",
    ]


class EnvelopeTracker:
    """The envelope of the transaction in progress, for ``:headers``."""

    def __init__(self) -> None:
        self.sender: str | None = None
        self.recipients: list[str] = []

    def sent(self, verb: str, command) -> None:
        if verb == "MAIL":
            self.sender = mail_path(command)
            self.recipients = []
        elif verb == "RCPT":
            address = mail_path(command)
            if address:
                self.recipients.append(address)
