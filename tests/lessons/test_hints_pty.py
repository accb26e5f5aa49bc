"""`?` in a lesson says more than the first miss did (issue 24, D23), in a real pty."""

import re

from tests.lessons.test_practice_pty import answer, student  # noqa: F401 (fixture)


def test_question_mark_after_a_miss_adds_to_the_first_hint(student):  # noqa: F811
    student.expect(r"\[helo\]>")
    answer(student, "HELO crepes.fr")
    answer(student, "")  # no guess
    student.expect(r"\[ready\]>")
    answer(student, "RCPT TO:<bob@hamburger.edu>")  # a miss: the lesson's own hint
    student.expect("MAIL FROM: then Alice's address")
    student.expect(r"\[ready\]>")
    answer(student, "?")
    student.expect("MAIL FROM: then Alice's address")  # what the miss said, and more:
    student.expect("The server expects the MAIL command here")
    student.expect(re.escape("MAIL FROM:<reverse-path> [SP <mail-parameters>]"))
    student.expect(r"\[ready\]>")
    answer(student, "?")
    student.expect(r"Still stuck\? `:show`")
    answer(student, ":quit")
