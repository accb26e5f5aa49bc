"""The practice server driven by clients nobody here wrote: smtplib and swaks."""

import smtplib
import ssl
import subprocess

import pytest

from tests.conftest import TEXTBOOK, run_tutor


def test_smtplib_delivers_to_bob_and_it_is_on_disk(practice):
    with smtplib.SMTP(practice.host, practice.port, timeout=10) as client:
        code, banner = client.ehlo("crepes.fr")
        assert code == 250 and b"pleased to meet you" in banner
        client.sendmail("alice@crepes.fr", ["bob@hamburger.edu"],
                        b"From: alice@crepes.fr\r\nSubject: ketchup\r\n\r\nDo you like ketchup?\r\n")
    [stored] = (practice.mailbox_dir / "bob" / "new").iterdir()
    text = stored.read_bytes()
    assert text.startswith(b"Return-Path: <alice@crepes.fr>\nReceived: from crepes.fr")
    assert b"Subject: ketchup" in text and b"Do you like ketchup?" in text


@pytest.mark.parametrize(("rcpt", "code", "enhanced"), [
    ("nosuchuser@hamburger.edu", 550, b"5.1.1"),
    ("someone@example.com", 550, b"5.7.1"),
    ("busy@hamburger.edu", 450, b"4.2.1"),
    ("tempfail@hamburger.edu", 451, b"4.3.0"),
    ("full@hamburger.edu", 552, b"5.2.2"),
    ("spam@hamburger.edu", 550, b"5.7.1"),
    ("gone@hamburger.edu", 550, b"5.1.1"),
])
def test_refusals_and_deterministic_faults(practice, rcpt, code, enhanced):
    with smtplib.SMTP(practice.host, practice.port, timeout=10) as client:
        client.ehlo("crepes.fr")
        client.mail("alice@crepes.fr")
        got, text = client.rcpt(rcpt)
    assert (got, text.split()[0]) == (code, enhanced)


def test_drop_closes_the_connection(practice):
    with smtplib.SMTP(practice.host, practice.port, timeout=10) as client:
        client.ehlo("crepes.fr")
        client.mail("alice@crepes.fr")
        with pytest.raises(smtplib.SMTPServerDisconnected):
            client.rcpt("drop@hamburger.edu")


def test_starttls_and_auth_with_smtplib(practice):
    context = ssl.create_default_context(cafile=str(practice.ca_path))
    with smtplib.SMTP(practice.host, practice.port, timeout=10) as client:
        client.ehlo("crepes.fr")
        assert not client.has_extn("auth")
        client.starttls(context=context)
        client.ehlo("crepes.fr")
        assert "PLAIN" in client.esmtp_features["auth"]
        client.login("alice", "ketchup")
    with smtplib.SMTP(practice.host, practice.port, timeout=10) as client:
        client.starttls(context=context)
        with pytest.raises(smtplib.SMTPAuthenticationError):
            client.login("bob", "wrong")


def test_swaks_textbook_and_tls(practice, swaks):
    result = subprocess.run(
        [swaks, "--server", practice.host, "--port", str(practice.port), "--helo", "crepes.fr",
         "--from", "alice@crepes.fr", "--to", "bob@hamburger.edu", "--tls",
         "--auth", "LOGIN", "--auth-user", "bob", "--auth-password", "pickles"],
        capture_output=True, timeout=60)
    out = result.stdout.decode()
    assert result.returncode == 0, out + result.stderr.decode()
    assert "235 2.7.0 Authentication successful" in out
    assert "250 2.0.0 Message accepted for delivery" in out
    assert len(list((practice.mailbox_dir / "bob" / "new").iterdir())) == 1


def test_mailbox_command_lists_and_shows(practice):
    result = run_tutor("connect", practice.host, str(practice.port), stdin=TEXTBOOK)
    assert result.returncode == 0
    listing = run_tutor("mailbox", "bob", "--mailbox-dir", str(practice.mailbox_dir))
    assert b"1 message for bob" in listing.stdout  # not "message(s)" (issue 24)
    shown = run_tutor("mailbox", "bob", "--mailbox-dir", str(practice.mailbox_dir), "--show", "1")
    assert b"Received: from crepes.fr" in shown.stdout and b"How about pickles?" in shown.stdout
