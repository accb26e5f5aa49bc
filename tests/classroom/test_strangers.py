"""A hostile student: escapes in EHLO and MAIL, guessing a password, reading another's
mailbox, forging a token, and the per-student limits."""

from __future__ import annotations

import imaplib
import poplib
import smtplib
import socket

import pytest

from smtp_tutor.classroom.accounts import MAX_FAILURES
from smtp_tutor.classroom.board import render
from tests.classroom.test_class_of_30 import DOMAIN, pop3_count, raw_session

ESCAPES = "\x1b[2J\x1b]0;pwned\x07\u202eevil"


def test_escapes_from_a_client_never_reach_the_board(lab_of):
    lab = lab_of(3)
    token = lab.account(1).token
    raw_session(lab.port, [f"EHLO {token}.{ESCAPES}\r\n".encode(),
                           f"MAIL FROM:<{ESCAPES}@class.example>\r\n".encode(),
                           b"QUIT\r\n"])
    board = lab.wait(lambda b: lab.row(b, 1)["reached"] != "none")
    for width, height, lang in ((80, 24, "en"), (160, 45, "en"), (80, 24, "vi")):
        text = render(board, width=width, height=height, color=False, lang=lang)
        assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text
        assert all(len(line) <= width for line in text.split("\n"))
        assert len(text.split("\n")) <= height
    from smtp_tutor.classroom.board import dialogue

    shown = dialogue(board, "sv001", "en")
    assert "\x1b" not in shown and "\u202e" not in shown and "<U+202E>" in shown


class FromAddress(imaplib.IMAP4):
    """imaplib from 127.0.0.2 (it has no ``source_address`` of its own)."""

    def _create_socket(self, timeout):  # noqa: ANN001, ANN202
        return socket.create_connection((self.host, self.port), timeout,
                                        source_address=("127.0.0.2", 0))


def login(lab, user: str, password: str, source: str) -> None:  # noqa: ANN001
    """AUTH from the loopback address ``source`` (127.0.0.2 plays a classmate's PC)."""
    with smtplib.SMTP("127.0.0.1", lab.port, timeout=10,
                      source_address=(source, 0)) as client:
        client.starttls(context=lab.tls())
        client.login(f"{user}@{DOMAIN}", password)


def test_a_guesser_is_locked_out_from_their_pc_and_the_owner_is_not(lab_of):
    lab = lab_of(3)
    guesser, owner = "127.0.0.2", "127.0.0.1"
    for _ in range(MAX_FAILURES):
        with pytest.raises(smtplib.SMTPAuthenticationError):
            login(lab, "sv002", "guess", guesser)
    with pytest.raises(smtplib.SMTPAuthenticationError):  # even the right one, from there
        login(lab, "sv002", lab.passwords["sv002"], guesser)
    client = FromAddress("127.0.0.1", lab.running.imap_port, timeout=10)
    try:  # and through the other doors, from there
        client.starttls(ssl_context=lab.tls())
        with pytest.raises(imaplib.IMAP4.error, match="AUTHENTICATIONFAILED"):
            client.login(f"sv002@{DOMAIN}", lab.passwords["sv002"])
    finally:
        client.logout()
    login(lab, "sv002", lab.passwords["sv002"], owner)  # the owner is not kept out
    assert pop3_count(lab, 2) == 0
    board = lab.wait(lambda b: lab.row(b, 2)["locked"] == 1)
    row = lab.row(board, 2)
    assert row["failed_logins"] == MAX_FAILURES and "guessed" in row["flags"]
    text = render(board, width=160, height=45)
    assert f"wrong passwords: {MAX_FAILURES}" in text and "LOCKED for 1 PC" in text
    assert "KHOÁ với 1 máy" in render(board, width=160, height=45, lang="vi")
    for password in lab.passwords.values():  # the board never shows a secret
        assert password not in text and password not in str(board)
    for account in lab.running.room.accounts.by_name.values():
        assert account.token not in str(board)
    assert guesser not in text  # nor points at a PC on the projector


def test_a_student_cannot_read_anothers_mailbox(lab_of):
    lab = lab_of(3)
    from tests.classroom.test_class_of_30 import textbook

    textbook(lab, 1, 2)
    assert pop3_count(lab, 2) == 1
    with pytest.raises(poplib.error_proto):
        pop3_count(lab, 2, password=lab.passwords["sv001"])  # one's own password, not B's


def test_a_forged_token_is_flagged_on_both_rows(lab_of):
    lab = lab_of(3)
    victim = lab.account(2).token
    with smtplib.SMTP("127.0.0.1", lab.port, timeout=10) as client:
        client.starttls(context=lab.tls())
        client.ehlo("pc")
        client.login(f"sv001@{DOMAIN}", lab.passwords["sv001"])
        client.ehlo(f"{victim}.lab")
        client.sendmail(f"sv001@{DOMAIN}", [f"sv003@{DOMAIN}"], "Subject: t\r\n\r\nt\r\n")
    board = lab.wait(lambda b: lab.row(b, 1)["sent"] == 1)
    assert "token-of-another" in lab.row(board, 1)["flags"]
    assert "token-used-by-another" in lab.row(board, 2)["flags"]
    assert lab.row(board, 2)["sent"] == 0


def test_per_student_limits(lab_of):
    lab = lab_of(2, messages_per_minute=3)
    with smtplib.SMTP("127.0.0.1", lab.port, timeout=10) as client:
        client.starttls(context=lab.tls())
        client.login(f"sv001@{DOMAIN}", lab.passwords["sv001"])
        refused = client.sendmail(f"sv001@{DOMAIN}",
                                  [f"sv{n:03d}@{DOMAIN}" for n in [2] * 11], "x\r\n")
        assert [code for code, _ in refused.values()] == [452]  # the 11th recipient
        with pytest.raises(smtplib.SMTPSenderRefused) as big:  # more than 1 MiB
            client.sendmail(f"sv001@{DOMAIN}", [f"sv002@{DOMAIN}"], "x" * (1 << 21))
        assert big.value.smtp_code == 552
        with pytest.raises(smtplib.SMTPSenderRefused) as rate:  # 3 messages a minute
            for _ in range(4):
                client.rset()
                client.sendmail(f"sv001@{DOMAIN}", [f"sv002@{DOMAIN}"], "x\r\n")
        assert rate.value.smtp_code == 450
    board = lab.wait(lambda b: "limited" in lab.row(b, 1)["flags"])
    assert "hit a limit" in render(board, width=160, height=45)


def test_a_student_flooding_connections_is_held_to_their_share(lab_of):
    lab = lab_of(2, connections_per_student=2)
    token = lab.account(1).token
    socks = []
    try:
        for _ in range(3):  # three connections of one student open at once
            sock = socket.create_connection(("127.0.0.1", lab.port), timeout=10)
            socks.append(sock)
            reader = sock.makefile("rb")
            reader.readline()
            sock.sendall(f"EHLO {token}.lab\r\n".encode())
            while reader.readline()[3:4] == b"-":
                pass
        socks[-1].sendall(b"MAIL FROM:<sv001@class.example>\r\n")
        assert socks[-1].makefile("rb").readline().startswith(b"451 4.7.1")
        # the other student is not held back
        got = raw_session(lab.port, [f"EHLO {lab.account(2).token}.lab\r\n".encode(),
                                     b"MAIL FROM:<sv002@class.example>\r\n", b"QUIT\r\n"])
        assert b"250 2.1.0" in got
    finally:
        for sock in socks:
            sock.close()
    board = lab.wait(lambda b: "limited" in lab.row(b, 1)["flags"])
    assert "limited" not in lab.row(board, 2)["flags"]
