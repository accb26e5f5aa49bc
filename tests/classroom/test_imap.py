"""Students read their own mailbox over IMAP too (STARTTLS, then LOGIN with the slip's
password): real sockets, real TLS, imaplib as the student."""

from __future__ import annotations

import imaplib
import socket

import pytest

from smtp_tutor.classroom.accounts import MAX_FAILURES
from tests.classroom.test_class_of_30 import DOMAIN, textbook


def imap_login(lab, number: int, password: str | None = None) -> imaplib.IMAP4:  # noqa: ANN001
    client = imaplib.IMAP4("127.0.0.1", lab.running.imap_port, timeout=10)
    client.starttls(ssl_context=lab.tls())
    user = f"sv{number:03d}"
    client.login(f"{user}@{DOMAIN}", password or lab.passwords[user])
    return client


def subjects(client: imaplib.IMAP4) -> list[bytes]:
    status, data = client.select("INBOX")
    assert status == "OK"
    status, found = client.uid("SEARCH", "ALL")
    out = []
    for uid in found[0].split():
        _, parts = client.uid("FETCH", uid, "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
        out.append(parts[0][1].strip())
    return out


def test_a_student_reads_their_own_mail_over_imap_and_pop3_sees_the_same(lab_of):
    lab = lab_of(3)
    textbook(lab, 1, 2)
    textbook(lab, 3, 2)
    client = imap_login(lab, 2)
    try:
        assert subjects(client) == [b"Subject: hi", b"Subject: hi"]
        _, parts = client.uid("FETCH", b"1", "(BODY[TEXT])")
        assert parts[0][1].startswith(b"Hello from sv001")
        client.uid("STORE", b"1", "+FLAGS", r"(\Deleted)")
        client.expunge()
    finally:
        client.logout()
    from tests.classroom.test_class_of_30 import pop3_count

    assert pop3_count(lab, 2) == 1  # the one deleted over IMAP is gone for POP3 too
    client = imap_login(lab, 1)  # the sender's own mailbox: empty
    try:
        assert subjects(client) == []
    finally:
        client.logout()


def test_login_needs_tls_and_the_class_domain(lab_of):
    lab = lab_of(2)
    client = imaplib.IMAP4("127.0.0.1", lab.running.imap_port, timeout=10)
    try:
        assert "LOGINDISABLED" in client.capabilities
        with pytest.raises(imaplib.IMAP4.error, match="PRIVACYREQUIRED"):
            client.login(f"sv001@{DOMAIN}", lab.passwords["sv001"])
        client.starttls(ssl_context=lab.tls())
        with pytest.raises(imaplib.IMAP4.error, match="AUTHENTICATIONFAILED"):
            client.login("sv001@elsewhere.example", lab.passwords["sv001"])
        client.login("sv001", lab.passwords["sv001"])  # the bare name is the class's
    finally:
        client.logout()


def test_a_student_cannot_read_anothers_mailbox_over_imap(lab_of):
    lab = lab_of(3)
    textbook(lab, 1, 2)
    # sv001's password does not open sv002's mailbox, and the failure is on the board
    client = imaplib.IMAP4("127.0.0.1", lab.running.imap_port, timeout=10)
    try:
        client.starttls(ssl_context=lab.tls())
        with pytest.raises(imaplib.IMAP4.error, match="AUTHENTICATIONFAILED"):
            client.login(f"sv002@{DOMAIN}", lab.passwords["sv001"])
    finally:
        client.logout()
    lab.wait(lambda b: "guessed" in lab.row(b, 2)["flags"])
    # logged in as sv001: no name reaches sv002's Maildir (other users, paths, Maildir++)
    client = imap_login(lab, 1)
    try:
        for name in ("sv002", "../sv002", "sv002/INBOX", ".sv002", "../../mail/sv002"):
            status, _ = client.select(f'"{name}"')
            assert status == "NO", name
        status, listed = client.list('""', '"*"')
        assert len(listed) == 1 and listed[0].endswith(b"INBOX"), listed
        assert subjects(client) == []
    finally:
        client.logout()


def test_imap_guessing_counts_with_the_other_doors_and_locks_that_address(lab_of):
    lab = lab_of(2)
    for _ in range(MAX_FAILURES):
        client = imaplib.IMAP4("127.0.0.1", lab.running.imap_port, timeout=10)
        try:
            client.starttls(ssl_context=lab.tls())
            with pytest.raises(imaplib.IMAP4.error):
                client.login(f"sv002@{DOMAIN}", "guess")
        finally:
            client.logout()
    with pytest.raises(imaplib.IMAP4.error):  # locked from this address, the right one too
        imap_login(lab, 2)
    board = lab.wait(lambda b: lab.row(b, 2)["locked"] == 1)
    assert lab.row(board, 2)["failed_logins"] == MAX_FAILURES


def test_a_pipelined_login_is_answered_in_order_and_never_echoes_the_password(lab_of):
    """The class checks passwords off the loop: commands behind LOGIN wait for it."""
    lab = lab_of(2)
    password = lab.passwords["sv001"]
    raw = socket.create_connection(("127.0.0.1", lab.running.imap_port), timeout=10)
    with raw:
        reader = raw.makefile("rb")
        reader.readline()
        raw.sendall(b"a STARTTLS\r\n")
        assert reader.readline().startswith(b"a OK")
        tls = lab.tls().wrap_socket(raw, server_hostname="127.0.0.1")
        tls.sendall(f"b LOGIN sv001 {password}\r\nc SELECT INBOX\r\nd LOGOUT\r\n".encode())
        got = b""
        while b"d OK" not in got:
            chunk = tls.recv(65536)
            if not chunk:
                break
            got += chunk
    assert got.index(b"b OK") < got.index(b"c OK") < got.index(b"d OK"), got
    assert password.encode() not in got


def test_the_slip_says_how_to_read_mail_over_imap_in_both_languages(lab_of):
    from smtp_tutor.classroom.slips import slip

    lab = lab_of(1)
    text = slip(lab.account(1), lab.passwords["sv001"], domain=DOMAIN, host="10.1.2.3",
                port=2525, pop3_port=2110, imap_port=2143, fingerprint="AB:CD")
    command = "smtp-tutor connect 10.1.2.3 2143 --imap --cafile class-ca.pem"
    assert text.count(command) == 2 and "or IMAP:" in text and "hoặc IMAP:" in text
    assert text.count("--pop3-port 2110 --imap-port 2143") == 2  # the check tries them


def test_the_slips_imap_command_in_a_terminal(lab_of):
    """What the slip says to type: `connect HOST PORT --imap --cafile class-ca.pem`."""
    from tests.pty_screen import PtyScreen

    lab = lab_of(2)
    textbook(lab, 1, 2)
    term = PtyScreen("connect", "127.0.0.1", str(lab.running.imap_port), "--imap", "--cafile",
                     str(lab.running.ca_path))
    try:
        term.wait("imap>")
        term.type("STARTTLS\r")
        term.wait("TLS is up")
        term.type(f"LOGIN sv002@{DOMAIN}\r")
        term.wait("Password (hidden):")
        term.type(lab.passwords["sv002"] + "\r")
        term.wait("logged in")
        term.type("SELECT INBOX\r")
        term.wait("* 1 EXISTS")
        term.type("LOGOUT\r")
        term.wait("LOGOUT completed")
        assert term.ended() == 0
    finally:
        term.close()
    assert lab.passwords["sv002"] not in term.raw


def test_one_pc_cannot_take_every_imap_or_pop3_connection(lab_of):
    lab = lab_of(2, max_per_client=2, per_client_on_loopback=True)
    for port, refusal in ((lab.running.imap_port, b"* BYE [UNAVAILABLE]"),
                          (lab.pop3_port, b"-ERR [SYS/TEMP]")):
        held = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(2)]
        try:
            for sock in held:
                assert not sock.makefile("rb").readline().startswith(refusal)
            with socket.create_connection(("127.0.0.1", port), timeout=10) as third:
                greeting = third.makefile("rb").readline()
                assert greeting.startswith(refusal) and b"from 127.0.0.1 (2)" in greeting
        finally:
            for sock in held:
                sock.close()
