"""The one transcript line type: built from the shell's events, from what a server read,
written in the textbook's notation and read back by the notation reader."""

from smtp_tutor.protocol import ClientSession
from smtp_tutor.protocol.notation import read_transcript
from smtp_tutor.protocol.transcript import (
    AUTH_ANSWER,
    CLIENT,
    COMMAND,
    DATA,
    MAX_LINE,
    MAX_RAW,
    NOTE,
    SERVER,
    UNFINISHED,
    Line,
    Transcript,
    client_line,
    server_line,
    textbook,
    with_kinds,
)


def test_textbook_notation_and_no_secret():
    session = ClientSession()
    transcript = Transcript()
    transcript.extend(session.receive(b"220 hamburger.edu\r\n"))
    transcript.extend(session.send("EHLO crepes.fr").events)
    transcript.extend(session.receive(b"250-hamburger.edu\r\n250 AUTH PLAIN\r\n"))
    transcript.extend(session.send("AUTH PLAIN AGJvYgBzZWNyZXQ=").events)
    transcript.extend(session.receive(b"235 ok\r\n"))
    text = transcript.textbook()
    assert text.splitlines() == [
        "S: 220 hamburger.edu", "C: EHLO crepes.fr", "S: 250-hamburger.edu",
        "S: 250 AUTH PLAIN", "C: AUTH PLAIN ********", "S: 235 ok",
    ]
    assert "AGJvYgBzZWNyZXQ" not in text
    assert [line.verb for line in transcript.lines if line.side == CLIENT] == ["EHLO", "AUTH"]


def test_the_shell_transcript_reads_back_as_it_was_written():
    session = ClientSession()
    transcript = Transcript()
    transcript.extend(session.receive(b"220 hamburger.edu ESMTP\r\n"))
    transcript.extend(session.send("EHLO crepes.fr").events)
    transcript.extend(session.receive(b"250-hamburger.edu\r\n250 PIPELINING\r\n"))
    session.begin_group()
    transcript.extend(session.send("MAIL FROM:<alice@crepes.fr>").events)
    transcript.extend(session.send("RCPT TO:<bob@hamburger.edu>").events)
    session.end_group()
    transcript.extend(session.receive(b"250 ok\r\n250 ok\r\n"))
    text = transcript.textbook()
    assert "# pipelined group 1\n" in text
    back = read_transcript(text)
    assert [(line.side, line.text) for line in back] == \
        [(line.side, line.text) for line in transcript.dialogue()]


def test_a_client_line_never_keeps_a_secret():
    token = b"AGFsaWNlAHdvbmRlcmxhbmQ="
    plain = client_line(b"AUTH PLAIN " + token + b"\r\n", COMMAND)
    assert plain.text == "AUTH PLAIN ********" and plain.verb == "AUTH"
    assert plain.raw == b"" and token.decode() not in repr(plain)
    answer = client_line(b"d29uZGVybGFuZA==\n", AUTH_ANSWER)
    assert answer.text == "(AUTH answer, not shown)" and answer.raw == b""
    assert answer.bare_lf and answer.octets == 17
    cut = client_line(b"AUTH PLAIN " + token[:10], UNFINISHED)  # the hang-up cut it
    assert cut.text == "AUTH PLAIN ******** …" and cut.raw == b""
    assert "d29uZGVybGFuZA" not in textbook([plain, answer, cut])


def test_wire_bytes_are_kept_only_when_the_text_does_not_say_them_and_bounded():
    exact = client_line(b"MAIL FROM:<a@b>\r\n")
    assert exact.raw == b"" and not exact.bare_lf and exact.octets == 17
    bare = client_line(b"hello\n", DATA)
    assert bare.bare_lf and bare.raw == b"" and bare.shown() == "C: hello␊"  # the flag says it
    not_utf8 = client_line(b"HELO \xff\r\n")
    assert not_utf8.text == "HELO \ufffd" and not_utf8.raw == b"HELO \xff\r\n"
    flood = client_line(b"NOOP " + b"x" * 100_000 + b"\r\n")
    assert len(flood.text) == MAX_LINE + 1 and flood.text.endswith("…")
    assert len(flood.raw) == MAX_RAW and flood.octets == 100_007
    cut = client_line(b"DATA", UNFINISHED)
    assert cut.text == "DATA …" and cut.verb == ""
    assert len(server_line("250 " + "y" * 10_000).text) == MAX_LINE + 1


def test_shown_makes_hostile_text_visible():
    line = server_line("250 \x1b[2Jok\u202e")
    assert line.shown() == "S: 250 \\x1b[2Jok<U+202E>"
    assert Line(NOTE, "(no reply within 2 s)").shown() == "   (no reply within 2 s)"
    assert Line(CLIENT, "x" * 300).shown(200) == "C: " + "x" * 200 + "…"


def test_lines_read_from_a_file_are_told_apart_as_a_server_would():
    text = ("S: 220 hamburger.edu\nC: HELO crepes.fr\nS: 250 hi\nC: AUTH LOGIN\n"
            "S: 334 VXNlcm5hbWU6\nC: ********\nS: 334 UGFzc3dvcmQ6\nC: ********\n"
            "S: 235 ok\nC: DATA\nS: 354 go\nC: Subject: x\nC: \nC: ..dots\nC: .\n"
            "S: 250 queued\nC: QUIT\nS: 221 bye\n")
    lines = with_kinds(read_transcript(text))
    client = [(line.kind, line.verb) for line in lines if line.side == CLIENT]
    assert client == [(COMMAND, "HELO"), (COMMAND, "AUTH"), (AUTH_ANSWER, ""),
                      (AUTH_ANSWER, ""), (COMMAND, "DATA"), (DATA, ""), (DATA, ""),
                      (DATA, ""), (DATA, ""), (COMMAND, "QUIT")]
    assert all(line.side in (CLIENT, SERVER) for line in lines)
