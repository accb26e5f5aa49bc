"""`lesson check` finds what made the journey lessons unplayable (D1, D2) in any lesson
file, and reads ``hop.vi:`` (T19)."""

from __future__ import annotations

import pytest

from smtp_tutor.lessons.parser import parse_lesson
from tests.conftest import run_tutor
from tests.lessons.test_parser import problems

WORLD = "server: world\n---\nhop: submission Alice → crepes.fr (port 587)\n"


def test_a_hint_written_after_its_line_is_found():
    text = "S: 220 x\nC: HELO a\nhint.en: say hello\nS: 250 ok\nC: QUIT\nS: 221 bye\n"
    assert problems(text) == [(4, "lesson-hint-before-reply")]


def test_a_hint_before_its_line_is_fine():
    lesson = parse_lesson("S: 220 x\nhint.en: say hello\nC: HELO a\nS: 250 ok\n", "x.lesson")
    assert lesson.steps[1].hints == {"en": "say hello"}


@pytest.mark.parametrize("line", ["C: AUTH PLAIN AGFsaWNlAGtldGNodXA=",
                                  "C: AUTH CRAM-MD5 {auth_plain}"])
def test_an_auth_step_nobody_can_type_is_found(line):
    text = f"S: 220 x\nC: EHLO a\nS: 250 ok\n{line}\nS: 235 ok\n"
    assert problems(text) == [(4, "lesson-auth-no-way")]


def test_a_literal_answer_to_334_is_found():
    text = "S: 220 x\nC: AUTH LOGIN\nS: 334 VXNlcm5hbWU6\nC: YWxpY2U=\nS: 334 UGFzc3dvcmQ6\n"
    assert problems(text) == [(4, "lesson-auth-no-way")]


def test_the_ways_through_auth_are_fine():
    for text in ("S: 220 x\nC: AUTH PLAIN {auth_plain}\nS: 235 ok\n",
                 "S: 220 x\nC: AUTH LOGIN\nS: 334 VXNlcm5hbWU6\nC: {user_b64}\n"
                 "S: 334 UGFzc3dvcmQ6\nC: {pass_b64}\nS: 235 ok\n"):
        parse_lesson(text, "x.lesson")


def test_hop_vi_names_the_parties_in_vietnamese():
    lesson = parse_lesson(WORLD + "hop.vi: Alice → crepes.fr (cổng 587)\n"
                          "S: 220 crepes.fr\nC: QUIT\nS: 221 bye\n", "x.lesson")
    hop = lesson.steps[0].hop
    assert hop.label_in("vi") == "Alice → crepes.fr (cổng 587)"
    assert hop.label_in("en") == "Alice → crepes.fr (port 587)"


def test_hop_vi_away_from_its_hop_is_found():
    text = WORLD + "S: 220 crepes.fr\nhop.vi: Alice → crepes.fr\nC: QUIT\nS: 221 bye\n"
    assert problems(text) == [(5, "lesson-misplaced")]


def test_lesson_check_reports_the_hint_with_its_line(tmp_path):
    path = tmp_path / "mine.lesson"
    path.write_text("S: 220 x\nC: HELO a\nhint.en: say hello\nS: 250 ok\n", encoding="utf-8")
    result = run_tutor("lesson", "check", str(path))
    assert result.returncode == 1
    out = result.stdout.decode() + result.stderr.decode()
    assert f"{path}:4: A hint belongs to the next `C:` line" in out


def test_the_library_passes_its_own_check():
    result = run_tutor("lesson", "check")
    assert result.returncode == 0, result.stdout.decode()


def test_no_narration_says_no_auth_over_an_ehlo_that_offers_it():
    """T8: "no AUTH" on a hop whose EHLO lists AUTH teaches the opposite of the screen
    ("no AUTH yet", before STARTTLS, is true)."""
    from smtp_tutor.lessons.library import load_library

    lessons, _ = load_library()
    for lesson in lessons:
        for step in lesson.steps:
            text = step.narration.get("en", "").lower()
            if "no auth" not in text.replace("no auth yet", ""):
                continue
            offered = [line for other in lesson.steps if other.hop is step.hop
                       and other.kind == "server" for line in other.lines if "-AUTH " in line]
            assert not offered, (lesson.id, step.line_no)
