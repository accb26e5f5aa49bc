"""A hostile student's client cannot take over the projected console, forge a header,
make the server echo a control character, or leave a secret in the console or report."""

from __future__ import annotations

import base64
import io
import json
import smtplib
import socket
import subprocess
import time

from smtp_tutor.render.terminal import TerminalRenderer
from smtp_tutor.server.console import LiveConsole
from smtp_tutor.server.lint_report import LintReport
from tests.conftest import run_tutor, tutor_command
from tests.safety.hostile import HOSTILE, assert_inert
from tests.server.raw import RawClient, ServeProcess
from tests.server.test_console import settled

ASCII_HOSTILE = HOSTILE.replace("\u202e", "").replace("\x9b", "")


class Unclosed(io.StringIO):
    def close(self) -> None:  # the report is read after the server stops
        pass


def test_the_console_shows_a_hostile_client_without_obeying_it(practice_with):
    screen = io.StringIO()
    practice = practice_with(watchers=[LiveConsole(TerminalRenderer("en", screen, color=True,
                                                                    width=200))])
    with RawClient(practice.host, practice.port) as client:
        helo = client.ask(f"EHLO crepes{ASCII_HOSTILE}.fr\r\n".encode())
        mail = client.ask(f"MAIL FROM:<a{HOSTILE}@crepes.fr>\r\n".encode())
        client.ask(b"RCPT TO:<bob@hamburger.edu>\r\n")
        client.ask(b"DATA\r\n")
        client.ask(f"From: a@crepes.fr\r\nSubject: {HOSTILE}\r\n\r\n{HOSTILE}\r\n.\r\n".encode())
        client.ask(b"QUIT\r\n")
    for reply in (helo, mail):  # nothing the client sent comes back as a control character
        assert_inert(reply)
    text = settled(screen, "disconnected")
    assert_inert(text, styled=True)
    assert "pwned" in text  # shown, as text


def test_a_bare_cr_or_control_in_helo_or_address_never_forges_a_header(practice):
    with RawClient(practice.host, practice.port) as client:
        assert client.ask(b"HELO x\rSubject: forged\r\n").startswith("500 5.5.2")
        assert client.ask(b"HELO crepes\x1b.fr\r\n").startswith("250")
        assert client.ask(b'MAIL FROM:<"a\x1bb"@crepes.fr>\r\n').startswith("250")
        client.ask(b"RCPT TO:<bob@hamburger.edu>\r\n")
        client.ask(b"DATA\r\n")
        assert client.ask(b"From: a@crepes.fr\r\n\r\nhi\r\n.\r\n").startswith("250")
    stored = next((practice.mailbox_dir / "bob" / "new").iterdir()).read_bytes()
    head = stored.split(b"\n\n", 1)[0]  # stored with LF
    assert b"\x1b" not in head and b"forged" not in head
    assert b"from crepes?.fr " in head and b"<\"a?b\"@crepes.fr>" in head


def test_mailbox_shows_stored_text_inert(practice):
    with smtplib.SMTP(practice.host, practice.port, timeout=10) as client:
        client.ehlo("crepes.fr")
        client.sendmail("alice@crepes.fr", ["bob@hamburger.edu"],
                        f"From: a@crepes.fr\r\nSubject: {HOSTILE}\r\n\r\n{HOSTILE}\r\n".encode())
    listing = run_tutor("mailbox", "bob", "--mailbox-dir", str(practice.mailbox_dir))
    shown = run_tutor("mailbox", "bob", "--show", "1", "--mailbox-dir", str(practice.mailbox_dir))
    for result in (listing, shown):
        assert result.returncode == 0
        assert_inert((result.stdout + result.stderr).decode())
    assert "pwned" in shown.stdout.decode()


def test_auth_answers_sent_after_a_refusal_are_never_shown_or_reported(practice_with):
    screen, report = io.StringIO(), Unclosed()
    practice = practice_with(watchers=[LiveConsole(TerminalRenderer("en", screen, color=False,
                                                                    width=200)),
                                       LintReport(report)])
    secret = base64.b64encode(b"pickles").decode()
    with RawClient(practice.host, practice.port) as client:
        client.ask(b"EHLO crepes.fr\r\n")
        assert client.ask(b"AUTH LOGIN\r\n").startswith("538")  # no TLS yet
        echoed = client.ask(base64.b64encode(b"bob") + b"\r\n")
        echoed += client.ask(secret.encode() + b"\r\n")
        client.ask(b"AUTH\tPLAIN\t" + base64.b64encode(b"\0bob\0pickles") + b"\r\n")
        client.ask(b"QUIT\r\n")
    text = settled(screen, "disconnected") + report.getvalue() + echoed
    for leak in (secret, secret.upper(), "pickles", "Ym9i", "AGJvYgBwaWNrbGVz"):
        assert leak not in text, leak
    for line in report.getvalue().splitlines():
        json.loads(line)


def test_size_that_is_not_a_number_gets_501_not_a_traceback(tmp_path):
    server = ServeProcess(tmp_path / "mail", "--quiet")
    try:
        with RawClient("127.0.0.1", server.port) as client:
            client.ask(b"EHLO crepes.fr\r\n")
            assert client.ask("MAIL FROM:<a@crepes.fr> SIZE=²\r\n".encode()).startswith("501")
            assert client.ask(b"MAIL FROM:<a@crepes.fr> SIZE=" + b"9" * 5000 + b"\r\n"
                              ).startswith("5")
    finally:
        err = server.stop()
    assert b"Traceback" not in err and b"ValueError" not in err


def test_a_connection_flood_gets_421_and_a_quiet_stderr(tmp_path):
    server = ServeProcess(tmp_path / "mail", "--quiet", "--max-connections", "50")
    held = []
    try:
        for _ in range(300):
            held.append(socket.create_connection(("127.0.0.1", server.port), timeout=10))
        greetings = []
        for sock in held[-20:]:
            sock.settimeout(10)
            greetings.append(sock.recv(200))
        assert all(g.startswith(b"421 4.3.2") for g in greetings), greetings[:3]
        for sock in held:
            sock.close()
        held.clear()
        time.sleep(0.5)
        with smtplib.SMTP("127.0.0.1", server.port, timeout=10) as client:  # service resumes
            assert client.ehlo("crepes.fr")[0] == 250
    finally:
        for sock in held:
            sock.close()
        err = server.stop()
    assert len(err) < 4096 and b"Traceback" not in err


def test_a_console_nobody_reads_never_holds_up_the_server(tmp_path):
    """`serve | less` not scrolled, or Ctrl-S: the pipe fills, the server goes on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen([*tutor_command(), "serve", "--port", str(port), "--mailbox-dir",
                                str(tmp_path / "mail")], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        body = ("From: a@crepes.fr\r\n\r\n" + "line of a long message\r\n" * 200).encode()
        started = time.monotonic()
        for _ in range(20):  # 8 KB of console output each: more than twice a pipe's 64 KiB
            with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
                client.ehlo("crepes.fr")
                assert client.sendmail("alice@crepes.fr", ["bob@hamburger.edu"], body) == {}
        assert time.monotonic() - started < 60
    finally:
        process.kill()
        process.communicate(timeout=10)
