"""Lesson files: what parses, and broken files reported with line and what to write."""

import pytest

from smtp_tutor.lessons.model import CLIENT, SERVER, WAIT
from smtp_tutor.lessons.parser import LessonError, parse_lesson
from tests.conftest import tutor_in_process

# lesson check/play run in this process (tutor_in_process): their messages are tested


def problems(text: str) -> list[tuple[int, str]]:
    with pytest.raises(LessonError) as caught:
        parse_lesson(text, "x.lesson")
    return [(p.line, p.key) for p in caught.value.problems]


def test_a_pasted_transcript_is_a_lesson():
    lesson = parse_lesson("S: 220 hamburger.edu\nC: HELO crepes.fr\nS: 250 Hello\nC: QUIT\nS: 221 Bye\n",
                          "pasted.lesson")
    assert lesson.id == "pasted" and [s.kind for s in lesson.steps] == [SERVER, CLIENT, SERVER, CLIENT, SERVER]


def test_header_narration_hints_alternatives_expect_and_wait():
    lesson = parse_lesson(
        "id: demo\ntitle: Demo\ntitle.vi: Thử\nlevel: 2\nserver: greylist=2\n---\n"
        "en: Hello\nen: again\nvi: Xin chào\nS: 220-x\nS: 220 x\nhint.en: say hi\nC: HELO a\nor: EHLO a\n"
        "S: 451 later\nexpect: 4xx /later/\nwait: 2\nC: QUIT\nS: 221 bye\nen: The end\n")
    greeting, helo, later, wait = lesson.steps[:4]
    assert greeting.narration == {"en": "Hello\nagain", "vi": "Xin chào"} and greeting.lines == ["220-x", "220 x"]
    assert helo.hints == {"en": "say hi"} and helo.alternatives == ["EHLO a"]
    assert later.code == "4xx" and later.pattern == "later" and later.expects(451, "try later")
    assert not later.expects(550, "later")
    assert wait.kind == WAIT and wait.seconds == 2
    assert lesson.server == {"greylist": "2"} and lesson.closing == {"en": "The end"}
    assert lesson.languages == ["en"]


@pytest.mark.parametrize("text, expected", [
    ("S: 220 x\nC: HELO a\nS: 250 ok\nBLAH\n", [(4, "lesson-unknown-line")]),
    ("S: 220 x\nC: HELO a\nS: hello\n", [(3, "lesson-bad-reply")]),
    ("S: 220 x\nC: HELO a\nC: MAIL FROM:<a@b>\nS: 250 ok\n", [(2, "lesson-reply-missing")]),
    ("S: 220 x\nC: HELO a\nS: 250 ok\nS: 250 again\n", [(4, "lesson-reply-answers-nothing")]),
    ("C: HELO a\nS: 250 ok\n", [(1, "lesson-no-greeting")]),
    ("S: 220 x\nC: AUTH PLAIN ********\nS: 235 ok\n", [(2, "lesson-masked-secret")]),
    ("S: 220 x\nC: RCPT TO:<{bobby}>\nS: 250 ok\n", [(2, "lesson-unknown-placeholder")]),
    ("S: 220 x\nexpect: 2yy\nC: QUIT\nS: 221 x\n", [(2, "lesson-bad-expect")]),
    ("or: EHLO a\nS: 220 x\nC: QUIT\nS: 221 x\n", [(1, "lesson-misplaced")]),
    ("S: 220 x\nwait: forever\nC: QUIT\nS: 221 x\n", [(2, "lesson-bad-wait")]),
    ("level: 9\n---\nS: 220 x\nC: QUIT\nS: 221 x\n", [(1, "lesson-bad-level")]),
    ("server: chaos=1\n---\nS: 220 x\nC: QUIT\nS: 221 x\n", [(1, "lesson-bad-server-option")]),
    ("S: 220 x\nS: 221 x\n", [(1, "lesson-no-client-line")]),
])
def test_broken_files_name_the_line_and_the_problem(text, expected):
    assert problems(text) == expected


def test_lesson_check_prints_file_line_and_what_to_write(tmp_path):
    broken = tmp_path / "broken.lesson"
    broken.write_text("S: 220 x\nC: HELO a\nC: MAIL FROM:<a@b>\nS: 250 ok\n")
    result = tutor_in_process("lesson", "check", str(broken), "--lang", "en")
    err = result.stderr.decode()
    assert result.returncode == 1
    assert f"{broken}:2: The server's reply to this command is missing." in err
    assert "Add the `S:` line" in err and "Traceback" not in err
    played = tutor_in_process("lesson", "play", str(broken), "--mode", "watch")
    assert played.returncode == 2 and b"S: 220" not in played.stdout  # never plays half-way


def test_unreadable_and_non_utf8_files(tmp_path):
    latin = tmp_path / "latin.lesson"
    latin.write_bytes(b"S: 220 x\nC: HELO caf\xe9\n")
    assert tutor_in_process("lesson", "check", str(latin)).returncode == 1
    assert b"latin.lesson:2: The file is not UTF-8" in tutor_in_process("lesson", "check", str(latin)).stderr
    missing = tutor_in_process("lesson", "play", "nonexistent-lesson")
    assert missing.returncode == 2 and b"lesson list" in missing.stderr
