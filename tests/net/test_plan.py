"""The one connection plan, walked by hand: what it asks a driver to do for each core
(SMTP, POP3, IMAP), with the bytes a server would send.  The drivers themselves are
tested on real sockets (test_connection, test_blocking, the shells' and probe's tests)."""

import pytest

from smtp_tutor.net import plan
from smtp_tutor.net.errors import TransportError
from smtp_tutor.protocol import ClientSession
from smtp_tutor.protocol.imap.client import ImapClient
from smtp_tutor.protocol.pop3 import Pop3Error, Pop3Reply, Pop3Session


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def walk(steps, answers):
    """Answer each Read with the next chunk of ``answers`` (an exception is thrown into
    the plan); return the requests in order and what the plan returned."""
    stepper = plan.Stepper(steps)
    asked = []
    answers = list(answers)
    while (request := stepper.next()) is not None:
        asked.append(type(request).__name__)
        if isinstance(request, plan.Read):
            answer = answers.pop(0)
            if isinstance(answer, TransportError):
                stepper.error = answer
            else:
                stepper.answer = answer
    assert not answers, "the plan stopped reading before the server stopped talking"
    return asked, stepper.result


def test_pop3_reads_a_multi_line_answer_to_its_end_in_pieces():
    session = Pop3Session()
    session.receive(b"+OK ready\r\n")
    wire, _ = session.send("RETR 1")
    asked, events = walk(plan.send(session, wire, None, plan.Clock(30, Clock())),
                         [b"+OK 2 octets\r\nHello\r\n..dot", b"\r\n.\r\n"])
    assert asked == ["Write", "Read", "Read"]
    [reply] = events
    assert isinstance(reply, Pop3Reply) and reply.lines == ["Hello", ".dot"]


def test_pop3_upgrades_after_stls_and_drops_what_came_in_clear():
    session = Pop3Session()
    session.receive(b"+OK ready\r\n")
    wire, _ = session.send("STLS")
    stepper = plan.Stepper(plan.send(session, wire, None, plan.Clock(30, Clock())))
    assert isinstance(stepper.next(), plan.Write)
    assert isinstance(stepper.next(), plan.Read)
    stepper.answer = b"+OK begin TLS\r\n+OK forged\r\n"
    assert isinstance(stepper.next(), plan.StartTls)  # the driver drops the plaintext
    assert session.discard_plaintext() == len(b"+OK forged\r\n")
    session.tls_established()
    assert stepper.next() is None and [r.text for r in stepper.result] == ["begin TLS"]


def test_a_challenge_ends_the_read_and_an_unreadable_reply_closes():
    session = Pop3Session()
    session.receive(b"+OK ready\r\n")
    wire, _ = session.send("AUTH PLAIN")
    asked, events = walk(plan.send(session, wire, None, plan.Clock(30, Clock())), [b"+ \r\n"])
    assert asked == ["Write", "Read"] and session.challenged
    wire, _ = session.send("AGJvYgBwaWNrbGVz")
    asked, events = walk(plan.send(session, wire, None, plan.Clock(30, Clock())),
                         [b"HTTP/1.1 400\r\n"])
    assert asked == ["Write", "Read", "Close"] and isinstance(events[-1], Pop3Error)


def test_imap_stops_reading_at_the_plus_for_a_literal():
    session = ImapClient()
    session.receive(b"* OK IMAP ready\r\n")
    wire, _ = session.send("LOGIN {3}")
    asked, events = walk(plan.send(session, wire, None, plan.Clock(30, Clock())),
                         [b"+ go ahead\r\n"])
    assert asked == ["Write", "Read"] and events[-1].kind == "continuation"
    wire = session.continue_with(b"bob pickles")
    asked, events = walk(plan.send(session, wire, None, plan.Clock(30, Clock())),
                         [b"* CAPABILITY IMAP4rev1\r\n", b"a1 OK logged in\r\n"])
    assert asked == ["Write", "Read", "Read"] and events[-1].status == "OK"


def test_a_failure_carries_what_came_before_it():
    session = ClientSession()
    session.receive(b"220 hi\r\n")
    outgoing = session.send("EHLO crepes.fr")
    with pytest.raises(TransportError) as failed:
        walk(plan.transmit(session, outgoing, None, plan.Clock(30, Clock())),
             [b"250-hamburger.edu\r\n", TransportError("reply-timeout", seconds="30")])
    assert failed.value.key == "reply-timeout"
    assert [type(e).__name__ for e in failed.value.events] == ["CommandSent"]


def test_the_deadline_is_per_reply():
    """Each whole reply starts the clock again; pieces of one reply do not."""
    now = Clock()
    session = ClientSession()
    session.receive(b"220 hi\r\n")
    session.begin_group()
    outgoing = plan.Outgoing(b"".join(session.send_command(line).wire for line in
                                      ("MAIL FROM:<a@b>", "RCPT TO:<c@d>")), [])
    session.end_group()
    stepper = plan.Stepper(plan.transmit(session, outgoing, None, plan.Clock(30, now)))
    stepper.next()  # Write
    assert stepper.next().seconds == 30
    now.now = 20
    stepper.answer = b"250 ok\r\n250"  # the first reply whole, the second begun
    assert stepper.next().seconds == 30  # restarted by the whole reply
    now.now = 45
    stepper.answer = b" ok"  # a piece: the clock goes on
    assert stepper.next().seconds == 5


def test_the_probe_reads_one_reply_however_many_are_in_flight():
    session = ClientSession()
    session.receive(b"220 hi\r\n")
    for line in ("EHLO a", "NOOP"):
        session.send_command(line)
    asked, events = walk(plan.reply(session, None, plan.Clock(30, Clock())),
                         [b"250-x\r\n", b"250 PIPELINING\r\n"])
    assert asked == ["Read", "Read"] and session.awaiting_reply
