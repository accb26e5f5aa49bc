"""The practice server answers what the tutor predicts, and what Postfix answers where
the RFC leaves no choice.  A student told "expect 503" must get 503 from our server."""

from __future__ import annotations

import pytest

from smtp_tutor.net.connection import SmtpConnection
from smtp_tutor.protocol import ReplyReceived

TLS = ("EHLO crepes.fr", "STARTTLS", "EHLO crepes.fr")
AUTHED = (*TLS, "AUTH PLAIN AGJvYgBwaWNrbGVz")
# (name, setup lines, probe line, what the practice server answers, what Postfix answers or None)
CASES = [
    ("rcpt before mail", ("EHLO crepes.fr",), "RCPT TO:<bob@hamburger.edu>", 503, 503),
    ("data with no transaction", ("EHLO crepes.fr",), "DATA", 503, 503),
    ("data with no recipient", ("EHLO crepes.fr", "MAIL FROM:<alice@crepes.fr>"), "DATA", 503,
     554),
    ("nested mail", ("EHLO crepes.fr", "MAIL FROM:<alice@crepes.fr>"),
     "MAIL FROM:<carol@crepes.fr>", 503, 503),
    ("mail before helo", (), "MAIL FROM:<alice@crepes.fr>", 503, 250),
    ("unknown command", ("EHLO crepes.fr",), "FOO bar", 500, 500),
    ("helo without a domain", (), "HELO", 501, 501),
    ("mail without its colon", ("EHLO crepes.fr",), "MAIL FROM <alice@crepes.fr>", 501, 501),
    ("size over the limit", ("EHLO crepes.fr",), "MAIL FROM:<alice@crepes.fr> SIZE=99999999",
     552, 552),
    ("starttls twice", TLS, "STARTTLS", 554, 554),
    ("auth during a transaction", (*TLS, "MAIL FROM:<alice@crepes.fr>"),
     "AUTH PLAIN AGJvYgBwaWNrbGVz", 503, None),
    ("auth twice", AUTHED, "AUTH PLAIN AGJvYgBwaWNrbGVz", 503, None),
    ("postmaster", ("EHLO crepes.fr", "MAIL FROM:<alice@crepes.fr>"), "RCPT TO:<postmaster>",
     250, 250),
    ("postmaster at the domain", ("EHLO crepes.fr", "MAIL FROM:<alice@crepes.fr>"),
     "RCPT TO:<Postmaster@hamburger.edu>", 250, 250),
    ("null recipient", ("EHLO crepes.fr", "MAIL FROM:<alice@crepes.fr>"), "RCPT TO:<>", 501,
     None),
    ("relaying", ("EHLO crepes.fr", "MAIL FROM:<alice@crepes.fr>"),
     "RCPT TO:<someone@example.com>", 550, 554),
    ("help", ("EHLO crepes.fr",), "HELP", 214, 500),
]


async def _probe(host, port, cafile, setup, probe, *, insecure=False):
    connection = SmtpConnection(host, port, timeout=10, cafile=cafile, insecure=insecure)
    try:
        await connection.open()
        for line in setup:
            events = await connection.send(line)
            replies = [e for e in events if isinstance(e, ReplyReceived)]
            assert replies and replies[-1].reply.klass in (2, 3), (line, replies)
        predicted = {note.expect for note in connection.session.check(probe) if note.expect}
        events = await connection.send(probe)
        got = [e for e in events if isinstance(e, ReplyReceived)][-1].reply
        return predicted, got
    finally:
        await connection.close()


@pytest.mark.parametrize("name,setup,probe,ours,_postfix", CASES, ids=[c[0] for c in CASES])
def test_the_practice_server_answers_what_the_tutor_predicts(loop_thread, practice, name, setup,
                                                              probe, ours, _postfix):
    predicted, got = loop_thread.run(_probe(practice.host, practice.port, str(practice.ca_path),
                                            setup, probe))
    assert got.code == ours, (name, got.wire_lines())
    if predicted:  # the tutor warned before sending: the server must agree
        assert str(got.code) in predicted, (name, predicted, got.wire_lines())
    if got.klass != 2 or name in ("help",):
        assert got.enhanced, got.wire_lines()  # RFC 2034: every reply after the greeting


@pytest.mark.parametrize("name,setup,probe,_ours,postfix_code",
                         [c for c in CASES if c[4] is not None], ids=[c[0] for c in CASES
                                                                      if c[4] is not None])
def test_postfix_answers_as_the_table_says(loop_thread, postfix, name, setup, probe, _ours,
                                           postfix_code):
    setup = tuple(line for line in setup if not line.startswith("AUTH"))
    _, got = loop_thread.run(_probe(*postfix, None, setup, probe, insecure=True))
    assert got.code == postfix_code, (name, got.wire_lines())
