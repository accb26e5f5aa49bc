"""Properties of the IMAP parsers (Hypothesis), and the client core's dialogue."""

from __future__ import annotations

import contextlib

from hypothesis import given, settings
from hypothesis import strategies as st

from smtp_tutor.protocol.imap.client import ImapClient, ImapProblem, ImapResponse, mask
from smtp_tutor.protocol.imap.sequence import compact, parse_set, pick
from smtp_tutor.protocol.imap.server import ImapServerSession, Send
from smtp_tutor.protocol.imap.syntax import Framer, SyntaxProblem, nstring, parse, quote
from tests.imap.memory import MemoryAccount, MemoryAccounts, MemoryMailbox, message

octets = st.binary(max_size=200)
values = st.recursive(
    octets | st.none(),
    lambda inner: st.lists(inner, max_size=5), max_leaves=20)


def encode(value) -> bytes:
    if value is None:
        return b"NIL"
    if isinstance(value, list):
        return b"(" + b" ".join(encode(v) for v in value) + b")"
    return nstring(value) if not value or value.upper() == b"NIL" else quote(value)


@given(st.lists(values, max_size=6))
def test_parse_reads_back_what_quote_wrote(items):
    line = b" ".join(encode(v) for v in items)
    assert parse(line) == items


@given(st.lists(values, min_size=1, max_size=4), st.data())
def test_the_framer_gives_the_same_lines_however_the_bytes_are_cut(items, data):
    line = b"a1 X " + b" ".join(encode(v) for v in items)
    stream = line + b"\r\n" + b"a2 NOOP\r\n"
    cuts = sorted(data.draw(st.lists(st.integers(0, len(stream)), max_size=8)))
    framer, out = Framer(max_line=1 << 20), []
    for start, end in zip([0, *cuts], [*cuts, len(stream)], strict=True):
        framer.feed(stream[start:end])
        while (got := framer.next_line()) is not None:
            out.append(got)
    assert out == [line, b"a2 NOOP"]


@given(st.binary(max_size=300))
def test_parse_never_fails_other_than_by_syntax_problem(data):
    with contextlib.suppress(SyntaxProblem):
        parse(data)


@settings(max_examples=200)
@given(st.lists(st.binary(max_size=60), max_size=8))
def test_the_server_core_answers_any_bytes_without_raising(chunks):
    account = MemoryAccount({"INBOX": MemoryMailbox([message("hi")])})
    server = ImapServerSession(MemoryAccounts(account), "hamburger.edu", tls=True,
                               max_line=200, max_literal=100)
    server.receive(b"a LOGIN bob pickles\r\nb SELECT INBOX\r\n")
    for chunk in chunks:
        for action in server.receive(chunk):
            if isinstance(action, Send):
                assert action.data.endswith(b"\r\n")


@given(st.lists(st.binary(max_size=80), max_size=8))
def test_the_client_core_reads_any_bytes_without_raising(chunks):
    client = ImapClient()
    client.send("NOOP")
    for chunk in chunks:
        for item in client.receive(chunk):
            assert isinstance(item, ImapResponse | ImapProblem)


@given(st.lists(st.integers(1, 60), max_size=20), st.integers(0, 80))
def test_sequence_sets(numbers, largest):
    text = compact(numbers) if numbers else "1"
    ranges = parse_set(text, largest)
    assert ranges is not None
    assert pick(ranges, list(range(1, 61))) == sorted(set(numbers) or {1})


def test_sequence_set_shapes():
    assert pick(parse_set("2:*", 5), [1, 2, 3, 4, 5]) == [2, 3, 4, 5]
    assert pick(parse_set("4:2", 5), [1, 2, 3, 4, 5]) == [2, 3, 4]
    assert parse_set("1,,2", 5) is None and parse_set("0", 5) is None and parse_set("x", 5) is None


# -- the client core ------------------------------------------------------------------------

def test_tags_are_added_or_kept():
    client = ImapClient()
    assert client.send("LOGIN bob pickles")[0] == b"a1 LOGIN bob pickles\r\n"
    assert client.send("x7 NOOP")[0] == b"x7 NOOP\r\n"
    assert client.send("noop")[0] == b"a2 noop\r\n"
    assert client.send("UID FETCH 1 FLAGS")[1].name == "UID FETCH"


def test_login_is_masked_everywhere():
    assert mask("LOGIN bob pickles") == ("LOGIN bob ********", True)
    assert mask("a1 login bob \"my secret\"") == ("a1 login bob ********", True)
    assert mask("LOGIN bob {7}") == ("LOGIN bob ********", True)
    assert mask("LOGIN bob") == ("LOGIN bob", False)
    client = ImapClient()
    _, command = client.send("LOGIN bob pickles")
    assert "pickles" not in command.display and command.secret


def test_responses_are_tied_to_their_commands():
    client = ImapClient()
    out = client.receive(b"* OK [CAPABILITY IMAP4rev1 STARTTLS] hi\r\n")
    assert out[0].status == "OK" and client.capabilities == ["IMAP4REV1", "STARTTLS"]
    client.send("SELECT INBOX")
    out = client.receive(b"* 3 EXISTS\r\n* OK [UIDVALIDITY 7] ok\r\na1 OK [READ-WRITE] done\r\n")
    assert (out[0].number, out[0].name) == (3, "EXISTS")
    assert (out[1].code, out[1].code_argument) == ("UIDVALIDITY", b"7")
    assert out[2].answering.name == "SELECT" and out[2].code == "READ-WRITE"
    assert client.state == "selected"
    client.send("FETCH 1 (FLAGS BODY[])")
    out = client.receive(b"* 1 FETCH (FLAGS (\\Seen) BODY[] {5}\r\nab\r\nc)\r\na2 OK\r\n")
    assert out[0].fetch == {"FLAGS": [b"\\Seen"], "BODY[]": b"ab\r\nc"}
    assert isinstance(client.receive(b"zz OK what\r\n")[0], ImapProblem)


def test_a_literal_waits_for_the_continuation():
    client = ImapClient()
    client.receive(b"* OK hi\r\n")
    wire, _ = client.send("LOGIN {3}")
    assert wire == b"a1 LOGIN {3}\r\n" and client.awaiting_continuation and client.announced == 3
    assert client.receive(b"+ go\r\n")[0].kind == "continuation"
    assert client.continue_with(b"bob {7}") == b"bob {7}\r\n" and client.announced == 7
    assert client.continue_with(b"pickles") == b"pickles\r\n" and not client.awaiting_continuation
    assert client.receive(b"a1 OK\r\n")[0].status == "OK" and client.state == "authenticated"


def test_a_refused_literal_closes_the_command():
    client = ImapClient()
    client.receive(b"* OK hi\r\n")
    client.send("APPEND INBOX {99999999}")
    assert client.receive(b"a1 NO [TOOBIG] no\r\n")[0].code == "TOOBIG"
    assert not client.awaiting_continuation and not client.awaiting_reply


def test_what_follows_ok_to_starttls_is_dropped():
    client = ImapClient()
    client.receive(b"* OK hi\r\n")
    client.send("STARTTLS")
    out = client.receive(b"a1 OK go\r\n* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] injected\r\n")
    assert len(out) == 1 and client.start_tls
    assert client.discard_plaintext() > 0
    client.tls_established()
    assert client.tls and not client.capabilities
