"""SMTP smuggling (CVE-2023-51764/51765/51766): only <CRLF>.<CRLF> ends a message.

Each look-alike end marker is sent in one packet with a second transaction behind it:
the first message must be refused whole, the connection must end, and the smuggled
transaction must never run (nothing from admin@ stored).
"""

from __future__ import annotations

import pytest

from smtp_tutor.protocol.framing import DataFraming, Verdict
from tests.server.raw import RawClient

SMUGGLED = (b"MAIL FROM:<admin@hamburger.edu>\r\nRCPT TO:<bob@hamburger.edu>\r\nDATA\r\n"
            b"From: admin@hamburger.edu\r\nSubject: smuggled\r\n\r\nforged\r\n.\r\n")
LOOKALIKES = [b"\n.\n", b"\n.\r\n", b"\r\n.\n", b"\r.\r\n", b"\r\n.\r", b"\r.\r", b"\r.\n"]


def _stored(practice) -> list[bytes]:
    new = practice.mailbox_dir / "bob" / "new"
    return [path.read_bytes() for path in new.iterdir()] if new.exists() else []


@pytest.mark.parametrize("marker", LOOKALIKES, ids=[repr(m) for m in LOOKALIKES])
def test_a_lookalike_end_refuses_the_message_and_nothing_after_it_runs(practice, marker):
    with RawClient(practice.host, practice.port) as client:
        client.open_message(b"EHLO crepes.fr")
        client.send(b"From: alice@crepes.fr\r\nSubject: hi\r\n\r\nDo you like ketchup?"
                    + marker + SMUGGLED + b"\r\n.\r\n")
        reply = client.reply()
        assert reply.startswith("550 5.5.2"), reply
        assert client.closed()
    assert _stored(practice) == []


def test_the_real_end_marker_still_ends_exactly_one_message(practice):
    with RawClient(practice.host, practice.port) as client:
        client.open_message(b"EHLO crepes.fr")
        assert client.ask(b"From: alice@crepes.fr\r\n\r\n..a stuffed line\r\n.\r\n"
                          ).startswith("250")
        assert client.ask(b"QUIT\r\n").startswith("221")
    stored = _stored(practice)
    assert len(stored) == 1 and b"\n.a stuffed line\n" in stored[0]  # stored with LF


@pytest.mark.parametrize("lines,verdicts", [
    ([b"a\r\n", b".\r\n"], [Verdict.BODY, Verdict.END]),
    ([b"..\r\n", b".\r\n"], [Verdict.BODY, Verdict.END]),
    ([b"a\n", b".\r\n"], [Verdict.BODY, Verdict.LOOKALIKE]),
    ([b"a\r\n", b".\n"], [Verdict.BODY, Verdict.LOOKALIKE]),
    ([b"a\r.\r\n"], [Verdict.LOOKALIKE]),
    ([b".\rMAIL FROM:<x>\r\n"], [Verdict.LOOKALIKE]),
    ([b"a\rb\r\n", b".\r\n"], [Verdict.BODY, Verdict.END]),
    ([b".x\n", b"y\r\n", b".\r\n"], [Verdict.BODY, Verdict.BODY, Verdict.END]),
])
def test_framing_table(lines, verdicts):
    framing = DataFraming()
    assert [framing.line(line) for line in lines] == verdicts


def test_a_bare_line_ending_marks_the_message():
    framing = DataFraming()
    framing.line(b"a\rb\r\n")
    assert framing.bare_line_ending
