"""The live console: both sides of each connection, explained, and never a password."""

import base64
import io
import smtplib
import ssl
import time

from smtp_tutor.render.terminal import TerminalRenderer
from smtp_tutor.server.console import LiveConsole
from tests.server.raw import RawClient


def console_for(practice_with, lang: str = "en"):
    screen = io.StringIO()
    console = LiveConsole(TerminalRenderer(lang, screen, color=False, width=200))
    return practice_with(watchers=[console]), screen


def settled(screen: io.StringIO, marker: str) -> str:
    for _ in range(100):
        if marker in screen.getvalue():
            return screen.getvalue()
        time.sleep(0.05)
    raise AssertionError(screen.getvalue())


def test_the_textbook_session_is_shown_and_explained(practice_with):
    practice, screen = console_for(practice_with)
    with smtplib.SMTP(practice.host, practice.port, timeout=10) as client:
        client.helo("crepes.fr")
        client.sendmail("alice@crepes.fr", ["bob@hamburger.edu"],
                        b"Do you like ketchup?\r\nHow about pickles?\r\n")
    text = settled(screen, "disconnected")
    assert "connected" in text and "127.0.0.1" in text
    assert "C: helo crepes.fr" in text
    assert "S: 250 hamburger.edu Hello crepes.fr, pleased to meet you" in text
    assert "C: Do you like ketchup?" in text
    assert 'S: 354 Enter mail, end with "." on a line by itself' in text
    # the reply is explained in the context of the command it answers
    assert "Go ahead" in text and "Recipient accepted" in text
    # and the lint says what a strict server holds against this message
    assert "Missing header fields: Date:, From:" in text and "RFC 5322 §3.6" in text


def test_auth_secrets_never_reach_the_console(practice_with):
    practice, screen = console_for(practice_with)
    context = ssl.create_default_context(cafile=str(practice.ca_path))
    with smtplib.SMTP(practice.host, practice.port, timeout=10) as client:
        client.starttls(context=context)
        client.ehlo("crepes.fr")
        client.login("bob", "pickles")  # smtplib tries CRAM-MD5, PLAIN or LOGIN
    with smtplib.SMTP(practice.host, practice.port, timeout=10) as client:
        client.starttls(context=context)
        client.ehlo("crepes.fr")
        client.user, client.password = "carol", "crepes"
        client.auth("LOGIN", client.auth_login, initial_response_ok=False)
    text = settled(screen, "#2") and settled(screen, "235")
    time.sleep(0.2)
    text = screen.getvalue()
    assert "TLS is up" in text and "235" in text
    for secret in ("pickles", "crepes", "carol"):
        assert secret not in text.replace("crepes.fr", "")
        assert base64.b64encode(secret.encode()).decode() not in text
    assert base64.b64encode(b"\0bob\0pickles").decode() not in text


def test_vietnamese_console(practice_with):
    practice, screen = console_for(practice_with, "vi")
    with RawClient(practice.host, practice.port) as client:
        client.ask(b"NOOP\n")
        client.ask(b"QUIT\r\n")
    text = settled(screen, "đã ngắt kết nối")
    assert "Máy khách kết thúc dòng bằng LF đơn" in text
