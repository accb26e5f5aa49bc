"""The IMAP server meets strangers: a connection cap, commands smuggled behind STARTTLS,
literals and lines too long, symbolic links in the Maildir, passwords in no log."""

from __future__ import annotations

import os
import socket
import ssl

import pytest


class Raw:
    """A raw socket: what a stranger can send, byte for byte."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.file = self.sock.makefile("rb")

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def line(self) -> bytes:
        return self.file.readline()

    def until(self, tag: bytes) -> list[bytes]:
        lines = []
        while True:
            line = self.line()
            assert line, lines
            lines.append(line)
            if line.startswith(tag + b" "):
                return lines

    def tls(self, ca: str) -> None:
        self.sock = ssl.create_default_context(cafile=ca).wrap_socket(
            self.sock, server_hostname="hamburger.edu")
        self.file = self.sock.makefile("rb")

    def login(self, ca: str) -> None:
        assert self.line().startswith(b"* OK")
        self.send(b"t STARTTLS\r\n")
        assert self.until(b"t")[-1].startswith(b"t OK")
        self.tls(ca)
        self.send(b"l LOGIN bob pickles\r\n")
        assert self.until(b"l")[-1].startswith(b"l OK")

    def close(self) -> None:
        self.file.close()
        self.sock.close()


def test_the_connection_cap(mailhost_with):
    host = mailhost_with(max_connections=2)
    first, second = Raw(host.port), Raw(host.port)
    assert first.line().startswith(b"* OK") and second.line().startswith(b"* OK")
    third = Raw(host.port)
    assert third.line().startswith(b"* BYE [UNAVAILABLE]") and third.line() == b""
    assert host.watched.refused == [2]
    for raw in (first, second, third):
        raw.close()


def test_commands_sent_in_clear_behind_starttls_are_dropped(mailhost):
    raw = Raw(mailhost.port)
    assert raw.line().startswith(b"* OK")
    raw.send(b"t STARTTLS\r\nx LOGIN bob pickles\r\n")  # a man in the middle's addition
    assert raw.until(b"t")[-1].startswith(b"t OK")
    raw.tls(mailhost.ca)
    raw.send(b"n NOOP\r\n")
    assert raw.until(b"n") == [b"n OK NOOP completed\r\n"]  # no answer to x: never run
    raw.send(b"s SELECT INBOX\r\n")
    assert raw.until(b"s")[-1].startswith(b"s BAD")  # still not logged in
    raw.close()


def test_a_literal_too_big_is_refused_and_a_line_too_long_ends_the_session(mailhost):
    raw = Raw(mailhost.port)
    raw.login(mailhost.ca)
    raw.send(b"a LOGIN {99999999}\r\n")
    assert raw.line().startswith(b"a ")  # refused at once, no "+"
    raw.send(b"b NOOP\r\n")
    assert raw.until(b"b")[-1] == b"b OK NOOP completed\r\n"
    raw.send(b"c NOOP " + b"x" * 9000 + b"\r\n")
    assert raw.line().startswith(b"* BYE line too long") and raw.line() == b""
    raw.close()


def test_symbolic_links_in_the_maildir_are_never_followed(mailhost, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("Subject: not yours\n\nthe root password\n")
    os.symlink(secret, mailhost.root / "bob" / "new" / "1.P1Q1.planted")
    raw = Raw(mailhost.port)
    raw.login(mailhost.ca)
    raw.send(b"s SELECT INBOX\r\n")
    assert b"* 3 EXISTS\r\n" in raw.until(b"s")  # the link is not a message
    raw.send(b"f FETCH 1:* BODY[]\r\n")
    assert b"root password" not in b"".join(raw.until(b"f"))
    raw.close()


def test_a_mailbox_that_is_a_link_is_refused(mailhost, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    (mailhost.root / "bob").rename(elsewhere)
    os.symlink(elsewhere, mailhost.root / "bob")
    raw = Raw(mailhost.port)
    assert raw.line().startswith(b"* OK")
    raw.send(b"t STARTTLS\r\n")
    raw.until(b"t")
    raw.tls(mailhost.ca)
    raw.send(b"l LOGIN bob pickles\r\n")
    assert raw.until(b"l")[-1].startswith(b"l NO")
    raw.close()


@pytest.mark.parametrize("line", [b"l LOGIN bob pickles\r\n", b"l LOGIN bob \"pickles\"\r\n"])
def test_the_password_is_never_logged(mailhost, line, capfd):
    raw = Raw(mailhost.port)
    assert raw.line().startswith(b"* OK")
    raw.send(b"t STARTTLS\r\n")
    raw.until(b"t")
    raw.tls(mailhost.ca)
    raw.send(line + b"z LOGOUT\r\n")
    raw.until(b"z")
    raw.close()
    out, err = capfd.readouterr()
    assert "pickles" not in out + err and not mailhost.watched.failed
