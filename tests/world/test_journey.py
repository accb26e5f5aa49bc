"""The whole journey end to end on loopback: Alice → crepes.fr → MX → hamburger.edu → Bob."""

from __future__ import annotations

import asyncio
import email
import email.policy
import smtplib

import pytest

from smtp_tutor.protocol.pop3 import Pop3Session
from smtp_tutor.server.policy import TeachingFaults
from smtp_tutor.world.events import (
    Bounced,
    Deferred,
    Delivered,
    Done,
    Fetched,
    GaveUp,
    Queued,
    Routed,
)
from smtp_tutor.world.retry import RetrySchedule
from tests.world.conftest import MESSAGE, messages, on_wire, submit, wait_for


def _header(data: bytes) -> bytes:
    return data.split(b"\r\n\r\n", 1)[0]


def test_alice_to_bob_three_received_lines(world):
    assert submit(world, ["bob@hamburger.edu"]) == {}
    [stored] = wait_for(lambda: messages(world.maildir("hamburger.edu"), "bob"))
    data = on_wire(stored)
    header = _header(data)
    assert header.startswith(b"Return-Path: <alice@crepes.fr>\r\n")
    received = [line for line in header.split(b"\r\n") if line.startswith(b"Received:")]
    assert len(received) == 3  # delivery agent, MX, submission: newest first
    assert b"by hamburger.edu (smtp-tutor delivery agent" in received[0]
    assert received[1].startswith(b"Received: from crepes.fr")
    assert received[2].startswith(b"Received: from alice-laptop")
    assert b"with ESMTPSA" in header  # submission: TLS and AUTH
    assert data.endswith(MESSAGE)  # the message itself, unchanged, dots included
    wait_for(lambda: not world.manager.entries)
    assert not list((world.config.directory / "queue").glob("*.json"))
    recorded = world.recorder
    [route] = recorded.of(Routed)
    assert route.domain == "hamburger.edu"
    assert route.exchangers == ((10, "mx.hamburger.edu"), (20, "backup-mx.hamburger.edu"))
    [queued] = recorded.of(Queued)
    assert (queued.sender, queued.recipients) == ("alice@crepes.fr", ("bob@hamburger.edu",))
    [delivered] = recorded.of(Delivered)  # the event names the file and its trace
    assert (delivered.domain, delivered.user, delivered.local) == ("hamburger.edu", "bob", False)
    assert delivered.path == str(stored) and delivered.received == 3
    assert delivered.trace[0] == "Return-Path: <alice@crepes.fr>"
    wait_for(lambda: recorded.of(Done))  # published just after the entry leaves the queue
    assert [type(event) for event in recorded.events if isinstance(event, (Queued, Done))] == [
        Queued, Done]


async def _pop3_retr(port: int, cafile: str, user: str, password: str) -> tuple[list, bytes]:
    """Bob's mail program, on the project's own POP3 core."""
    from smtp_tutor.net.tls import client_context

    session = Pop3Session()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    replies = []

    async def read():
        while session.awaiting_reply:
            chunk = await asyncio.wait_for(reader.read(65536), 10)
            assert chunk
            replies.extend(session.receive(chunk))
            if session.start_tls:
                await writer.start_tls(client_context(cafile=cafile), server_hostname="127.0.0.1")
                session.tls_established()

    await read()
    for line in ("CAPA", "USER bob", "STLS", f"USER {user}", f"PASS {password}", "STAT", "LIST",
                 "RETR 1", "DELE 1", "QUIT"):
        wire, _ = session.send(line)
        writer.write(wire)
        await writer.drain()
        await read()
    writer.close()
    retr = next(r for r in replies if r.answering and r.answering.verb == "RETR")
    return replies, retr.data


def test_bob_retrieves_it_over_pop3_byte_for_byte(world, loop_thread):
    submit(world, ["bob@hamburger.edu"])
    [stored] = wait_for(lambda: messages(world.maildir("hamburger.edu"), "bob"))
    original = on_wire(stored)
    replies, data = loop_thread.run(_pop3_retr(world.pop3.port, str(world.ca_path), "bob",
                                               "pickles"))
    assert data == original
    verbs = [(r.answering.verb, r.ok) for r in replies]
    assert ("USER", False) in verbs  # USER before STLS is refused: no password in clear
    assert verbs[-1] == ("QUIT", True)
    assert not stored.exists()  # DELE then QUIT: removed in the UPDATE state
    # the world published the fetch, with the size RETR announced
    octets = next(r for r in replies if r.answering.verb == "RETR").text.split()[0]
    assert world.recorder.of(Fetched) == [Fetched("pop3", "bob@hamburger.edu", 1, int(octets))]


def test_pop3_with_stdlib_poplib(world):
    import poplib
    import ssl

    submit(world, ["bob@hamburger.edu"])
    [stored] = wait_for(lambda: messages(world.maildir("hamburger.edu"), "bob"))
    client = poplib.POP3("127.0.0.1", world.pop3.port, timeout=10)
    client.stls(ssl.create_default_context(cafile=str(world.ca_path)))
    client.user("bob")
    client.pass_("pickles")
    count, size = client.stat()
    assert count == 1 and size == len(on_wire(stored))
    _, lines, _ = client.retr(1)
    assert b"\r\n".join(lines) + b"\r\n" == on_wire(stored)
    client.quit()


def test_unknown_user_bounces_to_alice_with_a_multipart_report(world):
    submit(world, ["nobody@hamburger.edu"])
    [bounce] = wait_for(lambda: messages(world.maildir("crepes.fr"), "alice"))
    data = on_wire(bounce)
    assert data.startswith(b"Return-Path: <>\r\n")  # the null reverse-path
    report = email.message_from_bytes(data, policy=email.policy.default)
    assert report.get_content_type() == "multipart/report"
    assert report.get_param("report-type") == "delivery-status"
    parts = list(report.iter_parts())
    assert [p.get_content_type() for p in parts] == [
        "text/plain", "message/delivery-status", "text/rfc822-headers"]
    blocks = parts[1].get_payload()
    assert blocks[0]["Reporting-MTA"] == "dns; crepes.fr"
    assert blocks[1]["Final-Recipient"] == "rfc822; nobody@hamburger.edu"
    assert blocks[1]["Action"] == "failed"
    assert blocks[1]["Status"] == "5.1.1"
    assert blocks[1]["Remote-MTA"] == "dns; mx.hamburger.edu"
    assert blocks[1]["Diagnostic-Code"].startswith("smtp; 550 5.1.1")
    assert "Subject: ketchup" in parts[2].get_content()
    assert not messages(world.maildir("hamburger.edu"), "nobody")
    wait_for(lambda: not world.manager.entries)


def test_4xx_is_retried_and_delivered(world_with):
    # hamburger.edu greylists: the first try gets 451 4.7.1, the retry 30 "minutes" later works
    world = world_with(mx_faults=TeachingFaults(greylist_seconds=0.3),
                       schedule=RetrySchedule(speedup=2400.0))  # 30 min = 0.75 s
    submit(world, ["bob@hamburger.edu"])
    [stored] = wait_for(lambda: messages(world.maildir("hamburger.edu"), "bob"))
    [retry] = world.recorder.of(Deferred)
    assert retry.reply.startswith("451 4.7.1") and retry.minutes == 30
    assert retry.seconds == pytest.approx(0.75) and retry.speedup == 2400.0
    assert on_wire(stored).count(b"\r\nReceived: ") == 3
    assert not messages(world.maildir("crepes.fr"), "alice")  # no bounce


def test_retry_limit_bounces_with_the_last_attempts_status(world_with):
    # 30 minutes in 0.15 s: time for two tries to end before the third is due, on a busy machine
    world = world_with(schedule=RetrySchedule(speedup=12000.0, give_up_minutes=90))
    submit(world, ["busy@hamburger.edu"])  # always 450 4.2.1
    [bounce] = wait_for(lambda: messages(world.maildir("crepes.fr"), "alice"))
    report = email.message_from_bytes(on_wire(bounce), policy=email.policy.default)
    status = list(report.iter_parts())[1].get_payload()[1]
    # RFC 3463 §3.5: the actual problem's code (mailbox busy), not 4.4.7 (delivery time expired)
    assert status["Action"] == "failed" and status["Status"] == "4.2.1"
    assert "450 4.2.1" in status["Diagnostic-Code"]
    assert len(world.recorder.of(Deferred)) >= 2
    [gave_up] = world.recorder.of(GaveUp)
    [bounced] = world.recorder.of(Bounced)
    assert gave_up.minutes == 90 and bounced.id == gave_up.id and bounced.sender == "alice@crepes.fr"
    [local] = wait_for(lambda: [event for event in world.recorder.of(Delivered) if event.local])
    assert (local.user, local.domain) == ("alice", "crepes.fr")  # the bounce, delivered at home


def test_a_message_greylisted_until_it_expires_bounces_with_4_7_1(world_with):
    """Lesson 15's case: the bounce of a greylisted message carries 4.7.1, not 4.4.7."""
    world = world_with(mx_faults=TeachingFaults(greylist_seconds=3600.0),
                       schedule=RetrySchedule(speedup=12000.0, give_up_minutes=90))
    submit(world, ["bob@hamburger.edu"])
    [bounce] = wait_for(lambda: messages(world.maildir("crepes.fr"), "alice"))
    report = email.message_from_bytes(on_wire(bounce), policy=email.policy.default)
    status = list(report.iter_parts())[1].get_payload()[1]
    assert status["Action"] == "failed" and status["Status"] == "4.7.1"
    assert status["Diagnostic-Code"].startswith("smtp; 451 4.7.1")
    assert not messages(world.maildir("hamburger.edu"), "bob")


def test_null_mx_and_missing_domain_are_refused_at_submission(world):
    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        submit(world, ["someone@nomail.fr"])
    code, text = refused.value.recipients["someone@nomail.fr"]
    assert code == 556 and text.startswith(b"5.1.10")
    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        submit(world, ["someone@example.com"])  # not in the practice DNS: never looked up outside
    assert refused.value.recipients["someone@example.com"][0] == 550
    assert not world.manager.entries


def test_a_fallback_domain_without_mx(world):
    submit(world, ["carol@bistro.fr"])
    [stored] = wait_for(lambda: messages(world.maildir("bistro.fr"), "carol"))
    assert on_wire(stored).count(b"\r\nReceived: ") == 3
    [route] = world.recorder.of(Routed)
    assert route.fallback and route.exchangers[0][1] == "bistro.fr"


def test_submission_requires_tls_then_auth(world):
    with smtplib.SMTP("127.0.0.1", world.submission.port, timeout=10) as client:
        client.ehlo("alice-laptop")
        assert not client.has_extn("auth")  # AUTH only after STARTTLS
        code, _ = client.mail("alice@crepes.fr")
        assert code == 530  # authentication required (port 587)
