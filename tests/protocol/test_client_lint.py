"""The client lint, fed lines and replies as the server sees them (no sockets)."""

from hypothesis import given
from hypothesis import strategies as st

from smtp_tutor import knowledge
from smtp_tutor.knowledge.store import load
from smtp_tutor.protocol.client_lint import RULES, ClientLint, rule_of

EHLO_REPLY = ["250-hamburger.edu Hello", "250-PIPELINING", "250 HELP"]


def rules(notes) -> list[str]:
    return [rule_of(note) for note in notes]


def greeted(*, spoke_first: bool = False) -> tuple[ClientLint, list]:
    lint = ClientLint()
    return lint, lint.reply_line("220 hamburger.edu ESMTP", client_spoke_first=spoke_first)


def say(lint: ClientLint, line: bytes, replies: list[str], *, early: bool = False) -> list[str]:
    """A command and its reply; ``early``: the client had more queued when it came."""
    found = lint.command(line)
    for reply in replies:
        found += lint.reply_line(reply, client_spoke_first=early)
    return rules(found)


def body(lint: ClientLint, *lines: bytes) -> list[str]:
    found = []
    for line in lines:
        found += lint.data_line(line)
    return rules(found)


def test_a_careful_client_has_nothing_held_against_it():
    lint, found = greeted()
    assert found == []
    assert say(lint, b"EHLO crepes.fr\r\n", EHLO_REPLY) == []
    assert say(lint, b"MAIL FROM:<alice@crepes.fr>\r\n", ["250 ok"], early=True) == []
    assert say(lint, b"RCPT TO:<bob@hamburger.edu>\r\n", ["250 ok"], early=True) == []
    assert say(lint, b"DATA\r\n", ["354 go"]) == []
    assert body(lint, b"Date: Mon, 23 Nov 2026 10:00:00 +0000\r\n", b"From: alice@crepes.fr\r\n",
                b"\r\n", b"Do you like ketchup?\r\n", b".\r\n") == []


def test_bare_lf_is_reported_once_per_connection():
    lint, _ = greeted()
    assert say(lint, b"HELO crepes.fr\n", ["500 bare LF"]) == ["bare-lf"]
    assert say(lint, b"HELO crepes.fr\n", ["500 bare LF"]) == []


def test_talking_before_the_greeting():
    _, found = greeted(spoke_first=True)
    assert rules(found) == ["early-talker"]


def test_mail_without_helo():
    lint, _ = greeted()
    assert say(lint, b"MAIL FROM:<a@b>\r\n", ["503 send HELO first"]) == ["no-helo"]


def test_pipelining_needs_the_extension_and_stops_after_ehlo_or_data():
    lint, _ = greeted()
    assert say(lint, b"HELO crepes.fr\r\n", ["250 hi"]) == []
    assert say(lint, b"MAIL FROM:<a@b>\r\n", ["250 ok"], early=True) == ["pipelining-not-offered"]
    lint, _ = greeted()
    assert say(lint, b"EHLO crepes.fr\r\n", EHLO_REPLY, early=True) == ["pipelined-after"]
    lint, _ = greeted()
    say(lint, b"EHLO crepes.fr\r\n", EHLO_REPLY)
    assert say(lint, b"DATA\r\n", ["354 go"], early=True) == ["pipelined-after"]


def test_an_unknown_line_sent_too_early_is_worded_without_a_placeholder():
    """newcomer.md D10: "before the reply to ?"; the line is not named (it may be a
    secret), and the wording says what it was."""
    lint, _ = greeted()
    say(lint, b"HELO crepes.fr\r\n", ["250 hi"])
    lint.command(b"How about pickles?\r\n")
    notes = lint.reply_line("500 unrecognized", client_spoke_first=True)
    assert rules(notes) == ["pipelining-not-offered"] and notes[0].params == {"verb": ""}
    for lang in ("en", "vi"):
        text, hint = knowledge.explain_note(notes[0].key, notes[0].params, lang)
        assert "?" not in text and " - " not in text and "PIPELINING" in text and hint
    named = knowledge.explain_note("lint-pipelining-not-offered", {"verb": "MAIL"}, "en")[0]
    assert named.startswith("The client sent more before the reply to MAIL,")


def test_starttls_forgets_the_greeting_and_the_extensions():
    lint, _ = greeted()
    say(lint, b"EHLO crepes.fr\r\n", EHLO_REPLY)
    say(lint, b"STARTTLS\r\n", ["220 go ahead"])
    assert say(lint, b"MAIL FROM:<a@b>\r\n", ["503 EHLO first"]) == ["no-helo"]


def test_long_lines():
    lint, _ = greeted()
    assert say(lint, b"NOOP " + b"x" * 600 + b"\r\n", ["500 too long"]) == ["long-command-line"]
    say(lint, b"EHLO crepes.fr\r\n", EHLO_REPLY)
    say(lint, b"DATA\r\n", ["354 go"])
    assert body(lint, b"x" * 1200 + b"\r\n") == ["long-text-line"]
    assert rules(lint.overlong(2000, in_data=True)) == []  # already said for this connection


def test_the_textbook_message_has_no_headers():
    lint, _ = greeted()
    say(lint, b"HELO crepes.fr\r\n", ["250 hi"])
    say(lint, b"DATA\r\n", ["354 go"])
    found = body(lint, b"Do you like ketchup?\r\n", b"How about pickles?\r\n", b".\r\n")
    assert found == ["missing-header"]


def test_headers_then_body_without_an_empty_line_and_a_blank_before_the_dot():
    lint, _ = greeted()
    say(lint, b"EHLO crepes.fr\r\n", EHLO_REPLY)
    say(lint, b"DATA\r\n", ["354 go"])
    found = body(lint, b"From: alice@crepes.fr\r\n", b"Date: today\r\n", b"Subject: x\r\n",
                 b"Do you like ketchup?\r\n", b"\r\n", b".\r\n")
    assert found == ["no-blank-line", "blank-before-dot"]
    # the form of each message is judged again
    say(lint, b"DATA\r\n", ["354 go"])
    assert body(lint, b"Hi\r\n", b"\r\n", b".\r\n") == ["missing-header", "blank-before-dot"]


def test_every_rule_is_explained_in_both_languages():
    messages = load("messages")
    for rule in RULES:
        for lang in knowledge.LANGUAGES:
            assert messages[f"lint-{rule}"][lang]["text"], (rule, lang)
            assert messages[f"lint-{rule}"][lang]["hint"], (rule, lang)


@given(st.lists(st.tuples(st.sampled_from(["command", "data", "auth", "reply"]),
                          st.binary(max_size=300), st.booleans()), max_size=40))
def test_any_input_gives_known_rules_and_never_raises(steps):
    lint = ClientLint()
    for kind, payload, flag in steps:
        if kind == "command":
            found = lint.command(payload)
        elif kind == "data":
            found = lint.data_line(payload)
        elif kind == "auth":
            found = lint.auth_answer(payload)
        else:
            found = lint.reply_line(payload.decode("latin-1"), client_spoke_first=flag)
        assert all(rule_of(note) in RULES for note in found)
        assert all(payload.decode("latin-1") not in str(note.params) or not payload
                   for note in found if kind == "auth")
