"""I4: the relay's opportunistic TLS.  Verified against the MX host name with the world's
CA; not verified (said, and delivered anyway) for a certificate naming another host; in
clear on the same MX when the handshake fails; the next MX only on connection failure
or 4xx; a deferral names the first MX's failure."""

from __future__ import annotations

import asyncio
import socket

import pytest

from smtp_tutor.world.certs import ensure_world_certificates
from smtp_tutor.world.events import RelayConnecting, RelaySaid, RelayTls, WorldWatcher
from smtp_tutor.world.relay import DEFERRED, DELIVERED, RelayClient
from smtp_tutor.world.zone import PracticeResolver, load_zone, serve_zone
from tests.world.conftest import MESSAGE, messages, submit, wait_for


class Told(WorldWatcher):
    """The relay's connections and TLS outcomes, as (what, host[, reason])."""

    def __init__(self) -> None:
        self.said: list[tuple] = []

    def publish(self, event):
        if isinstance(event, RelayTls):
            reason = () if event.outcome == "verified" else (event.reason,)
            self.said.append((event.outcome, event.host, *reason))
        elif isinstance(event, RelayConnecting):
            self.said.append(("connecting", event.host))


@pytest.fixture
def zone(loop_thread):
    server = loop_thread.run(serve_zone(load_zone()))
    yield PracticeResolver("127.0.0.1", server.port)
    loop_thread.loop.call_soon_threadsafe(server.close)


@pytest.fixture
def certificates(tmp_path):
    return ensure_world_certificates(tmp_path / "tls")


def _relay(zone, port, certificates, told) -> RelayClient:
    return RelayClient(zone, {"mx.hamburger.edu": port}, "crepes.fr", watcher=told,
                       cafile=str(certificates.ca), timeout=10)


def test_the_worlds_own_mx_is_verified(world):
    assert submit(world, ["bob@hamburger.edu"]) == {}
    wait_for(lambda: messages(world.maildir("hamburger.edu"), "bob"))
    tls = world.recorder.of(RelayTls)
    assert [(event.outcome, event.host) for event in tls] == [("verified", "mx.hamburger.edu")]


def test_a_certificate_for_another_name_is_not_verified_and_the_mail_goes(
        practice_with, zone, certificates, loop_thread):
    mx = practice_with(tls_files=certificates.for_domain("bistro.fr"))  # names bistro.fr
    told = Told()
    results = loop_thread.run(_relay(zone, mx.port, certificates, told).deliver(
        "hamburger.edu", "alice@crepes.fr", ["bob@hamburger.edu"], MESSAGE))
    assert [r.outcome for r in results] == [DELIVERED]
    [unverified] = [s for s in told.said if s[0] == "unverified"]
    assert unverified[1] == "mx.hamburger.edu" and "mx.hamburger.edu" in unverified[2]
    assert messages(mx.mailbox_dir, "bob")


def test_a_failed_handshake_is_followed_by_the_same_mx_in_clear(zone, certificates,
                                                                 loop_thread):
    stored: list[bytes] = []
    connections = []

    async def handle(reader, writer):
        first = not connections
        connections.append(1)
        writer.write(b"220 mx.hamburger.edu ESMTP\r\n")
        while line := await reader.readline():
            verb = line[:4].upper()
            if verb == b"EHLO":
                extra = b"250-STARTTLS\r\n" if first else b""
                writer.write(b"250-mx.hamburger.edu\r\n" + extra + b"250 8BITMIME\r\n")
            elif verb == b"STAR":
                writer.write(b"220 go ahead\r\nthis is not TLS at all\r\n")
                await writer.drain()
                writer.close()
                return
            elif verb == b"DATA":
                writer.write(b"354 go\r\n")
                await writer.drain()
                body = b""
                while (part := await reader.readline()) != b".\r\n":
                    body += part
                stored.append(body)
                writer.write(b"250 2.0.0 stored\r\n")
            elif verb == b"QUIT":
                writer.write(b"221 bye\r\n")
                await writer.drain()
                writer.close()
                return
            else:
                writer.write(b"250 ok\r\n")
            await writer.drain()

    server = loop_thread.run(asyncio.start_server(handle, "127.0.0.1", 0))
    try:
        told = Told()
        port = server.sockets[0].getsockname()[1]
        results = loop_thread.run(_relay(zone, port, certificates, told).deliver(
            "hamburger.edu", "alice@crepes.fr", ["bob@hamburger.edu"], MESSAGE))
    finally:
        loop_thread.loop.call_soon_threadsafe(server.close)
    assert [r.outcome for r in results] == [DELIVERED]
    assert [s[0] for s in told.said] == ["connecting", "clear", "connecting"]
    assert [s[1] for s in told.said] == ["mx.hamburger.edu"] * 3  # the same MX, twice
    assert stored and b"Do you like ketchup?" in stored[0]


def test_a_deferral_names_the_first_mxs_failure(zone, certificates, loop_thread):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]  # nothing listens there once closed
    told = Told()
    results = loop_thread.run(_relay(zone, port, certificates, told).deliver(
        "hamburger.edu", "alice@crepes.fr", ["bob@hamburger.edu"], MESSAGE))
    assert [r.outcome for r in results] == [DEFERRED]
    assert "mx.hamburger.edu" in results[0].reply and "backup-mx" not in results[0].reply


def test_a_4xx_from_the_first_mx_is_the_deferral_named(practice_with, zone, certificates,
                                                       loop_thread):
    from smtp_tutor.server.policy import TeachingFaults

    mx = practice_with(tls_files=certificates.for_domain("hamburger.edu"),
                       faults=TeachingFaults(replies={"MAIL": "451 4.3.0 try later"}))
    told = Told()
    results = loop_thread.run(_relay(zone, mx.port, certificates, told).deliver(
        "hamburger.edu", "alice@crepes.fr", ["bob@hamburger.edu"], MESSAGE))
    assert [r.outcome for r in results] == [DEFERRED]
    assert results[0].reply.startswith("451 4.3.0") and results[0].mta == "mx.hamburger.edu"
    assert ("verified", "mx.hamburger.edu") in told.said


def test_delivery_to_postfix_over_starttls_not_verified(postfix, zone, certificates,
                                                         loop_thread):
    """Postfix's certificate does not come from the world's CA: TLS goes on, unverified."""
    told = Told()
    results = loop_thread.run(_relay(zone, postfix[1], certificates, told).deliver(
        "hamburger.edu", "alice@crepes.fr", ["bob@hamburger.edu"], MESSAGE))
    assert [r.outcome for r in results] == [DELIVERED]
    assert [s[0] for s in told.said if s[0] != "connecting"] == ["unverified"]


class Commands(Told):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def publish(self, event):
        super().publish(event)
        if isinstance(event, RelaySaid):
            self.lines += [e.command.display for e in event.events if hasattr(e, "command")]


@pytest.mark.parametrize(("body", "declared"), [("Bánh mì\r\n".encode(), True),
                                                (b"plain ASCII\r\n", False)])
def test_an_8bit_body_is_declared_with_body_8bitmime(practice_with, zone, certificates,
                                                     loop_thread, body, declared):
    """I9, RFC 6152 §3."""
    mx = practice_with(tls_files=certificates.for_domain("hamburger.edu"))
    told = Commands()
    message = b"Subject: x\r\n\r\n" + body
    results = loop_thread.run(_relay(zone, mx.port, certificates, told).deliver(
        "hamburger.edu", "alice@crepes.fr", ["bob@hamburger.edu"], message))
    assert [r.outcome for r in results] == [DELIVERED]
    [mail] = [line for line in told.lines if line.startswith("MAIL")]
    assert (mail == "MAIL FROM:<alice@crepes.fr> BODY=8BITMIME") is declared


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_the_console_says_tls_not_verified_and_why(lang):
    import io

    from smtp_tutor.render.plain import PlainRenderer
    from smtp_tutor.world.view import WorldView

    out = io.StringIO()
    view = WorldView(PlainRenderer(lang, out))
    view.publish(RelayTls("mx.hamburger.edu", "unverified", "hostname mismatch"))
    view.publish(RelayTls("mx.hamburger.edu", "clear", "alert"))
    text = out.getvalue()
    assert ("TLS, not verified: hostname mismatch" if lang == "en"
            else "TLS, chưa xác minh: hostname mismatch") in text
    assert "mx.hamburger.edu" in text


def test_an_8bit_body_is_not_sent_to_a_server_without_8bitmime(zone, certificates,
                                                               loop_thread):
    """RFC 6152 §3: no 8BITMIME offered, no 8-bit data sent: the message fails (a bounce)."""
    seen: list[bytes] = []

    async def handle(reader, writer):
        writer.write(b"220 old.example ESMTP\r\n")
        while line := await reader.readline():
            seen.append(line)
            if line[:4].upper() == b"EHLO":
                writer.write(b"250-old.example\r\n250 SIZE 1000000\r\n")
            elif line[:4].upper() == b"QUIT":
                writer.write(b"221 bye\r\n")
                await writer.drain()
                writer.close()
                return
            else:
                writer.write(b"250 ok\r\n")
            await writer.drain()

    server = loop_thread.run(asyncio.start_server(handle, "127.0.0.1", 0))
    try:
        port = server.sockets[0].getsockname()[1]
        results = loop_thread.run(_relay(zone, port, certificates, Told()).deliver(
            "hamburger.edu", "alice@crepes.fr", ["bob@hamburger.edu"],
            "Subject: x\r\n\r\nBánh mì\r\n".encode()))
    finally:
        loop_thread.loop.call_soon_threadsafe(server.close)
    assert [r.outcome for r in results] == ["failed"]
    assert results[0].reply.startswith("554 5.6.3")
    assert not any(line.startswith(b"MAIL") for line in seen)
