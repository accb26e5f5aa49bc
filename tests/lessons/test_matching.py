"""What a student may type for a step: what a server would accept."""

import pytest

from smtp_tutor.lessons.matching import accepts, canonical
from smtp_tutor.lessons.model import CLIENT, Step
from smtp_tutor.lessons.placeholders import bindings

VALUES = bindings()


def step(text: str, *alternatives: str) -> Step:
    return Step(CLIENT, 1, text=text, alternatives=list(alternatives))


@pytest.mark.parametrize("typed", [
    "MAIL FROM: <alice@crepes.fr>", "mail from:<alice@crepes.fr>", "MAIL  FROM:<alice@crepes.fr>  ",
    "Mail From : <alice@crepes.fr>", "MAIL FROM:<ALICE@CREPES.FR>"])
def test_case_and_spacing_do_not_matter(typed):
    assert accepts(typed, step("MAIL FROM: <alice@crepes.fr>"), VALUES, in_data=False)


@pytest.mark.parametrize("typed", ["MAIL FROM:alice@crepes.fr", "RCPT TO:<alice@crepes.fr>",
                                   "MAIL FROM:<alice@crepes.fr> SIZE=10", "HELO", ""])
def test_other_commands_and_arguments_are_refused(typed):
    assert not accepts(typed, step("MAIL FROM: <alice@crepes.fr>"), VALUES, in_data=False)


def test_a_placeholder_accepts_another_address_but_not_a_missing_one():
    rcpt = step("RCPT TO:<{rcpt}>")
    assert accepts("RCPT TO:<bob@hamburger.edu>", rcpt, VALUES, in_data=False)
    assert accepts("rcpt to:<carol@hamburger.edu>", rcpt, VALUES, in_data=False)
    assert not accepts("RCPT TO:<>", rcpt, VALUES, in_data=False)
    assert not accepts("RCPT TO:bob@hamburger.edu", rcpt, VALUES, in_data=False)


def test_helo_or_ehlo_only_where_the_lesson_allows_it():
    assert accepts("EHLO crepes.fr", step("HELO crepes.fr", "EHLO crepes.fr"), VALUES, in_data=False)
    assert not accepts("EHLO crepes.fr", step("HELO crepes.fr"), VALUES, in_data=False)


def test_body_lines_are_free_but_a_lone_dot_only_ends_the_message_when_asked():
    body = step("Do you like ketchup?")
    assert accepts("I love mustard", body, VALUES, in_data=True)
    assert not accepts(".", body, VALUES, in_data=True)
    assert accepts(".", step("."), VALUES, in_data=True)
    assert not accepts("QUIT", step("."), VALUES, in_data=True)


def test_regex_characters_in_a_line_are_literal():
    assert accepts("VRFY a.b+c", step("VRFY a.b+c"), VALUES, in_data=False)
    assert not accepts("VRFY aXb+c", step("VRFY a.b+c"), VALUES, in_data=False)


def test_canonical_form():
    assert canonical("  rcpt   to :  <b@c>  ") == "RCPT TO:<b@c>"
    assert canonical("ehlo x") == "EHLO x"
