import pytest
from hypothesis import given
from hypothesis import strategies as st

from smtp_tutor.protocol.events import ProtocolError
from smtp_tutor.protocol.replies import Reply, ReplyParser, find_enhanced_code

SIMPLE = [
    (b"220 hamburger.edu\r\n", 220, ("hamburger.edu",), None),
    (b"250 2.1.5 Ok\r\n", 250, ("2.1.5 Ok",), "2.1.5"),
    (b"550 5.1.1 <x@y>: User unknown\r\n", 550, ("5.1.1 <x@y>: User unknown",), "5.1.1"),
    (b"250-a\r\n250-PIPELINING\r\n250 SIZE 10\r\n", 250, ("a", "PIPELINING", "SIZE 10"), None),
    (b"250-sink\r\n250-8BITMIME\r\n250 \r\n", 250, ("sink", "8BITMIME", ""), None),
    (b"221\r\n", 221, ("",), None),
    (b"550 4.1.1 mismatched class\r\n", 550, ("4.1.1 mismatched class",), None),
    (b"354 End data with <CR><LF>.<CR><LF>\r\n", 354, ("End data with <CR><LF>.<CR><LF>",), None),
]


@pytest.mark.parametrize(("wire", "code", "lines", "enhanced"), SIMPLE)
def test_simple_replies(wire, code, lines, enhanced):
    [reply] = ReplyParser().feed(wire)
    assert (reply.code, reply.lines, reply.enhanced) == (code, lines, enhanced)
    assert reply.raw == wire


def test_reply_split_across_chunks_byte_by_byte():
    parser = ReplyParser()
    wire = b"250-hamburger.edu\r\n250 STARTTLS\r\n"
    got = []
    for i in range(len(wire)):
        got += parser.feed(wire[i : i + 1])
    assert [r.lines for r in got] == [("hamburger.edu", "STARTTLS")]


def test_bare_lf_is_tolerated_and_flagged():
    [reply] = ReplyParser().feed(b"250 ok\n")
    assert reply.code == 250
    assert [n.key for n in reply.notes] == ["bare-lf-reply"]


def test_malformed_reply_is_an_error_and_parser_stops():
    parser = ReplyParser()
    [error] = parser.feed(b"hello there\r\n250 ok\r\n")
    assert isinstance(error, ProtocolError) and error.key == "malformed-reply"
    assert parser.feed(b"250 ok\r\n") == []


def test_megabyte_line_is_an_error_not_a_buffer():
    parser = ReplyParser(max_line=1024)
    out = []
    for _ in range(1000):
        out += parser.feed(b"2" * 1024)
        if out:
            break
    assert isinstance(out[0], ProtocolError) and out[0].key == "reply-line-too-long"
    assert len(parser._buffer) == 0


def test_endless_multiline_reply_is_an_error():
    parser = ReplyParser(max_lines=100)
    out = parser.feed(b"250-x\r\n" * 100_000)
    assert [e.key for e in out] == ["reply-too-many-lines"]


def test_non_utf8_bytes_are_replaced_and_flagged():
    [reply] = ReplyParser().feed(b"250 caf\xe9\r\n")
    assert reply.lines == ("caf\ufffd",)
    assert "non-utf8-reply" in [n.key for n in reply.notes]


def test_code_changing_mid_reply_is_flagged():
    [reply] = ReplyParser().feed(b"250-a\r\n251 b\r\n")
    assert "reply-code-mismatch" in [n.key for n in reply.notes]


def test_text_without_enhanced():
    reply = Reply(250, ("2.1.0 Ok",), "2.1.0")
    assert reply.text_without_enhanced() == "Ok"
    assert (reply.klass, reply.category) == (2, 5)


@pytest.mark.parametrize(("code", "text", "want"), [
    (550, "5.7.26 DMARC", "5.7.26"), (250, "2.0.0", "2.0.0"), (250, "2.0", None),
    (451, "4.3.0x", None), (550, "5.001.002 padded", "5.1.2"),
])
def test_find_enhanced_code(code, text, want):
    assert find_enhanced_code(code, text) == want


reply_text = st.text(
    alphabet=st.characters(min_codepoint=32, max_codepoint=0x2FFF, exclude_characters="\r\n"),
    max_size=60,
)


@given(code=st.integers(200, 599), lines=st.lists(reply_text, min_size=1, max_size=8),
       cuts=st.lists(st.integers(0, 400), max_size=6))
def test_any_reply_parses_back_whatever_the_chunking(code, lines, cuts):
    wire = "".join(
        f"{code}{'-' if i < len(lines) - 1 else ' '}{line}\r\n" for i, line in enumerate(lines)
    ).encode()
    parser = ReplyParser()
    out, start = [], 0
    for cut in sorted(c % (len(wire) + 1) for c in cuts) + [len(wire)]:
        out += parser.feed(wire[start:cut])
        start = cut
    assert len(out) == 1
    assert out[0].code == code and list(out[0].lines) == lines
    assert out[0].wire_lines() == [w.decode() for w in wire.split(b"\r\n")[:-1]]


@given(st.binary(max_size=2000))
def test_random_bytes_never_crash_and_stay_bounded(blob):
    parser = ReplyParser(max_line=256, max_lines=10)
    for item in parser.feed(blob):
        assert isinstance(item, (Reply, ProtocolError))
    assert len(parser._buffer) <= 257
