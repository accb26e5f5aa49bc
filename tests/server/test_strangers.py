"""A class shares one server: what one client does must not stall or shut out the others.

From the hostile pass over the rebuilt server (a client flooding pipelined commands, one
that never reads its replies, a slow dribbler, a half-closed socket, a non-ASCII sender
without SMTPUTF8, a recipient prober).
"""

from __future__ import annotations

import socket
import threading
import time

from smtp_tutor.server.policy import Limits
from smtp_tutor.server.watch import COMMAND, Watcher
from tests.server.raw import RawClient

FLOOD = 20_000


class SlowWatcher(Watcher):
    """A console that costs something per line (the live console renders each one)."""

    def __init__(self) -> None:
        self.commands: dict[int, int] = {}

    def client_line(self, peer, line: bytes, kind: str) -> None:  # noqa: ANN001
        if kind == COMMAND:
            self.commands[peer.number] = self.commands.get(peer.number, 0) + 1
            time.sleep(0.0005)


def until(condition, seconds: float = 20) -> bool:  # noqa: ANN001
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


def test_a_pipelined_flood_does_not_stall_the_others(practice_with):
    watcher = SlowWatcher()
    practice = practice_with(watchers=[watcher])
    flood = socket.create_connection((practice.host, practice.port), timeout=10)
    try:
        flood.recv(1000)
        sender = threading.Thread(target=flood.sendall, args=(b"NOOP\r\n" * FLOOD,), daemon=True)
        sender.start()
        assert until(lambda: watcher.commands.get(1, 0) > 100)
        with RawClient(practice.host, practice.port) as other:
            assert other.greeting.startswith("220")
            assert other.ask(b"EHLO crepes.fr\r\n").startswith("250")
            assert other.ask(b"QUIT\r\n").startswith("221")
            # served while the flood was still being read, not after it
            assert watcher.commands.get(1, 0) < FLOOD
    finally:
        flood.close()


def test_clients_that_never_read_give_their_slot_back(practice_with):
    practice = practice_with(limits=Limits(idle_timeout=0.5, max_connections=2,
                                           close_grace=0.2))
    hogs = [socket.create_connection((practice.host, practice.port), timeout=10)
            for _ in range(2)]
    try:
        for hog in hogs:  # replies pile up in the server; the client reads none
            hog.setblocking(False)
            try:
                while True:
                    hog.send(b"EHLO crepes.fr\r\n" * 4096)
            except BlockingIOError:
                pass

        def a_third_is_greeted() -> bool:
            with RawClient(practice.host, practice.port) as third:
                return third.greeting.startswith("220")

        assert until(a_third_is_greeted, 30)
    finally:
        for hog in hogs:
            hog.close()


def test_a_dribbling_client_is_timed_out_by_lines_not_bytes(practice_with):
    practice = practice_with(limits=Limits(idle_timeout=0.5))
    with RawClient(practice.host, practice.port) as client:
        client.sock.settimeout(0.1)
        got = b""
        deadline = time.monotonic() + 10
        while b"421" not in got and time.monotonic() < deadline:
            try:
                client.sock.send(b"N")  # a byte at a time, never a whole line
                got += client.sock.recv(1000)
            except TimeoutError:
                pass
            except OSError:
                break
        assert b"421 4.4.2" in got


def test_a_half_closed_client_gets_every_reply(practice):
    with socket.create_connection((practice.host, practice.port), timeout=10) as client:
        client.sendall(b"EHLO crepes.fr\r\nMAIL FROM:<alice@crepes.fr>\r\n"
                       b"RCPT TO:<bob@hamburger.edu>\r\nDATA\r\nhi\r\n.\r\nQUIT\r\n")
        client.shutdown(socket.SHUT_WR)
        received = b""
        while chunk := client.recv(65536):
            received += chunk
    codes = [line[:3] for line in received.split(b"\r\n") if line[3:4] == b" "]
    assert codes == [b"220", b"250", b"250", b"250", b"354", b"250", b"221"]


def test_a_non_ascii_address_needs_smtputf8(practice):
    with RawClient(practice.host, practice.port) as client:
        assert client.ask(b"EHLO crepes.fr\r\n").startswith("250")
        refused = client.ask("MAIL FROM:<josé@crepes.fr>\r\n".encode())
        assert refused.startswith("553 5.6.7")
        assert client.ask("MAIL FROM:<josé@crepes.fr> SMTPUTF8\r\n".encode()).startswith("250")
        assert client.ask(b"RCPT TO:<bob@hamburger.edu>\r\n").startswith("250")
        assert client.ask(b"DATA\r\n").startswith("354")
        assert client.ask(b"Subject: x\r\n\r\nhi\r\n.\r\n").startswith("250")
    stored = next((practice.mailbox_dir / "bob" / "new").iterdir()).read_bytes()
    assert b" with UTF8SMTP" in stored  # RFC 6531 §3.7.3


def test_refused_recipients_count_toward_the_error_limit(practice_with):
    practice = practice_with(limits=Limits(max_errors=5))
    with RawClient(practice.host, practice.port) as client:
        assert client.ask(b"EHLO crepes.fr\r\n").startswith("250")
        assert client.ask(b"MAIL FROM:<alice@crepes.fr>\r\n").startswith("250")
        for number in range(4):
            assert client.ask(f"RCPT TO:<nobody{number}@hamburger.edu>\r\n".encode()) \
                .startswith("550")
        last = client.ask(b"RCPT TO:<nobody9@hamburger.edu>\r\n")
        assert last.startswith("550") and client.reply().startswith("421 4.7.0")


def test_a_bdat_with_a_bad_word_after_its_size_takes_its_octets(practice):
    with RawClient(practice.host, practice.port) as client:
        assert client.ask(b"EHLO crepes.fr\r\n").startswith("250")
        assert client.ask(b"BDAT 6 NOTLAST\r\nQUIT\r\n").startswith("501 5.5.4")
        assert client.ask(b"NOOP\r\n").startswith("250")  # the "QUIT" was chunk octets
