from smtp_tutor.protocol import ClientSession
from smtp_tutor.protocol.transcript import Transcript


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
