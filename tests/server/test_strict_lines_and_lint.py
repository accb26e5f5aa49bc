"""Strict CRLF and the client lint, against the running practice server."""

import io
import json
import time

from smtp_tutor.server.lint_report import LintReport
from smtp_tutor.server.policy import TeachingFaults
from tests.server.raw import RawClient


def report_rules(stream: io.StringIO) -> list[str]:
    records = [json.loads(line) for line in stream.getvalue().splitlines()]
    return [r["rule"] for r in records if r["event"] == "finding"]


def wait_for_close(stream: io.StringIO, connections: int = 1) -> list[dict]:
    """The report's records once ``connections`` connections are closed (closing is async)."""
    for _ in range(100):
        records = [json.loads(line) for line in stream.getvalue().splitlines()]
        if sum(r["event"] == "closed" for r in records) >= connections:
            return records
        time.sleep(0.05)
    raise AssertionError(stream.getvalue())


class Unclosed(io.StringIO):
    def close(self) -> None:  # the test reads it after the server stops
        pass


def test_a_bare_lf_command_is_refused_and_the_session_goes_on(practice):
    with RawClient(practice.host, practice.port) as client:
        refused = client.ask(b"HELO crepes.fr\n")
        assert refused.startswith("500 5.5.2") and "bare <LF>" in refused
        assert client.ask(b"HELO crepes.fr\r\n").startswith("250 ")


def test_a_body_with_bare_lfs_is_refused_at_its_lf_dot_lf_and_not_stored(practice):
    with RawClient(practice.host, practice.port) as client:
        client.open_message()
        # what `nc` sends: no CR anywhere; the client gets an answer instead of a hang,
        # and the look-alike end marker ends the connection (SMTP smuggling shape)
        refused = client.ask(b"Do you like ketchup?\nHow about pickles?\n.\n")
        assert refused.startswith("550 5.5.2") and "bare <LF>" in refused
        assert client.closed()
    assert not (practice.mailbox_dir / "bob" / "new").exists()


def test_bare_lfs_inside_a_message_that_ends_properly_refuse_it_at_its_end(practice):
    with RawClient(practice.host, practice.port) as client:
        client.open_message()
        refused = client.ask(b"Subject: x\nDate: now\r\n\r\nbody\r\n.\r\n")
        assert refused.startswith("550 5.5.2") and "bare <LF>" in refused
        assert client.ask(b"QUIT\r\n").startswith("221")
    assert not (practice.mailbox_dir / "bob" / "new").exists()


def test_the_lint_report_names_each_mistake_with_its_rfc(practice_with):
    stream = Unclosed()
    practice = practice_with(watchers=[LintReport(stream)])
    with RawClient(practice.host, practice.port) as client:
        client.ask(b"MAIL FROM:<alice@crepes.fr>\r\n")  # no HELO
        client.send(b"HELO crepes.fr\r\nMAIL FROM:<alice@crepes.fr>\r\n")  # pipelined, no PIPELINING
        client.reply()
        client.reply()
        client.ask(b"RCPT TO:<bob@hamburger.edu>\r\n")
        client.ask(b"DATA\r\n")
        client.ask(b"Subject: hi\r\nDo you like ketchup?\r\n\r\n.\r\n")
        client.ask(b"NOOP\n")
        client.ask(b"QUIT\r\n")
    records = wait_for_close(stream)
    found = {r["rule"]: r for r in records if r["event"] == "finding"}
    assert set(found) == {"no-helo", "pipelined-after", "no-blank-line", "missing-header",
                          "blank-before-dot", "bare-lf"}
    assert found["bare-lf"]["rfc"] == "RFC 5321 §2.3.8"
    assert found["no-helo"]["rfc"] == "RFC 5321 §4.1.4"
    assert found["pipelined-after"]["params"] == {"verb": "HELO"}
    closed = records[-1]
    assert closed["event"] == "closed" and closed["findings"] == 6


def test_pipelining_without_the_extension_after_helo(practice_with):
    stream = Unclosed()
    practice = practice_with(watchers=[LintReport(stream)])
    with RawClient(practice.host, practice.port) as client:
        client.ask(b"HELO crepes.fr\r\n")
        client.send(b"MAIL FROM:<alice@crepes.fr>\r\nRCPT TO:<bob@hamburger.edu>\r\n")
        assert client.reply().startswith("250") and client.reply().startswith("250")
        client.ask(b"QUIT\r\n")
    wait_for_close(stream)
    assert report_rules(stream) == ["pipelining-not-offered"]


def test_a_client_that_talks_before_a_slow_greeting_is_caught(practice_with):
    stream = Unclosed()
    practice = practice_with(watchers=[LintReport(stream)],
                             faults=TeachingFaults(slow_seconds=0.3))
    with RawClient(practice.host, practice.port, greet=False) as client:
        client.send(b"EHLO crepes.fr\r\n")
        assert client.reply().startswith("220")
        assert client.reply().startswith("250-")
        client.ask(b"QUIT\r\n")
    wait_for_close(stream)
    assert report_rules(stream) == ["early-talker"]


def test_overlong_lines_are_refused_and_reported(practice_with):
    stream = Unclosed()
    practice = practice_with(watchers=[LintReport(stream)])
    with RawClient(practice.host, practice.port) as client:
        refused = client.ask(b"NOOP " + b"x" * 5000 + b"\r\n")
        assert refused.startswith("500 5.5.2 Line too long")
        assert client.ask(b"EHLO crepes.fr\r\n").startswith("250")
        client.ask(b"MAIL FROM:<alice@crepes.fr>\r\n")
        client.ask(b"RCPT TO:<bob@hamburger.edu>\r\n")
        client.ask(b"DATA\r\n")
        refused = client.ask(b"From: a@b\r\nDate: x\r\n\r\n" + b"y" * 3000 + b"\r\n.\r\n")
        assert refused.startswith("500 5.5.2 Line too long: a message line")
        assert client.ask(b"QUIT\r\n").startswith("221")
    wait_for_close(stream)
    assert report_rules(stream) == ["long-command-line", "long-text-line"]


def test_the_report_file_from_the_command_line(tmp_path):
    import signal
    import socket
    import subprocess

    from tests.conftest import tutor_command

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    report = tmp_path / "lint.jsonl"
    server = subprocess.Popen([*tutor_command(), "serve", "--port", str(port), "--quiet",
                               "--mailbox-dir", str(tmp_path / "mail"),
                               "--lint-report", str(report)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert b"practice server" in server.stdout.readline()
        with RawClient("127.0.0.1", port) as client:
            client.ask(b"HELO crepes.fr\n")
            client.ask(b"QUIT\r\n")
        for _ in range(100):
            if report.exists() and b'"closed"' in report.read_bytes():
                break
            time.sleep(0.05)
    finally:
        server.send_signal(signal.SIGINT)
        _, err = server.communicate(timeout=10)
    assert server.returncode == 0 and b"Traceback" not in err
    records = [json.loads(line) for line in report.read_text().splitlines()]
    assert [r["rule"] for r in records if r["event"] == "finding"] == ["bare-lf"]
