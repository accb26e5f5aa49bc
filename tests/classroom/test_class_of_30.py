"""A simulated class of 30: real sockets, real TLS, smtplib and poplib as the students."""

from __future__ import annotations

import poplib
import smtplib
import socket
from concurrent.futures import ThreadPoolExecutor

DOMAIN = "class.example"


def textbook(lab, number: int, to: int) -> None:  # noqa: ANN001
    user = f"sv{number:03d}"
    with smtplib.SMTP("127.0.0.1", lab.port, timeout=10) as client:
        client.ehlo("lab-pc")
        client.starttls(context=lab.tls())
        client.ehlo("lab-pc")
        client.login(f"{user}@{DOMAIN}", lab.passwords[user])
        client.sendmail(f"{user}@{DOMAIN}", [f"sv{to:03d}@{DOMAIN}"],
                        f"From: {user}@{DOMAIN}\r\nSubject: hi\r\n\r\nHello from {user}\r\n")


def pop3_count(lab, number: int, password: str | None = None) -> int:  # noqa: ANN001
    user = f"sv{number:03d}"
    client = poplib.POP3("127.0.0.1", lab.pop3_port, timeout=10)
    try:
        client.stls(context=lab.tls())
        client.user(user)
        client.pass_(password or lab.passwords[user])
        return client.stat()[0]
    finally:
        client.quit()


def raw_session(port: int, lines: list[bytes]) -> bytes:
    """A student's own program: one line at a time, each reply read before the next."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        reader = sock.makefile("rb")
        got = reader.readline()
        for line in lines:
            sock.sendall(line)
            while True:
                reply = reader.readline()
                got += reply
                if reply[3:4] != b"-":
                    break
        return got


def test_thirty_students_mail_each_other_and_read_only_their_own(lab_of):
    lab = lab_of(30)
    with ThreadPoolExecutor(30) as pool:
        list(pool.map(lambda n: textbook(lab, n, n % 30 + 1), range(1, 31)))
    board = lab.wait(lambda b: all(s["sent"] == 1 and s["received"] == 1
                                   for s in b["students"]))
    assert {s["reached"] for s in board["students"]} == {"sent"}
    assert all(s["own_program"] == 0 and not s["flags"] for s in board["students"])
    with ThreadPoolExecutor(30) as pool:
        counts = list(pool.map(lambda n: pop3_count(lab, n), range(1, 31)))
    assert counts == [1] * 30
    # nothing leaves the class domain
    reply = raw_session(lab.port, [b"EHLO x\r\n", b"MAIL FROM:<a@class.example>\r\n",
                                   b"RCPT TO:<victim@elsewhere.example>\r\n", b"QUIT\r\n"])
    assert b"550 5.7.1" in reply and b"Relay access denied" in reply


def test_own_program_is_attributed_by_token_and_a_forged_sender_flagged(lab_of):
    lab = lab_of(4)
    one, two = lab.account(1), lab.account(2)
    got = raw_session(lab.port, [f"EHLO {one.token}.lab\r\n".encode(),
                                 b"MAIL FROM:<sv001@class.example>\r\n",
                                 b"RCPT TO:<sv002@class.example>\r\n", b"DATA\r\n",
                                 b"Subject: mine\r\n\r\nmy own client\r\n.\r\n", b"QUIT\r\n"])
    assert b"250 2.0.0 Message accepted" in got
    board = lab.wait(lambda b: lab.row(b, 1)["sent"] == 1)
    assert lab.row(board, 1)["own_program"] == 1 and lab.row(board, 1)["reached"] == "sent"
    assert lab.row(board, 2)["received"] == 1
    # the token in the MAIL FROM local part; the sender claims to be someone else's:
    # accepted (the lesson of forged senders), flagged on the board
    got = raw_session(lab.port, [b"HELO pc\r\n",
                                 f"MAIL FROM:<sv003+{two.token}@class.example>\r\n".encode(),
                                 b"RCPT TO:<sv001@class.example>\r\n", b"DATA\r\n",
                                 b"Subject: x\r\n\r\nx\r\n.\r\n", b"QUIT\r\n"])
    assert b"250 2.0.0 Message accepted" in got
    board = lab.wait(lambda b: "forged-sender" in lab.row(b, 2)["flags"])
    assert lab.row(board, 2)["sent"] == 1 and lab.row(board, 3)["sent"] == 0
    assert one.token not in str(board) and two.token not in str(board)  # masked
    assert any("‹token›" in line for line in lab.row(board, 2)["dialogue"])


def test_first_lint_finding_reaches_the_board(lab_of):
    lab = lab_of(2)
    token = lab.account(1).token
    raw_session(lab.port, [f"EHLO {token}.lab\n".encode(), b"QUIT\r\n"])
    board = lab.wait(lambda b: lab.row(b, 1)["first_mistake"])
    assert "lf" in lab.row(board, 1)["first_mistake"].lower()
