"""``connect --pop3`` against hostile and slow servers, and with secrets typed in ways
that slipped through: nothing injected is shown as a reply, no server holds it past its
deadline, no password reaches the screen, and a whole multi-line answer is read."""

from __future__ import annotations

import asyncio

from smtp_tutor.server.maildir import deliver
from tests.conftest import run_tutor
from tests.pop3.conftest import ca_file


def _pop3(port: int, script: bytes, *extra: str, timeout: float = 60):
    result = run_tutor("connect", "--pop3", "127.0.0.1", str(port), "--cafile", ca_file(),
                       *extra, stdin=script, timeout=timeout)
    return result, result.stdout.decode() + result.stderr.decode()


def test_replies_injected_before_the_tls_handshake_are_dropped(fake_pop3):
    async def handler(reader, writer, context):
        writer.write(b"+OK fake POP3\r\n")
        await reader.readline()  # STLS
        writer.write(b"+OK Begin TLS\r\n+OK INJECTED logged in as root\r\n")
        await writer.drain()
        await writer.start_tls(context)
        while line := await reader.readline():
            writer.write(b"+OK bye\r\n" if line.startswith(b"QUIT") else b"+OK fine\r\n")
            await writer.drain()

    result, out = _pop3(fake_pop3(handler), b"STLS\nNOOP\nQUIT\n")
    assert "INJECTED" not in out
    assert "dropped unread" in out
    assert "S: +OK fine" in out and result.returncode == 0


def test_a_trickling_server_is_left_at_the_deadline(fake_pop3):
    async def handler(reader, writer, context):
        while True:  # "+OK" one byte at a time, never a line end
            writer.write(b"+")
            await writer.drain()
            await asyncio.sleep(0.2)

    result, out = _pop3(fake_pop3(handler), b"QUIT\n", "--timeout", "1")
    assert result.returncode == 1
    assert "No complete reply within 1 s" in out


def test_a_big_retr_is_read_to_its_end(pop3):
    server, _, root = pop3
    body = b"".join(b"line %04d of a long message\r\n" % n for n in range(3000))
    deliver(root, "bob", b"Subject: big\r\n\r\n" + body)
    result, out = _pop3(server.port, b"STLS\nUSER bob\nPASS pickles\nRETR 2\nQUIT\n")
    assert result.returncode == 0, out
    assert "(2602 more)" in out  # 3002 lines, 400 shown
    assert out.index("(2602 more)") < out.index("C: QUIT")  # all read before going on
    assert "S: +OK hamburger.edu POP3 server signing off" in out


def test_secrets_are_masked_however_they_are_typed(pop3):
    server, _, _ = pop3
    script = (b"STLS\nUSER bob\nPASS\tpickles\nQUIT\n")
    result, out = _pop3(server.port, script)
    assert result.returncode == 0, out
    assert "pickles" not in out and "C: PASS ********" in out
    assert "S: +OK bob's maildrop" in out
    result, out = _pop3(server.port, b"STLS\nAUTH PLAIN AGJvYgBwaWNrbGVz\nQUIT\n")
    assert "AGJvYgBwaWNrbGVz" not in out and "C: AUTH PLAIN ********" in out


def test_pass_over_a_plain_connection_is_warned_about_first(pop3):
    server, _, _ = pop3
    result, out = _pop3(server.port, b"USER bob\nPASS pickles\nQUIT\n")
    assert "pickles" not in out
    warning = out.index("this connection has no TLS")
    assert warning < out.index("C: PASS ********")


def test_quit_before_login_is_explained_for_that_state(pop3):
    server, _, _ = pop3
    result, out = _pop3(server.port, b"QUIT\n")
    assert "Before login" in out and "TRANSACTION state" not in out


def test_a_sasl_answer_after_a_challenge_is_masked(fake_pop3):
    async def handler(reader, writer, context):
        writer.write(b"+OK fake POP3\r\n")
        while line := await reader.readline():
            if line.startswith(b"AUTH"):
                writer.write(b"+ \r\n")
            elif line.startswith(b"QUIT"):
                writer.write(b"+OK bye\r\n")
            else:
                writer.write(b"+OK welcome\r\n")
            await writer.drain()

    result, out = _pop3(fake_pop3(handler), b"AUTH PLAIN\nAGJvYgBwaWNrbGVz\nQUIT\n")
    assert result.returncode == 0, out
    assert "AGJvYgBwaWNrbGVz" not in out and "C: ********" in out
    assert "\nS: +\n" in out and "SASL challenge" in out and "S: +OK welcome" in out
    assert "Before login" not in out  # AUTH logged in: QUIT is explained for TRANSACTION
