"""I10: Maildir files use LF, as maildir(5) readers expect; POP3 still counts and sends
CRLF octets, as on the wire (RFC 1939 §5: sizes are those of the message as sent)."""

from __future__ import annotations

from smtp_tutor.server.maildir import list_messages
from tests.pop3.conftest import MESSAGE, Line


def test_the_file_has_lf_and_pop3_counts_and_sends_crlf(pop3):
    server, _, root = pop3
    [path] = list_messages(root, "bob")
    stored = path.read_bytes()
    assert b"\r" not in stored and stored == MESSAGE.replace(b"\r\n", b"\n")
    client = Line(server.port)
    try:
        client.login()
        client.send(b"STAT\r\nLIST 1\r\nRETR 1\r\n")
        assert client.line() == b"+OK 1 %d\r\n" % len(MESSAGE)
        assert client.line() == b"+OK 1 %d\r\n" % len(MESSAGE)
        assert client.line().startswith(b"+OK")
        block = b""
        while (line := client.line()) != b".\r\n":
            block += line
        assert block == MESSAGE.replace(b"\r\n.", b"\r\n..")  # CRLF, dot-stuffed
    finally:
        client.close()
