"""The in-step property live against Postfix (issue 24): generated scripts, the client
core's reply matching checked against what Postfix says to each command."""

from __future__ import annotations

import re
import socket

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smtp_tutor.protocol import ClientSession, ReplyReceived, State
from tests.protocol.test_in_step import words

# What Postfix 3.7 answers to each command (recorded on 127.0.0.1:10025, 2026-12-06).
ANSWERS = {
    "<greeting>": r"220 ",
    "EHLO": r"250[ -]hamburger\.edu",
    "HELO": r"250 hamburger\.edu",
    "MAIL": r"250 2\.1\.0 Ok|503 5\.5\.1 Error: (nested MAIL|MAIL after BDAT)",
    "RCPT": r"250 2\.1\.5 Ok|550 5\.1\.1 .*User unknown|503 5\.5\.1 Error: (need MAIL|RCPT after BDAT)",
    "DATA": r"354 |554 5\.5\.1 Error: no valid recipients|503 5\.5\.1 Error: (need RCPT|need MAIL"
            r"|DATA after BDAT)",
    "<end-of-data>": r"250 2\.0\.0 Ok: queued",
    "BDAT": r"250 2\.0\.0 Ok: \d+ bytes|554 5\.5\.1 Error: no valid recipients|551 5\.0\.0 "
            r"Discarded|503 5\.5\.1 Error: need (RCPT|MAIL)|521 5\.5\.4 Syntax",
    "NOOP": r"250 2\.0\.0 Ok$",
    "RSET": r"250 2\.0\.0 Ok$",
    "VRFY": r"252 2\.0\.0 bob|550 5\.1\.1",
    "QUIT": r"221 2\.0\.0 Bye",
}
ANSWERS["BDAT-LAST"] = ANSWERS["BDAT"]
OTHER = (r"500 5\.5\.2 Error: (command not recognized|bad syntax)"
         r"|221 2\.7\.0 Error: I can break rules")


@st.composite
def postfix_script(draw) -> list[str]:
    lines = [draw(st.sampled_from(("EHLO crepes.fr", "HELO crepes.fr")))]
    for _ in range(draw(st.integers(1, 2))):
        lines += ["MAIL FROM:<alice@crepes.fr>",
                  f"RCPT TO:<{draw(st.sampled_from(('bob', 'nosuch')))}@hamburger.edu>"]
        body = draw(st.lists(words, max_size=3))
        kind = draw(st.sampled_from(("data", "bdat", "bdat-then-data", "bad-bdat")))
        if kind == "data":
            lines += ["DATA", *(f"x{line}" for line in body), "."]
        elif kind == "bad-bdat":
            lines.append("BDAT abc")
        else:
            size = draw(st.integers(1, 30))
            lines += [f"BDAT {size}", *body]
            lines += ["DATA"] if kind == "bdat-then-data" else ["BDAT 0 LAST"]
    return [*lines, *draw(st.lists(st.sampled_from(("NOOP", "RSET", "VRFY bob")), max_size=2)),
            "QUIT"]


def _check(event: ReplyReceived) -> None:
    assert event.answering is not None, f"unsolicited: {event.reply.raw!r}"
    pattern = ANSWERS.get(event.answering.verb, OTHER)
    first = event.reply.raw.decode("utf-8", "replace").split("\r\n")[0]
    assert re.match(pattern, first), f"{first!r} matched to {event.answering.display!r}"
    if event.reply.code in (221, 421, 521):  # Postfix hangs up after these: known at once
        assert event.state is State.CLOSED, first


def _read_owed(sock: socket.socket, session: ClientSession) -> bool:
    """Read until nothing is owed; False when Postfix hung up."""
    while session.awaiting_reply:
        data = sock.recv(65536)  # the socket's timeout only guards against a hang
        if not data:
            return False
        for event in session.receive(data):
            if isinstance(event, ReplyReceived):
                _check(event)
    return session.state is not State.CLOSED


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(script=postfix_script())
def test_every_postfix_reply_is_matched_to_its_command(postfix, script):
    session = ClientSession()
    with socket.create_connection(postfix, timeout=10) as sock:
        if not _read_owed(sock, session):
            return
        for line in script:
            try:
                sock.sendall(session.send(line).wire)
                if not _read_owed(sock, session):
                    break
            except (ConnectionResetError, BrokenPipeError):
                break  # Postfix hung up (too many errors): what came before was checked
