import pytest
from hypothesis import given
from hypothesis import strategies as st

from smtp_tutor.protocol import data


@pytest.mark.parametrize(("line", "wire", "stuffed"), [
    ("Do you like ketchup?", b"Do you like ketchup?\r\n", False),
    (".", b"..\r\n", True),
    (".hidden", b"..hidden\r\n", True),
    ("", b"\r\n", False),
    ("a\r\n", b"a\r\n", False),
    ("Xin chào Bob", "Xin chào Bob\r\n".encode(), False),
])
def test_encode_line(line, wire, stuffed):
    assert data.encode_line(line) == (wire, stuffed)


@pytest.mark.parametrize(("body", "wire"), [
    (b"", b".\r\n"),
    (b"a", b"a\r\n.\r\n"),
    (b"a\nb\n", b"a\r\nb\r\n.\r\n"),
    (b".\n", b"..\r\n.\r\n"),
    (b"x\n.\nMAIL FROM:<m@x>\n", b"x\r\n..\r\nMAIL FROM:<m@x>\r\n.\r\n"),
    (b"x\r\n.\r\ny", b"x\r\n..\r\ny\r\n.\r\n"),
    (b"bare\rcr", b"bare\r\ncr\r\n.\r\n"),
])
def test_encode_body(body, wire):
    assert data.encode_body(body) == wire


@given(st.lists(st.text(alphabet=st.sampled_from(".ab \t\u00e0"), max_size=6), max_size=30))
def test_any_body_round_trips_through_dot_stuffing(lines):
    body = "".join(line + "\n" for line in lines).encode()
    wire = data.encode_body(body)
    # No line of the encoded body is a lone dot except the terminator.
    assert wire.split(b"\r\n")[:-2].count(b".") == 0
    assert data.decode_body(wire) == body.replace(b"\n", b"\r\n")


@given(st.binary(max_size=500))
def test_no_binary_body_ends_the_data_early(body):
    wire = data.encode_body(body)
    assert wire.endswith(b"\r\n.\r\n") or wire == b".\r\n"
    assert wire.find(b"\r\n.\r\n") == len(wire) - 5 or wire == b".\r\n"
    assert b"\n" not in wire.replace(b"\r\n", b"")
    assert b"\r" not in wire.replace(b"\r\n", b"")


@given(st.lists(st.text(alphabet=st.sampled_from(".ab\u1ea1"), max_size=5), max_size=20))
def test_chunk_encoding_matches_line_encoding(lines):
    chunk = "".join(line + "\n" for line in lines).encode()
    by_line = b"".join(data.encode_line(line)[0] for line in lines)
    assert data.encode_chunk(chunk) == by_line


@pytest.mark.parametrize(("line", "header"), [
    ("From: alice@crepes.fr", True), ("Subject:", True), ("Do you like ketchup?", False),
    ("", False), (": x", False), ("Two words: x", False),
])
def test_looks_like_header(line, header):
    assert data.looks_like_header(line) is header


def test_a_dot_with_a_space_is_said_not_to_be_the_end():
    """D14: `. ` and ` .` look like the end of the message on screen, but are body lines."""
    from smtp_tutor.protocol import ClientSession, DataLineSent, State

    session = ClientSession()
    session.receive(b"220 x\r\n")
    for line, reply in (("EHLO a", b"250 x\r\n"), ("MAIL FROM:<a@b>", b"250 ok\r\n"),
                        ("RCPT TO:<b@c>", b"250 ok\r\n"), ("DATA", b"354 go\r\n")):
        session.send(line)
        session.receive(reply)
    for typed, wire in ((". ", b".. \r\n"), (" .", b" .\r\n")):
        [event] = session.send(typed).events
        assert isinstance(event, DataLineSent) and event.wire == wire
        note = next(n for n in event.notes if n.key == "dot-not-alone")
        assert note.params["line"] == typed.replace(" ", "␠")
        assert session.state is State.DATA
    [event] = session.send(".").events
    assert not any(n.key == "dot-not-alone" for n in event.notes)


def test_a_non_ascii_header_field_is_told_rfc_2047_not_8bitmime():
    """I13: a header line's rule is encoded-words (RFC 2047), the body's is 8BITMIME."""
    from smtp_tutor.protocol import ClientSession

    session = ClientSession()
    session.receive(b"220 x\r\n")
    for line, reply in (("EHLO a", b"250 x\r\n"), ("MAIL FROM:<a@b>", b"250 ok\r\n"),
                        ("RCPT TO:<b@c>", b"250 ok\r\n"), ("DATA", b"354 go\r\n")):
        session.send(line)
        session.receive(reply)
    keys = [[n.key for n in session.send(line).events[0].notes]
            for line in ("Subject: Phở", "", "Bánh mì")]
    assert keys[0] == ["8bit-header"] and keys[1] == []
    assert keys[2] == ["8bit-without-8bitmime"]
