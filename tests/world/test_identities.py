"""D11, T2: crepes.fr is its own company: its own certificate for submission, its own
POP3 server, greeting and name for Alice's mailbox; hamburger.edu keeps Bob's."""

from __future__ import annotations

import smtplib
import socket
import ssl

from tests.world.conftest import submit, wait_for


def _names(cert: dict) -> set[str]:
    return {value for kind, value in cert.get("subjectAltName", ()) if kind == "DNS"}


def test_submission_shows_crepes_frs_own_certificate(world):
    context = ssl.create_default_context(cafile=str(world.ca_path))
    with smtplib.SMTP("127.0.0.1", world.submission.port, timeout=10) as client:
        client.ehlo("alice-laptop")
        client.starttls(context=context)
        cert = client.sock.getpeercert()
    assert dict(x[0] for x in cert["subject"])["commonName"] == "crepes.fr"
    assert "crepes.fr" in _names(cert) and "hamburger.edu" not in _names(cert)


def _pop3_greeting_and_login(port: int, ca: str, name: str, user: str, password: str):
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        reader = raw.makefile("rb")
        greeting = reader.readline()
        raw.sendall(b"STLS\r\n")
        assert reader.readline().startswith(b"+OK")
        context = ssl.create_default_context(cafile=ca)
        with context.wrap_socket(raw, server_hostname=name) as tls:  # checks the name
            lines = tls.makefile("rb")
            tls.sendall(f"USER {user}\r\nPASS {password}\r\nQUIT\r\n".encode())
            replies = [lines.readline() for _ in range(3)]
    return greeting, replies


def test_alice_reads_her_bounce_at_crepes_fr(world):
    submit(world, ["nobody@hamburger.edu"])
    wait_for(lambda: not world.manager.entries)
    greeting, replies = _pop3_greeting_and_login(world.pop3_crepes.port, str(world.ca_path),
                                                 "pop.crepes.fr", "alice", "ketchup")
    assert greeting.startswith(b"+OK crepes.fr POP3")
    assert replies[1].startswith(b"+OK alice's maildrop has 1 message")
    assert replies[2].startswith(b"+OK crepes.fr POP3 server signing off")


def test_bob_reads_his_at_hamburger_edu_and_not_alices(world):
    greeting, replies = _pop3_greeting_and_login(world.pop3.port, str(world.ca_path),
                                                 "pop.hamburger.edu", "alice@crepes.fr",
                                                 "ketchup")
    assert greeting.startswith(b"+OK hamburger.edu POP3")
    assert replies[1].startswith(b"-ERR [AUTH]")  # crepes.fr's mailboxes are not here
