"""The blocking driver runs the same connection plan as the asyncio one, on real servers."""

from __future__ import annotations

import socket
import time

import pytest

from smtp_tutor.net.blocking import BlockingConnection
from smtp_tutor.net.errors import TransportError
from smtp_tutor.net.tls import TlsStarted
from smtp_tutor.protocol import ReplyReceived, State


def codes(events) -> list[int]:
    return [e.reply.code for e in events if isinstance(e, ReplyReceived)]


def test_the_textbook_session_with_starttls(practice):
    connection = BlockingConnection(practice.host, practice.port, timeout=10,
                                    cafile=str(practice.ca_path))
    assert codes(connection.open()) == [220]
    seen: list = []
    for line in ("EHLO crepes.fr", "STARTTLS", "EHLO crepes.fr", "MAIL FROM:<alice@crepes.fr>",
                 "RCPT TO:<bob@hamburger.edu>", "DATA", "From: a@crepes.fr", "", "Hi", ".",
                 "QUIT"):
        connection.send(line, show=seen.extend)
    assert codes(seen) == [250, 220, 250, 250, 250, 354, 250, 221]
    assert any(isinstance(e, TlsStarted) and e.verified for e in seen)
    assert connection.session.state is State.CLOSED and connection.closed


def test_failures_carry_their_key_and_what_came_before(fake_server):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(TransportError) as refused:
        BlockingConnection("127.0.0.1", port, timeout=2).open()
    assert refused.value.key == "connection-refused"
    host, port = fake_server(b"220-first line\r\n220-sec", close=True)
    with pytest.raises(TransportError) as cut:
        BlockingConnection(host, port, timeout=2).open()
    assert cut.value.key == "closed-mid-reply" and "first line" in cut.value.params["partial"]
    host, port = fake_server(b"")
    with pytest.raises(TransportError) as silent:
        BlockingConnection(host, port, timeout=0.5).open()
    assert silent.value.key == "greeting-timeout"


def test_the_timeout_is_per_reply_not_per_read(dribbling_server):
    started = time.monotonic()
    with pytest.raises(TransportError) as late:
        BlockingConnection(*dribbling_server, timeout=1).open()
    assert late.value.key == "reply-timeout-partial" and time.monotonic() - started < 3
