"""`connect --imap` against hostile servers: what comes in clear behind STARTTLS is dropped
unread, a server that stalls mid-response cannot hold the shell, server text is made
visible, never obeyed."""

from __future__ import annotations

import asyncio

import pytest

from tests.conftest import run_tutor


@pytest.fixture
def fake_imap(loop_thread):
    """``fake_imap(handler)``: a scripted IMAP server; ``handler(reader, writer, tls)``."""
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


def ca_file() -> str:
    from smtp_tutor.paths import data_dir

    return str(data_dir() / "tls" / "ca.pem")


def test_what_follows_ok_to_starttls_in_clear_is_dropped(fake_imap):
    async def handler(reader, writer, tls):
        writer.write(b"* OK [CAPABILITY IMAP4rev1 STARTTLS] ready\r\n")
        await reader.readline()
        writer.write(b"a1 OK go\r\n* OK [ALERT] INJECTED send your password\r\n")
        await writer.drain()
        await writer.start_tls(tls)
        await reader.readline()
        writer.write(b"* BYE bye\r\na2 OK done\r\n")
        await writer.drain()

    port = fake_imap(handler)
    result = run_tutor("connect", "--imap", "127.0.0.1", str(port), "--cafile", ca_file(),
                       stdin=b"STARTTLS\nLOGOUT\n")
    out = result.stdout.decode()
    assert result.returncode == 0, out
    assert "INJECTED" not in out and "were dropped unread" in out and "TLS is up" in out


def test_a_stalling_server_and_escape_sequences(fake_imap):
    async def handler(reader, writer, tls):
        writer.write(b"* OK \x1b]0;owned\x07 \xe2\x80\xae ready\r\n")
        await reader.readline()
        writer.write(b"* 1 FETCH (BODY[] {100}\r\nonly a few")  # then nothing more
        await writer.drain()
        await asyncio.sleep(30)

    port = fake_imap(handler)
    result = run_tutor("connect", "--imap", "127.0.0.1", str(port), "--timeout", "1",
                       stdin=b"FETCH 1 BODY[]\nLOGOUT\n")
    out = result.stdout.decode()
    assert result.returncode == 1
    assert "\x1b" not in out and "\u202e" not in out and "\\x1b" in out and "<U+202E>" in out
    assert "No complete response within 1 s" in out
