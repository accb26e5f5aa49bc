"""The client lint, observing a real server dialogue (protocol/server.py) fed bytes."""

from hypothesis import given
from hypothesis import strategies as st

from smtp_tutor import knowledge
from smtp_tutor.knowledge.store import load
from smtp_tutor.protocol.client_lint import RULES, ClientLint, rule_of
from smtp_tutor.protocol.server import (
    NEED_DATA,
    Ask,
    Overlong,
    Send,
    ServerDialogue,
    Settings,
    StartTls,
)
from smtp_tutor.server.wording import reply

DATE_FROM = b"Date: Mon, 23 Nov 2026 10:00:00 +0000\r\nFrom: alice@crepes.fr\r\n\r\n"


def rules(notes) -> list[str]:
    return [rule_of(note) for note in notes]


class Judged:
    """A server dialogue with a simple policy and the lint watching it, as the practice
    server runs them; ``pipelining``: whether EHLO offers it."""

    def __init__(self, *, pipelining: bool = True, spoke_first: bytes = b"") -> None:
        self.server = ServerDialogue(reply, Settings(auth_require_tls=False))
        self.lint = ClientLint()
        self.notes: list = []
        self.pipelining = pipelining
        self.server.receive(spoke_first)
        self.greeting = self._observe(self.server.greet())

    def send(self, data: bytes) -> list[str]:
        """Bytes from the client (several commands at once: pipelined)."""
        self.server.receive(data)
        found = []
        while (event := self.server.next_event()) is not NEED_DATA:
            if isinstance(event, Ask):
                self.server.answer(self._decide(event))
            elif isinstance(event, StartTls):
                self.server.tls_started()
            else:
                found += self._observe(event)
        self.notes += found
        return rules(found)

    def _observe(self, event) -> list:
        waiting = isinstance(event, Send) and self.server.buffered > 0
        return self.lint.observe(event, offered=self.server.session.extensions,
                                 client_spoke_first=waiting)

    def _decide(self, ask: Ask):
        name = ask.argument
        if ask.verb == "EHLO":
            lines = self.server.ehlo_lines()
            return [lines[0], *(["PIPELINING"] if self.pipelining else []), *lines[1:]]
        return {"HELO": reply("helo", domain="hamburger.edu", name=name),
                "MAIL": reply("sender-ok", address=name),
                "RCPT": reply("recipient-ok", address=name),
                "VRFY": reply("vrfy"), "MESSAGE": reply("accepted")}.get(
                    ask.verb, reply("auth-failed"))


def test_a_careful_client_has_nothing_held_against_it():
    judged = Judged()
    assert rules(judged.greeting) == []
    assert judged.send(b"EHLO crepes.fr\r\n") == []
    assert judged.send(b"MAIL FROM:<alice@crepes.fr>\r\nRCPT TO:<bob@hamburger.edu>\r\n") == []
    assert judged.send(b"DATA\r\n") == []
    assert judged.send(DATE_FROM + b"Do you like ketchup?\r\n.\r\n") == []


def test_bare_lf_is_reported_once_per_connection():
    judged = Judged()
    assert judged.send(b"HELO crepes.fr\n") == ["bare-lf"]
    assert judged.send(b"HELO crepes.fr\n") == []


def test_talking_before_the_greeting():
    assert rules(Judged(spoke_first=b"EHLO crepes.fr\r\n").greeting) == ["early-talker"]


def test_mail_without_helo():
    assert Judged().send(b"MAIL FROM:<a@b>\r\n") == ["no-helo"]


def test_pipelining_needs_the_extension_and_stops_after_ehlo_or_data():
    judged = Judged()
    judged.send(b"HELO crepes.fr\r\n")
    assert judged.send(b"MAIL FROM:<a@b>\r\nNOOP\r\n") == ["pipelining-not-offered"]
    assert Judged().send(b"EHLO crepes.fr\r\nNOOP\r\n") == ["pipelined-after"]
    judged = Judged()
    judged.send(b"EHLO crepes.fr\r\n")
    assert judged.send(b"DATA\r\nNOOP\r\n") == ["pipelined-after"]
    judged = Judged(pipelining=False)
    judged.send(b"EHLO crepes.fr\r\n")
    assert judged.send(b"MAIL FROM:<a@b>\r\nNOOP\r\n") == ["pipelining-not-offered"]


def test_an_unknown_line_sent_too_early_is_worded_without_a_placeholder():
    """newcomer.md D10: "before the reply to ?"; the line is not named (it may be a
    secret), and the wording says what it was."""
    judged = Judged()
    judged.send(b"HELO crepes.fr\r\n")
    judged.server.receive(b"How about pickles?\r\nNOOP\r\n")
    notes = []
    while (event := judged.server.next_event()) is not NEED_DATA:
        notes += judged._observe(event)
    assert rules(notes) == ["pipelining-not-offered"] and notes[0].params == {"verb": ""}
    for lang in ("en", "vi"):
        text, hint = knowledge.explain_note(notes[0].key, notes[0].params, lang)
        assert "?" not in text and " - " not in text and "PIPELINING" in text and hint
    named = knowledge.explain_note("lint-pipelining-not-offered", {"verb": "MAIL"}, "en")[0]
    assert named.startswith("The client sent more before the reply to MAIL,")


def test_starttls_forgets_the_greeting_and_the_extensions():
    judged = Judged()
    judged.send(b"EHLO crepes.fr\r\n")
    judged.send(b"STARTTLS\r\n")
    assert judged.send(b"MAIL FROM:<a@b>\r\n") == ["no-helo"]


def test_long_lines():
    judged = Judged()
    assert judged.send(b"NOOP " + b"x" * 600 + b"\r\n") == ["long-command-line"]
    judged.send(b"EHLO crepes.fr\r\nMAIL FROM:<a@b>\r\nRCPT TO:<bob@hamburger.edu>\r\n")
    judged.send(b"DATA\r\n")
    assert judged.send(b"x" * 1200 + b"\r\n") == ["long-text-line"]
    assert rules(judged.lint.observe(Overlong(2000, True))) == []  # said for this connection


def test_the_textbook_message_has_no_headers():
    judged = Judged()
    judged.send(b"HELO crepes.fr\r\nMAIL FROM:<a@b>\r\nRCPT TO:<bob@hamburger.edu>\r\nDATA\r\n")
    found = judged.send(b"Do you like ketchup?\r\nHow about pickles?\r\n.\r\n")
    assert found == ["missing-header"]


def test_headers_then_body_without_an_empty_line_and_a_blank_before_the_dot():
    judged = Judged()
    start = b"MAIL FROM:<a@b>\r\nRCPT TO:<bob@hamburger.edu>\r\nDATA\r\n"
    judged.send(b"EHLO crepes.fr\r\n" + start)
    found = judged.send(b"From: alice@crepes.fr\r\nDate: today\r\nSubject: x\r\n"
                        b"Do you like ketchup?\r\n\r\n.\r\n")
    assert found == ["no-blank-line", "blank-before-dot"]
    # the form of each message is judged again
    judged.send(start)
    assert judged.send(b"Hi\r\n\r\n.\r\n") == ["missing-header", "blank-before-dot"]


def test_every_rule_is_explained_in_both_languages():
    messages = load("messages")
    for rule in RULES:
        for lang in knowledge.LANGUAGES:
            assert messages[f"lint-{rule}"][lang]["text"], (rule, lang)
            assert messages[f"lint-{rule}"][lang]["hint"], (rule, lang)


WORDS = st.sampled_from([b"EHLO x\r\n", b"HELO x\n", b"MAIL FROM:<a@b>\r\n", b"DATA\r\n",
                         b"RCPT TO:<bob@hamburger.edu>\r\n", b"AUTH LOGIN\r\n", b"c2VjcmV0\r\n",
                         b".\r\n", b"\r\n", b"BDAT 3\r\n", b"STARTTLS\r\n", b"x" * 700])


@given(st.lists(st.one_of(WORDS, st.binary(max_size=300)), max_size=30))
def test_any_input_gives_known_rules_and_never_names_a_secret(pieces):
    judged = Judged()
    for piece in pieces:
        found = judged.send(piece)
        assert all(rule in RULES for rule in found)
    assert all("c2VjcmV0" not in str(note.params) for note in judged.notes)
