"""A practice POP3 server on a free loopback port, on a Maildir of the test's own."""

from __future__ import annotations

import socket
import ssl
from pathlib import Path

import pytest

from smtp_tutor.server.maildir import deliver

MESSAGE = b"From: alice@crepes.fr\r\nSubject: hi\r\n\r\nDo you like ketchup?\r\n.dot line\r\n"


class Watched:
    """What the server told its console."""

    def __init__(self) -> None:
        self.refused: list[int] = []
        self.failed: list[str] = []


@pytest.fixture
def pop3_with(loop_thread, tmp_path):
    """``pop3_with(max_connections=...)``: (server, watched, mail root); Bob has one message."""
    from smtp_tutor.pop3.server import Pop3Watcher, start_pop3

    root = tmp_path / "mail" / "hamburger.edu"
    deliver(root, "bob", MESSAGE)
    started = []

    def start(**settings):
        watched = Watched()

        class Watcher(Pop3Watcher):
            def refused(self, limit: int) -> None:
                watched.refused.append(limit)

            def failed(self, detail: str) -> None:
                watched.failed.append(detail)

        server = loop_thread.run(start_pop3("127.0.0.1", 0, {"hamburger.edu": root},
                                            {"bob": "pickles"}, default_domain="hamburger.edu",
                                            watcher=Watcher(), **settings))
        started.append(server)
        return server, watched, root

    yield start
    for server in started:
        loop_thread.run(server.stop())


@pytest.fixture
def pop3(pop3_with):
    return pop3_with()


def ca_file() -> str:
    from smtp_tutor.paths import data_dir

    return str(data_dir() / "tls" / "ca.pem")


class Line:
    """A blocking POP3 client on a raw socket: what a stranger can send, byte for byte."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.file = self.sock.makefile("rb")

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def line(self) -> bytes:
        return self.file.readline()

    def tls(self) -> None:
        context = ssl.create_default_context(cafile=ca_file())
        self.sock = context.wrap_socket(self.sock, server_hostname="hamburger.edu")
        self.file = self.sock.makefile("rb")

    def login(self) -> None:
        assert self.line().startswith(b"+OK")
        self.send(b"STLS\r\n")
        assert self.line().startswith(b"+OK")
        self.tls()
        self.send(b"USER bob\r\nPASS pickles\r\n")
        assert self.line().startswith(b"+OK")
        assert self.line().startswith(b"+OK")

    def close(self) -> None:
        self.file.close()
        self.sock.close()


def root_of(path: Path) -> Path:
    return path


@pytest.fixture
def fake_pop3(loop_thread):
    """``fake_pop3(handler)``: a hostile POP3 server; ``handler(reader, writer, tls)`` is
    a coroutine, ``tls`` the practice server context (for a STLS handshake)."""
    import asyncio

    from smtp_tutor.paths import data_dir
    from smtp_tutor.server.certs import ensure_certificates, server_context

    _, cert, key = ensure_certificates(data_dir() / "tls")
    context = server_context(cert, key)
    servers, tasks = [], set()

    def make(handler):
        async def handle(reader, writer):
            tasks.add(asyncio.current_task())
            try:
                await handler(reader, writer, context)
            except (ConnectionError, OSError, asyncio.CancelledError):
                pass
            finally:
                writer.close()

        async def start():
            return await asyncio.start_server(handle, "127.0.0.1", 0)

        server = loop_thread.run(start())
        servers.append(server)
        return server.sockets[0].getsockname()[1]

    yield make

    async def stop():
        for server in servers:
            server.close()
        for task in list(tasks):
            task.cancel()

    loop_thread.run(stop())
