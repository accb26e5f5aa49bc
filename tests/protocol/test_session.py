"""Dialogue tests: scripts of client lines and server replies, checked event by event."""

import re

import pytest

from smtp_tutor.protocol import ClientSession, CommandSent, ReplyReceived, State
from smtp_tutor.protocol.commands import CommandRefused
from smtp_tutor.protocol.events import DataLineSent, ProtocolError


def greeted(ehlo: bytes | None = None) -> ClientSession:
    session = ClientSession()
    session.receive(b"220 hamburger.edu ESMTP\r\n")
    if ehlo is not None:
        session.send("EHLO crepes.fr")
        session.receive(ehlo)
    return session


def note_keys(events) -> list[str]:
    return [n.key for e in events for n in getattr(e, "notes", ())]


POSTFIX_EHLO = (b"250-hamburger.edu\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-VRFY\r\n"
                b"250-ETRN\r\n250-STARTTLS\r\n250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n"
                b"250-DSN\r\n250-SMTPUTF8\r\n250 CHUNKING\r\n")

# (line typed, reply received, state after, command answered)
TEXTBOOK = [
    ("HELO crepes.fr", b"250 Hello crepes.fr, pleased to meet you\r\n", State.READY, "HELO"),
    ("MAIL FROM: <alice@crepes.fr>", b"250 alice@crepes.fr ... Sender ok\r\n", State.MAIL, "MAIL"),
    ("RCPT TO: <bob@hamburger.edu>", b"250 bob@hamburger.edu ... Recipient ok\r\n",
     State.RCPT, "RCPT"),
    ("DATA", b"354 Enter mail, end with \".\" on a line by itself\r\n", State.DATA, "DATA"),
    ("Do you like ketchup?", None, State.DATA, None),
    ("How about pickles?", None, State.DATA, None),
    (".", b"250 Message accepted for delivery\r\n", State.READY, "<end-of-data>"),
    ("QUIT", b"221 hamburger.edu closing connection\r\n", State.CLOSED, "QUIT"),
]


def test_textbook_session_states_and_answers():
    session = greeted()
    assert session.state is State.HELLO
    for line, reply, state, verb in TEXTBOOK:
        session.send(line)
        if reply is not None:
            [event] = session.receive(reply)
            assert isinstance(event, ReplyReceived)
            assert event.answering.verb == verb
        assert session.state is state, line
    assert session.addresses == ["alice@crepes.fr", "bob@hamburger.edu"]


@pytest.mark.parametrize(("setup", "line", "key", "expect"), [
    ([], "RCPT TO:<bob@hamburger.edu>", "rcpt-needs-mail", "503"),
    ([], "DATA", "data-needs-mail", "503"),
    (["MAIL FROM:<a@b>"], "DATA", "data-needs-rcpt", "503"),
    (["MAIL FROM:<a@b>"], "MAIL FROM:<a@b>", "nested-mail", "503"),
    (["MAIL FROM:<a@b>"], "AUTH PLAIN", "auth-in-transaction", "503"),
    (["MAIL FROM:<a@b>", "RCPT TO:<c@d>"], "STARTTLS", "starttls-in-transaction", "503"),
])
def test_out_of_place_commands_are_predicted(setup, line, key, expect):
    session = greeted(b"250 hamburger.edu\r\n")
    for previous in setup:
        session.send(previous)
        session.receive(b"250 ok\r\n")
    notes = session.check(line)
    match = [n for n in notes if n.key == key]
    assert match and match[0].expect == expect


def test_out_of_place_command_is_still_sent():
    session = greeted(b"250 hamburger.edu\r\n")
    out = session.send("RCPT TO:<bob@hamburger.edu>")
    assert out.wire == b"RCPT TO:<bob@hamburger.edu>\r\n"
    [event] = session.receive(b"503 5.5.1 Error: need MAIL command\r\n")
    assert event.answering.verb == "RCPT" and session.state is State.READY


def test_mail_before_helo_follows_the_server():
    session = greeted()
    assert "mail-before-helo" in [n.key for n in session.check("MAIL FROM:<a@b>")]
    session.send("MAIL FROM:<a@b>")
    session.receive(b"250 2.1.0 Ok\r\n")  # Postfix accepts it
    assert session.state is State.MAIL


def test_pipelined_replies_are_matched_in_order():
    session = greeted(POSTFIX_EHLO)
    for line in ("MAIL FROM:<alice@crepes.fr>", "RCPT TO:<bob@hamburger.edu>",
                 "RCPT TO:<nosuch@hamburger.edu>", "DATA"):
        out = session.send(line)
        assert "pipelining-not-offered" not in note_keys(out.events)
    events = session.receive(b"250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n550 5.1.1 unknown\r\n"
                             b"354 End data with <CR><LF>.<CR><LF>\r\n")
    assert [(e.answering.verb, e.reply.code) for e in events] == [
        ("MAIL", 250), ("RCPT", 250), ("RCPT", 550), ("DATA", 354)]
    assert session.state is State.DATA


def test_pipelining_without_the_extension_is_flagged():
    session = greeted(b"250 hamburger.edu\r\n")
    session.send("MAIL FROM:<a@b>")
    out = session.send("RCPT TO:<c@d>")
    assert "pipelining-not-offered" in note_keys(out.events)


def test_ehlo_capabilities_are_remembered():
    session = greeted(POSTFIX_EHLO)
    caps = session.capabilities
    assert caps.size_limit == 10240000 and "STARTTLS" in caps and "SMTPUTF8" in caps
    assert "size-over-limit" in [n.key for n in session.check("MAIL FROM:<a@b> SIZE=99999999")]


def test_starttls_resets_everything_and_shows_what_changed():
    session = greeted(POSTFIX_EHLO)
    session.send("STARTTLS")
    session.receive(b"220 2.0.0 Ready to start TLS\r\n")
    assert session.state is State.TLS
    session.tls_established()
    assert session.state is State.HELLO and not session.capabilities and session.tls
    session.send("EHLO crepes.fr")
    [event] = session.receive(b"250-hamburger.edu\r\n250-AUTH PLAIN LOGIN\r\n250 8BITMIME\r\n")
    [changed] = [n for n in event.notes if n.key == "capabilities-changed"]
    assert changed.params["added"] == "AUTH"
    assert "STARTTLS" in changed.params["removed"]


def test_auth_login_exchange_is_masked_and_decoded():
    session = greeted(b"250-hamburger.edu\r\n250 AUTH PLAIN LOGIN\r\n")
    session.tls = True
    session.send("AUTH LOGIN")
    [event] = session.receive(b"334 VXNlcm5hbWU6\r\n")
    assert session.state is State.AUTH
    assert [n.params["decoded"] for n in event.notes if n.key == "auth-challenge"] == ["Username:"]
    out = session.send("Ym9i", secret=False)
    assert out.events[0].command.display == "Ym9i"
    session.receive(b"334 UGFzc3dvcmQ6\r\n")
    out = session.send("c2VjcmV0")
    assert out.wire == b"c2VjcmV0\r\n"
    assert out.events[0].command.display == "********"
    assert "c2VjcmV0" not in repr(out.events)
    session.receive(b"235 2.7.0 Authentication successful\r\n")
    assert session.authenticated and session.state is State.READY


def test_auth_plain_initial_response_is_masked():
    session = greeted(b"250-h\r\n250 AUTH PLAIN\r\n")
    out = session.send("AUTH PLAIN AGJvYgBzZWNyZXQ=")
    command = out.events[0].command
    assert command.secret and command.display == "AUTH PLAIN ********"
    assert "AGJvYgBzZWNyZXQ" not in repr(out.events)
    assert out.wire == b"AUTH PLAIN AGJvYgBzZWNyZXQ=\r\n"


def test_auth_before_tls_is_predicted_when_starttls_offered():
    session = greeted(b"250-h\r\n250 STARTTLS\r\n")
    assert "auth-needs-tls" in [n.key for n in session.check("AUTH LOGIN")]


def test_data_line_stuffing_and_textbook_notes():
    session = greeted(b"250 h\r\n")
    for line in ("MAIL FROM:<a@b>", "RCPT TO:<c@d>", "DATA"):
        session.send(line)
        session.receive(b"354 go\r\n" if line == "DATA" else b"250 ok\r\n")
    out = session.send(".hidden line")
    [event] = out.events
    assert isinstance(event, DataLineSent) and event.stuffed and event.wire == b"..hidden line\r\n"
    # said at the first body line, while :headers can still help; not again at the end
    assert "no-header-section" in note_keys(out.events)
    out = session.send(".")
    assert out.wire == b".\r\n"
    assert "no-header-section" not in note_keys(out.events)


def test_headers_present_means_no_header_note():
    session = greeted(b"250 h\r\n")
    for line in ("MAIL FROM:<a@b>", "RCPT TO:<c@d>", "DATA"):
        session.send(line)
        session.receive(b"354 go\r\n" if line == "DATA" else b"250 ok\r\n")
    session.send("From: alice@crepes.fr")
    session.send("")
    session.send("hi")
    assert "no-header-section" not in note_keys(session.send(".").events)


def test_failed_end_of_data_still_ends_transaction():
    session = greeted(b"250 h\r\n")
    for line in ("MAIL FROM:<a@b>", "RCPT TO:<c@d>", "DATA"):
        session.send(line)
        session.receive(b"354 go\r\n" if line == "DATA" else b"250 ok\r\n")
    session.send(".")
    session.receive(b"550 5.7.1 Message is not RFC 2822 compliant\r\n")
    assert session.state is State.READY


def test_421_closes_from_anywhere():
    session = greeted(b"250 h\r\n")
    session.send("NOOP")
    session.receive(b"421 4.4.2 timeout\r\n")
    assert session.state is State.CLOSED and not session.awaiting_reply


def test_unsolicited_reply_is_flagged():
    session = greeted(b"250 h\r\n")
    [event] = session.receive(b"421 4.4.2 hamburger.edu Error: timeout exceeded\r\n")
    assert event.answering is None and "unsolicited-reply" in [n.key for n in event.notes]


def test_bare_cr_lf_in_command_is_refused():
    session = greeted(b"250 h\r\n")
    with pytest.raises(CommandRefused) as refused:
        session.send("NOOP\nMAIL FROM:<m@x>")
    assert refused.value.note.key == "bare-cr-lf-in-command"
    assert not session.awaiting_reply


def test_long_and_non_ascii_commands_warn():
    session = greeted(b"250 h\r\n")
    out = session.send("NOOP " + "x" * 600)
    assert "command-line-too-long" in note_keys(out.events)
    session.receive(b"250 ok\r\n")
    out = session.send("MAIL FROM:<chào@hamburger.edu>")
    assert "non-ascii-without-smtputf8" in note_keys(out.events)


def test_syntax_notes_for_textbook_habits():
    session = greeted(b"250 h\r\n")
    assert "space-after-colon" in [n.key for n in session.check("MAIL FROM: <a@b>")]
    assert "path-colon-missing" in [n.key for n in session.check("MAIL FROM a@b")]
    assert "unknown-command" in [n.key for n in session.check("FOO bar")]
    assert "helo-not-ehlo" in [n.key for n in session.check("HELO crepes.fr")]


def test_protocol_error_closes_the_dialogue():
    session = greeted()
    [error] = session.receive(b"garbage\r\n")
    assert isinstance(error, ProtocolError) and session.state is State.CLOSED


def test_command_sent_carries_the_state_it_left_from():
    session = greeted()
    [event] = session.send("EHLO crepes.fr").events
    assert isinstance(event, CommandSent) and event.state is State.HELLO


def test_a_pipelined_group_is_judged_as_if_each_command_succeeds():
    """swaks --pipeline: MAIL, RCPT, RCPT, DATA before any reply (interop D22)."""
    session = greeted(ehlo=b"250-hi\r\n250 PIPELINING\r\n")
    keys = []
    for line in ("MAIL FROM:<a@crepes.fr>", "RCPT TO:<b@hamburger.edu>",
                 "RCPT TO:<c@hamburger.edu>", "DATA"):
        keys += [note.key for note in session.check(line)]
        session.send(line)
    assert keys == []


def test_eight_bit_body_without_bodymime_and_long_lines_are_noted_once():
    session = greeted(ehlo=b"250-hi\r\n250 8BITMIME\r\n")
    session.send("MAIL FROM:<a@crepes.fr>")
    session.receive(b"250 ok\r\n")
    session.send("RCPT TO:<b@hamburger.edu>")
    session.receive(b"250 ok\r\n")
    session.send("DATA")
    session.receive(b"354 go\r\n")
    first = session.send_data_line("Phở bò").events[0]
    second = session.send_data_line("Bánh mì").events[0]
    long = session.send_data_line("x" * 1200).events[0]
    assert [n.key for n in first.notes] == ["no-header-section", "8bit-without-8bitmime"]
    assert not second.notes
    assert [n.key for n in long.notes] == ["text-line-too-long"]


def test_an_advertised_vendor_keyword_is_not_an_unknown_command():
    """interop D14: XCLIENT/XFORWARD offered in EHLO are commands that server knows."""
    session = greeted(b"250-hamburger.edu\r\n250-XCLIENT NAME ADDR PROTO\r\n250 XFORWARD NAME\r\n")
    assert "unknown-command" not in [n.key for n in session.check("XCLIENT ADDR=192.0.2.1")]
    assert "unknown-command" not in [n.key for n in session.check("xforward NAME=spike")]
    assert "unknown-command" in [n.key for n in session.check("XUNKNOWN")]
    assert "unknown-command" in [n.key for n in greeted(POSTFIX_EHLO).check("XCLIENT ADDR=1.2.3.4")]


def _after_starttls(second_ehlo: bytes) -> list:
    session = greeted(POSTFIX_EHLO)
    session.send("STARTTLS")
    session.receive(b"220 2.0.0 Ready to start TLS\r\n")
    session.tls_established()
    session.send("EHLO crepes.fr")
    [event] = session.receive(second_ehlo)
    return [n for n in event.notes if n.key.startswith("capabilities-")]


def test_the_capability_diff_never_shows_an_empty_half():
    """interop D16: only removed (or only added) says just that, never `added ;`."""
    from smtp_tutor.render.views import note_view

    same_but_starttls = POSTFIX_EHLO.replace(b"250-STARTTLS\r\n", b"")
    [removed] = _after_starttls(same_but_starttls)
    assert removed.params == {"added": "", "removed": "STARTTLS"}
    [both] = _after_starttls(b"250-hamburger.edu\r\n250 AUTH PLAIN\r\n")
    added_only = POSTFIX_EHLO.replace(b"250-STARTTLS\r\n", b"250-AUTH PLAIN\r\n250-STARTTLS\r\n")
    [added] = _after_starttls(added_only)
    assert added.params == {"added": "AUTH", "removed": ""}
    for note in (removed, added, both):
        assert note.key == "capabilities-changed"  # one key for JSON readers
        for lang in ("en", "vi"):
            text = note_view(note, lang).text
            assert not re.search(r"(added|thêm|removed|bớt)\s*[;.]", text), text
            assert ("STARTTLS" in text) == (note is not added) and ("AUTH" in text) == (note is not removed)
    assert "no longer offers STARTTLS" in note_view(removed, "en").text
    assert "now also offers AUTH" in note_view(added, "en").text


def test_the_auth_cancel_star_is_shown_not_masked():
    """teaching L-3: a lone `*` after 334 cancels (RFC 4954 §4); it hides no secret."""
    session = greeted(b"250-hamburger.edu\r\n250 AUTH PLAIN LOGIN\r\n")
    session.send("AUTH LOGIN")
    session.receive(b"334 VXNlcm5hbWU6\r\n")
    [sent] = session.send("*").events
    assert sent.command.display == "*" and not sent.command.secret and sent.wire == b"*\r\n"
    session.receive(b"501 5.7.0 Authentication aborted\r\n")
    session.send("AUTH LOGIN")
    session.receive(b"334 VXNlcm5hbWU6\r\n")
    [secret] = session.send("Ym9i").events
    assert secret.command.display == "********" and secret.command.secret


def test_lesson_10_watch_shows_the_cancel_star():
    from tests.conftest import run_tutor

    result = run_tutor("lesson", "play", "10", "--offline", "--mode", "watch", "--pace", "0.01")
    sent = [line for line in result.stdout.decode().splitlines() if line.startswith("C: ")]
    assert "C: *" in sent and "C: ********" in sent


def test_a_misspelt_verb_gets_a_did_you_mean():
    session = greeted(b"250 h\r\n")
    [note] = session.check("MIAL FROM:<a@crepes.fr>")
    assert note.key == "unknown-command-close" and note.params["close"] == "MAIL"


def test_looks_like_command_reads_the_whole_line():
    from smtp_tutor.protocol.commands import looks_like_command

    for line in ("QUIT", "rcpt to:<bob@hamburger.edu>", "MAIL FROM:<a@b>", "EHLO crepes.fr",
                 "BDAT 12 LAST", "VRFY bob"):
        assert looks_like_command(line), line
    for line in ("Data from the survey", "Subject: pipe", "hello", "", "QUIT now please",
                 "Mail from Alice"):
        assert not looks_like_command(line), line


def test_a_221_to_anything_closes_the_dialogue():
    """Postfix answers a header-like line with `221 2.7.0 Error: I can break rules, too`
    and hangs up: the core knows it at once (found by the live property test)."""
    from smtp_tutor.protocol import ClientSession, State

    session = ClientSession()
    session.receive(b"220 x\r\n")
    session.send("EHLO a")
    session.receive(b"250 x\r\n")
    session.send("Subject: pipe")
    [event] = session.receive(b"221 2.7.0 Error: I can break rules, too. Goodbye.\r\n")
    assert event.state is State.CLOSED
