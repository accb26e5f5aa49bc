"""The asyncio transport against real servers: practice server, bare aiosmtpd, broken peers."""

import asyncio
import io
import ssl

import pytest

from smtp_tutor.net.connection import SmtpConnection
from smtp_tutor.net.errors import TransportError
from smtp_tutor.net.tls import TlsStarted, client_context
from smtp_tutor.protocol import ReplyReceived, State
from tests.conftest import need


def run(coroutine):
    return asyncio.run(asyncio.wait_for(coroutine, 30))


def codes(events):
    return [e.reply.code for e in events if isinstance(e, ReplyReceived)]


def test_starttls_upgrades_in_place_and_verifies_with_cafile(practice):
    async def scenario():
        connection = SmtpConnection(practice.host, practice.port,
                                    ssl_context=client_context(cafile=str(practice.ca_path)))
        await connection.open()
        await connection.send("EHLO crepes.fr")
        assert "AUTH" not in connection.session.capabilities
        events = await connection.send("STARTTLS")
        [tls] = [e for e in events if isinstance(e, TlsStarted)]
        assert tls.verified and tls.version.startswith("TLSv1.") and "hamburger.edu" in tls.subject
        assert connection.session.state is State.HELLO and connection.session.tls
        await connection.send("EHLO crepes.fr")
        assert "AUTH" in connection.session.capabilities
        events = await connection.send("AUTH PLAIN AGJvYgBwaWNrbGVz")  # bob / pickles
        assert codes(events) == [235] and connection.session.authenticated
        await connection.send("QUIT")
        assert connection.closed

    run(scenario())


def test_unknown_ca_fails_verification_with_a_clear_key(practice):
    async def scenario():
        connection = SmtpConnection(practice.host, practice.port, ssl_context=client_context())
        await connection.open()
        await connection.send("EHLO crepes.fr")
        with pytest.raises(TransportError) as failure:
            await connection.send("STARTTLS")
        assert failure.value.key == "tls-verify-failed"

    run(scenario())


def test_insecure_skips_verification_and_says_so(practice):
    async def scenario():
        connection = SmtpConnection(practice.host, practice.port,
                                    ssl_context=client_context(insecure=True))
        await connection.open()
        await connection.send("EHLO crepes.fr")
        events = await connection.send("STARTTLS")
        [tls] = [e for e in events if isinstance(e, TlsStarted)]
        assert not tls.verified

    run(scenario())


def test_auth_refused_before_tls(practice):
    async def scenario():
        connection = SmtpConnection(practice.host, practice.port)
        await connection.open()
        await connection.send("EHLO crepes.fr")
        notes = [n.key for n in connection.session.check("AUTH PLAIN")]
        assert "auth-needs-tls" in notes
        events = await connection.send("AUTH PLAIN AGJvYgBwaWNrbGVz")
        assert codes(events)[0] // 100 == 5

    run(scenario())


def test_implicit_tls(loop_thread, practice):
    from aiosmtpd.handlers import Sink
    from aiosmtpd.smtp import SMTP

    from smtp_tutor.server.certs import server_context

    context = server_context(practice.ca_path.with_name("server.pem"),
                             practice.ca_path.with_name("server.key"))

    async def start():
        loop = asyncio.get_running_loop()
        return await loop.create_server(lambda: SMTP(Sink(), loop=loop), "127.0.0.1", 0,
                                        ssl=context)

    server = loop_thread.run(start())
    port = server.sockets[0].getsockname()[1]

    async def scenario():
        connection = SmtpConnection("127.0.0.1", port, implicit_tls=True,
                                    ssl_context=client_context(cafile=str(practice.ca_path)))
        events = await connection.open()
        assert isinstance(events[0], TlsStarted) and codes(events) == [220]
        assert connection.session.tls
        await connection.send("QUIT")

    try:
        run(scenario())
    finally:
        loop_thread.loop.call_soon_threadsafe(server.close)


def test_ipv6_loopback(loop_thread):
    import socket

    need(socket.has_ipv6, "IPv6 in this kernel")
    from aiosmtpd.handlers import Sink
    from aiosmtpd.smtp import SMTP

    async def start():
        loop = asyncio.get_running_loop()
        return await loop.create_server(lambda: SMTP(Sink(), loop=loop), "::1", 0)

    try:
        server = loop_thread.run(start())
    except OSError:
        need(False, "::1 configured on the loopback interface")
    port = server.sockets[0].getsockname()[1]

    async def scenario():
        connection = SmtpConnection("::1", port)
        assert codes(await connection.open()) == [220]
        await connection.send("QUIT")

    try:
        run(scenario())
    finally:
        loop_thread.loop.call_soon_threadsafe(server.close)


@pytest.mark.parametrize(("payload", "close", "key"), [
    (b"", False, "greeting-timeout"),
    (b"250-half a reply\r\n", True, "closed-mid-reply"),
    (b"", True, "server-closed"),
])
def test_broken_servers_raise_keyed_errors(fake_server, payload, close, key):
    host, port = fake_server(payload, close=close)

    async def scenario():
        connection = SmtpConnection(host, port, timeout=0.5)
        with pytest.raises(TransportError) as failure:
            await connection.open()
        assert failure.value.key == key

    run(scenario())


def test_not_smtp_is_a_protocol_error_and_closes(fake_server):
    host, port = fake_server(b"HTTP/1.1 400 Bad Request\r\n\r\n")

    async def scenario():
        connection = SmtpConnection(host, port, timeout=2)
        events = await connection.open()
        assert events[-1].key == "malformed-reply" and connection.closed

    run(scenario())


def test_421_greeting_closes(fake_server):
    host, port = fake_server(b"421 4.3.2 Service shutting down\r\n")

    async def scenario():
        connection = SmtpConnection(host, port, timeout=2)
        events = await connection.open()
        assert codes(events) == [421] and connection.session.state is State.CLOSED

    run(scenario())


def test_connection_refused_and_unknown_host():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]

    async def scenario():
        with pytest.raises(TransportError) as refused:
            await SmtpConnection("127.0.0.1", port, timeout=2).open()
        assert refused.value.key == "connection-refused"
        with pytest.raises(TransportError) as unknown:
            await SmtpConnection("no-such-host.invalid", 25, timeout=5).open()
        assert unknown.value.key in ("unknown-host", "connect-timeout")

    run(scenario())


def test_bad_cafile_is_explained(tmp_path):
    with pytest.raises(TransportError) as failure:
        client_context(cafile=str(tmp_path / "missing.pem"))
    assert failure.value.key == "cafile-unreadable"
    assert isinstance(client_context(), ssl.SSLContext)


def test_tls_messages_fit_the_situation(loop_thread, tmp_path):
    """A name the certificate does not list, with --cafile; --cafile with --insecure."""
    import ssl

    import trustme

    from smtp_tutor.render import make_renderer

    ca = trustme.CA()
    cert = ca.issue_cert("mail.example")
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(server_context)
    cafile = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(cafile))

    async def handle(reader, writer):
        writer.write(b"220 mail.example ESMTP\r\n")
        await writer.drain()
        await reader.read(100)
        writer.close()

    async def start():
        return await asyncio.start_server(handle, "127.0.0.1", 0, ssl=server_context)

    server = loop_thread.run(start())
    port = server.sockets[0].getsockname()[1]

    async def scenario(insecure: bool):
        connection = SmtpConnection("127.0.0.1", port, timeout=5, implicit_tls=True,
                                    cafile=str(cafile), insecure=insecure)
        try:
            return await connection.open()
        finally:
            await connection.close()

    with pytest.raises(TransportError) as failure:
        loop_thread.run(scenario(False))
    assert failure.value.key == "tls-verify-failed-cafile"
    assert failure.value.params["host"] == "127.0.0.1"
    events = loop_thread.run(scenario(True))
    stream = io.StringIO()
    make_renderer("plain", "en", stream).show_all(events)
    assert "the CA given with --cafile is not used" in stream.getvalue()
    loop_thread.loop.call_soon_threadsafe(server.close)


def test_a_220_to_starttls_with_no_tls_after_it_ends_in_one_message(fake_server, loop_thread):
    host, port = fake_server(b"220 hi\r\n", reply_to_each=b"250-hi\r\n250 STARTTLS\r\n")

    async def scenario():
        connection = SmtpConnection(host, port, timeout=1)
        await connection.open()
        await connection.send("EHLO crepes.fr")
        connection.session._pending.clear()  # the fake server answers 250 to everything:
        await connection.write(b"STARTTLS\r\n")  # play its 220 by hand, then silence
        connection.session.send_command("STARTTLS")
        connection.session.receive(b"220 go ahead\r\n")
        with pytest.raises(TransportError) as failure:
            await connection.start_tls()
        return failure.value.key

    assert loop_thread.run(scenario()) in ("starttls-handshake-failed", "tls-handshake-failed")
