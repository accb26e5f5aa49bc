"""Hostile or broken clients: the server answers or closes that connection, keeps serving
the others, and its memory stays bounded (read from /proc while it runs)."""

import asyncio
import random
import smtplib
import socket
import threading

import pytest

from tests.server.raw import RawClient, ServeProcess

MEMORY_SLACK_KIB = 40 * 1024  # far below what buffering the abuse would take


@pytest.fixture
def server(tmp_path):
    served = ServeProcess(tmp_path / "mail", "--quiet")
    yield served
    err = served.stop()
    assert b"Traceback" not in err, err.decode(errors="replace")


def still_serves(server: ServeProcess) -> None:
    with smtplib.SMTP("127.0.0.1", server.port, timeout=10) as client:
        client.ehlo("crepes.fr")
        refused = client.sendmail("alice@crepes.fr", ["bob@hamburger.edu"],
                                  b"From: alice@crepes.fr\r\n\r\nstill here\r\n")
    assert refused == {}


def drain(sock: socket.socket, limit: float = 20) -> bytes:
    """Everything the server says until it closes (or goes quiet for a while)."""
    sock.settimeout(limit)
    received = b""
    try:
        while chunk := sock.recv(1 << 16):
            received += chunk
    except (TimeoutError, ConnectionResetError):
        pass
    return received


def test_random_bytes(server):
    generator = random.Random(5321)
    for _ in range(20):
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
            sock.recv(1000)
            junk = bytes(generator.randrange(256) for _ in range(generator.randrange(1, 20000)))
            try:
                sock.sendall(junk + b"\r\nQUIT\r\n")
            except (BrokenPipeError, ConnectionResetError):
                continue  # the server hung up on the junk: allowed
            sock.shutdown(socket.SHUT_WR)
            answer = drain(sock)
            # every line the server said is a reply, and it always ended the dialogue
            assert all(line[:3].isdigit() for line in answer.split(b"\r\n") if line)
    still_serves(server)


def test_an_endless_line_is_refused_without_buffering_it(server):
    before = server.rss_kib()
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        sock.recv(1000)
        chunk = b"x" * (1 << 20)
        for _ in range(64):  # 64 MiB without a line end
            sock.sendall(chunk)
        sock.sendall(b"\r\nNOOP\r\n")
        reply = sock.recv(1000)
        assert reply.startswith(b"500 5.5.2 Line too long")
        still_serves(server)
    assert server.rss_kib() - before < MEMORY_SLACK_KIB


def test_ten_thousand_pipelined_commands(server):
    before = server.rss_kib()
    commands = b"EHLO crepes.fr\r\n" + b"NOOP\r\n" * 10_000 + b"QUIT\r\n"
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        sock.recv(1000)
        # the server must not read faster than we read its answers: send from a thread
        sender = threading.Thread(target=sock.sendall, args=(commands,))
        sender.start()
        answer = drain(sock)
        sender.join(30)
    assert answer.count(b"250 ") == 10_001  # EHLO's last line and every NOOP
    assert answer.endswith(b"221 2.0.0 hamburger.edu closing connection\r\n")
    assert server.rss_kib() - before < MEMORY_SLACK_KIB
    still_serves(server)


def test_a_client_that_never_reads(server):
    before = server.rss_kib()
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=5)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.settimeout(1)  # a send that waits a whole second: the server has stopped reading
    sent = 0
    try:
        for _ in range(200_000):  # stops when both socket buffers are full
            sock.send(b"NOOP\r\n" * 100)
            sent += 1
    except (TimeoutError, BlockingIOError, ConnectionResetError, BrokenPipeError):
        pass
    assert sent < 200_000  # the server stopped reading: back pressure, not buffering
    still_serves(server)
    assert server.rss_kib() - before < MEMORY_SLACK_KIB
    sock.close()


def test_half_closed_sockets(server):
    for payload in (b"", b"HELO crepes.fr\r\n", b"HELO crepes.fr\r\nMAIL FROM:<a@crepes.fr>",
                    b"EHLO crepes.fr\r\nMAIL FROM:<a@crepes.fr>\r\nRCPT TO:<bob@hamburger.edu>"
                    b"\r\nDATA\r\nhalf a message\r\n"):
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
            sock.recv(1000)
            sock.sendall(payload)
            sock.shutdown(socket.SHUT_WR)  # we will never say another word
            answer = drain(sock)  # returns when the server closes: no hang
            assert all(line[:3].isdigit() for line in answer.split(b"\r\n") if line)
    assert not list((server_mail(server)).glob("new/*"))  # half a message is never stored
    still_serves(server)


def server_mail(server: ServeProcess):
    args = server.process.args
    return __import__("pathlib").Path(args[args.index("--mailbox-dir") + 1]) / "bob"


def test_many_abusive_connections_at_once_leave_the_others_served(server):
    before = server.rss_kib()
    abusers = []
    for _ in range(50):
        sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
        sock.sendall(b"MAIL FROM:<" + b"a" * 900)  # half a line, never finished
        abusers.append(sock)
    with RawClient("127.0.0.1", server.port) as client:
        assert client.ask(b"EHLO crepes.fr\r\n").startswith("250")
    still_serves(server)
    for sock in abusers:
        sock.close()
    assert server.rss_kib() - before < MEMORY_SLACK_KIB


def test_a_data_line_that_never_ends_costs_no_memory(tmp_path):
    """aiosmtpd keeps every piece of a line until its CRLF: 30 MB with no CRLF in DATA
    must not become 30 MB of the server's memory (the reader drops a cut line's pieces)."""
    import socket
    import threading
    import tracemalloc

    from smtp_tutor.server.app import ServerConfig, start_server
    from smtp_tutor.server.policy import TeachingFaults

    async def main() -> int:
        server = await start_server(ServerConfig(port=0, mailbox_dir=tmp_path,
                                                 faults=TeachingFaults(any_recipient="bob")))

        def client() -> None:
            with socket.create_connection(("127.0.0.1", server.port)) as sock:
                sock.recv(1024)
                sock.sendall(b"HELO x\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\n")
                for _ in range(30):
                    sock.sendall(b"y" * 1048576)

        sender = threading.Thread(target=client)
        tracemalloc.start()
        try:
            sender.start()
            peak = 0
            while sender.is_alive():
                await asyncio.sleep(0.02)
                peak = max(peak, tracemalloc.get_traced_memory()[1])
        finally:
            tracemalloc.stop()
            await server.stop()
        return peak

    assert asyncio.run(main()) < 8 * 1024 * 1024
