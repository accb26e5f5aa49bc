"""Completion as a table of typed input -> expected candidates (completion_cases.txt)."""

from pathlib import Path

import pytest

from smtp_tutor.protocol import ClientSession
from smtp_tutor.repl.completion import complete

CASES = [line.split("|") for line in
         (Path(__file__).with_name("completion_cases.txt")).read_text().splitlines()
         if line and not line.startswith("#")]


def session_after(ehlo: str) -> ClientSession:
    session = ClientSession()
    session.receive(b"220 hamburger.edu\r\n")
    if ehlo != "-":
        session.send("EHLO crepes.fr")
        lines = ["hamburger.edu", *ehlo.split(";")]
        wire = "".join(f"250{'-' if i < len(lines) - 1 else ' '}{line}\r\n"
                       for i, line in enumerate(lines))
        session.receive(wire.encode())
    return session


@pytest.mark.parametrize(("typed", "ehlo", "expected"), CASES)
def test_completion_table(typed, ehlo, expected):
    got = [c.text.strip() for c in complete(typed, session_after(ehlo))]
    want = [w.strip() for w in expected.split(",") if w]
    assert got[: len(want)] == want if want else got == []


def test_addresses_used_in_the_session_come_first():
    session = session_after("SIZE 10")
    session.send("MAIL FROM:<carol@crepes.fr>")
    session.receive(b"250 ok\r\n")
    assert complete("RCPT TO:<", session)[0].text == "carol@crepes.fr>"


def test_nothing_is_completed_inside_data():
    session = session_after("SIZE 10")
    for line, reply in (("MAIL FROM:<a@b>", b"250 ok\r\n"), ("RCPT TO:<c@d>", b"250 ok\r\n"),
                        ("DATA", b"354 go\r\n")):
        session.send(line)
        session.receive(reply)
    assert complete("MA", session) == []
