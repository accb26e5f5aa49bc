"""The grader's recorder keeps ``transcript.Line`` records: what it writes, the notation
reader reads back, and the judges decide the same on either."""

import base64
import smtplib
import time

from smtp_tutor.grade.record import Connection, Recorder
from smtp_tutor.protocol.notation import read_transcript
from smtp_tutor.protocol.replay import ReplayNote, replay
from smtp_tutor.protocol.transcript import CLIENT, SERVER, TOOL, textbook

BODY = b"Subject: dots\r\n\r\nDo you like ketchup?\r\n.hidden line\r\n"


def recorded(practice_with) -> Connection:
    recorder = Recorder()
    practice = practice_with(watchers=[recorder], allow_insecure_auth=True)
    with smtplib.SMTP(practice.host, practice.port, timeout=10) as client:
        client.ehlo("crepes.fr")
        client.user, client.password = "bob", "pickles"
        client.auth("LOGIN", client.auth_login, initial_response_ok=False)
        client.rset()
        client.auth("PLAIN", client.auth_plain)
        client.sendmail("alice@crepes.fr", ["bob@hamburger.edu"], BODY)
    deadline = time.monotonic() + 10
    while not (recorder.connections and recorder.connections[0].closed):
        assert time.monotonic() < deadline, "the server never saw the connection end"
        time.sleep(0.02)
    return recorder.connections[0]


def test_the_recorder_writes_what_the_notation_reader_reads_back(practice_with):
    connection = recorded(practice_with)
    text = textbook(connection.entries)
    for secret in (b"pickles", b"bob\0pickles", b"\0bob\0pickles", b"bob"):
        assert base64.b64encode(secret).decode() not in text
        assert all(base64.b64encode(secret) not in line.raw for line in connection.entries)
    assert "pickles" not in text and "C: AUTH PLAIN ********" in text
    assert "C: (AUTH answer, not shown)" in text
    dialogue = [line for line in connection.entries if line.side != TOOL]
    back = read_transcript(text)
    assert [(line.side, line.text) for line in back] == \
        [(line.side, line.text) for line in dialogue]
    again = Connection.from_lines(back)
    assert [(line.side, line.text, line.kind, line.verb) for line in again.entries] == \
        [(line.side, line.text, line.kind, line.verb) for line in dialogue]
    # and the judges' questions get the same answers from the file as from the wire
    assert again.body()[0] == connection.body()[0] == \
        ["Subject: dots", "", "Do you like ketchup?", ".hidden line"]  # unstuffed
    assert again.accepted_mail() and again.ended_data() and connection.ended_data()
    # each line knows its connection, its place and when it came
    assert {line.connection for line in connection.entries} == {connection.number}
    assert [line.line_no for line in connection.entries] == \
        list(range(1, len(connection.entries) + 1))
    times = [line.at for line in connection.entries]
    assert times == sorted(times) and times[-1] > 0


def test_a_recorded_transcript_replays_without_complaint(practice_with):
    """annotate's replay reads the recorder's transcript as a session it can explain."""
    connection = recorded(practice_with)
    events = list(replay(read_transcript(textbook(connection.entries))))
    assert not [e for e in events if isinstance(e, ReplayNote)]
    assert sum(1 for line in connection.entries if line.side == SERVER and line.final) > 8
    assert any(line.side == CLIENT and line.verb == "QUIT" for line in connection.entries)
