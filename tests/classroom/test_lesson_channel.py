"""Lesson progress reaches the class server over its own authenticated TLS channel."""

from __future__ import annotations

import asyncio

from smtp_tutor.classroom.board import render
from smtp_tutor.classroom.channel import send_report
from tests.classroom.test_class_of_30 import DOMAIN
from tests.conftest import run_tutor


def report(lab, user: str, password: str, passed: bool) -> bool:  # noqa: ANN001
    return asyncio.run(send_report("127.0.0.1", lab.running.progress_port,
                                   str(lab.running.ca_path), user, password,
                                   {"lesson": "alice-bob", "mode": "practice", "passed": passed,
                                    "completed": True, "skipped": 1, "shown": 2}))


def test_a_finished_lesson_shows_on_the_board_and_a_wrong_password_is_refused(lab_of):
    lab = lab_of(3)
    assert report(lab, f"sv001@{DOMAIN}", lab.passwords["sv001"], True)
    assert not report(lab, f"sv002@{DOMAIN}", lab.passwords["sv001"], True)
    board = lab.wait(lambda b: lab.row(b, 1)["lessons"] == ["alice-bob"])
    assert lab.row(board, 1)["lesson_help"] == 3 and lab.row(board, 2)["lessons"] == []
    assert "guessed" in lab.row(board, 2)["flags"]
    assert "lessons ✓ 1: alice-bob" in render(board, width=160, height=45)


def test_lesson_play_with_class_user_reports_after_the_lesson(lab_of):
    lab = lab_of(2)
    result = run_tutor("lesson", "play", "auth", "--mode", "watch", "--pace", "0.01", "--server",
                       f"127.0.0.1:{lab.port}", "--cafile", str(lab.running.ca_path),
                       "--class-user", f"sv002@{DOMAIN}", "--class-port",
                       str(lab.running.progress_port),
                       env={"SMTP_TUTOR_CLASS_PASSWORD": lab.passwords["sv002"]})
    assert b"recorded by the class server" in result.stderr, result.stderr[-500:]
    # the AUTH lesson passes on the class server with the student's own account (and
    # bob@hamburger.edu, the lessons' practice mailbox)
    assert b"every reply was the expected one" in result.stdout, result.stdout[-800:]
    board = lab.wait(lambda b: lab.row(b, 2)["lesson_tries"] == 1)
    # the password never went into the lesson's transcript
    assert lab.passwords["sv002"].encode() not in result.stdout
    assert lab.row(board, 2)["lesson_tries"] == 1
    assert lab.row(board, 2)["reached"] not in ("none", "connected", "hello", "tls")
