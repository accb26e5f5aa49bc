"""Each journey lesson (13-16) finished in a real terminal by typing only what the
screen tells the student, read through pyte; then `lesson list` shows ✓.

Before any string is typed, the test checks that it (or an instruction naming it) is on
the screen: a hint asked for with `?` (the screen says `?` gives one), the narration, or
the prompt's own question.  `:show` and `:skip` are never used: they would cost the ✓.
"""

from __future__ import annotations

import re
import time

from tests.conftest import run_tutor
from tests.pty_screen import PtyScreen


class Student:
    def __init__(self, term: PtyScreen) -> None:
        self.term = term

    def count(self, needle: str) -> int:
        return self.term.text().count(needle)

    def wait_new(self, needle: str, before: int, timeout: float = 60) -> None:
        """Until ``needle`` is on the screen once more than ``before`` times."""
        self.term.wait(needle, timeout)
        deadline = time.monotonic() + timeout
        while self.count(needle) <= before:
            if time.monotonic() > deadline:
                raise AssertionError(f"{needle!r} did not appear again:\n{self.term.text()}")

    def hinted(self, line: str, named: str | None = None) -> None:
        """`?`, wait for the hint naming ``line`` (or ``named``), then type ``line``."""
        needle = named or line
        before = self.count(needle)
        self.term.wait("`?` hint")
        self.term.type("?\r")
        self.wait_new(needle, before)
        self.term.type(line + "\r")

    def answer(self, question: str, text: str, before: int) -> None:
        """A question of the prompt's own (user name, password): wait for it, answer."""
        self.wait_new(question, before)
        assert text in self.term.text()  # named on the screen (narration or hint)
        self.term.type(text + "\r")

    def submission(self, recipients: list[tuple[str, str]], body: list[str]) -> None:
        self.hinted("EHLO alice-laptop")
        self.hinted("STARTTLS", "Ask for TLS first: STARTTLS")
        self.hinted("EHLO alice-laptop", "EHLO alice-laptop once more")
        users, passwords = self.count("user name [alice]:"), self.count("password (hidden):")
        self.hinted("AUTH PLAIN", "Type AUTH PLAIN, then alice and ketchup")
        self.answer("user name [alice]:", "alice", users)
        self.answer("password (hidden):", "ketchup", passwords)
        self.term.wait("235 2.7.0")
        self.hinted("MAIL FROM:<alice@crepes.fr>")
        for line, named in recipients:
            self.hinted(line, named)
        self.hinted("DATA")
        self.hinted(body[0], "headers first (Date:, From:, To:, Subject:)")
        for line in body[1:]:
            self.term.type(line + "\r")
        self.hinted(".", "a lone `.` ends it")
        self.term.wait("queued as")
        self.hinted("QUIT", "Alice is done: QUIT")
        self.term.wait("closing connection")

    def pop3(self, user: str, password: str, named: str, commands: list[str]) -> None:
        for line in ("STLS", f"USER {user}"):
            self.hinted(line)
        before = self.count("password (hidden):")
        self.hinted("PASS", f"practice password, {password}")
        self.answer("password (hidden):", password, before)
        self.term.wait(named)
        for line in commands:
            self.hinted(line)


def _play(tmp_path, number: int) -> tuple[PtyScreen, dict]:
    env = {"SMTP_TUTOR_HOME": str(tmp_path / "home")}
    return PtyScreen("lesson", "play", str(number), "--lang", "en", env=env), env


def _finished(term: PtyScreen, env: dict, number: int, lesson_id: str) -> None:
    term.wait("Marked ✓", timeout=120)
    assert term.ended() == 0
    listing = run_tutor("lesson", "list", env=env).stdout.decode()
    line = next(line for line in listing.splitlines() if lesson_id in line)
    assert "✓" in line, listing
    # the practice passwords are in the narration; what was typed at the prompts never is
    shown = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", term.raw)
    assert not re.search(r"\(hidden\):[ *]*(ketchup|pickles)", shown)
    assert "AGFsaWNlAGtldGNodXA=" not in shown  # base64("\0alice\0ketchup")
    assert "C: AUTH PLAIN ********" in term.text()


SUBJECT = ["Subject: Ketchup", "", "Do you like ketchup?"]


def test_lesson_13_mx_and_relay(tmp_path):
    term, env = _play(tmp_path, 13)
    try:
        student = Student(term)
        student.submission([("RCPT TO:<chef@nomail.fr>", None),
                            ("RCPT TO:<bob@hamburger.edu>", None)], SUBJECT)
        term.wait("══ hop 2")
        student.hinted("MX hamburger.edu")
        student.hinted("A mx.hamburger.edu")
        student.hinted("MX bistro.fr")
        _finished(term, env, 13, "mx-and-relay")
    finally:
        term.close()


def test_lesson_14_bounce(tmp_path):
    term, env = _play(tmp_path, 14)
    try:
        student = Student(term)
        student.submission([("RCPT TO:<nobody@hamburger.edu>", None)],
                           ["Subject: Hello?", "", "Is anybody there?"])
        term.wait("══ hop 3")
        student.pop3("alice@crepes.fr", "ketchup", "maildrop has", ["RETR 1"])
        student.hinted("DELE 1")
        student.hinted("QUIT", "the deletion happens now: QUIT")
        _finished(term, env, 14, "bounce")
    finally:
        term.close()


def test_lesson_15_retry_after_4xx(tmp_path):
    term, env = _play(tmp_path, 15)
    try:
        Student(term).submission([("RCPT TO:<bob@hamburger.edu>", None)],
                                 ["Subject: Patience", "", "Good things come to those who retry."])
        _finished(term, env, 15, "retry-after-4xx")
    finally:
        term.close()


def test_lesson_16_pop3_fetch(tmp_path):
    term, env = _play(tmp_path, 16)
    try:
        student = Student(term)
        student.submission([("RCPT TO:<bob@hamburger.edu>", None)],
                           ["Subject: Pickles", "", "And how about pickles?"])
        term.wait("══ hop 3")
        student.hinted("CAPA")
        student.pop3("bob", "pickles", "maildrop has", ["STAT", "LIST", "RETR 1", "DELE 1"])
        student.hinted("QUIT", "the deletion happens now: QUIT")
        _finished(term, env, 16, "pop3-fetch")
    finally:
        term.close()


