"""Explanations in context, checked against the replies real servers give
(shared/real-server-replies.md: Postfix, smtp-sink, aiosmtpd, Exim, OpenSMTPD)."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smtp_tutor import knowledge

# (reply code, text, command answered) -> words the explanation must contain
REAL = [
    (250, "2.1.0 Ok", "MAIL", "Sender accepted"),
    (250, "OK", "MAIL", "Sender accepted"),
    (250, "2.1.5 Destination address valid: Recipient ok", "RCPT", "Recipient accepted"),
    (250, "Accepted", "RCPT", "Recipient accepted"),
    (250, "2.0.0 Ok: queued as 8888C16014C", "<end-of-data>", "Message accepted"),
    (250, "OK id=1xVPFA-0004ou-2G", "<end-of-data>", "Message accepted"),
    (354, "End data with <CR><LF>.<CR><LF>", "DATA", "type the message"),
    (354, 'Enter message, ending with "." on a line by itself', "DATA", "type the message"),
    (554, "5.5.1 Error: no valid recipients", "DATA", "no recipient was accepted"),
    (503, "valid RCPT command must precede DATA", "DATA", "at least one accepted recipient"),
    (503, "5.5.4 Invalid command arguments: No recipient specified", "DATA", "recipient"),
    (503, "Error: need MAIL command", "RCPT", "needs a sender"),
    (503, "sender not yet given", "RCPT", "needs a sender"),
    (503, "Error: send HELO first", "MAIL", "EHLO first"),
    (550, "5.1.1 <nosuchuser@hamburger.edu>: Recipient address rejected: User unknown in local "
          "recipient table", "RCPT", "no such mailbox"),
    (550, "Unknown user", "RCPT", "no such mailbox"),
    (550, "Invalid recipient: <nosuchuser@hamburger.edu>", "RCPT", "no such mailbox"),
    (550, "Invalid recipient: <someone@example.com>", "RCPT", "does not relay"),
    (554, "5.7.1 <someone@example.com>: Relay access denied", "RCPT", "relaying"),
    (550, "Relay not permitted", "RCPT", "relay refused"),
    (500, "5.5.2 Error: command not recognized", "FOO", "not recognised"),
    (501, "5.5.4 Syntax: MAIL FROM:<address>", "MAIL", "malformed"),
    (252, "2.0.0 bob", "VRFY", "Cannot verify"),
    (221, "2.0.0 Bye", "QUIT", "Goodbye"),
    (221, "hamburger.edu closing connection", "QUIT", "Goodbye"),
    (214, "Commands supported:", "HELP", "Help"),
    (220, "2.0.0 Ready to start TLS", "STARTTLS", "TLS"),
    (550, "5.7.1 Delivery not authorized, message refused: Message is not RFC 2822 compliant",
     "<end-of-data>", "Message refused"),
]


# Replies explained by their real cause (the practice server's faults, interop review D10-D23)
REAL += [
    (451, "4.3.0 <tempfail@hamburger.edu>: Temporary local problem, try again later", "RCPT",
     "not greylisting"),
    (450, "4.2.1 <busy@hamburger.edu>: Mailbox busy, try again later", "RCPT", "busy"),
    (552, "5.2.2 <full@hamburger.edu>: Mailbox full", "RCPT", "quota"),
    (550, "5.7.1 <spam@hamburger.edu>: Message refused by policy (spam)", "RCPT",
     "not because the mailbox is missing"),
    (451, "4.7.1 <bob@hamburger.edu>: Recipient address rejected: Greylisted, try again in 2 "
          "seconds", "RCPT", "greylisting"),
    (501, "5.1.7 Bad sender address syntax", "MAIL", "SMTPUTF8"),
    (501, "<alicé@crêpes.fr>: malformed address: êpes.fr> may not follow <alicé@cr", "MAIL",
     "SMTPUTF8"),
    (500, "Error: strict ASCII mode", "MAIL", "ASCII"),
    (501, "Error: SMTPUTF8 disabled", "MAIL", "SMTPUTF8"),
    (554, "5.5.1 Error: TLS already active", "STARTTLS", "already"),
    (250, "2.0.0 Ok", "AUTH", "235"),
    (250, "2.0.0 b82f5ef5 Message accepted for delivery", "<end-of-data>", "queue ID"),
    (221, "2.7.0 Error: I can break rules, too. Goodbye.", "*", "header"),
]


def test_tempfail_and_spam_are_not_explained_as_greylisting_or_unknown_users():
    tempfail = knowledge.explain_reply(451, "4.3.0", "4.3.0 <tempfail@hamburger.edu>: Temporary "
                                       "local problem, try again later", "RCPT", "en")
    assert "Greylisting:" not in " ".join(tempfail.wordings)
    spam = knowledge.explain_reply(550, "5.7.1", "5.7.1 <spam@hamburger.edu>: Message refused by "
                                   "policy (spam)", "RCPT", "en")
    assert "No mailbox by that name" not in " ".join(spam.wordings) + spam.short


def test_relay_refusal_does_not_promise_that_auth_helps():
    for text in ("5.7.1 <someone@example.com>: Relay access denied", "Relay not permitted"):
        words = " ".join(knowledge.explain_reply(550, None, text, "RCPT", "en").wordings)
        assert "or from authenticated users" not in words and "never relays" in words


@pytest.mark.parametrize(("code", "text", "verb", "words"), REAL)
def test_explanations_hold_on_every_real_server(code, text, verb, words):
    from smtp_tutor.protocol.replies import find_enhanced_code

    result = knowledge.explain_reply(code, find_enhanced_code(code, text), text, verb, "en")
    assert words.lower() in (result.short + " ".join(result.wordings)).lower()
    vi = knowledge.explain_reply(code, find_enhanced_code(code, text), text, verb, "vi")
    assert vi.short and vi.short != result.short


@pytest.mark.parametrize(("text", "concept_words"), [
    ("5.5.2 hamburger.edu Error: bare <LF> received", "bare LF"),
    ("4.5.0 Bare linefeed (LF) not allowed", "bare LF"),
    ("5.6.11 SMTPSEND.BareLinefeedsAreIllegal", "bare LF"),
    ("5.7.0 Must issue a STARTTLS command first", "STARTTLS"),
    ("2.7.0 Error: I can break rules, too. Goodbye.", "message header"),
])
def test_real_wordings_are_recognised(text, concept_words):
    result = knowledge.explain_reply(550, None, text, "RCPT", "en")
    assert any(concept_words in w for w in result.wordings)


def test_exchange_vendor_code():
    assert "Exchange" in knowledge.explain_enhanced("5.6.11", "en").short


def test_unknown_code_falls_back_to_class_and_category():
    result = knowledge.explain_reply(459, None, "whatever", None, "en")
    assert "Transient" in result.short and "mail system" in result.short


@pytest.mark.parametrize(("typo", "want"), [("dot-stufing", "dot-stuffing"), ("PIPELINNG", "PIPELINING"),
                                            ("SMTPUTF", "SMTPUTF8")])
def test_did_you_mean(typo, want):
    assert want in knowledge.explain_topic(typo, "en")


@pytest.mark.parametrize(("env", "lang"), [({"LANG": "vi_VN.UTF-8"}, "vi"), ({"LANG": "C"}, "en"),
                                           ({}, "en"), ({"LC_ALL": "vi_VN", "LANG": "en_US"}, "vi")])
def test_language_from_locale(env, lang):
    assert knowledge.language_from_env(env) == lang


@pytest.mark.parametrize("port", ["587", "465", "25"])
def test_a_port_number_reaches_the_ports_concept_not_a_reply_code(port):
    """587 is not a reply code but a name students type: the ports concept answers."""
    for lang in knowledge.LANGUAGES:
        result = knowledge.explain_topic(port, lang)
        assert isinstance(result, knowledge.Explanation) and result.topic == "ports", result
    assert knowledge.explain_topic("250", "en").kind == "code"
    assert not isinstance(knowledge.explain_topic("599", "en"), knowledge.Explanation)


def _wordings_by_regex(code: int, text: str) -> list[str]:
    """Every wording's pattern compiled and searched: what _wordings answers faster."""
    import re

    from smtp_tutor.knowledge.store import load

    return [w["en"] for w in load("replies")["wordings"]
            if (not w.get("codes") or code in w["codes"])
            and re.search(w["match"], text, re.IGNORECASE)]


def _phrases() -> list[str]:
    from smtp_tutor.knowledge.store import load

    return [phrase for w in load("replies")["wordings"] for phrase in w["match"].split("|")]


@given(code=st.sampled_from([220, 250, 421, 450, 451, 452, 500, 501, 503, 550, 552, 553, 554]),
       pieces=st.lists(st.one_of(st.sampled_from(_phrases()), st.text(max_size=12),
                                 st.sampled_from(["K", "\u212a", "\u017f", "S", "İ", "ı", " "])),
                       max_size=5),
       upper=st.booleans())
@settings(max_examples=300, deadline=None)
def test_wordings_without_compiling_match_as_the_patterns_do(code, pieces, upper):
    from smtp_tutor.knowledge.lookup import _wordings

    text = "".join(pieces)
    text = text.upper() if upper else text
    assert _wordings(code, text, "en") == _wordings_by_regex(code, text)


def test_other_enhanced_codes_are_not_shown_as_if_they_said_something():
    """D22: 2.0.0 adds nothing under a 250; 2.1.0 says only its subject."""
    assert knowledge.explain_reply(250, "2.0.0", "Ok", "QUIT", "en").enhanced == ""
    line = knowledge.explain_reply(250, "2.1.0", "Ok", "MAIL", "en").enhanced
    assert "Other address status" not in line and "address" in line
    assert "Bad destination mailbox" in knowledge.explain_reply(
        550, "5.1.1", "no", "RCPT", "en").enhanced
    assert knowledge.explain_topic("2.0.0", "en").title  # `explain 2.0.0` still answers
