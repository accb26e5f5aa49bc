"""Meta-commands: typed with a ``:`` prefix, never sent to the server."""

from __future__ import annotations

import email.utils
from dataclasses import dataclass

from smtp_tutor.protocol import ClientSession
from smtp_tutor.protocol.commands import mail_path
from smtp_tutor.protocol.data import looks_like_header

HELP = {
    "en": [
        ":help                this list",
        ":explain TOPIC       explain 354, 5.1.1, RCPT, PIPELINING, dot-stuffing …",
        ":raw on|off          show the exact bytes on the wire (⏎ = CRLF)",
        ":headers             in DATA: insert From:/To:/Date:/Message-ID:/Subject: and a blank line",
        ":save FILE           save the session in the textbook's S:/C: notation (:save! overwrites)",
        ":save-lesson FILE    save the session as a lesson (smtp-tutor lesson play FILE)",
        ":lang en|vi          switch the language of explanations",
        ":pipeline on|off     a paste leaves as PIPELINING groups (RFC 2920) where offered",
        ":pipeline … :end     type a group of commands, then send them in one write",
        ":bdat FILE [--last]  the file as one BDAT chunk (RFC 3030); after BDAT n, typed",
        "                     lines are the chunk's octets (CRLF counted), the prompt counts",
        ":attach FILE         attach a file to the next :compose",
        ":compose             build a message (From, To, Cc, Subject, body), shown and explained",
        ":send / :bdat        send the composed message with DATA / in BDAT chunks",
        ":cert                the server's certificate after TLS, each field explained",
        ":cert save FILE      save it in PEM (:cert save! FILE overwrites)",
        "AUTH PLAIN|LOGIN|CRAM-MD5|XOAUTH2  asks for the name and (hidden) password or token",
        ":quit                send QUIT, wait for 221, leave (Ctrl-D does the same; in DATA it",
        "                     asks first, and never sends a half-written message)",
        "Ctrl-C clears the line; while a reply is pending it stops waiting (the shell stays).",
        "Tab completes commands and addresses; a command the server will refuse is flagged",
        "first, and Enter again sends it anyway.",
    ],
    "vi": [
        ":help                danh sách này",
        ":explain MỤC         giải thích 354, 5.1.1, RCPT, PIPELINING, dot-stuffing …",
        ":raw on|off          hiện chính xác các byte trên đường truyền (⏎ = CRLF)",
        ":headers             trong DATA: chèn From:/To:/Date:/Message-ID:/Subject: và dòng trống",
        ":save TỆP            lưu phiên theo ký hiệu S:/C: của giáo trình (:save! để ghi đè)",
        ":save-lesson TỆP     lưu phiên thành bài học (smtp-tutor lesson play TỆP)",
        ":lang en|vi          đổi ngôn ngữ giải thích",
        ":pipeline on|off     khi dán, các lệnh đi theo nhóm PIPELINING (RFC 2920) nếu có",
        ":pipeline … :end     gõ một nhóm lệnh, rồi gửi chúng trong một lần ghi",
        ":bdat TỆP [--last]   gửi tệp thành một khối BDAT (RFC 3030); sau BDAT n, các dòng",
        "                     gõ vào là octet của khối (tính cả CRLF), dấu nhắc đếm ngược",
        ":attach TỆP          đính kèm tệp vào lần :compose tiếp theo",
        ":compose             soạn thư (From, To, Cc, Subject, thân thư), hiện và giải thích",
        ":send / :bdat        gửi thư đã soạn bằng DATA / bằng các khối BDAT",
        ":cert                chứng chỉ của máy chủ sau TLS, giải thích từng trường",
        ":cert save TỆP       lưu nó dạng PEM (:cert save! TỆP để ghi đè)",
        "AUTH PLAIN|LOGIN|CRAM-MD5|XOAUTH2  hỏi tên và mật khẩu (ẩn) hoặc mã truy cập",
        ":quit                gửi QUIT, chờ 221, rồi thoát (Ctrl-D cũng vậy; trong DATA sẽ",
        "                     hỏi trước, không bao giờ gửi thư viết dở)",
        "Ctrl-C xoá dòng; khi đang chờ phản hồi, Ctrl-C chỉ dừng việc chờ (shell vẫn chạy).",
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
                 domain: str = "crepes.fr", skip: frozenset[str] | set[str] = frozenset()
                 ) -> list[str]:
    """The header section a message needs today, then the blank line before the body;
    fields already typed (``skip``, lower-case names) are not added again."""
    sender = sender or "alice@crepes.fr"
    to = ", ".join(recipients) or "bob@hamburger.edu"
    host = sender.rpartition("@")[2] or domain
    fields = [
        ("from", f"From: <{sender}>"),
        ("to", f"To: {', '.join(f'<{r}>' for r in recipients) if recipients else f'<{to}>'}"),
        ("date", f"Date: {email.utils.formatdate(localtime=True)}"),
        ("message-id", f"Message-ID: {email.utils.make_msgid(domain=host)}"),
        ("subject", "Subject: Hello from smtp-tutor"),
    ]
    return [line for name, line in fields if name not in skip] + [""]


class EnvelopeTracker:
    """The transaction in progress, for ``:headers``: envelope, and the header fields
    typed so far (RFC 5322 allows one From:, one Subject: ...)."""

    def __init__(self) -> None:
        self.sender: str | None = None
        self.recipients: list[str] = []
        self.typed_headers: set[str] = set()
        self.headers_open = True

    def sent(self, event) -> None:  # noqa: ANN001 - CommandSent or DataLineSent
        command = getattr(event, "command", None)
        if command is None:
            self._body_line(event.text)
            return
        if command.verb == "MAIL":
            self.sender = mail_path(command)
            self.recipients = []
        elif command.verb == "RCPT":
            address = mail_path(command)
            if address:
                self.recipients.append(address)
        elif command.verb == "DATA":
            self.typed_headers = set()
            self.headers_open = True

    def _body_line(self, text: str) -> None:
        if not self.headers_open:
            return
        if text == "" or not looks_like_header(text) and text[:1] not in (" ", "\t"):
            self.headers_open = False
        elif looks_like_header(text):
            self.typed_headers.add(text.partition(":")[0].strip().lower())
