"""Reading other tools' transcripts: which side said each line."""

from smtp_tutor.protocol.notation import CLIENT, SERVER, UNKNOWN, classify, read_transcript, resolve_side


def sides(text: str) -> list[tuple[str, str]]:
    return [(line.side, line.text) for line in read_transcript(text)]


def test_textbook_notation_keeps_client_spacing_and_strips_server_text():
    assert sides("S: 220 hamburger.edu\nC: HELO crepes.fr\nC:  indented body\nC:\n") == [
        (SERVER, "220 hamburger.edu"), (CLIENT, "HELO crepes.fr"), (CLIENT, " indented body"),
        (CLIENT, "")]


def test_swaks_arrows_plain_and_tls_and_error_replies():
    text = ("=== Trying 127.0.0.1:25...\n<-  220 hamburger.edu ESMTP\n -> EHLO vm\n"
            "<** 530 5.7.0 Must issue a STARTTLS command first\n ~> QUIT\n<~  221 Bye\n"
            " -> \n*** Remote host closed connection unexpectedly.\n")
    assert sides(text) == [(SERVER, "220 hamburger.edu ESMTP"), (CLIENT, "EHLO vm"),
                           (SERVER, "530 5.7.0 Must issue a STARTTLS command first"),
                           (CLIENT, "QUIT"), (SERVER, "221 Bye"), (CLIENT, "")]


def test_smtplib_debug_output_splits_a_send_into_lines_and_drops_summaries():
    text = ("connect: ('127.0.0.1', 25)\nsend: 'ehlo x\\r\\n'\nreply: b'250 OK\\r\\n'\n"
            "reply: retcode (250); Msg: b'OK'\ndata: (354, b'go')\n"
            "12:00:01.123456 send: b'Hi\\r\\n..dot\\r\\n.\\r\\n'\n")
    assert sides(text) == [(CLIENT, "ehlo x"), (SERVER, "250 OK"), (CLIENT, "Hi"),
                           (CLIENT, "..dot"), (CLIENT, ".")]


def test_telnet_lines_are_decided_by_shape_and_by_data_mode():
    line = classify("250 is my favourite number", 7)[0]
    assert line.side == UNKNOWN and line.line_no == 7
    assert resolve_side(line, in_data=False) == SERVER
    assert resolve_side(line, in_data=True) == CLIENT
    assert resolve_side(classify("HELO crepes.fr")[0], in_data=False) == CLIENT
    assert read_transcript("Trying 127.0.0.1...\nConnected to x.\nEscape character is '^]'.\n") == []


def test_text_around_a_tools_output_is_not_taken_for_dialogue():
    text = "$ python send.py\nsend: 'quit\\r\\n'\nreply: b'221 Bye\\r\\n'\nTraceback (most recent call last):\n"
    assert sides(text) == [(CLIENT, "quit"), (SERVER, "221 Bye")]


def test_a_send_line_that_is_not_a_literal_is_left_to_the_telnet_reading():
    assert classify("send: me the money")[0].side == UNKNOWN
