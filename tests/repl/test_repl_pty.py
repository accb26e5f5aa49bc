"""The REPL in a real pseudo-terminal (pexpect): completion, DATA mode, AUTH masking."""


import pytest

from tests.repl.shell import save_and_quit, screen, spawn_shell, type_slowly


@pytest.fixture
def repl(practice, tutor_home):
    child = spawn_shell(practice)
    yield child
    child.terminate(force=True)


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
    save_and_quit(repl, save)
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
    from smtp_tutor.protocol.transcript import Line

    pairs = [("S", "220 x"), ("C", "AUTH LOGIN"), ("S", "334 VXNlcm5hbWU6"), ("C", "********"),
             ("S", "334 UGFzc3dvcmQ6"), ("C", "********"), ("S", "235 ok"),
             ("C", "AUTH PLAIN ********")]
    text = lesson_text([Line(side, words) for side, words in pairs], "rec", "x")
    assert "C: {user_b64}" in text and "C: {pass_b64}" in text
    assert "C: AUTH PLAIN {auth_plain}" in text and "********" not in text.split("---")[1]


def test_history_keeps_no_control_character_and_no_overlong_line(repl, tutor_home):
    """A pasted escape sequence is kept out of the history file; a line longer than a
    command may be is refused anyway. A zero-width space (as a PDF copy brings) is kept
    and recalled as its mark, so the line can be fixed."""
    type_slowly(repl, "EHLO crepes.fr\r")
    repl.expect(r"\[ready\]>")
    repl.send("\x1b[200~NOOP \x1b[31mred\u202eevil\x1b[201~\r")  # a bracketed paste
    repl.expect("250")
    repl.expect(r"\[ready\]>")
    repl.send("\x1b[200~NOOP pdf\u200bcopy\x1b[201~\r")
    repl.expect("250")
    repl.expect(r"\[ready\]>")
    repl.send("\x1b[A")  # recalled, drawn with its mark
    repl.expect(r"NOOP pdf(\x1b\[[0-9;]*m)*<U\+200B>(\x1b\[[0-9;]*m)*copy")
    repl.send("\x15")
    repl.send("\x1b[200~NOOP " + "A" * 600 + "\x1b[201~\r")
    repl.expect(r"\[ready\]>")
    type_slowly(repl, "NOOP kept\r")
    repl.expect("250")
    repl.expect(r"\[ready\]>")
    type_slowly(repl, "QUIT\r")
    repl.expect("221")
    history = (tutor_home / "history").read_text()
    assert "+NOOP kept" in history and "+EHLO crepes.fr" in history
    assert "\x1b" not in history and "\u202e" not in history and "A" * 600 not in history
    assert "+NOOP pdf\u200bcopy" in history
