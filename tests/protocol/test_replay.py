"""A transcript replayed through the session gets the live session's context."""

from smtp_tutor.protocol.events import CommandSent, DataLineSent, ReplyReceived
from smtp_tutor.protocol.notation import read_transcript
from smtp_tutor.protocol.replay import ReplayNote, TlsAssumed, replay


def replies(text: str) -> list[tuple[int, str]]:
    return [(e.reply.code, e.answering.verb if e.answering else "")
            for e in replay(read_transcript(text)) if isinstance(e, ReplyReceived)]


def test_each_reply_is_matched_to_the_command_it_answers():
    text = ("S: 220 x\nC: HELO a\nS: 250 hi\nC: MAIL FROM:<a@b>\nS: 250 ok\nC: RCPT TO:<b@c>\n"
            "S: 250 ok\nC: DATA\nS: 354 go\nC: QUIT\nC: .\nS: 250 queued\nC: QUIT\nS: 221 bye\n")
    assert replies(text) == [(220, "<greeting>"), (250, "HELO"), (250, "MAIL"), (250, "RCPT"),
                             (354, "DATA"), (250, "<end-of-data>"), (221, "QUIT")]


def test_a_transcript_without_the_greeting_starts_after_it():
    events = list(replay(read_transcript("send: 'ehlo x\\r\\n'\nreply: b'250 OK\\r\\n'\n")))
    assert isinstance(events[0], ReplayNote) and events[0].note.key == "transcript-no-greeting"
    assert replies("send: 'ehlo x\\r\\n'\nreply: b'250 OK\\r\\n'\n") == [(250, "EHLO")]


def test_after_220_to_starttls_the_session_starts_over():
    text = ("<-  220 x\n -> EHLO a\n<-  250-x\n<-  250 STARTTLS\n -> STARTTLS\n<-  220 go\n"
            " ~> EHLO a\n<~  250-x\n<~  250 AUTH PLAIN\n")
    events = list(replay(read_transcript(text)))
    assert any(isinstance(e, TlsAssumed) for e in events)
    last = [e for e in events if isinstance(e, ReplyReceived)][-1]
    assert last.answering.verb == "EHLO" and any(n.key == "capabilities-changed" for n in last.notes)


def test_wire_dot_stuffing_is_undone_once_then_shown_as_stuffed():
    text = "S: 220 x\nC: HELO a\nS: 250 ok\nC: MAIL FROM:<a@b>\nS: 250 ok\nC: RCPT TO:<b@c>\nS: 250 ok\n" \
           "C: DATA\nS: 354 go\nC: ..dot\nC: .\nS: 250 ok\n"
    data = [e for e in replay(read_transcript(text)) if isinstance(e, DataLineSent)]
    assert [(d.text, d.wire, d.stuffed) for d in data] == [(".dot", b"..dot\r\n", True)]


def test_auth_answers_are_masked():
    text = "S: 220 x\nC: EHLO a\nS: 250 AUTH LOGIN\nC: AUTH LOGIN\nS: 334 VXNlcm5hbWU6\nC: YWxpY2U=\n"
    sent = [e for e in replay(read_transcript(text)) if isinstance(e, CommandSent)]
    assert sent[-1].command.display == "********" and b"YWxpY2U" not in sent[-1].wire


def test_a_server_line_without_a_code_is_noted_not_fatal():
    events = list(replay(read_transcript("S: 220 x\nS: hello there\nC: QUIT\nS: 221 bye\n")))
    notes = [e for e in events if isinstance(e, ReplayNote)]
    assert [n.note.key for n in notes] == ["transcript-not-a-reply"] and notes[0].line_no == 2
    assert replies("S: 220 x\nS: hello there\nC: QUIT\nS: 221 bye\n")[-1] == (221, "QUIT")
