"""A student plays a lesson against the class server by typing it, in a real pty, as
they would in the lab: the board and the CSV export show it finished, also after the
class server restarts."""

from __future__ import annotations

import csv
import io
import os

import pexpect

from smtp_tutor.classroom.board import render
from tests.classroom.conftest import open_lab
from tests.classroom.test_class_of_30 import DOMAIN
from tests.conftest import run_tutor, spawn_pty, tutor_command


def answer(child, text: str) -> None:  # noqa: ANN001
    for index in range(0, len(text), 4):
        child.send(text[index:index + 4])
    child.send("\r")


def test_a_lesson_typed_in_practice_mode_shows_finished_and_survives_a_restart(
        lab_of, loop_thread, tmp_path):
    lab = lab_of(3)
    env = {**os.environ, "PROMPT_TOOLKIT_NO_CPR": "1", "TERM": "xterm", "COLUMNS": "100",
           "LINES": "40"}
    env.pop("SMTP_TUTOR_CLASS_PASSWORD", None)
    command, *args = tutor_command()
    child = spawn_pty(command, [*args, "lesson", "play", "alice-bob", "--lang", "en",
                                "--server", f"127.0.0.1:{lab.port}", "--cafile",
                                str(lab.running.ca_path), "--class-user", f"sv002@{DOMAIN}",
                                "--class-port", str(lab.running.progress_port)],
                      env=env, encoding="utf-8", timeout=20, dimensions=(40, 100))
    try:
        child.expect(f"Password of sv002@{DOMAIN}")
        child.sendline(lab.passwords["sv002"])  # typed at getpass: never echoed
        child.expect(r"\[helo\]>")
        answer(child, "EHLO crepes.fr")
        for prompt, line in ((r"\[ready\]>", "MAIL FROM:<alice@crepes.fr>"),
                             (r"\[mail\]>", "RCPT TO:<bob@hamburger.edu>"),
                             (r"\[rcpt\]>", "DATA")):
            child.expect(prompt)
            answer(child, line)
        child.expect(r"\[data\]>")
        for line in ("Do you like ketchup?", "How about pickles?", "."):
            answer(child, line)
        child.expect(r"\[ready\]>")
        answer(child, "QUIT")
        child.expect("every reply was the expected one")
        child.expect("recorded by the class server")
        child.expect(pexpect.EOF)
        assert lab.passwords["sv002"] not in (child.before or "")
    finally:
        child.close(force=True)
    assert child.exitstatus == 0
    board = lab.wait(lambda b: lab.row(b, 2)["lessons"] == ["alice-bob"])
    assert lab.row(board, 2)["lesson_tries"] == 1 and lab.row(board, 2)["lesson_help"] == 0
    assert lab.row(board, 1)["lessons"] == [] and lab.row(board, 3)["lessons"] == []
    assert "lessons ✓ 1: alice-bob" in render(board, width=160, height=45)
    lab.stop()
    again = open_lab(loop_thread, lab.folder, 3)
    try:
        board = again.board()
        assert again.row(board, 2)["lessons"] == ["alice-bob"]
        out = tmp_path / "grades.csv"
        assert run_tutor("class", "export", "--folder", str(again.folder), "--csv",
                         str(out)).returncode == 0
        rows = {r["username"]: r for r in csv.DictReader(io.StringIO(
            out.read_text(encoding="utf-8")))}
        assert rows["sv002"]["lessons_finished"] == "1" and rows["sv002"]["lessons"] == "alice-bob"
        assert rows["sv001"]["lessons_finished"] == "0"
    finally:
        again.stop()
