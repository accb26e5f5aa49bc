"""Practice mode in a real pseudo-terminal: right answers, wrong answers, hints, predictions."""

import json
import os
import re

import pexpect
import pytest

from tests.conftest import spawn_pty, tutor_command


@pytest.fixture
def student(tmp_path):
    env = {**os.environ, "PROMPT_TOOLKIT_NO_CPR": "1", "TERM": "xterm", "COLUMNS": "120", "LINES": "40"}
    command, *args = tutor_command()
    report = tmp_path / "report.json"
    child = spawn_pty(command, [*args, "lesson", "play", "alice-bob", "--predict", "--lang", "en",
                                    "--report", str(report)],
                      env=env, encoding="utf-8", timeout=15, dimensions=(40, 120))
    child.report = report
    yield child
    child.terminate(force=True)


def answer(child, text: str) -> None:
    for index in range(0, len(text), 4):
        child.send(text[index:index + 4])
    child.send("\r")


def test_typing_the_textbook_session_with_mistakes_hints_and_guesses(student):
    student.expect(r"\[helo\]>")
    answer(student, "EHLO crepes.fr")  # the lesson allows EHLO for HELO
    student.expect("What will the server answer")
    answer(student, "25")  # not a code: asked again
    student.expect("What will the server answer")
    answer(student, "250")
    student.expect("Your guess 250: right!")
    student.expect(r"\[ready\]>")
    answer(student, "RCPT TO:<bob@hamburger.edu>")  # wrong command for this step
    student.expect("Not quite")
    student.expect("MAIL FROM: then Alice's address")  # the lesson's own hint first
    answer(student, "MAIL FROM:<alice@crepes.fr")
    student.expect("Not quite")
    student.expect("The command is right; look at what follows it")
    answer(student, ":show")
    student.expect("The line is: MAIL FROM: <alice@crepes.fr>")
    answer(student, "mail from:<alice@crepes.fr>")
    answer(student, "5")
    student.expect("Your guess 5: the server said 250")
    for line in ("RCPT TO:<bob@hamburger.edu>", "", "DATA", ""):
        answer(student, line)
    student.expect(r"\[data\]>")
    answer(student, ".")  # too early: would end an empty message
    student.expect("a lone `.` would end it too early")
    for line in ("Do you like ketchup?", "How about pickles?", ".", "2", "QUIT", "221"):
        answer(student, line)
    student.expect(r"Predictions: 3 right out of 4")
    student.expect("every reply was the expected one")
    student.expect(r"Tries:[^\n]*steps skipped[^\n]*\n")
    summary = re.sub(r"\x1b\[[0-9;]*m", "", student.after)
    assert "hints: 3 · lines shown: 1 · steps skipped: 0" in summary
    student.expect("Not marked ✓: 1 step")
    student.expect(pexpect.EOF)
    report = json.loads(student.report.read_text())
    # every reply was right, but a line was shown (`:show`): not passed, and said so
    assert report["passed"] is False and report["replies_as_expected"] is True
    assert report["mode"] == "practice" and report["shown"] == 1 and report["skipped"] == 0
    assert report["predictions"] == {"asked": 4, "right": 3}  # two guesses skipped with Enter
    mail = next(s for s in report["steps"] if s["kind"] == "client" and s["expected"].startswith("MAIL"))
    assert mail["tries"] == ["RCPT TO:<bob@hamburger.edu>", "MAIL FROM:<alice@crepes.fr",
                             "mail from:<alice@crepes.fr>"]
    assert mail["shown"] is True and mail["hints"] == 2


def test_quit_stops_the_lesson_and_says_so(student):
    student.expect(r"\[helo\]>")
    answer(student, ":quit")
    student.expect(r"Lesson stopped at step (\d+) of (\d+);")  # and what was done so far
    assert student.match.group(1) == "2" and int(student.match.group(2)) > 2
    student.expect(r"Tries: 0 · hints: 0 · lines shown: 0 · steps skipped: 0")
    student.expect(pexpect.EOF)
