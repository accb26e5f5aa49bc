"""Strangers on loopback against the POP3 server: nothing they send runs unprotected,
crashes a session or freezes the server."""

from __future__ import annotations

import contextlib

from tests.pop3.conftest import Line


def test_commands_pipelined_behind_stls_are_discarded(pop3):
    server, _, _ = pop3
    client = Line(server.port)
    try:
        assert client.line().startswith(b"+OK")
        # a man in the middle adds "USER bob" in clear, behind the client's STLS
        client.send(b"STLS\r\nUSER bob\r\n")
        assert client.line().startswith(b"+OK Begin TLS")
        client.tls()
        client.send(b"PASS pickles\r\n")
        assert client.line().startswith(b"-ERR USER first")
    finally:
        client.close()


def test_superscript_digits_get_an_error_and_the_session_goes_on(pop3):
    server, watched, _ = pop3
    client = Line(server.port)
    try:
        client.login()
        for command in (b"LIST \xc2\xb2\r\n", b"RETR \xc2\xb2\r\n", b"DELE \xd9\xa3\r\n",
                        b"TOP 1 \xc2\xb2\r\n", b"LIST " + b"9" * 200 + b"\r\n"):
            client.send(command)
            assert client.line().startswith(b"-ERR")
        client.send(b"LIST 1\r\n")
        assert client.line().startswith(b"+OK 1 ")
    finally:
        client.close()
    assert watched.failed == []


def test_connections_over_the_cap_are_refused_and_said_once(pop3_with):
    server, watched, _ = pop3_with(max_connections=3)
    clients = []
    try:
        for _ in range(3):
            clients.append(Line(server.port))
            assert clients[-1].line().startswith(b"+OK hamburger.edu POP3")
        for _ in range(2):
            extra = Line(server.port)
            clients.append(extra)
            assert extra.line().startswith(b"-ERR [SYS/TEMP]")
            assert extra.line() == b""  # and closed
        assert watched.refused == [3]
        clients[0].send(b"QUIT\r\n")
        assert clients[0].line().startswith(b"+OK")
        assert clients[0].line() == b""
        # one closed: room again (the server counts it once its handler has ended)
        for _ in range(100):
            again = Line(server.port)
            clients.append(again)
            if again.line().startswith(b"+OK"):
                break
        else:
            raise AssertionError("no room after a connection closed")
    finally:
        for client in clients:
            with contextlib.suppress(OSError):
                client.close()


def test_a_message_removed_meanwhile_is_an_error_not_the_end(pop3):
    from smtp_tutor.server.maildir import deliver, list_messages

    server, watched, root = pop3
    deliver(root, "bob", b"Subject: second\r\n\r\nhi\r\n")
    client = Line(server.port)
    try:
        client.login()
        list_messages(root, "bob")[0].unlink()  # another program (a second client) took it
        client.send(b"RETR 1\r\n")
        assert client.line().startswith(b"-ERR message 1 was removed")
        client.send(b"LIST\r\n")
        assert client.line().startswith(b"+OK 2 message")
        while client.line() != b".\r\n":
            pass
        client.send(b"RETR 2\r\n")
        assert client.line().startswith(b"+OK")
    finally:
        client.close()
    assert watched.failed == []
