"""The REPL in a real pseudo-terminal (pexpect): completion, DATA mode, AUTH masking."""

import os
import re

import pexpect
import pytest

from tests.conftest import tutor_command

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


@pytest.fixture
def repl(practice, tutor_home):
    env = {**os.environ, "PROMPT_TOOLKIT_NO_CPR": "1", "TERM": "xterm", "COLUMNS": "120",
           "LINES": "40"}
    command, *args = tutor_command()
    child = pexpect.spawn(command, [*args, "connect", practice.host, str(practice.port),
                                    "--cafile", str(practice.ca_path)],
                          env=env, encoding="utf-8", timeout=15, dimensions=(40, 120))
    child.expect(r"\[helo\]>")
    yield child
    child.terminate(force=True)


def type_slowly(child, text: str) -> None:
    for index in range(0, len(text), 4):
        child.send(text[index : index + 4])


def screen(child) -> str:
    return ANSI.sub("", child.before or "")


def test_tab_completes_and_dialogue_is_explained(repl):
    type_slowly(repl, "EH")
    repl.send("\t")
    type_slowly(repl, "crepes.fr")
    repl.send("\r")
    repl.expect("C: EHLO crepes.fr")
    repl.expect(r"\[ready\]>")
    assert "PIPELINING" in screen(repl) and "several commands" in screen(repl)
    type_slowly(repl, "RCPT TO:<bob@hamburger.edu>\r")
    repl.expect("Enter again")
    repl.send("\r")
    repl.expect("503")
    repl.expect("needs a sender")


def test_data_mode_and_headers(repl, practice):
    for line, state in (("EHLO crepes.fr", "ready"), ("MAIL FROM:<alice@crepes.fr>", "mail"),
                        ("RCPT TO:<bob@hamburger.edu>", "rcpt")):
        type_slowly(repl, line + "\r")
        repl.expect(rf"\[{state}\]>")
    type_slowly(repl, "DATA\r")
    repl.expect("Envelope vs headers")
    repl.expect(r"\[data\]>")
    type_slowly(repl, ":headers\r")
    repl.expect("Subject: Hello")
    type_slowly(repl, ".secret dot\r")
    repl.expect("..secret dot⏎")
    type_slowly(repl, ".\r")
    repl.expect("Message accepted for delivery")
    [stored] = (practice.mailbox_dir / "bob" / "new").iterdir()
    assert b"From: <alice@crepes.fr>" in stored.read_bytes()


def test_auth_login_masks_the_password_everywhere(repl, tutor_home, tmp_path):
    for line, marker in (("EHLO crepes.fr", r"\[ready\]>"), ("STARTTLS", "TLS is on"),
                         ("EHLO crepes.fr", r"AUTH CRAM-MD5 LOGIN PLAIN XOAUTH2")):
        type_slowly(repl, line + "\r")
        repl.expect(marker)
    repl.expect(r"\[ready\]>")
    type_slowly(repl, "AUTH LOGIN\r")
    repl.expect("Username:")  # the 334 challenge is decoded
    repl.expect("username:")
    type_slowly(repl, "carol\r")  # replaces the default (bob), shown greyed out
    repl.expect("password:")
    type_slowly(repl, "crepes\r")
    repl.expect("Authentication succeeded")
    shown = screen(repl)
    assert "235" in shown and "crepes\r" not in shown and "Y3JlcGVz" not in shown
    save = tmp_path / "session.txt"
    type_slowly(repl, f":save {save}\r")
    repl.expect("Saved")
    repl.expect(r"\[ready\]>")
    repl.sendcontrol("d")
    repl.expect("221")
    repl.expect(pexpect.EOF)
    transcript = save.read_text()
    history = (tutor_home / "history").read_text()
    for text in (transcript, history):
        assert "Y3JlcGVz" not in text and "crepes\n" not in text.replace("crepes.fr", "")
    assert "C: ********" in transcript and "S: 235" in transcript


def test_save_lesson_records_a_session_that_plays_back(repl, tmp_path):
    for line, state in (("EHLO crepes.fr", "ready"), ("MAIL FROM:<alice@crepes.fr>", "mail"),
                        ("RCPT TO:<bob@hamburger.edu>", "rcpt"), ("DATA", "data"),
                        ("Subject: recorded", "data"), ("", "data"), ("Hello Bob", "data"),
                        (".", "ready")):
        type_slowly(repl, line + "\r")
        repl.expect(rf"\[{state}\]>")
    path = tmp_path / "my-lesson.lesson"
    type_slowly(repl, f":save-lesson {path}\r")
    repl.expect("Saved as a lesson")
    text = path.read_text()
    assert "id: my-lesson" in text and "C: RCPT TO:<bob@hamburger.edu>" in text
    assert "S: 220 hamburger.edu" in text and "C: Hello Bob" in text
    from tests.conftest import run_tutor

    assert run_tutor("lesson", "check", str(path)).returncode == 0
    played = run_tutor("lesson", "play", str(path), "--mode", "watch")
    assert played.returncode == 0, played.stdout.decode()[-800:]
    assert "every reply was the expected one" in played.stdout.decode()


def test_recorded_credentials_become_placeholders():
    from smtp_tutor.lessons.recording import lesson_text

    text = lesson_text([("S", "220 x"), ("C", "AUTH LOGIN"), ("S", "334 VXNlcm5hbWU6"),
                        ("C", "********"), ("S", "334 UGFzc3dvcmQ6"), ("C", "********"),
                        ("S", "235 ok"), ("C", "AUTH PLAIN ********")], "rec", "x")
    assert "C: {user_b64}" in text and "C: {pass_b64}" in text
    assert "C: AUTH PLAIN {auth_plain}" in text and "********" not in text.split("---")[1]
