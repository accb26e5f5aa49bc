"""BDAT in the core: a chunk's octets are counted, never read as commands (RFC 3030)."""

from smtp_tutor.protocol import ChunkDataSent, ClientSession, CommandSent, ReplyReceived, State
from smtp_tutor.protocol.chunking import parse_bdat, split_message
from smtp_tutor.protocol.pipeline import split_group

EHLO = b"250-hamburger.edu\r\n250-PIPELINING\r\n250-8BITMIME\r\n250 CHUNKING\r\n"


def in_rcpt() -> ClientSession:
    session = ClientSession()
    session.receive(b"220 hamburger.edu ESMTP\r\n")
    for line, reply in (("EHLO crepes.fr", EHLO), ("MAIL FROM:<a@crepes.fr>", b"250 ok\r\n"),
                        ("RCPT TO:<bob@hamburger.edu>", b"250 ok\r\n")):
        session.send(line)
        session.receive(reply)
    assert session.state is State.RCPT
    return session


def test_typed_chunk_counts_octets_with_crlf_and_awaits_the_reply_only_when_full():
    session = in_rcpt()
    out = session.send("BDAT 12 LAST")
    assert out.wire == b"BDAT 12 LAST\r\n"
    assert not session.awaiting_reply and session.chunk.left == 12
    assert [n.key for n in out.events[0].notes] == ["chunk-opened"]
    out = session.send("QUIT")  # data, not a command
    assert out.wire == b"QUIT\r\n" and isinstance(out.events[0], ChunkDataSent)
    assert out.events[0].notes[0].key == "chunk-progress"
    assert out.events[0].notes[0].params == {"sent": "6", "size": "12", "left": "6"}
    assert session.check("MAIL FROM:<x@y>") == []  # no command advice inside a chunk
    out = session.send("abcd")
    assert out.events[0].notes[0].key == "chunk-full"
    assert session.chunk is None and session.awaiting_reply
    [event] = session.receive(b"250 2.0.0 Ok: 12 bytes queued as X\r\n")
    assert isinstance(event, ReplyReceived) and event.answering.verb == "BDAT-LAST"
    assert session.state is State.READY


def test_a_line_longer_than_the_chunk_is_cut_and_said():
    session = in_rcpt()
    session.send("BDAT 5")
    out = session.send("hello")  # 7 octets with the CRLF
    assert out.wire == b"hello"
    keys = [n.key for n in out.events[0].notes]
    assert keys == ["chunk-full", "chunk-overflow"]
    assert out.events[0].notes[1].params["dropped"] == "2"
    session.receive(b"250 2.0.0 5 octets received\r\n")
    assert session.state is State.RCPT  # more chunks may follow


def test_bdat_zero_last_needs_no_octets():
    session = in_rcpt()
    out = session.send("BDAT 0 LAST")
    assert session.chunk is None and session.awaiting_reply
    assert isinstance(out.events[0], CommandSent)


def test_send_chunk_puts_line_and_octets_in_one_write():
    session = in_rcpt()
    payload = b"Subject: x\r\n\r\nPh\xe1\xbb\x9f\r\n"
    out = session.send_chunk(payload, last=True, label="[file]")
    assert out.wire == b"BDAT %d LAST\r\n" % len(payload) + payload
    chunk = out.events[1]
    assert isinstance(chunk, ChunkDataSent) and chunk.octets == len(payload) and chunk.last
    assert "8bit-without-8bitmime" in [n.key for n in chunk.notes]
    assert session.awaiting_reply and session.chunk is None
    opened = [n.key for n in out.events[0].notes]  # nothing is typed: not "type the lines"
    assert "chunk-sent-whole" in opened and "chunk-opened" not in opened


def test_bdat_without_a_size_and_data_after_binarymime_are_predicted():
    session = in_rcpt()
    assert "bdat-size-missing" in [n.key for n in session.check("BDAT LAST")]
    session = ClientSession()
    session.receive(b"220 x\r\n")
    session.send("EHLO a")
    session.receive(EHLO)
    session.send("MAIL FROM:<a@b> BODY=BINARYMIME")
    session.receive(b"250 ok\r\n")
    session.send("RCPT TO:<b@c>")
    session.receive(b"250 ok\r\n")
    assert "binarymime-needs-bdat" in [n.key for n in session.check("DATA")]


def test_failed_last_chunk_ends_the_transaction():
    session = in_rcpt()
    session.send_chunk(b"x\r\n", last=True)
    session.receive(b"554 5.7.1 rejected\r\n")
    assert session.state is State.READY


def test_parse_and_split():
    assert parse_bdat("34 LAST") == (34, True)
    assert parse_bdat("34") == (34, False)
    assert parse_bdat("x") is None and parse_bdat("") is None
    assert split_message(b"abcdefg", 3) == [b"abc", b"def", b"g"]
    assert split_message(b"", 3) == [b""]


def test_pipeline_groups_end_where_rfc_2920_says():
    lines = ["MAIL FROM:<a@b>", "RCPT TO:<c@d>", "DATA", "Subject: x"]
    group, rest, note = split_group(lines)
    assert group == lines[:3] and rest == ["Subject: x"]
    assert note.key == "pipeline-group-ends" and note.params["verb"] == "DATA"
    group, rest, note = split_group(["MAIL FROM:<a@b>", "RCPT TO:<c@d>"])
    assert rest == [] and note is None
    group, rest, note = split_group(["RCPT TO:<c@d>", "BDAT 3", "ab"])
    assert group == ["RCPT TO:<c@d>", "BDAT 3"] and note is None  # the chunk is typed next


def test_grouped_commands_carry_their_group_and_replies_name_their_command():
    session = in_rcpt()
    session.send("RSET")
    session.receive(b"250 ok\r\n")
    number = session.begin_group()
    events = [session.send(line).events[0] for line in
              ("MAIL FROM:<a@crepes.fr>", "RCPT TO:<bob@hamburger.edu>", "RCPT TO:<x@y.z>")]
    session.end_group()
    assert [e.group for e in events] == [number] * 3
    assert [n.key for e in events for n in e.notes] == []  # pipelined RCPT is in place
    replies = session.receive(b"250 ok\r\n250 ok\r\n554 5.7.1 relay denied\r\n")
    assert [r.answering.verb for r in replies] == ["MAIL", "RCPT", "RCPT"]
    assert replies[2].notes[-1].key == "pipeline-answer"
    assert replies[2].notes[-1].params["command"] == "RCPT TO:<x@y.z>"
    assert session.state is State.RCPT
    assert session.send("NOOP").events[0].group == 0


def _after_helo() -> ClientSession:
    session = ClientSession()
    session.receive(b"220 hamburger.edu ESMTP\r\n")
    for line, reply in (("HELO crepes.fr", b"250 hamburger.edu\r\n"),
                        ("MAIL FROM:<a@crepes.fr>", b"250 ok\r\n"),
                        ("RCPT TO:<bob@hamburger.edu>", b"250 ok\r\n")):
        session.send(line)
        session.receive(reply)
    return session


def test_an_unadvertised_bdat_answered_at_once_opens_no_chunk():
    session = _after_helo()
    out = session.send("BDAT 40 LAST")
    assert {"chunk-opened", "chunk-unadvertised"} <= {n.key for n in out.events[0].notes}
    assert not session.awaiting_reply  # nothing is owed before the octets
    session.send("Hello there")
    [reply] = session.receive(b"503 BDAT command used when CHUNKING not advertised\r\n")
    assert reply.answering.verb == "BDAT-LAST" and session.chunk is None
    assert [n.key for n in reply.notes] == ["chunk-not-opened"]
    assert reply.notes[0].params == {"lines": "1"}
    assert session.state is State.RCPT  # the transaction is untouched
    [line_reply] = session.receive(b"500 unrecognized command\r\n")
    assert line_reply.answering.display == "Hello there"
    assert session.send("NOOP").wire == b"NOOP\r\n"  # a command again


def test_postfix_after_helo_reads_the_chunk_then_refuses_it():
    """Live on Postfix 3.7.11 (2026-12-06): after HELO it reads an unadvertised chunk and
    answers 554 5.5.1 once all octets came; the next reply answers the next command."""
    session = _after_helo()
    session.send("BDAT 5")
    session.send("abc")
    [reply] = session.receive(b"554 5.5.1 Error: no valid recipients\r\n")
    assert reply.answering.verb == "BDAT" and not reply.notes
    assert not session.awaiting_reply


def test_an_unadvertised_bdat_refused_before_any_octet_says_nothing_was_sent():
    session = _after_helo()
    session.send("BDAT 40 LAST")
    assert session.chunk_unconfirmed  # a connection listens for a refusal first
    [reply] = session.receive(b"500 Error: command \"BDAT\" not recognized\r\n")
    assert [n.key for n in reply.notes] == ["chunk-not-opened-none-sent"]
    assert session.chunk is None and not session.awaiting_reply
