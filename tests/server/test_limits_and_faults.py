"""Each protective limit and each teaching fault ends in the SMTP reply it promises."""

import smtplib
import time

import pytest

from smtp_tutor.server.policy import Limits, TeachingFaults
from tests.server.raw import RawClient


def start_transaction(client: RawClient) -> None:
    assert client.ask(b"EHLO crepes.fr\r\n").startswith("250")
    assert client.ask(b"MAIL FROM:<alice@crepes.fr>\r\n").startswith("250")


def test_recipients_per_message(practice_with):
    practice = practice_with(limits=Limits(max_recipients=3))
    with RawClient(practice.host, practice.port) as client:
        start_transaction(client)
        for _ in range(3):
            assert client.ask(b"RCPT TO:<bob@hamburger.edu>\r\n").startswith("250")
        assert client.ask(b"RCPT TO:<alice@hamburger.edu>\r\n").startswith("452 4.5.3")


def test_message_size_is_advertised_and_enforced(practice_with):
    practice = practice_with(limits=Limits(max_message_size=2000))
    with smtplib.SMTP(practice.host, practice.port, timeout=10) as client:
        client.ehlo("crepes.fr")
        assert client.esmtp_features["size"] == "2000"
        client.mail("alice@crepes.fr")
        client.rcpt("bob@hamburger.edu")
        code, text = client.data(b"From: a@b\r\n\r\n" + b"x" * 900 + b"\r\n" + b"y" * 900 +
                                 b"\r\n" + b"z" * 900 + b"\r\n")
    assert code == 552 and text.startswith(b"5.3.4") and b"2000" in text


def test_too_many_errors_end_the_connection_with_421(practice_with):
    practice = practice_with(limits=Limits(max_errors=3))
    with RawClient(practice.host, practice.port) as client:
        assert client.ask(b"FOO\r\n").startswith("500")
        assert client.ask(b"BAR\r\n").startswith("500")
        assert client.ask(b"MAIL FROM alice\r\n").startswith("50")
        assert client.reply().startswith("421 4.7.0")
        assert client.closed()


def test_an_idle_client_is_told_421_before_the_server_hangs_up(practice_with):
    practice = practice_with(limits=Limits(idle_timeout=0.5))
    with RawClient(practice.host, practice.port) as client:
        started = time.monotonic()
        assert client.reply().startswith("421 4.4.2")
        assert client.closed()
        assert time.monotonic() - started < 5


def test_connections_per_client_on_loopback_when_asked(practice_with):
    practice = practice_with(limits=Limits(max_per_client=2, per_client_on_loopback=True))
    first, second = (RawClient(practice.host, practice.port) for _ in range(2))
    try:
        third = RawClient(practice.host, practice.port, greet=False)
        assert third.reply().startswith("421 4.7.0") and third.closed()
        first.ask(b"QUIT\r\n")
        first.close()
        time.sleep(0.2)
        with RawClient(practice.host, practice.port) as fourth:
            assert fourth.greeting.startswith("220")
    finally:
        second.close()


def test_loopback_is_exempt_from_the_per_client_limit_by_default(practice_with):
    practice = practice_with(limits=Limits(max_per_client=2))
    clients = [RawClient(practice.host, practice.port) for _ in range(4)]
    try:
        assert all(c.greeting.startswith("220") for c in clients)
    finally:
        for client in clients:
            client.close()


def test_connection_limit_for_everyone(practice_with):
    practice = practice_with(limits=Limits(max_connections=1))
    with RawClient(practice.host, practice.port):
        refused = RawClient(practice.host, practice.port, greet=False)
        assert refused.reply().startswith("421 4.3.2") and refused.closed()


def test_random_failures_are_transient_and_repeatable(practice_with):
    practice = practice_with(faults=TeachingFaults(fail_rate=0.5, seed=7))

    def codes() -> list[str]:
        with RawClient(practice.host, practice.port) as client:
            client.ask(b"EHLO crepes.fr\r\n")
            return [client.ask(b"MAIL FROM:<alice@crepes.fr>\r\n")[:3] + "|" +
                    client.ask(b"RSET\r\n")[:3] for _ in range(20)]

    seen = codes()
    assert {code.split("|")[0] for code in seen} == {"250", "451"}
    practice.running.context.faults.random.seed(7)
    assert codes() == seen


def test_dropped_connections(practice_with):
    practice = practice_with(faults=TeachingFaults(drop_rate=1.0))
    client = RawClient(practice.host, practice.port, greet=False)
    assert client.closed()


def test_slow_replies(practice_with):
    practice = practice_with(faults=TeachingFaults(slow_seconds=0.3))
    started = time.monotonic()
    with RawClient(practice.host, practice.port) as client:
        client.ask(b"NOOP\r\n")
    assert time.monotonic() - started >= 0.6


@pytest.mark.parametrize("flag", ["--fail-rate=2", "--drop-rate=x", "--slow=-1",
                                  "--idle-timeout=0", "--max-errors=many"])
def test_bad_flags_get_a_short_message(flag):
    from tests.conftest import run_tutor

    result = run_tutor("serve", flag)
    assert result.returncode == 2
    assert b"Traceback" not in result.stderr and b"smtp-tutor serve: error" in result.stderr


def test_six_typos_do_not_end_the_session_before_max_errors(practice):
    """aiosmtpd alone hangs up after 5 unknown commands (502); the tutor teaches --max-errors."""
    from tests.server.raw import RawClient

    with RawClient(practice.host, practice.port) as client:
        client.ask(b"EHLO crepes.fr\r\n")
        replies = [client.ask(b"FOO%d\r\n" % n) for n in range(6)]
        assert all(reply.startswith("500 5.5.2") for reply in replies), replies
        assert client.ask(b"NOOP\r\n").startswith("250")
